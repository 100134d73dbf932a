//! The authority's trust-list life cycle: who may sign for which school, and for how long.
//!
//! **Who does what.** The Department of Education (the `authority` role, through
//! `/api/v1/authority/…` or `hocba-issuer authority …`) registers a school (code, name,
//! province; issuer id `urn:hocba:school:<code>`), adds the school's public keys, retires a key
//! when the school rotates, marks a key compromised when it is lost or stolen, and publishes a
//! new signed version of the trust list. A school generates its own key pair
//! (`hocba-issuer keygen`) and hands only the public key to the authority; its principal sees,
//! at `GET /api/v1/reissue`, which records must be re-issued after a compromise.
//!
//! **Key states.** `active` (added; the issuer signs with it) → `retired` at a time (signs no
//! more; signatures made before that time stay valid) → possibly `compromised` (every
//! signature by the key is invalid, whenever it was made). Nothing goes back to `active`.
//! A change takes effect for verifiers when the next version is published. Key times are
//! whole seconds, like a proof's `created`: `validFrom` and a compromise time are cut down, a
//! retirement time rounded up, so a credential or status list signed in the same second as a
//! key was added (or before it was retired) is valid.
//!
//! **Versions.** Each publication is a new version whose number only grows (`max + 1` in one
//! transaction), signed by the authority key (`authority.pem` in the key directory), with
//! `validFrom` = when it was made and `validUntil` = when the next one is due (default
//! [`DEFAULT_NEXT_DUE_DAYS`] days). The latest version is served at
//! `/.well-known/hocba/trust-list.json` and goes into the offline bundle. On first start the
//! key directory's `trust-list.json` is imported as the current version ([`seed`]).
//!
//! **What a verifier concludes** (`hocba_verifier`): a credential signed by an active key, or
//! by a retired key before its retirement, passes the key check; one signed by a retired key
//! at or after its retirement fails with `retired_key_after_retirement`; any signature by a
//! compromised key fails with `compromised_key`; a school absent from the list fails as not
//! trusted; a list past `validUntil` is stale trust material.
//!
//! Every action is written to the audit log (`authority.*` actions).

use std::path::Path;

use ed25519_dalek::VerifyingKey;
use ed25519_dalek::pkcs8::DecodePublicKey;
use hocba_schema::credential::IssuerRef;
use hocba_schema::multikey::{decode_public_key, encode_public_key};
use hocba_schema::trust_list::{KeyStatus, TrustList, TrustListBody, TrustedKey, TrustedSchool};
use serde_json::{Value, json};
use thiserror::Error;
use time::{Duration, OffsetDateTime};

use crate::error::IssuerError;
use crate::keys::KeyPair;
use crate::store::{
    AuditEntry, BuiltTrustList, KeyCredential, NewSchool, School, SchoolKey, Store, StoreError,
    TrustSnapshot, TrustVersion, key_status_text,
};
use crate::trust_list::{school_issuer_id, sign};

/// Days until the next version is due, unless told otherwise.
pub const DEFAULT_NEXT_DUE_DAYS: u32 = 30;

/// Longest accepted `nextDueDays` (ten years).
pub const MAX_NEXT_DUE_DAYS: u32 = 3650;

/// The authority key file in a key directory.
pub const AUTHORITY_KEY_FILE: &str = "authority.pem";

/// Why an authority action was refused or failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AuthorityError {
    /// A field of the request breaks a rule (HTTP 400 naming field, rule and value).
    #[error("{field}: {detail} (rule {rule}, value {value:?})")]
    Invalid {
        /// The field, as named in the request (`publicKey`, `code`, …).
        field: &'static str,
        /// Stable rule code, e.g. `ed25519-public-key`.
        rule: &'static str,
        /// The offending value (shortened).
        value: String,
        /// What is wrong.
        detail: String,
    },
    /// The storage layer refused or failed (unknown school or key → not found, duplicates →
    /// conflict).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The list could not be built or signed, or the authority key is unusable.
    #[error(transparent)]
    Issuer(#[from] IssuerError),
    /// The stored state does not allow this (e.g. the authority key is not the one that
    /// signed the current list).
    #[error("{0}")]
    Conflict(String),
}

