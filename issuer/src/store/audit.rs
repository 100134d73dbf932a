//! The audit log: who did what, to what, and when. Append-only: this module only inserts
//! and reads, and database triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL).
//!
//! Repeated reads collapse ([`Store::append_read_audit`]): the same caller reading the same
//! thing the same way (`copy` of one credential, say) within [`READ_WINDOW`] of the read
//! that opened the window adds no row; the row that opened it stands for them all, and
//! `audit_reads` counts them (`reads`, `last_at`). One upsert on that table decides, in the
//! same transaction as the audit row, so concurrent readers on several instances open one
//! window between them. Only reads go this way: signing, revocation, redemption and every
//! refusal are appended with [`Store::append_audit`] (or inside the change's own
//! transaction), one row each, always.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use time::OffsetDateTime;

use super::credentials::Scope;
use super::timestamp::{time_at, to_text};
use super::values::{rows_per_statement, values};
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

/// Repeated reads by one caller of one subject within this long of the first are one row.
pub const READ_WINDOW: time::Duration = time::Duration::minutes(10);

fn check_entry(entry: &AuditEntry) -> Result<(), StoreError> {
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
    Ok(())
}

/// Appends `entry` on `conn` (inside the caller's transaction); returns its position.
pub(super) async fn append_on(
    conn: &mut sqlx::AnyConnection,
    entry: &AuditEntry,
) -> Result<i64, StoreError> {
    check_entry(entry)?;
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
    .fetch_one(conn)
    .await?)
}

/// Appends `entries` on `conn` (inside the caller's transaction), in order, a few hundred
/// per statement. Nothing is written if one of them is malformed.
pub(super) async fn append_many_on(
    conn: &mut sqlx::AnyConnection,
    entries: &[AuditEntry],
) -> Result<(), StoreError> {
    for entry in entries {
        check_entry(entry)?;
    }
    for part in entries.chunks(rows_per_statement(6, 0, 100)) {
        let sql = format!(
            "INSERT INTO audit_log (at, school_id, user_id, action, subject, details_json) \
             VALUES {}",
            values("(?, ?, ?, ?, ?, ?)", part.len(), 0)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for entry in part {
            query = query
                .bind(to_text(entry.at)?)
                .bind(entry.school_id.as_deref())
                .bind(entry.user_id.as_deref())
                .bind(&entry.action)
                .bind(&entry.subject)
                .bind(&entry.details_json);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    /// Appends a read (`entry.action` such as `copy`) unless the same user read the same
    /// subject the same way within [`READ_WINDOW`] of the read that opened the current
    /// window: then it only counts it. Returns the position of the row that stands for this
    /// read, and whether it was appended now. A read without a user is always appended.
    pub async fn append_read_audit(&self, entry: &AuditEntry) -> Result<(i64, bool), StoreError> {
        check_entry(entry)?;
        let Some(user) = entry.user_id.as_deref() else {
            return Ok((self.append_audit(entry).await?, true));
        };
        let now = to_text(entry.at)?;
        let until = to_text(entry.at + READ_WINDOW)?;
        let mut tx = self.begin_write().await?;
        // One statement decides: a row inside its window counts the read; a missing or
        // expired one opens a new window (no audit row until the one below is appended).
        let row = sqlx::query(
            "INSERT INTO audit_reads (user_id, action, subject, audit_id, window_start, \
             window_until, reads, last_at) VALUES ($1, $2, $3, NULL, $4, $5, 1, $4) \
             ON CONFLICT (user_id, action, subject) DO UPDATE SET \
             reads = CASE WHEN audit_reads.window_until > $4 THEN audit_reads.reads + 1 ELSE 1 END, \
             audit_id = CASE WHEN audit_reads.window_until > $4 THEN audit_reads.audit_id ELSE NULL END, \
             window_start = CASE WHEN audit_reads.window_until > $4 THEN audit_reads.window_start ELSE $4 END, \
             window_until = CASE WHEN audit_reads.window_until > $4 THEN audit_reads.window_until ELSE $5 END, \
             last_at = $4 \
             RETURNING audit_id, reads",
        )
        .bind(user)
        .bind(&entry.action)
        .bind(&entry.subject)
        .bind(&now)
        .bind(&until)
        .fetch_one(&mut *tx)
        .await?;
        let audit_id: Option<i64> = row.try_get("audit_id")?;
        if let Some(audit_id) = audit_id {
            tx.commit().await?;
            return Ok((audit_id, false));
        }
        let id = append_on(&mut tx, entry).await?;
        sqlx::query(
            "UPDATE audit_reads SET audit_id = $4 WHERE user_id = $1 AND action = $2 \
             AND subject = $3",
        )
        .bind(user)
        .bind(&entry.action)
        .bind(&entry.subject)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((id, true))
    }

    /// How many reads the current window of (`user_id`, `action`, `subject`) collapsed, and
    /// the audit row standing for them; `None` if there was no such read.
    pub async fn collapsed_reads(
        &self,
        user_id: &str,
        action: &str,
        subject: &str,
    ) -> Result<Option<(Option<i64>, i64)>, StoreError> {
        let row = sqlx::query(
            "SELECT audit_id, reads FROM audit_reads WHERE user_id = $1 AND action = $2 \
             AND subject = $3",
        )
        .bind(user_id)
        .bind(action)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("audit_id")?, r.try_get("reads")?)))
            .transpose()
    }

    /// Appends an event and returns its position in the log.
    pub async fn append_audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        append_on(&mut conn, entry).await
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
