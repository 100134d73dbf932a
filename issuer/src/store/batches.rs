//! Signing batches: one row per request, found again by its idempotency key so a retried
//! request joins the batch it already started instead of issuing anything twice. Who works
//! on a batch, and until when, is `workers.rs` (leases).

use std::fmt;
use std::str::FromStr;

use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::timestamp::{opt_time_at, time_at, to_text};
use super::{Store, StoreError, new_id};

/// Where a batch is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BatchState {
    /// Accepted, not started.
    Queued,
    /// Being worked on.
    Running,
    /// Finished; every record either signed or reported as failed.
    Done,
    /// Stopped by an error that is not about one record.
    Failed,
}

impl BatchState {
    /// The stored name: `queued`, `running`, `done` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Queued => "queued",
            BatchState::Running => "running",
            BatchState::Done => "done",
            BatchState::Failed => "failed",
        }
    }
}

impl fmt::Display for BatchState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BatchState {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<BatchState, StoreError> {
        match s {
            "queued" => Ok(BatchState::Queued),
            "running" => Ok(BatchState::Running),
            "done" => Ok(BatchState::Done),
            "failed" => Ok(BatchState::Failed),
            other => Err(StoreError::InvalidInput {
                field: "state",
                reason: format!("{other:?} is not queued, running, done or failed"),
            }),
        }
    }
}

/// A batch as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Internal id (the job id of the status endpoint).
    pub id: String,
    /// The school that asked.
    pub school_id: String,
    /// The client's idempotency key, unique per school.
    pub idempotency_key: String,
    /// SHA-256 (hex) of what was asked, so the same key cannot be reused for another request.
    pub request_sha256: String,
    /// Where the batch is.
    pub state: BatchState,
    /// Records in the batch.
    pub total: i64,
    /// Records signed so far.
    pub succeeded: i64,
    /// Records that failed so far.
    pub failed: i64,
    /// The report (per-record outcomes) as JSON text, once there is one.
    pub report_json: Option<String>,
    /// Who asked.
    pub created_by: Option<String>,
    /// When it was asked for.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
    /// The worker holding (or that last held) its lease (`workers.rs`).
    pub worker_id: Option<String>,
    /// Until when that lease runs; `None` when nobody holds one (done, failed, or never
    /// claimed).
    pub lease_until: Option<OffsetDateTime>,
}

/// A batch to start.
#[derive(Clone, Debug)]
pub struct NewBatch {
    /// The client's idempotency key.
    pub idempotency_key: String,
    /// SHA-256 (hex) of the request.
    pub request_sha256: String,
    /// Records in the batch.
    pub total: i64,
}

/// Progress to record.
#[derive(Clone, Debug)]
pub struct BatchProgress {
    /// The batch's new state.
    pub state: BatchState,
    /// Records signed so far.
    pub succeeded: i64,
    /// Records that failed so far.
    pub failed: i64,
    /// The report so far, if any (replaces the stored one; `None` keeps it).
    pub report_json: Option<String>,
}

macro_rules! batch_columns {
    () => {
        "id, school_id, idempotency_key, request_sha256, state, total, succeeded, failed, \
         report_json, created_by, created_at, updated_at, worker_id, lease_until"
    };
}

/// The batch `row` holds; none is [`StoreError::NotFound`] for `batch_id`.
fn found(row: Option<AnyRow>, batch_id: &str) -> Result<Batch, StoreError> {
    let row = row.ok_or_else(|| StoreError::NotFound {
        what: "batch",
        id: batch_id.to_owned(),
    })?;
    batch_from_row(&row)
}

pub(super) fn batch_from_row(row: &AnyRow) -> Result<Batch, StoreError> {
    let state: String = row.try_get("state")?;
    Ok(Batch {
        id: row.try_get("id")?,
        school_id: row.try_get("school_id")?,
        idempotency_key: row.try_get("idempotency_key")?,
        request_sha256: row.try_get("request_sha256")?,
        state: state.parse().map_err(|_| StoreError::Corrupt {
            what: "batches.state",
            detail: state.clone(),
        })?,
        total: row.try_get("total")?,
        succeeded: row.try_get("succeeded")?,
        failed: row.try_get("failed")?,
        report_json: row.try_get("report_json")?,
        created_by: row.try_get("created_by")?,
        created_at: time_at(row, "batches.created_at", "created_at")?,
        updated_at: time_at(row, "batches.updated_at", "updated_at")?,
        worker_id: row.try_get("worker_id")?,
        lease_until: opt_time_at(row, "batches.lease_until", "lease_until")?,
    })
}