fn invalid(field: &'static str, rule: &'static str, value: &str, detail: String) -> AuthorityError {
    let mut value = value.to_owned();
    if value.len() > 120 {
        let mut cut = 120;
        while !value.is_char_boundary(cut) {
            cut -= 1;
        }
        value.truncate(cut);
        value.push('…');
    }
    AuthorityError::Invalid {
        field,
        rule,
        value,
        detail,
    }
}

/// A school to register.
#[derive(Clone, Debug)]
pub struct SchoolRegistration {
    /// MOET school code (mã trường): 1–20 letters and digits.
    pub code: String,
    /// School name.
    pub name: String,
    /// Province (tỉnh / thành phố).
    pub province: String,
}

/// Who acts and when, for the audit log.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    /// The user id (`None`: the command line).
    pub user_id: Option<&'a str>,
    /// `api` or `cli`.
    pub channel: &'a str,
    /// The time of the action.
    pub now: OffsetDateTime,
}

async fn audit(
    store: &Store,
    actor: Actor<'_>,
    school_id: Option<&str>,
    action: &str,
    subject: &str,
    mut details: Value,
) -> Result<(), StoreError> {
    if let Value::Object(map) = &mut details {
        map.insert("channel".into(), Value::from(actor.channel));
    }
    store
        .append_audit(&AuditEntry {
            at: actor.now,
            school_id: school_id.map(str::to_owned),
            user_id: actor.user_id.map(str::to_owned),
            action: action.to_owned(),
            subject: subject.to_owned(),
            details_json: details.to_string(),
        })
        .await?;
    Ok(())
}

/// Registers a school (issuer id `urn:hocba:school:<code>`). A code already registered is a
/// conflict.
pub async fn register_school(
    store: &Store,
    school: &SchoolRegistration,
    actor: Actor<'_>,
) -> Result<School, AuthorityError> {
    let code = school.code.trim();
    if code.is_empty() || code.len() > 20 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(invalid(
            "code",
            "school-code",
            &school.code,
            "a school code is 1–20 letters and digits (mã trường)".into(),
        ));
    }
    for (field, value) in [("name", &school.name), ("province", &school.province)] {
        if value.trim().is_empty() || value.len() > 300 {
            return Err(invalid(
                field,
                "required-text",
                value,
                format!("{field} must be 1–300 bytes of text"),
            ));
        }
    }
    let nfc = |s: &str| unicode_normalization::UnicodeNormalization::nfc(s.trim()).collect();
    let created = store
        .create_school(
            &NewSchool {
                code: code.to_owned(),
                name: nfc(&school.name),
                province: nfc(&school.province),
                issuer_id: school_issuer_id(code),
            },
            actor.now,
        )
        .await?;
    audit(
        store,
        actor,
        Some(&created.id),
        "authority.register-school",
        &created.code,
        json!({"name": created.name, "province": created.province, "issuerId": created.issuer_id}),
    )
    .await?;
    Ok(created)
}

/// The `publicKeyMultibase` of a public key given as `z6Mk…` or as an SPKI PEM
/// (`-----BEGIN PUBLIC KEY-----`). Anything else — a private key, another algorithm, garbage —
/// is refused, naming the field `publicKey`.
pub fn parse_public_key(text: &str) -> Result<String, AuthorityError> {
    let text = text.trim();
    if text.contains("PRIVATE KEY") {
        return Err(invalid(
            "publicKey",
            "public-key-only",
            "-----BEGIN PRIVATE KEY-----…",
            "this is a private key; send only the public key (openssl pkey -pubout)".into(),
        ));
    }
    let key: VerifyingKey = if text.starts_with("-----BEGIN") {
        VerifyingKey::from_public_key_pem(text).map_err(|e| {
            invalid(
                "publicKey",
                "ed25519-public-key",
                text,
                format!("not an Ed25519 SubjectPublicKeyInfo PEM: {e}"),
            )
        })?
    } else {
        decode_public_key(text).map_err(|e| {
            invalid(
                "publicKey",
                "ed25519-public-key",
                text,
                format!("not an Ed25519 Multikey (z6Mk…): {e}"),
            )
        })?
    };
    if key.is_weak() {
        return Err(invalid(
            "publicKey",
            "ed25519-public-key",
            text,
            "a weak (small-order) Ed25519 key".into(),
        ));
    }
    Ok(encode_public_key(&key))
}

