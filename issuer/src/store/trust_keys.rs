//! The authority's side of trust, its keys: every school key with its life cycle
//! (`school_keys`). The signed trust list versions made from them are `trust_versions.rs`.
//!
//! * A key is `active` when added, then `retired` (it signs no more; what it signed before
//!   `retired_at` stays valid) or `compromised` (everything it signed is invalid). A retired
//!   key may later be found compromised; nothing goes back to `active`.
//!
//! The credentials a key signed are found by reading `proof.verificationMethod` of the stored
//! credential JSON ([`Store::credentials_signed_by`]); the credentials table is only read.

use std::collections::HashSet;

use hocba_schema::trust_list::KeyStatus;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use super::error::unique_as;
use super::timestamp::{opt_time_at, time_at, to_text};
use super::{Store, StoreError};

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

pub(super) async fn keys_on(conn: &mut AnyConnection) -> Result<Vec<SchoolKey>, StoreError> {
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
