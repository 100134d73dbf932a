//! Reading untrusted bytes as a JSON object, with limits: a size cap checked before parsing,
//! serde_json's nesting limit (128), and no member name twice in one object (I-JSON, which
//! JCS requires: two parsers must never read two different documents from the same bytes).

use serde::Deserializer as _;
use serde::de::{self, Deserialize, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::VerifyError;

/// Largest credential accepted, in bytes (1 MiB). A year record is about 5 KB.
pub const MAX_CREDENTIAL_BYTES: usize = 1 << 20;

/// Largest trust list accepted, in bytes (64 MiB: every school in Vietnam with a few keys).
pub const MAX_TRUST_LIST_BYTES: usize = 64 << 20;

/// Parse `bytes` (what = `credential` / `trust list`) into a JSON object.
pub(crate) fn parse_object(
    bytes: &[u8],
    what: &'static str,
    limit: usize,
) -> Result<Map<String, Value>, VerifyError> {
    if bytes.len() > limit {
        return Err(VerifyError::TooLarge {
            what,
            size: bytes.len(),
            limit,
        });
    }
    // A UTF-8 byte order mark is how some Windows editors save; it is not part of the JSON.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = de
        .deserialize_any(StrictVisitor)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| VerifyError::NotJson {
            what,
            line: e.line(),
            column: e.column(),
            problem: e.to_string(),
        })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(VerifyError::NotAnObject {
            what,
            found: json_type(&other),
        }),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A `Value` that refuses duplicate member names.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "member name {key:?} appears twice in one object"
                )));
            }
            let Strict(v) = access.next_value()?;
            map.insert(key, v);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_like_serde_json() {
        let text = r#"{"a":[1,-2,3.5,"x",null,true,{"b":{}}],"c":"Nguyễn"}"#;
        let strict = parse_object(text.as_bytes(), "credential", 1000).unwrap();
        let plain: Value = serde_json::from_str(text).unwrap();
        assert_eq!(Value::Object(strict), plain);
    }

    #[test]
    fn limits_and_shapes_are_named() {
        let e = parse_object(b"{}", "credential", 1).unwrap_err();
        assert!(matches!(
            e,
            VerifyError::TooLarge {
                size: 2,
                limit: 1,
                ..
            }
        ));
        let e = parse_object(b"[1]", "credential", 10).unwrap_err();
        assert_eq!(
            e,
            VerifyError::NotAnObject {
                what: "credential",
                found: "array"
            }
        );
        let e = parse_object(b"{\"a\":1,\n\"a\":2}", "credential", 100).unwrap_err();
        assert!(
            matches!(&e, VerifyError::NotJson { line: 2, problem, .. } if problem.contains("twice")),
            "{e}"
        );
        assert!(parse_object(b"{} x", "credential", 100).is_err());
        assert!(parse_object(b"\xEF\xBB\xBF{}", "credential", 100).is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse_object(deep.as_bytes(), "credential", 1 << 20).unwrap_err();
        assert!(matches!(e, VerifyError::NotJson { .. }), "{e}");
    }
}
