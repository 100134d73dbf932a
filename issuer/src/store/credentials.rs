//! Issued credentials as stored, reading and listing. The crash-safe signing step that stores
//! them (credential, signed record and `sign` audit row in one transaction) is `issuing.rs`;
//! revocation is `revocations.rs`.
//!
//! The signed JSON is kept as TEXT exactly as it was signed, with its SHA-256 (computed by
//! the caller, as the QR summary defines it) and its place in a status list.

use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::timestamp::{opt_time_at, time_at};
use super::{Store, StoreError};

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
pub(super) async fn fetch_for_record(
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

pub(super) fn check_new(c: &NewCredential) -> Result<(), StoreError> {
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
