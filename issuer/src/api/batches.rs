//! Signing batches: `POST /api/v1/batches` signs a class (or a list of records) of the
//! caller's school; `GET /api/v1/batches/{id}` reports progress.
//!
//! The `Idempotency-Key` header is required: a retried request with the same key and body
//! returns the batch it already started and signs nothing again; the same key with another
//! body is 409. Batches above [`super::ApiConfig::background_threshold`] records run as a
//! background task (202 with `Location`); smaller ones answer when done (201).

use std::collections::HashMap;
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
use crate::batch::{self, BatchContext, BatchOutcome, ChunkDone};
use crate::signing::Signer;
use crate::store::{
    AuditEntry, Batch, BatchProgress, BatchState, NewBatch, RecordFilter, RecordState, School,
};

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
        // A retry. A batch that is done, or still being worked on, is answered as it is; one
        // that failed or was left behind by a process that died is finished now (records
        // signed before are found, not signed again).
        let Some(pending) = resumable(&batch, now) else {
            return Ok(batch_response(StatusCode::OK, &batch));
        };
        tracing::info!(batch = %batch.id, "resuming a batch on retry");
        return start(state, school, signer, &batch, pending, actor).await;
    }
    start(state, school, signer, &batch, record_ids, actor).await
}

/// A batch whose progress has not moved for this long is taken to be abandoned by a process
/// that died, and may be resumed.
pub const STALE_AFTER: time::Duration = time::Duration::seconds(60);

/// The records still to do of `batch`, if it should be resumed at `now`: it failed, or it
/// is queued or running and has not moved for [`STALE_AFTER`].
fn resumable(batch: &Batch, now: time::OffsetDateTime) -> Option<Vec<String>> {
    let stale = now - batch.updated_at > STALE_AFTER;
    let resume = match batch.state {
        BatchState::Done => false,
        BatchState::Failed => true,
        BatchState::Queued | BatchState::Running => stale,
    };
    if !resume {
        return None;
    }
    let report: Value = serde_json::from_str(batch.report_json.as_deref()?).ok()?;
    serde_json::from_value(report.get("recordIds")?.clone()).ok()
}

/// Records the batch's record ids (so it can be resumed), then signs them: in the
/// background above the threshold (202), else before answering (201).
async fn start(
    state: AppState,
    school: School,
    signer: Arc<Signer>,
    batch: &Batch,
    record_ids: Vec<String>,
    actor: Option<String>,
) -> Result<Response, ApiError> {
    let running = state
        .store()
        .update_batch(
            &school.id,
            &batch.id,
            &BatchProgress {
                state: BatchState::Running,
                succeeded: 0,
                failed: 0,
                report_json: Some(serde_json::json!({ "recordIds": record_ids }).to_string()),
            },
            state.now(),
        )
        .await?;
    if record_ids.len() > state.config().background_threshold {
        drop(run_detached(
            state,
            school,
            signer,
            batch.id.clone(),
            record_ids,
            actor,
        ));
        return Ok(batch_response(StatusCode::ACCEPTED, &running));
    }
    let done = run_detached(state, school, signer, batch.id.clone(), record_ids, actor)
        .await
        .map_err(|e| ApiError::Internal(format!("batch task: {e}")))??;
    Ok(batch_response(StatusCode::CREATED, &done))
}

/// Resumes, in the background, every batch of a school whose key this server holds that
/// failed or was abandoned (see [`STALE_AFTER`]) — what `serve` does on start. Returns how
/// many were resumed.
pub async fn resume_abandoned(state: &AppState) -> Result<usize, ApiError> {
    let now = state.now();
    let mut resumed = 0;
    for batch in state.store().unfinished_batches().await? {
        let Some(pending) = resumable(&batch, now) else {
            continue;
        };
        let school = state.store().school(&batch.school_id).await?;
        let Some(signer) = state.signer(&school.code) else {
            continue;
        };
        let actor = batch.created_by.clone();
        tracing::info!(batch = %batch.id, records = pending.len(), "resuming an abandoned batch");
        let progress = BatchProgress {
            state: BatchState::Running,
            succeeded: batch.succeeded,
            failed: batch.failed,
            report_json: None,
        };
        state
            .store()
            .update_batch(&school.id, &batch.id, &progress, now)
            .await?;
        drop(run_detached(
            state.clone(),
            school,
            signer,
            batch.id,
            pending,
            actor,
        ));
        resumed += 1;
    }
    Ok(resumed)
}

/// Runs [`run_batch`] on a blocking thread of the runtime. The batch engine's progress
/// callback is not `Send`, so its future cannot be spawned or awaited by a handler directly.
fn run_detached(
    state: AppState,
    school: School,
    signer: Arc<Signer>,
    batch_id: String,
    record_ids: Vec<String>,
    actor: Option<String>,
) -> tokio::task::JoinHandle<Result<Batch, ApiError>> {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        handle.block_on(run_batch(
            &state,
            &school,
            &signer,
            &batch_id,
            &record_ids,
            actor.as_deref(),
        ))
    })
}