/// Adds an active key to school `code`, valid from `valid_from` (default: now). A key already
/// registered — for this school or another — is a conflict.
pub async fn add_key(
    store: &Store,
    code: &str,
    public_key: &str,
    valid_from: Option<OffsetDateTime>,
    actor: Actor<'_>,
) -> Result<SchoolKey, AuthorityError> {
    let school = store.school_by_code(code).await?;
    let multibase = parse_public_key(public_key)?;
    if let Some(existing) = store.school_key(&multibase).await? {
        return Err(AuthorityError::Conflict(
            if existing.school_id == school.id {
                format!("key {multibase} is already registered for school {code}")
            } else {
                format!(
                    "key {multibase} is registered for another school; a key belongs to one school"
                )
            },
        ));
    }
    let valid_from = whole_seconds(valid_from.unwrap_or(actor.now));
    let key = store
        .add_school_key(&school.id, &multibase, valid_from, actor.user_id, actor.now)
        .await?;
    audit(
        store,
        actor,
        Some(&school.id),
        "authority.add-key",
        &multibase,
        json!({"school": code, "validFrom": format_time(valid_from)}),
    )
    .await?;
    Ok(key)
}

/// `t` without its fraction of a second. Key times (`validFrom`, retirement, compromise) are
/// kept and published in whole seconds, the precision of a proof's `created` (which the
/// signer also truncates): a credential or status list signed in the same second a key became
/// valid compares as signed at `validFrom` (`created >= validFrom`), so it is valid. A
/// compromise time is cut down too (every signature by a compromised key is invalid anyway).
fn whole_seconds(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

/// A retirement time in whole seconds, rounded up when it has a fraction: a credential signed
/// earlier in that same second (its `created` is that second, cut down) was signed before the
/// retirement and must stay valid (`created < validUntil`); cutting down would make it read as
/// signed at the retirement.
fn retirement_seconds(t: OffsetDateTime) -> OffsetDateTime {
    let whole = whole_seconds(t);
    if whole == t {
        t
    } else {
        whole + Duration::seconds(1)
    }
}

fn format_time(t: OffsetDateTime) -> String {
    hocba_schema::credential::format_time(t).unwrap_or_default()
}

/// Retires key `multibase` of school `code` at `at` (default: now): the issuer stops signing
/// with it and what it signed before `at` stays valid.
pub async fn retire_key(
    store: &Store,
    code: &str,
    multibase: &str,
    at: Option<OffsetDateTime>,
    actor: Actor<'_>,
) -> Result<SchoolKey, AuthorityError> {
    let school = store.school_by_code(code).await?;
    let at = retirement_seconds(at.unwrap_or(actor.now));
    let key = store
        .retire_school_key(&school.id, multibase, at, actor.user_id, actor.now)
        .await?;
    audit(
        store,
        actor,
        Some(&school.id),
        "authority.retire-key",
        multibase,
        json!({"school": code, "retiredAt": format_time(at)}),
    )
    .await?;
    Ok(key)
}

/// Marks key `multibase` of school `code` compromised (since `since`, default now): every
/// credential it signed becomes invalid once the next version is published. Returns the key
/// and the credentials to re-issue.
pub async fn compromise_key(
    store: &Store,
    code: &str,
    multibase: &str,
    since: Option<OffsetDateTime>,
    actor: Actor<'_>,
) -> Result<(SchoolKey, Vec<KeyCredential>), AuthorityError> {
    let school = store.school_by_code(code).await?;
    let since = whole_seconds(since.unwrap_or(actor.now));
    let key = store
        .compromise_school_key(&school.id, multibase, since, actor.user_id, actor.now)
        .await?;
    let affected = store
        .credentials_signed_by(
            &school.id,
            &[format!("{}#{}", school.issuer_id, key.public_key_multibase)],
        )
        .await?;
    audit(
        store,
        actor,
        Some(&school.id),
        "authority.compromise-key",
        multibase,
        json!({
            "school": code,
            "compromisedSince": format_time(since),
            "credentialsToReissue": affected.len(),
            "credentialIds": affected.iter().map(|c| c.credential_id.as_str()).collect::<Vec<_>>(),
        }),
    )
    .await?;
    Ok((key, affected))
}

/// The credentials of `school` signed by one of its compromised keys that no credential
/// replaces yet: what the school must re-issue.
pub async fn reissue_list(
    store: &Store,
    school: &School,
) -> Result<Vec<KeyCredential>, AuthorityError> {
    let vms: Vec<String> = store
        .school_keys(&school.id)
        .await?
        .into_iter()
        .filter(|k| k.status == KeyStatus::Compromised)
        .map(|k| format!("{}#{}", school.issuer_id, k.public_key_multibase))
        .collect();
    Ok(store.credentials_signed_by(&school.id, &vms).await?)
}

/// The authority key of a key directory (`authority.pem`).
pub fn load_authority_key(keys_dir: &Path) -> Result<KeyPair, IssuerError> {
    KeyPair::load(&keys_dir.join(AUTHORITY_KEY_FILE))
}

/// How to publish.
#[derive(Debug)]
pub struct PublishOptions<'a> {
    /// The authority key (must be the one that signed the current version, if any).
    pub key: &'a KeyPair,
    /// Days until the next version is due (1–[`MAX_NEXT_DUE_DAYS`]).
    pub next_due_days: u32,
    /// Who signs, when no version exists yet to take it from.
    pub authority: Option<IssuerRef>,
}

