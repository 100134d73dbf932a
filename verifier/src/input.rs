//! Reading untrusted bytes as a JSON object, with limits: a size cap checked before parsing,
//! serde_json's nesting limit (128), and no member name twice in one object (I-JSON, which
//! JCS requires: two parsers must never read two different documents from the same bytes).
//! The reader is [`hocba_schema::json`], shared with the issuer's record import.

use hocba_schema::json::{StrictJsonError, json_type, read_strict};
use serde_json::{Map, Value};

use crate::error::VerifyError;

/// Largest credential accepted, in bytes (1 MiB). A year record is about 5 KB.
pub const MAX_CREDENTIAL_BYTES: usize = 1 << 20;

/// Largest trust list accepted, in bytes (64 MiB: every school in Vietnam with a few keys).
pub const MAX_TRUST_LIST_BYTES: usize = 64 << 20;

/// Parse `bytes` (what = `credential` / `trust list`) into a JSON object, with the shared
/// strict reader ([`hocba_schema::json::read_strict`]).
pub(crate) fn parse_object(
    bytes: &[u8],
    what: &'static str,
    limit: usize,
) -> Result<Map<String, Value>, VerifyError> {
    let value = read_strict(bytes, limit).map_err(|e| match e {
        StrictJsonError::TooLarge { size, limit } => VerifyError::TooLarge { what, size, limit },
        StrictJsonError::Syntax {
            line,
            column,
            problem,
        } => VerifyError::NotJson {
            what,
            line,
            column,
            problem,
        },
        other => VerifyError::NotJson {
            what,
            line: 0,
            column: 0,
            problem: other.to_string(),
        },
    })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(VerifyError::NotAnObject {
            what,
            found: json_type(&other),
        }),
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
