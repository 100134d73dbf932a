//! The signing step, safe against crashes and retries: credentials, their records marked
//! signed and their `sign` audit rows, stored together in one transaction per chunk.
//!
//! A chunk costs a handful of statements whatever its size: the records are marked signed
//! with one `UPDATE … WHERE id IN (…)` (on PostgreSQL locking them in id order first, in the
//! same statement, so two processes signing overlapping chunks wait for each other instead
//! of deadlocking), the
//! credentials and the audit rows are inserted with multi-row `INSERT`s. Only what is out of
//! the ordinary (a record already signed, a draft, a correction naming what it replaces) is
//! looked at row by row.

use std::collections::{HashMap, HashSet};

use sqlx::{Acquire, AnyConnection, AssertSqlSafe, Row};
use time::OffsetDateTime;

use super::audit::{AuditEntry, append_many_on};
use super::credentials::{Credential, IssueOutcome, NewCredential, check_new, fetch_for_record};
use super::error::unique_as;
use super::records::{RecordState, fetch_record};
use super::timestamp::{from_text, to_text};
use super::values::{numbered, rows_per_statement, values};
use super::{Backend, Store, StoreError, lock_order, outcomes};

/// Rows per multi-row statement.
const ROWS_PER_STATEMENT: usize = 100;

