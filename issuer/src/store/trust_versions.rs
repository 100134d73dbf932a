//! Published trust lists: every signed trust list version ever made (`trust_list_versions`).
//!
//! Versions only grow: [`Store::publish_trust_version`] takes `max + 1` inside one write
//! transaction (SQLite `BEGIN IMMEDIATE`, PostgreSQL an `EXCLUSIVE` table lock), the primary
//! key refuses a duplicate, and triggers refuse changing or deleting a version. The list a
//! version holds is built from the keys read in the same transaction, so a published version
//! always matches the keys as they were when it was made. The keys themselves are
//! `trust_keys.rs`.

use hocba_schema::trust_list::{KeyStatus, TrustList};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use super::error::unique_as;
use super::schools::school_from_row;
use super::timestamp::{time_at, to_text};
use super::trust_keys::{SchoolKey, key_status_text, keys_on, whole_seconds};
use super::{Backend, School, Store, StoreError, hex, new_id};

/// A published trust list version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustVersion {
    /// The version number (only grows).
    pub version: u64,
    /// When it was made (its `validFrom`).
    pub made_at: OffsetDateTime,
    /// When the next version is due (its `validUntil`).
    pub next_due: OffsetDateTime,
    /// The signed trust list, byte for byte as published.
    pub list_json: String,
    /// SHA-256 of `list_json`, lower-case hex.
    pub sha256: String,
    /// Who published it (`None`: the command line or an import).
    pub made_by: Option<String>,
    /// `publish` (made here) or `import` (the key directory's file, on first start).
    pub source: String,
}

macro_rules! version_columns {
    () => {
        "version, made_at, next_due, list_json, sha256, made_by, source"
    };
}

fn version_from_row(row: &AnyRow) -> Result<TrustVersion, StoreError> {
    let version: i64 = row.try_get("version")?;
    Ok(TrustVersion {
        version: u64::try_from(version).map_err(|_| StoreError::Corrupt {
            what: "trust_list_versions.version",
            detail: version.to_string(),
        })?,
        made_at: time_at(row, "trust_list_versions.made_at", "made_at")?,
        next_due: time_at(row, "trust_list_versions.next_due", "next_due")?,
        list_json: row.try_get("list_json")?,
        sha256: row.try_get("sha256")?,
        made_by: row.try_get("made_by")?,
        source: row.try_get("source")?,
    })
}

fn version_i64(version: u64) -> Result<i64, StoreError> {
    i64::try_from(version).map_err(|_| StoreError::InvalidInput {
        field: "version",
        reason: format!("{version} is larger than 2^63 − 1"),
    })
}

async fn schools_on(conn: &mut AnyConnection) -> Result<Vec<School>, StoreError> {
    sqlx::query("SELECT id, code, name, province, issuer_id, created_at FROM schools ORDER BY code")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(school_from_row)
        .collect()
}

async fn max_version_on(conn: &mut AnyConnection) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT MAX(version) FROM trust_list_versions")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// What [`Store::publish_trust_version`] hands its `build` step: the next version number and
/// every school with its keys, read in the publishing transaction.
#[derive(Clone, Debug)]
pub struct TrustSnapshot {
    /// The number the new version gets.
    pub version: u64,
    /// The latest version before this one.
    pub previous: Option<TrustVersion>,
    /// Every registered school, by code.
    pub schools: Vec<School>,
    /// Every key of every school.
    pub keys: Vec<SchoolKey>,
}

/// The signed list `build` returns for a snapshot.
#[derive(Clone, Debug)]
pub struct BuiltTrustList {
    /// The signed trust list JSON (stored and served byte for byte).
    pub list_json: String,
    /// Its `validFrom`.
    pub made_at: OffsetDateTime,
    /// Its `validUntil`.
    pub next_due: OffsetDateTime,
}

