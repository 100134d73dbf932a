//! Signing batches: `POST /api/v1/batches` signs a class (or a list of records) of the
//! caller's school; `GET /api/v1/batches/{id}` reports progress. The workflow (what is
//! signed, idempotency, nothing-to-sign, the background job) is the application layer's
//! ([`crate::app::sign`]); this module translates HTTP to it and back.
//!
//! The `Idempotency-Key` header is required: a retried request with the same key and body
//! returns the batch it already started and signs nothing again; the same key with another
//! body, or after the records it covered changed, is 409. Batches above
//! [`super::ApiConfig::background_threshold`] records run as a background task (202 with
//! `Location`); smaller ones answer when done (201). A scope with no validated record is 422
//! (`nothing-to-sign`, the number of drafts waiting as its `value`).

pub use crate::app::sign::{ItemOutcome, SUPERVISE_EVERY};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::{ApiError, parse_json};
use super::records::SchoolQuery;
use super::{AppState, Body};
use crate::app::sign::Started;
use crate::store::Batch;

/// What to sign: the validated records of a school year (optionally one class), or a list
/// of records.
pub type BatchRequest = crate::app::sign::SignRequest;

/// Looks for batches nobody works on and resumes them ([`crate::app::sign::resume_abandoned`]).
pub async fn resume_abandoned(state: &AppState) -> Result<usize, ApiError> {
    Ok(crate::app::sign::resume_abandoned(state.issuer()).await?)
}

/// Resumes abandoned batches now and every [`SUPERVISE_EVERY`] ([`crate::app::sign::supervise`]).
pub fn supervise(state: AppState) -> tokio::task::JoinHandle<()> {
    crate::app::sign::supervise(state.issuer().clone())
}

/// A batch as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchView {
    /// Batch id.
    pub id: String,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// Records in the batch.
    pub total: i64,
    /// Records that have their credential (signed now or before).
    pub succeeded: i64,
    /// Records that failed.
    pub failed: i64,
    /// When it was asked for (RFC 3339).
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// Per-record outcomes once done: `{"items": [{recordId, outcome, credentialId?, error?}]}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub report: Option<Value>,
}

impl From<&Batch> for BatchView {
    fn from(b: &Batch) -> Self {
        BatchView {
            id: b.id.clone(),
            state: b.state.as_str().to_owned(),
            total: b.total,
            succeeded: b.succeeded,
            failed: b.failed,
            created_at: b.created_at.format(&Rfc3339).unwrap_or_default(),
            updated_at: b.updated_at.format(&Rfc3339).unwrap_or_default(),
            report: b
                .report_json
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok()),
        }
    }
}

fn batch_response(status: StatusCode, batch: &Batch) -> Response {
    let mut response = (status, Json(BatchView::from(batch))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/batches/{}", batch.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Sign a class, a school year or a list of records. Principals; `Idempotency-Key` required.
#[utoipa::path(
    post,
    path = "/api/v1/batches",
    tag = "batches",
    params(("Idempotency-Key" = String, Header, description = "Unique per request; a retry reuses it")),
    request_body(content = BatchRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Done; per-record outcomes in `report`", body = BatchView),
        (status = 202, description = "Accepted; runs in the background (see Location)", body = BatchView),
        (status = 200, description = "A retry: the batch started earlier with this key", body = BatchView),
        (status = 400, description = "Missing Idempotency-Key or bad request", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a principal", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "A record id that is not the school's", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Key reused for another request or after its records changed, or no key for the school", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Nothing validated to sign: `errors[0].value` is how many drafts wait for validation", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_batch(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    caller.require_principal()?;
    let school = caller.own_school()?.clone();
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| ApiError::BadRequest {
            detail:
                "the Idempotency-Key header is required (any unique string; reuse it when retrying)"
                    .to_owned(),
        })?
        .to_owned();
    let request: BatchRequest = parse_json(&body)?;
    if request.record_ids.is_some() == request.school_year.is_some() {
        return Err(ApiError::BadRequest {
            detail: "name either recordIds or schoolYear (with an optional className)".to_owned(),
        });
    }
    let started = state
        .issuer()
        .start_signing(&school, Some(caller.user_id()), &key, &request, state.now())
        .await?;
    Ok(match started {
        Started::Signed(batch) => batch_response(StatusCode::CREATED, &batch),
        Started::Background(batch) => batch_response(StatusCode::ACCEPTED, &batch),
        Started::Retry(batch) => batch_response(StatusCode::OK, &batch),
    })
}

/// A batch's progress and, once done, its per-record report.
#[utoipa::path(
    get,
    path = "/api/v1/batches/{id}",
    tag = "batches",
    params(("id" = String, Path, description = "Batch id"), SchoolQuery),
    responses(
        (status = 200, description = "The batch", body = BatchView),
        (status = 404, description = "No such batch for this caller", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_batch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<SchoolQuery>,
) -> Result<Response, ApiError> {
    let school = caller.school_for(&state, query.school.as_deref()).await?;
    let batch = state.store().batch(&school.id, &id).await?;
    Ok(batch_response(StatusCode::OK, &batch))
}