/// The trust list of a snapshot: every school with its keys and their life cycle.
pub fn build_list(
    snapshot: &TrustSnapshot,
    issuer: IssuerRef,
    made_at: OffsetDateTime,
    next_due: OffsetDateTime,
) -> TrustList {
    let schools = snapshot
        .schools
        .iter()
        .map(|school| TrustedSchool {
            id: school.issuer_id.clone(),
            code: school.code.clone(),
            name: school.name.clone(),
            province: school.province.clone(),
            verification_methods: snapshot
                .keys
                .iter()
                .filter(|k| k.school_id == school.id)
                .map(|k| trusted_key(school, k))
                .collect(),
            seal_certificate_sha256: None,
        })
        .collect();
    TrustList::new(
        format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        issuer,
        made_at,
        next_due,
        TrustListBody {
            version: snapshot.version,
            schools,
        },
    )
}

fn trusted_key(school: &School, key: &SchoolKey) -> TrustedKey {
    TrustedKey {
        id: format!("{}#{}", school.issuer_id, key.public_key_multibase),
        kind: "Multikey".into(),
        controller: school.issuer_id.clone(),
        public_key_multibase: key.public_key_multibase.clone(),
        valid_from: whole_seconds(key.valid_from),
        valid_until: key
            .retired_at
            .map(retirement_seconds)
            .or(key.compromised_at.map(whole_seconds)),
        status: key.status,
    }
}