/// What happened to one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemOutcome {
    /// The record.
    pub record_id: String,
    /// `signed`, `alreadySigned` or `failed`.
    pub outcome: String,
    /// Its credential, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The per-record outcomes of `outcome`, in the order of `record_ids`.
fn items_in_order(record_ids: &[String], outcome: BatchOutcome) -> Vec<ItemOutcome> {
    let mut by_id: HashMap<String, ItemOutcome> = HashMap::with_capacity(record_ids.len());
    for (kind, list) in [
        ("signed", outcome.issued),
        ("alreadySigned", outcome.already),
    ] {
        for s in list {
            by_id.insert(
                s.record_id.clone(),
                ItemOutcome {
                    record_id: s.record_id,
                    outcome: kind.to_owned(),
                    credential_id: Some(s.credential_id),
                    error: None,
                },
            );
        }
    }
    for (record_id, reason) in outcome.failed {
        by_id.insert(
            record_id.clone(),
            ItemOutcome {
                record_id,
                outcome: "failed".to_owned(),
                credential_id: None,
                error: Some(reason),
            },
        );
    }
    record_ids
        .iter()
        .map(|id| {
            by_id.remove(id).unwrap_or_else(|| ItemOutcome {
                record_id: id.clone(),
                outcome: "failed".to_owned(),
                credential_id: None,
                error: Some("no outcome".to_owned()),
            })
        })
        .collect()
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Signs `record_ids` with the batch engine, recording progress after each chunk (in order,
/// by one writer task) and the report at the end; audits each credential signed. A failure
/// that is not about one record marks the batch failed.
async fn run_batch(
    state: &AppState,
    school: &School,
    signer: &Arc<Signer>,
    batch_id: &str,
    record_ids: &[String],
    actor: Option<&str>,
) -> Result<Batch, ApiError> {
    let now = state.now();
    let ctx = BatchContext {
        store: state.store(),
        signer,
        school,
        public_base_url: &state.config().public_base,
        actor,
        now,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, i64)>();
    let writer = {
        let store = state.store().clone();
        let (school_id, batch_id, state) = (school.id.clone(), batch_id.to_owned(), state.clone());
        tokio::spawn(async move {
            while let Some((succeeded, failed)) = rx.recv().await {
                let progress = BatchProgress {
                    state: BatchState::Running,
                    succeeded,
                    failed,
                    report_json: None,
                };
                if let Err(e) = store
                    .update_batch(&school_id, &batch_id, &progress, state.now())
                    .await
                {
                    tracing::warn!(batch = %batch_id, error = %e, "could not record batch progress");
                }
            }
        })
    };
    let mut succeeded = 0usize;
    let mut on_chunk = |chunk: ChunkDone<'_>| {
        succeeded += chunk.credentials.len();
        if chunk.done < chunk.total {
            let _ = tx.send((
                count(succeeded),
                count(chunk.done - succeeded.min(chunk.done)),
            ));
        }
    };
    let result = batch::sign_batch(&ctx, record_ids, &mut on_chunk).await;
    drop(tx);
    let _ = writer.await;
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::error!(batch = batch_id, error = %e, "batch failed");
            let report =
                serde_json::json!({ "error": e.to_string(), "recordIds": record_ids }).to_string();
            let progress = BatchProgress {
                state: BatchState::Failed,
                succeeded: 0,
                failed: 0,
                report_json: Some(report),
            };
            let _ = state
                .store()
                .update_batch(&school.id, batch_id, &progress, state.now())
                .await;
            return Err(ApiError::Internal(e.to_string()));
        }
    };
    for signed in &outcome.issued {
        state
            .store()
            .append_audit(&AuditEntry {
                at: now,
                school_id: Some(school.id.clone()),
                user_id: actor.map(str::to_owned),
                action: "sign".to_owned(),
                subject: signed.credential_id.clone(),
                details_json:
                    serde_json::json!({ "recordId": signed.record_id, "batch": batch_id })
                        .to_string(),
            })
            .await?;
    }
    let items = items_in_order(record_ids, outcome);
    let ok = items.iter().filter(|i| i.outcome != "failed").count();
    let report = serde_json::json!({ "items": items }).to_string();
    let done = state
        .store()
        .update_batch(
            &school.id,
            batch_id,
            &BatchProgress {
                state: BatchState::Done,
                succeeded: count(ok),
                failed: count(items.len() - ok),
                report_json: Some(report),
            },
            state.now(),
        )
        .await?;
    tracing::info!(
        batch = batch_id,
        succeeded = done.succeeded,
        failed = done.failed,
        "batch done"
    );
    Ok(done)
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
