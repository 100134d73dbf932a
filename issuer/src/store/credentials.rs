//! Issued credentials: the crash-safe signing step (credential, signed record and `sign`
//! audit row in one transaction), reading and listing. Revocation is `revocations.rs`.
//!
//! The signed JSON is kept as TEXT exactly as it was signed, with its SHA-256 (computed by
//! the caller, as the QR summary defines it) and its place in a status list.

use std::collections::HashMap;

use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use sqlx::{Acquire, Row};
use time::OffsetDateTime;

use super::audit::{AuditEntry, append_on};
use super::error::unique_as;
use super::records::{RecordState, fetch_record};
use super::timestamp::{from_text, opt_time_at, time_at, to_text};
use super::{Store, StoreError, lock_order, outcomes};

/// Whose credentials a caller may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Only this school's (teachers, principals).
    School(String),
    /// Every school's (the province authority).
    Province,
}

/// An issued credential as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// The credential's `id` (`urn:uuid:…`).
    pub id: String,
    /// The year record it was issued from.
    pub record_id: String,
    /// The issuing school.
    pub school_id: String,
    /// The signed credential, byte for byte as signed.
    pub credential_json: String,
    /// SHA-256 of the credential as lower-case hex.
    pub sha256: String,
    /// The status list it has an entry in.
    pub status_list: String,
    /// Its index in that list.
    pub status_index: i64,
    /// When it was stored as issued.
    pub issued_at: OffsetDateTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
    /// Why it was revoked.
    pub revocation_reason: Option<String>,
    /// The revoked credential this one corrects, if any.
    pub replaces: Option<String>,
}

/// A freshly signed credential to store.
#[derive(Clone, Debug)]
pub struct NewCredential {
    /// The credential's `id` (`urn:uuid:…`).
    pub id: String,
    /// The validated record it was signed from.
    pub record_id: String,
    /// The signed credential, byte for byte.
    pub credential_json: String,
    /// SHA-256 of the credential as lower-case hex (64 digits).
    pub sha256: String,
    /// The status list from [`Store::allocate_status_index`].
    pub status_list: String,
    /// The index from [`Store::allocate_status_index`].
    pub status_index: i64,
    /// The revoked credential of the same school that this one corrects, if any.
    pub replaces: Option<String>,
}

/// What [`Store::issue_credential`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IssueOutcome {
    /// The credential was stored and its record marked signed.
    Issued(Credential),
    /// The record was already signed (an earlier attempt got through): nothing was written
    /// and this is the credential stored then. The status index offered this time stays unused.
    AlreadyIssued(Credential),
}

impl IssueOutcome {
    /// The stored credential, whichever way.
    pub fn credential(&self) -> &Credential {
        match self {
            IssueOutcome::Issued(c) | IssueOutcome::AlreadyIssued(c) => c,
        }
    }

    /// The stored credential, whichever way.
    pub fn into_credential(self) -> Credential {
        match self {
            IssueOutcome::Issued(c) | IssueOutcome::AlreadyIssued(c) => c,
        }
    }
}

macro_rules! credential_columns {
    () => {
        "c.id, c.record_id, c.school_id, c.credential_json, c.sha256, c.status_list, \
         c.status_index, c.issued_at, c.revoked_at, c.revocation_reason, c.replaces"
    };
}

fn credential_from_row(row: &AnyRow) -> Result<Credential, StoreError> {
    Ok(Credential {
        id: row.try_get("id")?,
        record_id: row.try_get("record_id")?,
        school_id: row.try_get("school_id")?,
        credential_json: row.try_get("credential_json")?,
        sha256: row.try_get("sha256")?,
        status_list: row.try_get("status_list")?,
        status_index: row.try_get("status_index")?,
        issued_at: time_at(row, "credentials.issued_at", "issued_at")?,
        revoked_at: opt_time_at(row, "credentials.revoked_at", "revoked_at")?,
        revocation_reason: row.try_get("revocation_reason")?,
        replaces: row.try_get("replaces")?,
    })
}

fn not_found(credential_id: &str) -> StoreError {
    StoreError::NotFound {
        what: "credential",
        id: credential_id.to_owned(),
    }
}