impl Store {
    /// The latest published trust list version, if any.
    pub async fn latest_trust_version(&self) -> Result<Option<TrustVersion>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            version_columns!(),
            " FROM trust_list_versions ORDER BY version DESC LIMIT 1"
        ))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(version_from_row)
        .transpose()
    }

    /// The latest `limit` versions, newest first (with their JSON).
    pub async fn trust_versions(&self, limit: u32) -> Result<Vec<TrustVersion>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            version_columns!(),
            " FROM trust_list_versions ORDER BY version DESC LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(version_from_row)
        .collect()
    }

    async fn begin_trust_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            // Publishers (and first-start imports) queue here; readers are not blocked.
            sqlx::query("LOCK TABLE trust_list_versions IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Publishes a new version: in one write transaction, reads the latest version number
    /// and every school with its keys, lets `build` make and sign the list for version
    /// `max + 1`, and stores it. Concurrent publishers (several processes on one PostgreSQL)
    /// queue, so each gets its own number.
    pub async fn publish_trust_version<E>(
        &self,
        actor: Option<&str>,
        build: impl FnOnce(&TrustSnapshot) -> Result<BuiltTrustList, E>,
    ) -> Result<Result<TrustVersion, E>, StoreError> {
        let mut tx = self.begin_trust_write().await?;
        let previous = sqlx::query(concat!(
            "SELECT ",
            version_columns!(),
            " FROM trust_list_versions ORDER BY version DESC LIMIT 1"
        ))
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(version_from_row)
        .transpose()?;
        let max = max_version_on(&mut tx).await?.unwrap_or(0);
        let version = u64::try_from(max).unwrap_or(0) + 1;
        let snapshot = TrustSnapshot {
            version,
            previous,
            schools: schools_on(&mut tx).await?,
            keys: keys_on(&mut tx).await?,
        };
        let built = match build(&snapshot) {
            Ok(built) => built,
            Err(e) => {
                tx.rollback().await?;
                return Ok(Err(e));
            }
        };
        let stored = insert_version(&mut tx, version, &built, actor, "publish").await?;
        tx.commit().await?;
        Ok(Ok(stored))
    }

    /// First start: when no version is stored yet, stores `list` (the key directory's signed
    /// trust list, `list_json` byte for byte) as the current version, registering its schools
    /// (those not yet registered) and their keys with their life cycle. Returns whether it
    /// imported; a store that already has a version is left as it is.
    pub async fn import_trust_list(
        &self,
        list: &TrustList,
        list_json: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_trust_write().await?;
        if max_version_on(&mut tx).await?.is_some() {
            tx.rollback().await?;
            return Ok(false);
        }
        let now_text = to_text(now)?;
        for school in &list.credential_subject.schools {
            sqlx::query(
                "INSERT INTO schools (id, code, name, province, issuer_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
            )
            .bind(new_id())
            .bind(&school.code)
            .bind(&school.name)
            .bind(&school.province)
            .bind(&school.id)
            .bind(&now_text)
            .execute(&mut *tx)
            .await?;
            let school_id: String = sqlx::query_scalar("SELECT id FROM schools WHERE code = $1")
                .bind(&school.code)
                .fetch_one(&mut *tx)
                .await?;
            for key in &school.verification_methods {
                let (retired, compromised) = match key.status {
                    KeyStatus::Active => (None, None),
                    KeyStatus::Retired => (key.valid_until, None),
                    KeyStatus::Compromised => (None, Some(key.valid_until.unwrap_or(now))),
                };
                sqlx::query(
                    "INSERT INTO school_keys (public_key_multibase, school_id, status, \
                     valid_from, retired_at, compromised_at, added_at, changed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                     ON CONFLICT (public_key_multibase) DO NOTHING",
                )
                .bind(&key.public_key_multibase)
                .bind(&school_id)
                .bind(key_status_text(key.status))
                .bind(to_text(whole_seconds(key.valid_from))?)
                .bind(retired.map(to_text).transpose()?)
                .bind(compromised.map(whole_seconds).map(to_text).transpose()?)
                .bind(&now_text)
                .execute(&mut *tx)
                .await?;
            }
        }
        let built = BuiltTrustList {
            list_json: list_json.to_owned(),
            made_at: list.valid_from,
            next_due: list.valid_until,
        };
        let version = list.credential_subject.version.max(1);
        insert_version(&mut tx, version, &built, None, "import").await?;
        tx.commit().await?;
        Ok(true)
    }
}

async fn insert_version(
    conn: &mut AnyConnection,
    version: u64,
    built: &BuiltTrustList,
    actor: Option<&str>,
    source: &str,
) -> Result<TrustVersion, StoreError> {
    let sha256 = hex(&Sha256::digest(built.list_json.as_bytes()));
    let row = sqlx::query(concat!(
        "INSERT INTO trust_list_versions (version, made_at, next_due, list_json, sha256, ",
        "made_by, source) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
        version_columns!()
    ))
    .bind(version_i64(version)?)
    .bind(to_text(built.made_at)?)
    .bind(to_text(built.next_due)?)
    .bind(&built.list_json)
    .bind(&sha256)
    .bind(actor)
    .bind(source)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| unique_as(e, || format!("trust list version {version} already exists")))?;
    version_from_row(&row)
}
