//! The one error type of the HTTP API and its wire form: RFC 9457 problem details
//! (`application/problem+json`) with `type`, `title`, `status`, `detail` and, for validation,
//! an `errors` array naming each field by JSON pointer, its rule and its value.
//!
//! Bad input is always a 4xx. Server-side failures (5xx) are logged with their cause; the
//! client gets a generic detail, never a database message.

use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hocba_schema::validation::{Problem, ValidationReport};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use thiserror::Error;
use utoipa::ToSchema;

use crate::store::StoreError;

/// Why an API request was refused or failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No bearer token, or one that is unknown, expired or revoked (401).
    #[error("a valid bearer token is required (Authorization: Bearer …)")]
    Unauthorized,
    /// The caller's role may not do this (403).
    #[error("this needs the role {needed}; your token's role is {have}")]
    Forbidden {
        /// The roles that may.
        needed: &'static str,
        /// The caller's role.
        have: String,
    },
    /// No such thing for this caller; another school's is reported the same way (404).
    #[error("{what} {id} not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The request is malformed in a way that is not about JSON syntax (400).
    #[error("{detail}")]
    BadRequest {
        /// What is wrong, naming the parameter or header.
        detail: String,
    },
    /// The body is not well-formed JSON (400).
    #[error("malformed JSON at line {line}, column {column}: {detail}")]
    MalformedJson {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the parser said.
        detail: String,
    },
    /// The content does not pass validation (422); every problem is listed.
    #[error("{title}")]
    Unprocessable {
        /// One line saying what is wrong.
        title: String,
        /// Each problem, by JSON pointer.
        errors: Vec<FieldError>,
    },
    /// A change without `If-Match` (428).
    #[error("this change needs an If-Match header with the record's version (its ETag)")]
    PreconditionRequired,
    /// Somebody else changed the record since the caller read it (412).
    #[error(
        "record {id} was changed by someone else (If-Match {expected}, it is now {current}); reload and retry"
    )]
    PreconditionFailed {
        /// The record.
        id: String,
        /// The version the caller had.
        expected: i64,
        /// The version stored now.
        current: i64,
    },
    /// The change contradicts what is stored (409).
    #[error("{detail}")]
    Conflict {
        /// What conflicted.
        detail: String,
    },
    /// The path exists but not with this method (405).
    #[error("this path does not accept this method")]
    MethodNotAllowed,
    /// The body is larger than the limit (413).
    #[error("the request body is larger than the {limit}-byte limit")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// An imported file is over one of the import limits (413): rows, columns, a part's
    /// inflated size or ratio (`crate::import::limits`).
    #[error("{detail}")]
    ImportLimit {
        /// The limit and the value, in words.
        detail: String,
        /// The limit as a field problem: `rule` names it, `value` is the limit.
        errors: Vec<FieldError>,
    },
    /// The body's media type is not accepted here (415).
    #[error("{detail}")]
    UnsupportedMediaType {
        /// What is accepted.
        detail: String,
    },
    /// The database did not answer in time (503).
    #[error("the database is unavailable; retry later")]
    Unavailable,
    /// A failure on our side (500); the cause is logged, not sent.
    #[error("internal error")]
    Internal(String),
}

/// One problem of a request, as it appears in the `errors` array.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// RFC 6901 JSON pointer to the field (`""` for the whole document).
    pub pointer: String,
    /// Stable rule code, e.g. `score-range`.
    pub rule: String,
    /// `error` or `warning`.
    pub severity: String,
    /// The offending value as written (`null` when missing).
    pub value: Value,
    /// For a derived result: what the rules compute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// The problem in Vietnamese.
    pub message_vi: String,
    /// The problem in English.
    pub message_en: String,
}

impl From<&Problem> for FieldError {
    fn from(p: &Problem) -> Self {
        FieldError {
            pointer: p.pointer.clone(),
            rule: p.rule.code().to_owned(),
            severity: p.severity.label_en().to_lowercase(),
            value: p.value.clone(),
            expected: p.expected.clone(),
            message_vi: p.message_vi.clone(),
            message_en: p.message_en.clone(),
        }
    }
}

impl FieldError {
    /// An error of our own (not from record validation).
    pub fn error(
        pointer: &str,
        rule: &str,
        value: Value,
        message_vi: &str,
        message_en: &str,
    ) -> Self {
        FieldError {
            pointer: pointer.to_owned(),
            rule: rule.to_owned(),
            severity: "error".to_owned(),
            value,
            expected: None,
            message_vi: message_vi.to_owned(),
            message_en: message_en.to_owned(),
        }
    }

    /// Every problem of `report`.
    pub fn all(report: &ValidationReport) -> Vec<FieldError> {
        report.problems.iter().map(FieldError::from).collect()
    }
}

