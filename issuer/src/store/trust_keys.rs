//! The authority's side of trust: every school key with its life cycle (`school_keys`) and
//! every signed trust list ever published (`trust_list_versions`).
//!
//! * A key is `active` when added, then `retired` (it signs no more; what it signed before
//!   `retired_at` stays valid) or `compromised` (everything it signed is invalid). A retired
//!   key may later be found compromised; nothing goes back to `active`.
//! * Versions only grow: [`Store::publish_trust_version`] takes `max + 1` inside one write
//!   transaction (SQLite `BEGIN IMMEDIATE`, PostgreSQL an `EXCLUSIVE` table lock), the
//!   primary key refuses a duplicate, and triggers refuse changing or deleting a version.
//! * The list a version holds is built from the keys read in the same transaction, so a
//!   published version always matches the keys as they were when it was made.
//!
//! The credentials a key signed are found by reading `proof.verificationMethod` of the stored
//! credential JSON ([`Store::credentials_signed_by`]); the credentials table is only read.

use std::collections::HashSet;

use hocba_schema::trust_list::{KeyStatus, TrustList};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use super::error::unique_as;
use super::schools::school_from_row;
use super::timestamp::{opt_time_at, time_at, to_text};
use super::{Backend, School, Store, StoreError, hex, new_id};

/// A school key as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchoolKey {
    /// `z` + base58btc(0xed 0x01 ‖ key): the key's identity.
    pub public_key_multibase: String,
    /// The school it belongs to.
    pub school_id: String,
    /// Where it is in its life cycle.
    pub status: KeyStatus,
    /// From when its signatures count.
    pub valid_from: OffsetDateTime,
    /// When it was retired (signatures made before stay valid).
    pub retired_at: Option<OffsetDateTime>,
    /// When it was reported compromised (or the time it is believed lost since).
    pub compromised_at: Option<OffsetDateTime>,
    /// Who added it (`None`: the command line or the import of a trust list file).
    pub added_by: Option<String>,
    /// When it was added.
    pub added_at: OffsetDateTime,
    /// Who last changed its status.
    pub changed_by: Option<String>,
    /// When its status last changed (or it was added).
    pub changed_at: OffsetDateTime,
}

/// `t` without its fraction of a second. Key times (`validFrom`, retirement, compromise) are
/// stored and published in whole seconds, like a proof's `created`: a credential signed in the
/// same second as its key became valid then compares as signed at or after `validFrom`.
pub(crate) fn whole_seconds(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

impl SchoolKey {
    /// `validUntil` in the trust list: the retirement time, else the compromise time.
    pub fn valid_until(&self) -> Option<OffsetDateTime> {
        self.retired_at.or(self.compromised_at)
    }
}

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

/// A credential signed by a given key that has not been replaced yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyCredential {
    /// The credential id (`urn:uuid:…`).
    pub credential_id: String,
    /// The year record it was issued from.
    pub record_id: String,
    /// The pupil's name.
    pub pupil_name: String,
    /// The pupil's key (personal id or MOET student code).
    pub pupil_key: String,
    /// School year of the record.
    pub school_year: String,
    /// Class of the record.
    pub class_name: String,
    /// The `proof.verificationMethod` that signed it.
    pub verification_method: String,
    /// When the credential was revoked, if it was (revoked, not yet re-issued).
    pub revoked_at: Option<OffsetDateTime>,
}

/// The stored text of a key status.
pub fn key_status_text(status: KeyStatus) -> &'static str {
    match status {
        KeyStatus::Active => "active",
        KeyStatus::Retired => "retired",
        KeyStatus::Compromised => "compromised",
    }
}

fn key_status(text: &str) -> Result<KeyStatus, StoreError> {
    match text {
        "active" => Ok(KeyStatus::Active),
        "retired" => Ok(KeyStatus::Retired),
        "compromised" => Ok(KeyStatus::Compromised),
        other => Err(StoreError::Corrupt {
            what: "school_keys.status",
            detail: other.to_owned(),
        }),
    }
}

