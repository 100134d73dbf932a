//! The audit log: who did what, to what, and when. Append-only: this module only inserts
//! and reads, and database triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL).

use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::credentials::Scope;
use super::timestamp::{time_at, to_text};
use super::{Store, StoreError};

/// An event to record.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    /// When it happened.
    pub at: OffsetDateTime,
    /// The school concerned; `None` for province-wide actions.
    pub school_id: Option<String>,
    /// Who did it; `None` for the system or the offline command.
    pub user_id: Option<String>,
    /// What was done, e.g. `import`, `edit`, `sign`, `revoke`, `copy`.
    pub action: String,
    /// What it was done to, e.g. a record or credential id.
    pub subject: String,
    /// More detail as a JSON document (never secrets).
    pub details_json: String,
}

/// A recorded event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// Position in the log (increasing).
    pub id: i64,
    /// When it happened.
    pub at: OffsetDateTime,
    /// The school concerned.
    pub school_id: Option<String>,
    /// Who did it.
    pub user_id: Option<String>,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub subject: String,
    /// More detail as JSON text.
    pub details_json: String,
}

fn event_from_row(row: &AnyRow) -> Result<AuditEvent, StoreError> {
    Ok(AuditEvent {
        id: row.try_get("id")?,
        at: time_at(row, "audit_log.at", "at")?,
        school_id: row.try_get("school_id")?,
        user_id: row.try_get("user_id")?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        details_json: row.try_get("details_json")?,
    })
}

impl Store {
    /// Appends an event and returns its position in the log.
    pub async fn append_audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        if entry.action.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "action",
                reason: "empty".into(),
            });
        }
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&entry.details_json) {
            return Err(StoreError::InvalidInput {
                field: "details_json",
                reason: e.to_string(),
            });
        }
        Ok(sqlx::query_scalar(
            "INSERT INTO audit_log (at, school_id, user_id, action, subject, details_json) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(to_text(entry.at)?)
        .bind(entry.school_id.as_deref())
        .bind(entry.user_id.as_deref())
        .bind(&entry.action)
        .bind(&entry.subject)
        .bind(&entry.details_json)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The latest `limit` events `scope` may see, newest first: one school's, or every
    /// event for the province.
    pub async fn list_audit(
        &self,
        scope: &Scope,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let school = match scope {
            Scope::School(school_id) => Some(school_id.as_str()),
            Scope::Province => None,
        };
        sqlx::query(
            "SELECT id, at, school_id, user_id, action, subject, details_json FROM audit_log \
             WHERE ($1 IS NULL OR school_id = $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(school)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(event_from_row)
        .collect()
    }
}
