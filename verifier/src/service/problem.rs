//! RFC 9457 problem details: every error of the HTTP API is `application/problem+json` with
//! `type`, `title`, `status`, `detail`, and — for bad input — the `field`, the `rule` broken and
//! the offending `value` (or the `limit`). The wire form is
//! [`hocba_schema::problem::ProblemDetails`], shared with the issuer.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// Base of the `type` URIs (stable identifiers, not fetched).
pub const TYPE_BASE: &str = "urn:hocba:problem:";

/// A problem details object (boxed: it travels in `Err`s).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Problem(Box<ProblemDetails>);

impl std::ops::Deref for Problem {
    type Target = ProblemDetails;
    fn deref(&self) -> &ProblemDetails {
        &self.0
    }
}

/// The members of a problem details object: the one wire form, defined in `hocba_schema`
/// (`rule` is always set here).
pub type ProblemDetails = hocba_schema::problem::ProblemDetails;

impl Problem {
    /// A problem with `status`, `rule` (also the `type` suffix), `title` and `detail`.
    pub fn new(status: StatusCode, rule: &str, title: &str, detail: impl Into<String>) -> Self {
        let mut details = ProblemDetails::new(
            format!("{TYPE_BASE}{rule}"),
            title.to_owned(),
            status.as_u16(),
            detail.into(),
        );
        details.rule = Some(rule.to_owned());
        Self(Box::new(details))
    }

    /// The rule broken (stable code; also the `type` suffix).
    pub fn rule(&self) -> &str {
        self.0.rule.as_deref().unwrap_or_default()
    }

    /// Name the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.0.field = Some(field.into());
        self
    }

    /// Name the offending value.
    pub fn value(mut self, value: impl Into<Value>) -> Self {
        self.0.value = Some(value.into());
        self
    }

    /// Name the limit.
    pub fn limit(mut self, limit: u64) -> Self {
        self.0.limit = Some(limit);
        self
    }

    /// 413: the body is larger than `limit` bytes.
    pub fn body_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Request body too large",
            format!("the request body is larger than the limit of {limit} bytes"),
        )
        .field("body")
        .limit(limit as u64)
    }

    /// 400: the body is not the JSON expected.
    pub fn bad_json(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            detail,
        )
        .field("body")
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(hocba_schema::problem::PROBLEM_JSON),
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// A value shortened to at most 80 characters, for `value`.
pub fn short(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The bytes are what the service wrote before the format moved to
    /// `hocba_schema::problem`: the standard members, then `field`, `rule`, `value`, `limit`.
    #[test]
    fn problem_bodies_are_written_as_before() {
        let p = Problem::body_too_large(10).value("x");
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"type":"urn:hocba:problem:body-too-large","title":"Request body too large","status":413,"detail":"the request body is larger than the limit of 10 bytes","field":"body","rule":"body-too-large","value":"x","limit":10}"#
        );
        assert_eq!(p.rule(), "body-too-large");
    }
}