/// The credential of a record of `school_id`, read on `conn` (inside a transaction too).
async fn fetch_for_record(
    conn: &mut AnyConnection,
    school_id: &str,
    record_id: &str,
) -> Result<Option<Credential>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        credential_columns!(),
        " FROM credentials c WHERE c.record_id = $1 AND c.school_id = $2"
    ))
    .bind(record_id)
    .bind(school_id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(credential_from_row)
    .transpose()
}

fn check_new(c: &NewCredential) -> Result<(), StoreError> {
    if c.sha256.len() != 64
        || !c
            .sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(StoreError::InvalidInput {
            field: "sha256",
            reason: "must be 64 lower-case hex digits".into(),
        });
    }
    if c.status_index < 0 {
        return Err(StoreError::InvalidInput {
            field: "status_index",
            reason: format!("{} is negative", c.status_index),
        });
    }
    if c.id.is_empty() {
        return Err(StoreError::InvalidInput {
            field: "id",
            reason: "empty".into(),
        });
    }
    Ok(())
}

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
        let mut list_sizes: HashMap<String, Option<i64>> = HashMap::new();
        let mut tx = self.begin_write().await?;
        for i in lock_order(items, |c| c.record_id.clone()) {
            let (Some(new), Some(slot)) = (items.get(i), slots.get_mut(i)) else {
                continue;
            };
            if let Err(e) = check_new(new) {
                *slot = Some(Err(e));
                continue;
            }
            let size = match list_sizes.get(&new.status_list) {
                Some(size) => *size,
                None => {
                    let size: Option<i64> = sqlx::query_scalar(
                        "SELECT size FROM status_lists WHERE id = $1 AND school_id = $2",
                    )
                    .bind(&new.status_list)
                    .bind(school_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    list_sizes.insert(new.status_list.clone(), size);
                    size
                }
            };
            match size {
                None => {
                    *slot = Some(Err(StoreError::NotFound {
                        what: "status list",
                        id: new.status_list.clone(),
                    }));
                    continue;
                }
                Some(size) if new.status_index >= size => {
                    *slot = Some(Err(StoreError::InvalidInput {
                        field: "status_index",
                        reason: format!(
                            "{} is outside the list's {size} entries",
                            new.status_index
                        ),
                    }));
                    continue;
                }
                Some(_) => {}
            }
            if let Some(replaces) = &new.replaces {
                let revoked: Option<Option<String>> = sqlx::query_scalar(
                    "SELECT revoked_at FROM credentials WHERE id = $1 AND school_id = $2",
                )
                .bind(replaces)
                .bind(school_id)
                .fetch_optional(&mut *tx)
                .await?;
                let problem = match revoked {
                    None => Some(not_found(replaces)),
                    Some(None) => Some(StoreError::Conflict {
                        what: format!(
                            "credential {replaces} must be revoked before it is replaced"
                        ),
                    }),
                    Some(Some(_)) => None,
                };
                if let Some(problem) = problem {
                    *slot = Some(Err(problem));
                    continue;
                }
            }
            // PostgreSQL locks the record row here: of two processes signing the same record,
            // the second waits, then finds it signed and changes nothing.
            let flipped = sqlx::query(
                "UPDATE year_records SET state = 'signed', version = version + 1, \
                 updated_by = $3, updated_at = $4 \
                 WHERE id = $1 AND school_id = $2 AND state = 'validated'",
            )
            .bind(&new.record_id)
            .bind(school_id)
            .bind(actor)
            .bind(&now_text)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if flipped == 0 {
                let conn = tx.acquire().await?;
                *slot = Some(
                    match fetch_record(&mut *conn, school_id, &new.record_id).await? {
                        None => Err(StoreError::NotFound {
                            what: "record",
                            id: new.record_id.clone(),
                        }),
                        Some(r)
                            if matches!(r.state, RecordState::Signed | RecordState::Revoked) =>
                        {
                            fetch_for_record(conn, school_id, &new.record_id)
                                .await?
                                .map(IssueOutcome::AlreadyIssued)
                                .ok_or_else(|| StoreError::Corrupt {
                                    what: "credentials",
                                    detail: format!(
                                        "record {} is signed without a credential",
                                        r.id
                                    ),
                                })
                        }
                        Some(r) => Err(StoreError::Conflict {
                            what: format!("record {} is a draft; validate it before signing", r.id),
                        }),
                    },
                );
                continue;
            }
            let inserted = sqlx::query(
                "INSERT INTO credentials (id, record_id, school_id, credential_json, sha256, \
                 status_list, status_index, issued_at, replaces) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&new.id)
            .bind(&new.record_id)
            .bind(school_id)
            .bind(&new.credential_json)
            .bind(&new.sha256)
            .bind(&new.status_list)
            .bind(new.status_index)
            .bind(&now_text)
            .bind(new.replaces.as_deref())
            .execute(&mut *tx)
            .await;
            if let Err(e) = inserted {
                // Dropping the transaction rolls the whole chunk back.
                return Err(unique_as(e, || {
                    format!(
                        "credential id {} or status index {} of list {} is already in use",
                        new.id, new.status_index, new.status_list
                    )
                }));
            }
            let mut details = serde_json::json!({ "recordId": new.record_id });
            if let Some(batch_id) = batch_id {
                details["batch"] = batch_id.into();
            }
            append_on(
                &mut tx,
                &AuditEntry {
                    at: now,
                    school_id: Some(school_id.to_owned()),
                    user_id: actor.map(str::to_owned),
                    action: "sign".to_owned(),
                    subject: new.id.clone(),
                    details_json: details.to_string(),
                },
            )
            .await?;
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
        tx.commit().await?;
        Ok(outcomes(slots))
    }

    /// A credential by id, if `scope` may see it; otherwise [`StoreError::NotFound`].
    pub async fn credential(
        &self,
        scope: &Scope,
        credential_id: &str,
    ) -> Result<Credential, StoreError> {
        let school = match scope {
            Scope::School(school_id) => Some(school_id.as_str()),
            Scope::Province => None,
        };
        let row = sqlx::query(concat!(
            "SELECT ",
            credential_columns!(),
            " FROM credentials c WHERE c.id = $1 AND ($2 IS NULL OR c.school_id = $2)"
        ))
        .bind(credential_id)
        .bind(school)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| not_found(credential_id))?;
        credential_from_row(&row)
    }

    /// The credential issued from a record of `school_id`.
    pub async fn credential_for_record(
        &self,
        school_id: &str,
        record_id: &str,
    ) -> Result<Credential, StoreError> {
        let mut conn = self.pool.acquire().await?;
        fetch_for_record(&mut conn, school_id, record_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "credential for record",
                id: record_id.to_owned(),
            })
    }

    /// The credentials of one class of `school_id` in a school year (revoked ones included),
    /// oldest first.
    pub async fn list_class_credentials(
        &self,
        school_id: &str,
        school_year: &str,
        class_name: &str,
    ) -> Result<Vec<Credential>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            credential_columns!(),
            " FROM credentials c JOIN year_records r ON r.id = c.record_id ",
            "WHERE c.school_id = $1 AND r.school_id = $1 AND r.school_year = $2 ",
            "AND r.class_name = $3 ORDER BY c.issued_at, c.id"
        ))
        .bind(school_id)
        .bind(school_year)
        .bind(class_name)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(credential_from_row)
        .collect()
    }

    /// Whether `school_id` has a revoked credential that no credential replaces yet (the
    /// signing engine looks corrections up only then).
    pub async fn has_unreplaced_revocations(&self, school_id: &str) -> Result<bool, StoreError> {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT c.id FROM credentials c WHERE c.school_id = $1 AND c.revoked_at IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM credentials n WHERE n.replaces = c.id) LIMIT 1",
        )
        .bind(school_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// The pupil's most recently revoked credential for a school year that no credential
    /// replaces yet: what a correction of that year should name in `replaces`.
    pub async fn credential_to_replace(
        &self,
        school_id: &str,
        pupil_id: &str,
        school_year: &str,
    ) -> Result<Option<Credential>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            credential_columns!(),
            " FROM credentials c JOIN year_records r ON r.id = c.record_id ",
            "WHERE c.school_id = $1 AND r.pupil_id = $2 AND r.school_year = $3 ",
            "AND c.revoked_at IS NOT NULL ",
            "AND NOT EXISTS (SELECT 1 FROM credentials n WHERE n.replaces = c.id) ",
            "ORDER BY c.revoked_at DESC, c.id LIMIT 1"
        ))
        .bind(school_id)
        .bind(pupil_id)
        .bind(school_year)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(credential_from_row)
        .transpose()
    }
}