/// An RFC 9457 problem details body. Written on the wire as the shared
/// [`hocba_schema::problem::ProblemDetails`] (the one definition of the format, which the
/// verifier's service answers with too); this type names the members the issuer sets.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(into = "WireProblem")]
pub struct ProblemDetails {
    /// URI reference naming the kind of problem, e.g. `/problems/not-found`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// This occurrence in words.
    pub detail: String,
    /// Each field problem (validation), by JSON pointer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The wire form of the issuer's problem bodies.
type WireProblem = hocba_schema::problem::ProblemDetails<FieldError>;

impl From<ProblemDetails> for WireProblem {
    fn from(p: ProblemDetails) -> Self {
        let mut wire = WireProblem::new(p.kind, p.title, p.status, p.detail);
        wire.errors = p.errors;
        wire
    }
}

impl ApiError {
    /// The HTTP status, the problem type slug and its title.
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"),
            ApiError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
            ApiError::NotFound { .. } => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::BadRequest { .. } => (StatusCode::BAD_REQUEST, "bad-request", "Bad request"),
            ApiError::MalformedJson { .. } => {
                (StatusCode::BAD_REQUEST, "malformed-json", "Malformed JSON")
            }
            ApiError::Unprocessable { .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "The content does not pass validation",
            ),
            ApiError::PreconditionRequired => (
                StatusCode::PRECONDITION_REQUIRED,
                "if-match-required",
                "If-Match required",
            ),
            ApiError::PreconditionFailed { .. } => (
                StatusCode::PRECONDITION_FAILED,
                "stale-version",
                "Changed by someone else",
            ),
            ApiError::Conflict { .. } => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            ),
            ApiError::PayloadTooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Request body too large",
            ),
            ApiError::ImportLimit { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "import-limit",
                "The file is over an import limit",
            ),
            ApiError::UnsupportedMediaType { .. } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            ),
        }
    }

    /// The problem details body of this error.
    pub fn problem(&self) -> ProblemDetails {
        let (status, slug, title) = self.parts();
        let title = match self {
            ApiError::Unprocessable { title, .. } => title.clone(),
            _ => title.to_owned(),
        };
        ProblemDetails {
            kind: format!("/problems/{slug}"),
            title,
            status: status.as_u16(),
            detail: self.to_string(),
            errors: match self {
                ApiError::Unprocessable { errors, .. } | ApiError::ImportLimit { errors, .. } => {
                    errors.clone()
                }
                _ => Vec::new(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _, _) = self.parts();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let mut response = (status, Json(self.problem())).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(hocba_schema::problem::PROBLEM_JSON),
        );
        if matches!(self, ApiError::Unauthorized) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => ApiError::NotFound { what, id },
            StoreError::Conflict { what } => ApiError::Conflict { detail: what },
            StoreError::StaleVersion {
                id,
                expected,
                current,
            } => ApiError::PreconditionFailed {
                id,
                expected,
                current,
            },
            StoreError::InvalidInput { field, reason } => ApiError::BadRequest {
                detail: format!("invalid {field}: {reason}"),
            },
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::Unavailable
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Reads `bytes` as JSON of type `T`; a syntax error names its line and column, a shape
/// error (wrong field type, missing field) is a 422 naming the field where serde can.
pub fn parse_json<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| json_error(&e))
}

/// The API error for a serde_json error.
pub fn json_error(e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::MalformedJson {
            line: e.line(),
            column: e.column(),
            detail: e.to_string(),
        },
        Category::Data => ApiError::Unprocessable {
            title: "The request body has the wrong shape".to_owned(),
            errors: vec![FieldError::error(
                "",
                "request-shape",
                Value::Null,
                &format!("Nội dung yêu cầu sai cấu trúc: {e}"),
                &format!("The request body has the wrong shape: {e}"),
            )],
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The bytes are what the issuer wrote before the format moved to `hocba_schema::problem`:
    /// `type`, `title`, `status`, `detail`, then `errors` only when there are some.
    #[test]
    fn problem_bodies_are_written_as_before() {
        let not_found = ApiError::NotFound {
            what: "record",
            id: "r1".into(),
        };
        assert_eq!(
            serde_json::to_string(&not_found.problem()).unwrap(),
            r#"{"type":"/problems/not-found","title":"Not found","status":404,"detail":"record r1 not found"}"#
        );
        let invalid = ApiError::Unprocessable {
            title: "Bad".into(),
            errors: vec![FieldError::error(
                "/a",
                "score-range",
                Value::from(11),
                "vi",
                "en",
            )],
        };
        assert_eq!(
            serde_json::to_string(&invalid.problem()).unwrap(),
            r#"{"type":"/problems/validation","title":"Bad","status":422,"detail":"Bad","errors":[{"pointer":"/a","rule":"score-range","severity":"error","value":11,"messageVi":"vi","messageEn":"en"}]}"#
        );
    }
}