/// Publishes a new signed version made now, due again in `next_due_days` days.
pub async fn publish(
    store: &Store,
    options: &PublishOptions<'_>,
    actor: Actor<'_>,
) -> Result<TrustVersion, AuthorityError> {
    if !(1..=MAX_NEXT_DUE_DAYS).contains(&options.next_due_days) {
        return Err(invalid(
            "nextDueDays",
            "range",
            &options.next_due_days.to_string(),
            format!("the next version must be due in 1–{MAX_NEXT_DUE_DAYS} days"),
        ));
    }
    let made_at = actor.now.replace_nanosecond(0).unwrap_or(actor.now);
    let next_due = made_at + Duration::days(i64::from(options.next_due_days));
    let key = options.key;
    let fallback = options.authority.clone();
    let published = store
        .publish_trust_version(actor.user_id, |snapshot| {
            let issuer = match &snapshot.previous {
                Some(previous) => previous_issuer(previous, key)?,
                None => fallback.ok_or_else(|| {
                    AuthorityError::Conflict(
                        "no trust list yet: import the key directory's trust-list.json first"
                            .into(),
                    )
                })?,
            };
            let list = build_list(snapshot, issuer, made_at, next_due);
            let signed = sign(&list, key, made_at)?;
            let list_json = serde_json::to_string_pretty(&Value::Object(signed))
                .map_err(|e| AuthorityError::Conflict(e.to_string()))?;
            Ok::<_, AuthorityError>(BuiltTrustList {
                list_json,
                made_at,
                next_due,
            })
        })
        .await??;
    audit(
        store,
        actor,
        None,
        "authority.publish",
        &format!("trust-list:{}", published.version),
        json!({
            "version": published.version,
            "made": format_time(published.made_at),
            "nextDue": format_time(published.next_due),
            "sha256": published.sha256,
        }),
    )
    .await?;
    Ok(published)
}

/// The issuer of the previous version, after checking that `key` is the key that signed it
/// (verifiers pin that key: a list signed by another would be refused everywhere).
fn previous_issuer(previous: &TrustVersion, key: &KeyPair) -> Result<IssuerRef, AuthorityError> {
    let doc: Value = serde_json::from_str(&previous.list_json).map_err(|e| {
        AuthorityError::Conflict(format!(
            "stored version {} is not JSON: {e}",
            previous.version
        ))
    })?;
    let vm = doc["proof"]["verificationMethod"]
        .as_str()
        .unwrap_or_default();
    let ours = key.public_key_multibase();
    if vm.rsplit_once('#').map(|(_, k)| k) != Some(ours.as_str()) {
        return Err(AuthorityError::Conflict(format!(
            "the authority key ({ours}) is not the key that signed version {} ({vm}); \
             verifiers pin that key",
            previous.version
        )));
    }
    serde_json::from_value(doc["issuer"].clone()).map_err(|e| {
        AuthorityError::Conflict(format!(
            "stored version {} has no usable issuer: {e}",
            previous.version
        ))
    })
}

/// The latest published version and its parsed list.
pub async fn latest(store: &Store) -> Result<Option<(TrustVersion, TrustList)>, AuthorityError> {
    let Some(version) = store.latest_trust_version().await? else {
        return Ok(None);
    };
    let list: TrustList = serde_json::from_str(&version.list_json).map_err(|e| {
        AuthorityError::Conflict(format!(
            "stored version {} is not a trust list: {e}",
            version.version
        ))
    })?;
    Ok(Some((version, list)))
}

/// First start: when the store holds no version yet, imports `keys_dir/trust-list.json` (its
/// schools, keys and the signed bytes) as the current version. Returns whether it imported;
/// a directory without the file imports nothing.
pub async fn seed(
    store: &Store,
    keys_dir: &Path,
    now: OffsetDateTime,
) -> Result<bool, AuthorityError> {
    let path = keys_dir.join("trust-list.json");
    if !path.exists() || store.latest_trust_version().await?.is_some() {
        return Ok(false);
    }
    let text = std::fs::read_to_string(&path).map_err(|source| IssuerError::Io {
        path: path.clone(),
        source,
    })?;
    let list: TrustList = serde_json::from_str(&text).map_err(|e| IssuerError::Description {
        path: path.clone(),
        problem: format!("not a trust list: {e}"),
    })?;
    let imported = store.import_trust_list(&list, text.trim_end(), now).await?;
    if imported {
        store
            .append_audit(&AuditEntry {
                at: now,
                school_id: None,
                user_id: None,
                action: "authority.import".into(),
                subject: format!("trust-list:{}", list.credential_subject.version),
                details_json: json!({"file": path.display().to_string(),
                    "schools": list.credential_subject.schools.len()})
                .to_string(),
            })
            .await?;
    }
    Ok(imported)
}

/// A key's status as text (`active`, `retired`, `compromised`).
pub fn status_text(status: KeyStatus) -> &'static str {
    key_status_text(status)
}
