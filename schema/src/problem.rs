//! RFC 9457 problem details (`application/problem+json`): the one wire form of an HTTP error
//! that the issuer's API and the verifier's service both answer with.
//!
//! The standard members come first (`type`, `title`, `status`, `detail`), then the project's
//! extension members, each written only when set: `field` (the request member at fault),
//! `rule` (a stable code of the rule broken), `value` (the offending value, shortened),
//! `limit` (the limit that was hit) and `errors` (one entry per field problem of a validation,
//! of the issuer's own type `E`). Members keep this order on the wire. No I/O here.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The media type of a problem details body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem details object. `E` is the type of one entry of `errors` (unused: `Value`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemDetails<E = Value> {
    /// URI reference naming the kind of problem (`/problems/not-found`,
    /// `urn:hocba:problem:busy`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// This occurrence, in plain words.
    pub detail: String,
    /// The request member at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The rule broken (stable code), when the answer names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The offending value (shortened), when useful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// The limit that applies, when a limit was hit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Each field problem of a validation.
    #[serde(default = "Vec::new", skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<E>,
}

impl<E> ProblemDetails<E> {
    /// A problem with the standard members only.
    pub fn new(kind: String, title: String, status: u16, detail: String) -> Self {
        Self {
            kind,
            title,
            status,
            detail,
            field: None,
            rule: None,
            value: None,
            limit: None,
            errors: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn members_in_order_and_only_when_set() {
        let plain: ProblemDetails = ProblemDetails::new(
            "/problems/not-found".into(),
            "Not found".into(),
            404,
            "record r1 not found".into(),
        );
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            r#"{"type":"/problems/not-found","title":"Not found","status":404,"detail":"record r1 not found"}"#
        );
        let full = ProblemDetails {
            field: Some("items".into()),
            rule: Some("too-many-items".into()),
            value: Some(Value::from(1001)),
            limit: Some(1000),
            errors: vec![Value::from("e")],
            ..plain
        };
        let text = serde_json::to_string(&full).unwrap();
        assert!(
            text.ends_with(
                r#""detail":"record r1 not found","field":"items","rule":"too-many-items","value":1001,"limit":1000,"errors":["e"]}"#
            ),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<ProblemDetails>(&text).unwrap(), full);
    }
}
