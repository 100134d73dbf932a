//! Publishing status lists: each school's W3C Bitstring Status List credentials, built from
//! the store's revoked indices and signed by the school key, at the stable URL every
//! credential names in `credentialStatus.statusListCredential`:
//! `{public base}/status/{school code}/{list id}`.
//!
//! A signed list is cached per (school, list) together with a digest of the revoked indices it
//! was made from. Each request reads the revoked indices (one indexed query) and reuses the
//! cached bytes while they are unchanged and younger than [`RESIGN_AFTER`]; a revocation, made
//! by this process, another issuer process sharing PostgreSQL or the `revoke` command, changes
//! the digest and so invalidates the cached list at once.
//!
//! Only a key the store holds as `active` for the school signs its list, and a cached list is
//! served only while its signer is still the school's current one: a list signed by a key since
//! retired or compromised is never served ([`PublishError::NoActiveKey`] /
//! [`PublishError::NoKey`]; the HTTP layer answers 503 with `Retry-After`).
//!
//! Each revoked index also gets a signed note in `credentialSubject.revocations`: when it was
//! revoked and why ([`RevocationNote`]). The reason is published, so the revoke API and command
//! refuse reasons over [`MAX_REASON_CHARS`] characters
//! ([`check_revocation_reason`](hocba_schema::status_list::check_revocation_reason)); a reason
//! stored before that rule is published cut to the limit, on one line.
//!
//! A note also names the record that replaces the revoked one once the school has signed its
//! correction (`replacedBy`: the new credential's `id`, an opaque `urn:uuid:…`, nothing about
//! the pupil), so a verifier can link a revoked record's page to its replacement. Signing a
//! correction changes the list's digest, so the next request publishes the link.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hocba_schema::credential::UnsignedCredential;
use hocba_schema::status_list::{
    Bitstring, MAX_REASON_CHARS, RevocationNote, StatusListCredential,
};
use hocba_schema::trust_list::KeyStatus;
use serde_json::Value;
use sha2::{Digest, Sha256};
use thiserror::Error;
use time::{Duration, OffsetDateTime};

use crate::error::IssuerError;
use crate::signing::Signer;
use crate::store::{School, Store, StoreError};

/// How long a published list stays valid (`validUntil` − `validFrom`). A verifier treats a
/// list past `validUntil` as an unknown status.
pub const STATUS_LIST_VALIDITY: Duration = Duration::days(14);

/// A cached signed list is re-signed (fresh `validFrom`) after this long even when nothing was
/// revoked.
pub const RESIGN_AFTER: Duration = Duration::hours(1);

/// The URL of a status list: `{public_base}/status/{school_code}/{list_id}` (what
/// credentials name in `credentialStatus.statusListCredential`).
pub fn status_list_url(public_base: &str, school_code: &str, list_id: &str) -> String {
    hocba_schema::publication::status_list_url(public_base, school_code, list_id)
}

/// Why a status list could not be published.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PublishError {
    /// The store failed or has no such school or list.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The school has no list with this id.
    #[error("school {school} has no status list {list}")]
    NoSuchList {
        /// The school's code.
        school: String,
        /// The list id asked for.
        list: String,
    },
    /// This service does not hold the school's key, so it cannot sign its list.
    #[error("no signing key for school {school} here")]
    NoKey {
        /// The school's code.
        school: String,
    },
    /// The school's key here is not active in the store (retired or compromised, or it belongs
    /// to another school): its list is not signed with it, and a list it signed before is not
    /// served.
    #[error(
        "school {school} has no active key that can sign its status list (key {key} is {status})"
    )]
    NoActiveKey {
        /// The school's code.
        school: String,
        /// The key's `publicKeyMultibase`.
        key: String,
        /// Its status in the store (`retired`, `compromised`, `another school's`).
        status: String,
    },
    /// The trust list file (or a list put in a bundle) is not JSON.
    #[error("the trust list is not usable: {0}")]
    BadTrustList(String),
    /// Building or signing failed.
    #[error(transparent)]
    Sign(#[from] IssuerError),
}

