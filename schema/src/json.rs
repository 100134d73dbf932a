//! The strict JSON reader every side uses for untrusted bytes: a size cap checked before
//! parsing, serde_json's nesting limit (128 levels), a UTF-8 byte order mark skipped, and no
//! member name twice in one object (I-JSON, which JCS requires: two parsers must never read
//! two different documents from the same bytes).
//!
//! [`Strict`] is the value type (usable with any serde deserializer, e.g. with
//! `serde_path_to_error` to learn where reading failed); [`read_strict`] is the one call for
//! bytes. No I/O here.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use thiserror::Error;

/// What the reader says when one object names a member twice (`duplicate key `name``,
/// followed by this text). Stable: readers of the message look for the `duplicate key `
/// prefix.
pub const DUPLICATE_KEY_PREFIX: &str = "duplicate key ";

/// Why bytes were not read as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum StrictJsonError {
    /// Larger than the cap (checked before parsing).
    #[error("{size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The cap.
        limit: usize,
    },
    /// Not JSON, nested too deep, or a member name twice in one object.
    #[error("{problem}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        problem: String,
    },
}

/// The bytes without a leading UTF-8 byte order mark (how some Windows editors and
/// spreadsheet exports save; it is not part of the JSON).
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Read `bytes` (at most `limit` of them) as one JSON value, strictly: see the module.
pub fn read_strict(bytes: &[u8], limit: usize) -> Result<Value, StrictJsonError> {
    if bytes.len() > limit {
        return Err(StrictJsonError::TooLarge {
            size: bytes.len(),
            limit,
        });
    }
    let mut de = serde_json::Deserializer::from_slice(strip_bom(bytes));
    Strict::deserialize(&mut de)
        .and_then(|Strict(v)| de.end().map(|()| v))
        .map_err(|e| StrictJsonError::Syntax {
            line: e.line(),
            column: e.column(),
            problem: e.to_string(),
        })
}

/// The JSON type of `v`, in words: `null`, `boolean`, `number`, `string`, `array`, `object`.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A JSON value whose objects name no member twice.
#[derive(Debug, Clone, PartialEq)]
pub struct Strict(pub Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
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
            .ok_or_else(|| E::custom("number out of range"))
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

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Strict::deserialize(deserializer).map(|Strict(v)| v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "{DUPLICATE_KEY_PREFIX}`{key}`: the member name appears twice in one object"
                )));
            }
            let Strict(item) = map.next_value()?;
            object.insert(key, item);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_like_serde_json() {
        let text = r#"{"a":[1,-2,3.5,"x",null,true,{"b":{}}],"c":"Nguyễn"}"#;
        let plain: Value = serde_json::from_str(text).unwrap();
        assert_eq!(read_strict(text.as_bytes(), 1000).unwrap(), plain);
    }

    #[test]
    fn duplicates_size_depth_and_bom() {
        let e = read_strict(b"{\"a\":1,\n\"a\":2}", 100).unwrap_err();
        assert!(
            matches!(&e, StrictJsonError::Syntax { line: 2, problem, .. }
                if problem.starts_with("duplicate key `a`") && problem.contains("twice")),
            "{e}"
        );
        assert_eq!(
            read_strict(b"{}", 1).unwrap_err(),
            StrictJsonError::TooLarge { size: 2, limit: 1 }
        );
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            read_strict(deep.as_bytes(), 1 << 20),
            Err(StrictJsonError::Syntax { .. })
        ));
        assert!(read_strict(b"{} x", 100).is_err());
        assert_eq!(
            read_strict(b"\xEF\xBB\xBF{}", 100).unwrap(),
            Value::Object(Map::new())
        );
    }
}