impl Store {
    /// The signing step, safe against crashes and retries: in one transaction, marks the
    /// record of `school_id` signed (only if it is validated) and stores its credential. So a
    /// credential exists exactly when its record is signed, whatever point a process dies at.
    ///
    /// If the record is already signed or revoked, nothing is written and the credential
    /// stored earlier comes back as [`IssueOutcome::AlreadyIssued`]. A draft is
    /// [`StoreError::Conflict`]; another school's record or status list is
    /// [`StoreError::NotFound`]; an index outside its list is [`StoreError::InvalidInput`]; a
    /// status index or credential id already in use is [`StoreError::Conflict`]. On any
    /// error nothing is written.
    pub async fn issue_credential(
        &self,
        school_id: &str,
        new: &NewCredential,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<IssueOutcome, StoreError> {
        self.issue_credentials(school_id, std::slice::from_ref(new), actor, now)
            .await?
            .pop()
            .unwrap_or_else(|| Err(StoreError::Database("internal: no outcome".into())))
    }

    /// [`Store::issue_credential`] for many credentials in one transaction (one commit for a
    /// whole chunk of a batch), with one outcome per credential, in order. A record that is
    /// a draft, unknown, or given a bad status list gets its error and does not stop the
    /// others. A credential id or status index already in use means the caller reused an
    /// allocation: the whole call fails with [`StoreError::Conflict`] and nothing is written.
    /// If the process dies before the commit, nothing of the chunk is stored and running it
    /// again issues it.
    ///
    /// Each credential issued gets its `sign` audit row in the same transaction, so none is
    /// ever stored without it, whenever the process dies.
    pub async fn issue_credentials(
        &self,
        school_id: &str,
        items: &[NewCredential],
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Vec<Result<IssueOutcome, StoreError>>, StoreError> {
        self.issue_credentials_in_batch(school_id, items, actor, None, now)
            .await
    }

    /// [`Store::issue_credentials`] for signing batch `batch_id`, which the `sign` audit rows
    /// name.
    pub async fn issue_credentials_in_batch(
        &self,
        school_id: &str,
        items: &[NewCredential],
        actor: Option<&str>,
        batch_id: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Vec<Result<IssueOutcome, StoreError>>, StoreError> {
        let now_text = to_text(now)?;
        // What a later read gives back (microseconds), so callers see the stored value.
        let issued_at = from_text("now", &now_text)?;
        let mut slots: Vec<Option<Result<IssueOutcome, StoreError>>> =
            items.iter().map(|_| None).collect();
        let mut tx = self.begin_write().await?;
        let mut candidates = Vec::with_capacity(items.len());
        let mut list_sizes: HashMap<&str, Option<i64>> = HashMap::new();
        for i in lock_order(items, |c| c.record_id.clone()) {
            let (Some(new), Some(slot)) = (items.get(i), slots.get_mut(i)) else {
                continue;
            };
            match check_item(&mut tx, school_id, new, &mut list_sizes).await? {
                Some(problem) => *slot = Some(Err(problem)),
                None => candidates.push(i),
            }
        }
        let flipped = mark_signed(
            &mut tx,
            self.backend,
            school_id,
            items,
            &candidates,
            actor,
            &now_text,
        )
        .await?;
        // The first item of each record marked signed now is issued; any other (a record
        // already signed, a draft, the same record twice) is looked at afterwards.
        let mut claimed = HashSet::new();
        let (issued, others): (Vec<usize>, Vec<usize>) = candidates.iter().partition(|&&i| {
            items.get(i).is_some_and(|new| {
                flipped.contains(new.record_id.as_str()) && claimed.insert(new.record_id.as_str())
            })
        });
        let issue: Vec<&NewCredential> = issued.iter().filter_map(|&i| items.get(i)).collect();
        insert_credentials(&mut tx, school_id, &issue, &now_text).await?;
        let audit: Vec<AuditEntry> = issue
            .iter()
            .map(|new| {
                let mut details = serde_json::json!({ "recordId": new.record_id });
                if let Some(batch_id) = batch_id {
                    details["batch"] = batch_id.into();
                }
                AuditEntry {
                    at: now,
                    school_id: Some(school_id.to_owned()),
                    user_id: actor.map(str::to_owned),
                    action: "sign".to_owned(),
                    subject: new.id.clone(),
                    details_json: details.to_string(),
                }
            })
            .collect();
        append_many_on(&mut tx, &audit).await?;
        for i in issued {
            if let (Some(new), Some(slot)) = (items.get(i), slots.get_mut(i)) {
                *slot = Some(Ok(IssueOutcome::Issued(Credential {
                    id: new.id.clone(),
                    record_id: new.record_id.clone(),
                    school_id: school_id.to_owned(),
                    credential_json: new.credential_json.clone(),
                    sha256: new.sha256.clone(),
                    status_list: new.status_list.clone(),
                    status_index: new.status_index,
                    issued_at,
                    revoked_at: None,
                    revocation_reason: None,
                    replaces: new.replaces.clone(),
                })));
            }
        }
        for i in others {
            let (Some(new), Some(slot)) = (items.get(i), slots.get_mut(i)) else {
                continue;
            };
            let conn = tx.acquire().await?;
            *slot = Some(not_signed_now(conn, school_id, &new.record_id).await?);
        }
        tx.commit().await?;
        Ok(outcomes(slots))
    }
}

/// Why `new` cannot be stored, found before anything is written: a malformed credential, a
/// status list of another school or an index outside it, a replaced credential that is not
/// this school's or not revoked. `None` when it can.
async fn check_item<'a>(
    conn: &mut AnyConnection,
    school_id: &str,
    new: &'a NewCredential,
    list_sizes: &mut HashMap<&'a str, Option<i64>>,
) -> Result<Option<StoreError>, StoreError> {
    if let Err(e) = check_new(new) {
        return Ok(Some(e));
    }
    let size = match list_sizes.get(new.status_list.as_str()) {
        Some(size) => *size,
        None => {
            let size: Option<i64> = sqlx::query_scalar(
                "SELECT size FROM status_lists WHERE id = $1 AND school_id = $2",
            )
            .bind(&new.status_list)
            .bind(school_id)
            .fetch_optional(&mut *conn)
            .await?;
            list_sizes.insert(new.status_list.as_str(), size);
            size
        }
    };
    match size {
        None => {
            return Ok(Some(StoreError::NotFound {
                what: "status list",
                id: new.status_list.clone(),
            }));
        }
        Some(size) if new.status_index >= size => {
            return Ok(Some(StoreError::InvalidInput {
                field: "status_index",
                reason: format!("{} is outside the list's {size} entries", new.status_index),
            }));
        }
        Some(_) => {}
    }
    let Some(replaces) = &new.replaces else {
        return Ok(None);
    };
    let revoked: Option<Option<String>> =
        sqlx::query_scalar("SELECT revoked_at FROM credentials WHERE id = $1 AND school_id = $2")
            .bind(replaces)
            .bind(school_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match revoked {
        None => Some(StoreError::NotFound {
            what: "credential",
            id: replaces.clone(),
        }),
        Some(None) => Some(StoreError::Conflict {
            what: format!("credential {replaces} must be revoked before it is replaced"),
        }),
        Some(Some(_)) => None,
    })
}

/// Marks the validated records of `items[candidates]` signed and returns the ids of those it
/// marked. PostgreSQL locks each record row here: of two processes signing the same record,
/// the second waits, then finds it signed and changes nothing.
async fn mark_signed<'a>(
    conn: &mut AnyConnection,
    backend: Backend,
    school_id: &str,
    items: &'a [NewCredential],
    candidates: &[usize],
    actor: Option<&str>,
    now: &str,
) -> Result<HashSet<String>, StoreError> {
    let ids: Vec<&'a str> = candidates
        .iter()
        .filter_map(|&i| items.get(i).map(|c| c.record_id.as_str()))
        .collect();
    let mut flipped = HashSet::with_capacity(ids.len());
    for part in ids.chunks(rows_per_statement(1, 3, ROWS_PER_STATEMENT)) {
        // On PostgreSQL the rows are locked in id order by the statement's own subquery
        // (`ORDER BY id FOR UPDATE`) before any is changed: one statement and one index scan
        // instead of a locking `SELECT` and then the `UPDATE`.
        let sql = match backend {
            Backend::Postgres => format!(
                "UPDATE year_records SET state = 'signed', version = version + 1, \
                 updated_by = $2, updated_at = $3 \
                 WHERE id IN (SELECT id FROM year_records WHERE school_id = $1 AND id IN ({}) \
                 ORDER BY id FOR UPDATE) \
                 AND school_id = $1 AND state = 'validated' RETURNING id",
                numbered(4, part.len())
            ),
            Backend::Sqlite => format!(
                "UPDATE year_records SET state = 'signed', version = version + 1, \
                 updated_by = $2, updated_at = $3 \
                 WHERE school_id = $1 AND state = 'validated' AND id IN ({}) RETURNING id",
                numbered(4, part.len())
            ),
        };
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(school_id)
            .bind(actor)
            .bind(now);
        for id in part {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            flipped.insert(row.try_get::<String, _>("id")?);
        }
    }
    Ok(flipped)
}

/// Inserts the credentials, a few hundred per statement. A credential id or status index
/// already in use fails the whole call (the caller reused an allocation); dropping the
/// transaction then rolls the chunk back.
async fn insert_credentials(
    conn: &mut AnyConnection,
    school_id: &str,
    items: &[&NewCredential],
    now: &str,
) -> Result<(), StoreError> {
    for part in items.chunks(rows_per_statement(7, 2, ROWS_PER_STATEMENT)) {
        let sql = format!(
            "INSERT INTO credentials (id, record_id, school_id, credential_json, sha256, \
             status_list, status_index, issued_at, replaces) VALUES {}",
            values("(?, ?, $1, ?, ?, ?, ?, $2, ?)", part.len(), 2)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(school_id).bind(now);
        for new in part {
            query = query
                .bind(&new.id)
                .bind(&new.record_id)
                .bind(&new.credential_json)
                .bind(&new.sha256)
                .bind(&new.status_list)
                .bind(new.status_index)
                .bind(new.replaces.as_deref());
        }
        query.execute(&mut *conn).await.map_err(|e| {
            unique_as(e, || {
                "a credential id or status index of this chunk is already in use".to_owned()
            })
        })?;
    }
    Ok(())
}

/// The outcome for a record that was not marked signed now: the credential stored earlier if
/// it is signed or revoked, else why not.
async fn not_signed_now(
    conn: &mut AnyConnection,
    school_id: &str,
    record_id: &str,
) -> Result<Result<IssueOutcome, StoreError>, StoreError> {
    Ok(
        match fetch_record(&mut *conn, school_id, record_id).await? {
            None => Err(StoreError::NotFound {
                what: "record",
                id: record_id.to_owned(),
            }),
            Some(r) if matches!(r.state, RecordState::Signed | RecordState::Revoked) => {
                fetch_for_record(conn, school_id, record_id)
                    .await?
                    .map(IssueOutcome::AlreadyIssued)
                    .ok_or_else(|| StoreError::Corrupt {
                        what: "credentials",
                        detail: format!("record {} is signed without a credential", r.id),
                    })
            }
            Some(r) => Err(StoreError::Conflict {
                what: format!("record {} is a draft; validate it before signing", r.id),
            }),
        },
    )
}
