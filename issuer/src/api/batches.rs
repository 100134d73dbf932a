//! Signing batches: `POST /api/v1/batches` signs a class (or a list of records) of the
//! caller's school; `GET /api/v1/batches/{id}` reports progress.
//!
//! The `Idempotency-Key` header is required: a retried request with the same key and body
//! returns the batch it already started and signs nothing again; the same key with another
//! body is 409. Batches above [`super::ApiConfig::background_threshold`] records run as a
//! background task (202 with `Location`); smaller ones answer when done (201).
//!
//! Every batch is worked on under a lease (`store/workers.rs`); `runner.rs` runs it, renews
//! the lease, and takes over batches whose worker is gone ([`supervise`]).

mod runner;

pub use runner::{ItemOutcome, SUPERVISE_EVERY, resume_abandoned, supervise};

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::{ApiError, parse_json};
use super::records::SchoolQuery;
use super::{AppState, Body};
use crate::signing::Signer;
use crate::store::{Batch, NewBatch, RecordFilter, RecordState, School};

/// What to sign: the validated records of a school year (optionally one class), or a list
/// of records.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchRequest {
    /// School year, e.g. `2025-2026` (with or without `className`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school_year: Option<String>,
    /// Class, e.g. `5A`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Exactly these records (instead of a year or class).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_ids: Option<Vec<String>>,
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
        (status = 409, description = "Key reused for another request, or no key for the school", body = super::ProblemDetails, content_type = "application/problem+json"),
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
    let signer = state.signer(&school.code).ok_or_else(|| ApiError::Conflict {
        detail: format!(
            "this server holds no key of school {} that is active in the latest trust list: the \
             school's keys may all be retired or compromised (ask the authority to add and publish a \
             new one), or the key directory (--keys) lacks school-{}.pem / school-{}-<suffix>.pem",
            school.code, school.code, school.code
        ),
    })?;
    let canonical =
        serde_json::to_string(&request).map_err(|e| ApiError::Internal(e.to_string()))?;
    let request_sha256 = hex(&Sha256::digest(canonical.as_bytes()));
    let record_ids = match request.record_ids {
        Some(ids) => {
            // Every id must be one of the caller's school's records: another school's is 404,
            // like an id that does not exist.
            for id in &ids {
                state.store().record(&school.id, id).await?;
            }
            ids
        }
        None => state
            .store()
            .list_records(
                &school.id,
                &RecordFilter {
                    school_year: request.school_year,
                    class_name: request.class_name,
                    state: Some(RecordState::Validated),
                },
            )
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect(),
    };
    let now = state.now();
    let (batch, created) = state
        .store()
        .create_or_get_batch(
            &school.id,
            &NewBatch {
                idempotency_key: key,
                request_sha256,
                total: i64::try_from(record_ids.len()).unwrap_or(i64::MAX),
            },
            Some(caller.user_id()),
            now,
        )
        .await?;
    let actor = Some(caller.user_id().to_owned());
    if !created {
        // A retry. A batch that is done, or held by a live worker, is answered as it is; one
        // that failed or whose worker is gone is taken over and finished now (records signed
        // before are found, not signed again).
        let pending = runner::pending_ids(&batch).unwrap_or(record_ids);
        let Some(claimed) = runner::take_over(&state, &batch, None).await? else {
            return Ok(batch_response(StatusCode::OK, &batch));
        };
        tracing::info!(batch = %batch.id, "resuming a batch on retry");
        return start(state, school, signer, &claimed, pending, actor).await;
    }
    let report = serde_json::json!({ "recordIds": record_ids }).to_string();
    let Some(claimed) = runner::take_over(&state, &batch, Some(&report)).await? else {
        // Another worker took it between its creation and now: it is being worked on.
        return Ok(batch_response(StatusCode::ACCEPTED, &batch));
    };
    start(state, school, signer, &claimed, record_ids, actor).await
}

/// Signs the records of a batch this worker has claimed: in the background above the
/// threshold (202), else before answering (201).
async fn start(
    state: AppState,
    school: School,
    signer: Arc<Signer>,
    batch: &Batch,
    record_ids: Vec<String>,
    actor: Option<String>,
) -> Result<Response, ApiError> {
    if record_ids.len() > state.config().background_threshold {
        drop(runner::run_detached(
            state,
            school,
            signer,
            batch.id.clone(),
            record_ids,
            actor,
        ));
        return Ok(batch_response(StatusCode::ACCEPTED, batch));
    }
    let done = runner::run_detached(state, school, signer, batch.id.clone(), record_ids, actor)
        .await
        .map_err(|e| ApiError::Internal(format!("batch task: {e}")))??;
    Ok(batch_response(StatusCode::CREATED, &done))
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