/// A signed status list ready to serve.
#[derive(Clone, Debug)]
pub struct PublishedList {
    /// The signed credential (canonical JSON).
    pub bytes: Arc<Vec<u8>>,
    /// `"<sha-256 hex of bytes>"` (a strong ETag, quotes included).
    pub etag: String,
    /// When it was signed.
    pub signed_at: OffsetDateTime,
    /// The `verificationMethod` of the key that signed it.
    pub signed_by: String,
    revision: [u8; 32],
}

/// One revoked entry as the store has it: (index, when revoked, reason).
pub type RevokedEntry = (i64, OffsetDateTime, Option<String>);

/// The reason as published: control characters made spaces, trimmed, at most
/// [`MAX_REASON_CHARS`] characters (a longer one, stored before the limit, ends in `…`).
fn publishable_reason(reason: &str) -> String {
    let one_line: String = reason
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = one_line.trim();
    if text.chars().count() <= MAX_REASON_CHARS {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(MAX_REASON_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

/// Build and sign the revocation list at `url` with `size` entries, the `revoked` entries set
/// and a note (date, reason) for each of them.
pub fn sign_status_list(
    signer: &Signer,
    url: &str,
    size: usize,
    revoked: &[RevokedEntry],
    now: OffsetDateTime,
) -> Result<Vec<u8>, IssuerError> {
    sign_status_list_with_replacements(signer, url, size, revoked, &[], now)
}

/// [`sign_status_list`], the note of each revoked index in `replacements` (`(index, credential
/// id)`, from [`Store::replacements`]) naming the credential that replaces it. An id that is not
/// a `urn:uuid:` in the issuer's form is left out rather than published.
pub fn sign_status_list_with_replacements(
    signer: &Signer,
    url: &str,
    size: usize,
    revoked: &[RevokedEntry],
    replacements: &[(i64, String)],
    now: OffsetDateTime,
) -> Result<Vec<u8>, IssuerError> {
    let mut bits = Bitstring::new(size);
    let mut notes = Vec::with_capacity(revoked.len());
    for (index, at, reason) in revoked {
        if let Ok(i) = usize::try_from(*index)
            && bits.set(i, true)
        {
            let reason = publishable_reason(reason.as_deref().unwrap_or_default());
            let mut note = RevocationNote::new(i, *at, &reason);
            if let Some((_, id)) = replacements.iter().find(|(r, _)| r == index)
                && RevocationNote::is_replacement_id(id)
            {
                note = note.replaced_by(id);
            }
            notes.push(note);
        }
    }
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let list = StatusListCredential::revocation_with_notes(
        url,
        signer.issuer().clone(),
        now,
        now + STATUS_LIST_VALIDITY,
        &bits,
        notes,
    );
    let Value::Object(doc) =
        serde_json::to_value(&list).map_err(|e| hocba_schema::SchemaError::Json(e.to_string()))?
    else {
        return Err(hocba_schema::SchemaError::Json("status list is not an object".into()).into());
    };
    let unsigned = UnsignedCredential::from_document(doc)?;
    signer.sign_canonical(&unsigned, now)
}

/// The cache of signed lists, shared by the HTTP handlers.
#[derive(Debug, Default)]
pub struct Publication {
    lists: Mutex<HashMap<(String, String), PublishedList>>,
    trust_list: Option<Arc<Vec<u8>>>,
}

impl Publication {
    /// A cache serving `trust_list` (the bytes of the authority-signed trust list file) at
    /// `/.well-known/hocba/trust-list.json`.
    pub fn new(trust_list: Option<Vec<u8>>) -> Self {
        Self {
            lists: Mutex::new(HashMap::new()),
            trust_list: trust_list.map(Arc::new),
        }
    }

    /// The trust list file, when this service has one.
    pub fn trust_list(&self) -> Option<Arc<Vec<u8>>> {
        self.trust_list.clone()
    }

    /// Forget the cached list of (`school_code`, `list_id`), e.g. after a revocation.
    pub fn invalidate(&self, school_code: &str, list_id: &str) {
        if let Ok(mut lists) = self.lists.lock() {
            lists.remove(&(school_code.to_owned(), list_id.to_owned()));
        }
    }

    /// The signed list `list_id` of `school`, from the cache when still current.
    pub async fn status_list(
        &self,
        store: &Store,
        signer: Option<&Signer>,
        public_base: &str,
        school: &School,
        list_id: &str,
        now: OffsetDateTime,
    ) -> Result<PublishedList, PublishError> {
        let info = store
            .status_lists(&school.id)
            .await?
            .into_iter()
            .find(|l| l.id == list_id)
            .ok_or_else(|| PublishError::NoSuchList {
                school: school.code.clone(),
                list: list_id.to_owned(),
            })?;
        let revoked = store.revocations(&school.id, list_id).await?;
        let replacements = if revoked.is_empty() {
            Vec::new()
        } else {
            store.replacements(&school.id, list_id).await?
        };
        let mut digest = Sha256::new();
        digest.update(info.size.to_be_bytes());
        for (i, at, reason) in &revoked {
            digest.update(i.to_be_bytes());
            digest.update(at.unix_timestamp().to_be_bytes());
            let reason = reason.as_deref().unwrap_or_default();
            digest.update((reason.len() as u64).to_be_bytes());
            digest.update(reason.as_bytes());
        }
        // A correction signed since changes the list (its note names the replacement).
        digest.update(b"replacedBy");
        for (i, id) in &replacements {
            digest.update(i.to_be_bytes());
            digest.update((id.len() as u64).to_be_bytes());
            digest.update(id.as_bytes());
        }
        let revision: [u8; 32] = digest.finalize().into();
        let key = (school.code.clone(), list_id.to_owned());
        // Only a key the store holds as active for this school signs, and only a list signed
        // by the current signer is served from the cache: a list signed by a key since
        // retired or compromised is never served again. A key the store does not know (a key
        // directory without authority records) is taken as the trust list file says.
        let signer = match signer {
            Some(signer) => signer,
            None => {
                self.invalidate(&school.code, list_id);
                return Err(PublishError::NoKey {
                    school: school.code.clone(),
                });
            }
        };
        let multibase = signer
            .verification_method()
            .rsplit_once('#')
            .map_or(signer.verification_method(), |(_, k)| k);
        if let Some(stored) = store.school_key(multibase).await? {
            let status = if stored.school_id != school.id {
                Some("another school's".to_owned())
            } else if stored.status != KeyStatus::Active {
                Some(crate::store::key_status_text(stored.status).to_owned())
            } else {
                None
            };
            if let Some(status) = status {
                self.invalidate(&school.code, list_id);
                return Err(PublishError::NoActiveKey {
                    school: school.code.clone(),
                    key: multibase.to_owned(),
                    status,
                });
            }
        }
        if let Ok(lists) = self.lists.lock()
            && let Some(cached) = lists.get(&key)
            && cached.revision == revision
            && cached.signed_by == signer.verification_method()
            && now - cached.signed_at < RESIGN_AFTER
            && now >= cached.signed_at
        {
            return Ok(cached.clone());
        }
        let url = status_list_url(public_base, &school.code, list_id);
        let size = usize::try_from(info.size).unwrap_or(0);
        let bytes =
            sign_status_list_with_replacements(signer, &url, size, &revoked, &replacements, now)?;
        let published = PublishedList {
            etag: format!("\"{}\"", hex(&Sha256::digest(&bytes))),
            bytes: Arc::new(bytes),
            signed_at: now,
            signed_by: signer.verification_method().to_owned(),
            revision,
        };
        if let Ok(mut lists) = self.lists.lock() {
            lists.insert(key, published.clone());
        }
        Ok(published)
    }
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_reasons_are_one_line_and_within_the_limit() {
        assert_eq!(
            publishable_reason("  Sai điểm\nmôn Toán "),
            "Sai điểm môn Toán"
        );
        let legacy = "ệ".repeat(300);
        let cut = publishable_reason(&legacy);
        assert_eq!(cut.chars().count(), MAX_REASON_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(publishable_reason(&"a".repeat(200)), "a".repeat(200));
    }
}