macro_rules! key_columns {
    () => {
        "public_key_multibase, school_id, status, valid_from, retired_at, compromised_at, \
         added_by, added_at, changed_by, changed_at"
    };
}

macro_rules! version_columns {
    () => {
        "version, made_at, next_due, list_json, sha256, made_by, source"
    };
}

fn key_from_row(row: &AnyRow) -> Result<SchoolKey, StoreError> {
    Ok(SchoolKey {
        public_key_multibase: row.try_get("public_key_multibase")?,
        school_id: row.try_get("school_id")?,
        status: key_status(&row.try_get::<String, _>("status")?)?,
        valid_from: time_at(row, "school_keys.valid_from", "valid_from")?,
        retired_at: opt_time_at(row, "school_keys.retired_at", "retired_at")?,
        compromised_at: opt_time_at(row, "school_keys.compromised_at", "compromised_at")?,
        added_by: row.try_get("added_by")?,
        added_at: time_at(row, "school_keys.added_at", "added_at")?,
        changed_by: row.try_get("changed_by")?,
        changed_at: time_at(row, "school_keys.changed_at", "changed_at")?,
    })
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

async fn keys_on(conn: &mut AnyConnection) -> Result<Vec<SchoolKey>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        key_columns!(),
        " FROM school_keys ORDER BY school_id, valid_from, public_key_multibase"
    ))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(key_from_row)
    .collect()
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
    /// Every key of `school_id`, oldest first.
    pub async fn school_keys(&self, school_id: &str) -> Result<Vec<SchoolKey>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            key_columns!(),
            " FROM school_keys WHERE school_id = $1 ORDER BY valid_from, public_key_multibase"
        ))
        .bind(school_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(key_from_row)
        .collect()
    }

    /// The key with this `publicKeyMultibase`, whichever school it belongs to.
    pub async fn school_key(
        &self,
        public_key_multibase: &str,
    ) -> Result<Option<SchoolKey>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            key_columns!(),
            " FROM school_keys WHERE public_key_multibase = $1"
        ))
        .bind(public_key_multibase)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(key_from_row)
        .transpose()
    }

    /// Adds an active key to `school_id`, valid from `valid_from`. A key already known (to
    /// this or another school) is a [`StoreError::Conflict`].
    pub async fn add_school_key(
        &self,
        school_id: &str,
        public_key_multibase: &str,
        valid_from: OffsetDateTime,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<SchoolKey, StoreError> {
        let now = to_text(now)?;
        let row = sqlx::query(concat!(
            "INSERT INTO school_keys (public_key_multibase, school_id, status, valid_from, ",
            "added_by, added_at, changed_by, changed_at) ",
            "VALUES ($1, $2, 'active', $3, $4, $5, $4, $5) RETURNING ",
            key_columns!()
        ))
        .bind(public_key_multibase)
        .bind(school_id)
        .bind(to_text(whole_seconds(valid_from))?)
        .bind(actor)
        .bind(&now)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| {
            unique_as(e, || {
                format!("key {public_key_multibase} is already registered")
            })
        })?;
        key_from_row(&row)
    }

    /// Retires an active key of `school_id` at `at`: it signs no more, and what it signed
    /// before `at` stays valid. Another school's key is [`StoreError::NotFound`]; a key that
    /// is not active is a [`StoreError::Conflict`].
    pub async fn retire_school_key(
        &self,
        school_id: &str,
        public_key_multibase: &str,
        at: OffsetDateTime,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<SchoolKey, StoreError> {
        self.change_key(
            school_id,
            public_key_multibase,
            "UPDATE school_keys SET status = 'retired', retired_at = $3, changed_by = $4, \
             changed_at = $5 WHERE school_id = $1 AND public_key_multibase = $2 \
             AND status = 'active'",
            at,
            actor,
            now,
            "retired",
        )
        .await
    }

    /// Marks a key of `school_id` compromised since `since`: every signature by it is
    /// invalid. An active or retired key may be; one already compromised is a
    /// [`StoreError::Conflict`].
    pub async fn compromise_school_key(
        &self,
        school_id: &str,
        public_key_multibase: &str,
        since: OffsetDateTime,
        actor: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<SchoolKey, StoreError> {
        self.change_key(
            school_id,
            public_key_multibase,
            "UPDATE school_keys SET status = 'compromised', compromised_at = $3, \
             changed_by = $4, changed_at = $5 WHERE school_id = $1 \
             AND public_key_multibase = $2 AND status <> 'compromised'",
            since,
            actor,
            now,
            "compromised",
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn change_key(
        &self,
        school_id: &str,
        public_key_multibase: &str,
        sql: &'static str,
        at: OffsetDateTime,
        actor: Option<&str>,
        now: OffsetDateTime,
        to: &str,
    ) -> Result<SchoolKey, StoreError> {
        let changed = sqlx::query(sql)
            .bind(school_id)
            .bind(public_key_multibase)
            .bind(to_text(at)?)
            .bind(actor)
            .bind(to_text(now)?)
            .execute(&self.pool)
            .await?
            .rows_affected();
        let key = self
            .school_key(public_key_multibase)
            .await?
            .filter(|k| k.school_id == school_id)
            .ok_or_else(|| StoreError::NotFound {
                what: "key",
                id: public_key_multibase.to_owned(),
            })?;
        if changed == 0 {
            return Err(StoreError::Conflict {
                what: format!(
                    "key {public_key_multibase} is {} and cannot become {to}",
                    key_status_text(key.status)
                ),
            });
        }
        Ok(key)
    }

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

    /// The credentials of `school_id` whose `proof.verificationMethod` is one of
    /// `verification_methods` and that no credential replaces yet (revoked ones without a
    /// replacement included: they still wait for their re-issue), oldest first.
    pub async fn credentials_signed_by(
        &self,
        school_id: &str,
        verification_methods: &[String],
    ) -> Result<Vec<KeyCredential>, StoreError> {
        if verification_methods.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: HashSet<&str> = verification_methods.iter().map(String::as_str).collect();
        let rows = sqlx::query(
            "SELECT c.id, c.record_id, c.credential_json, c.revoked_at, r.school_year, \
             r.class_name, p.full_name, p.pupil_key \
             FROM credentials c JOIN year_records r ON r.id = c.record_id \
             JOIN pupils p ON p.id = r.pupil_id \
             WHERE c.school_id = $1 AND r.school_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM credentials n WHERE n.replaces = c.id) \
             ORDER BY c.issued_at, c.id",
        )
        .bind(school_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for row in &rows {
            let json: String = row.try_get("credential_json")?;
            let Some(vm) = verification_method_of(&json) else {
                continue;
            };
            if !wanted.contains(vm.as_str()) {
                continue;
            }
            out.push(KeyCredential {
                credential_id: row.try_get("id")?,
                record_id: row.try_get("record_id")?,
                pupil_name: row.try_get("full_name")?,
                pupil_key: row.try_get("pupil_key")?,
                school_year: row.try_get("school_year")?,
                class_name: row.try_get("class_name")?,
                verification_method: vm,
                revoked_at: opt_time_at(row, "credentials.revoked_at", "revoked_at")?,
            });
        }
        Ok(out)
    }
}

/// `proof.verificationMethod` of a stored credential (the first proof's, if an array).
fn verification_method_of(json: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Doc {
        proof: serde_json::Value,
    }
    let doc: Doc = serde_json::from_str(json).ok()?;
    let proof = match doc.proof {
        serde_json::Value::Array(mut proofs) if !proofs.is_empty() => proofs.swap_remove(0),
        other => other,
    };
    proof
        .get("verificationMethod")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
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
