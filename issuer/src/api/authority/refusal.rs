//! How the authority's endpoints refuse: an [`ApiError`], or a 400 naming the one field that
//! breaks a rule of the trust-list life cycle ([`crate::authority::AuthorityError::Invalid`]).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa::IntoResponses;

use super::super::error::{ApiError, FieldError, ProblemDetails};
use crate::authority::AuthorityError;

/// An answer that is either an [`ApiError`] or a 400 naming one field.
#[derive(Debug)]
pub enum Refusal {
    /// Any other problem.
    Api(ApiError),
    /// A field breaks a rule (400 with `errors`).
    Field {
        /// What is wrong.
        detail: String,
        /// The field, rule and value.
        error: Box<FieldError>,
    },
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Refusal::Api(e)
    }
}

impl From<crate::error::IssuerError> for Refusal {
    fn from(e: crate::error::IssuerError) -> Self {
        Refusal::Api(e.into())
    }
}

impl From<crate::store::StoreError> for Refusal {
    fn from(e: crate::store::StoreError) -> Self {
        Refusal::Api(e.into())
    }
}

impl From<AuthorityError> for Refusal {
    fn from(e: AuthorityError) -> Self {
        match e {
            AuthorityError::Invalid {
                field,
                rule,
                value,
                detail,
            } => field_refusal(field, rule, Value::from(value), detail),
            AuthorityError::Store(e) => e.into(),
            AuthorityError::Conflict(detail) => Refusal::Api(ApiError::Conflict { detail }),
            AuthorityError::Issuer(e) => Refusal::Api(ApiError::from(e)),
        }
    }
}

pub(super) fn field_refusal(field: &str, rule: &str, value: Value, detail: String) -> Refusal {
    Refusal::Field {
        error: Box::new(FieldError::error(
            &format!("/{field}"),
            rule,
            value,
            &format!("Trường {field} không hợp lệ: {detail}"),
            &format!("{field} is not valid: {detail}"),
        )),
        detail: format!("{field}: {detail}"),
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Api(e) => e.into_response(),
            Refusal::Field { detail, error } => {
                let body = ProblemDetails {
                    kind: "/problems/bad-request".to_owned(),
                    title: "Bad request".to_owned(),
                    status: StatusCode::BAD_REQUEST.as_u16(),
                    detail,
                    errors: vec![*error],
                };
                let mut response = (StatusCode::BAD_REQUEST, Json(body)).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/problem+json"),
                );
                response
            }
        }
    }
}

/// The 403 problem of every authority-only endpoint (with `require_authority`), as its API
/// documentation lists it.
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "Not the authority",
    content_type = "application/problem+json"
)]
#[allow(dead_code)] // Never built: it only describes a response.
pub(super) struct NotAuthority(pub(super) ProblemDetails);