impl Store {
    /// Starts a batch for `school_id`, or finds the one started earlier with the same
    /// idempotency key. Returns the batch and whether it was created now. The same key with a
    /// different `request_sha256` is [`StoreError::Conflict`].
    pub async fn create_or_get_batch(
        &self,
        school_id: &str,
        new: &NewBatch,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(Batch, bool), StoreError> {
        if new.idempotency_key.is_empty() || new.idempotency_key.len() > 200 {
            return Err(StoreError::InvalidInput {
                field: "idempotency_key",
                reason: "must be 1–200 bytes".into(),
            });
        }
        let now = to_text(now)?;
        let inserted = sqlx::query(
            "INSERT INTO batches (id, school_id, idempotency_key, request_sha256, state, total, \
             succeeded, failed, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'queued', $5, 0, 0, $6, $7, $7) \
             ON CONFLICT (school_id, idempotency_key) DO NOTHING",
        )
        .bind(new_id())
        .bind(school_id)
        .bind(&new.idempotency_key)
        .bind(&new.request_sha256)
        .bind(new.total)
        .bind(actor)
        .bind(&now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let row = sqlx::query(concat!(
            "SELECT ",
            batch_columns!(),
            " FROM batches WHERE school_id = $1 AND idempotency_key = $2"
        ))
        .bind(school_id)
        .bind(&new.idempotency_key)
        .fetch_one(&self.pool)
        .await?;
        let batch = batch_from_row(&row)?;
        if batch.request_sha256 != new.request_sha256 {
            return Err(StoreError::Conflict {
                what: format!(
                    "idempotency key {:?} was already used for a different request",
                    new.idempotency_key
                ),
            });
        }
        Ok((batch, inserted == 1))
    }

    /// A batch of `school_id`.
    pub async fn batch(&self, school_id: &str, batch_id: &str) -> Result<Batch, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            batch_columns!(),
            " FROM batches WHERE id = $1 AND school_id = $2"
        ))
        .bind(batch_id)
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await?;
        found(row, batch_id)
    }

    /// Records a batch's progress. A batch that is done or failed gives up its lease; a batch
    /// that is done stays done ([`StoreError::Conflict`] for any other state).
    pub async fn update_batch(
        &self,
        school_id: &str,
        batch_id: &str,
        progress: &BatchProgress,
        now: OffsetDateTime,
    ) -> Result<Batch, StoreError> {
        let row = sqlx::query(concat!(
            "UPDATE batches SET state = $3, succeeded = $4, failed = $5, ",
            "report_json = COALESCE($6, report_json), updated_at = $7, ",
            "lease_until = CASE WHEN $3 IN ('done', 'failed') THEN NULL ELSE lease_until END ",
            "WHERE id = $1 AND school_id = $2 AND (state <> 'done' OR $3 = 'done') RETURNING ",
            batch_columns!()
        ))
        .bind(batch_id)
        .bind(school_id)
        .bind(progress.state.as_str())
        .bind(progress.succeeded)
        .bind(progress.failed)
        .bind(progress.report_json.as_deref())
        .bind(to_text(now)?)
        .fetch_optional(&self.pool)
        .await?;
        if row.is_none() && self.batch(school_id, batch_id).await.is_ok() {
            // A worker that lost its lease reporting late: the batch is finished already.
            return Err(StoreError::Conflict {
                what: format!("batch {batch_id} is done; it does not run again"),
            });
        }
        found(row, batch_id)
    }

    /// Every batch, of any school, that is queued or running: what a restarted service
    /// resumes.
    pub async fn unfinished_batches(&self) -> Result<Vec<Batch>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            batch_columns!(),
            " FROM batches WHERE state IN ('queued', 'running') ORDER BY created_at, id"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(batch_from_row)
        .collect()
    }
}

impl Store {
    /// The batch `school_id` started with `idempotency_key`, if any.
    pub async fn batch_by_key(
        &self,
        school_id: &str,
        idempotency_key: &str,
    ) -> Result<Option<Batch>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            batch_columns!(),
            " FROM batches WHERE school_id = $1 AND idempotency_key = $2"
        ))
        .bind(school_id)
        .bind(idempotency_key)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(batch_from_row).transpose()
    }
}
