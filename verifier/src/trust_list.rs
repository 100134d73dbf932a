//! The pinned authority key and the trust list it signs.
//!
//! A verifier pins one thing: the education authority's Ed25519 public key
//! ([`TrustedAuthority`]). Everything else (schools, their codes and keys, key status) comes
//! from the trust list, which is only usable as a [`VerifiedTrustList`]: a value that can only
//! be obtained from [`TrustedAuthority::verify_trust_list`], so a caller cannot look a key up in
//! a list nobody checked.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use ed25519_dalek::VerifyingKey;
use ed25519_dalek::pkcs8::DecodePublicKey;
use hocba_schema::credential::{CONTEXT_HOCBA_V1, CONTEXT_VC_V2, IssuerRef};
use hocba_schema::jcs::check_signable;
use hocba_schema::multikey::{decode_public_key, encode_public_key};
use hocba_schema::proof::SecuredDocument;
use hocba_schema::trust_list::{TRUST_LIST_TYPE, TrustList, TrustedKey, TrustedSchool};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::error::VerifyError;
use crate::federation::{Federation, Vouch};
use crate::input::{MAX_TRUST_LIST_BYTES, parse_object};
use crate::proof::{IntegrityFailure, KeyTables, verify_proof, verify_signature_with};
use crate::reason::{CheckName, Reason};
use crate::secured::split_proof;
use crate::verdict::{Check, Outcome, ShowTime, TrustListInfo};

/// The education authority's public key, pinned by the verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedAuthority {
    key: VerifyingKey,
    multibase: String,
}

impl TrustedAuthority {
    /// Pin `key`. A weak (small-order) key is refused: it would vouch for anything.
    pub fn new(key: VerifyingKey) -> Result<Self, VerifyError> {
        if key.is_weak() {
            return Err(VerifyError::AuthorityKey {
                problem: "the key has small order (a weak key that verifies anything)".into(),
            });
        }
        Ok(Self {
            multibase: encode_public_key(&key),
            key,
        })
    }

    /// From an SPKI PEM public key (`openssl pkey -pubout`).
    pub fn from_pem(pem: &str) -> Result<Self, VerifyError> {
        if pem.contains("PRIVATE KEY") {
            return Err(VerifyError::AuthorityKey {
                problem: "this is a private key; give the public key (openssl pkey -pubout)".into(),
            });
        }
        let key =
            VerifyingKey::from_public_key_pem(pem).map_err(|e| VerifyError::AuthorityKey {
                problem: format!("not an Ed25519 SPKI PEM public key: {e}"),
            })?;
        Self::new(key)
    }

    /// From a `publicKeyMultibase` (`z6Mk…`).
    pub fn from_multibase(multibase: &str) -> Result<Self, VerifyError> {
        let key = decode_public_key(multibase).map_err(|e| VerifyError::AuthorityKey {
            problem: e.to_string(),
        })?;
        Self::new(key)
    }

    /// From the text of a key file: an SPKI PEM, a bare `z6Mk…` publicKeyMultibase (one line),
    /// or a Multikey JSON object with a `publicKeyMultibase` member (like the W3C `key.json`).
    pub fn from_key_file_text(text: &str) -> Result<Self, VerifyError> {
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.contains("-----BEGIN") {
            return Self::from_pem(text);
        }
        if text.starts_with('z') && !text.contains(char::is_whitespace) {
            return Self::from_multibase(text);
        }
        if text.starts_with('{') {
            let multibase = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("publicKeyMultibase")?.as_str().map(str::to_owned));
            if let Some(multibase) = multibase {
                return Self::from_multibase(&multibase);
            }
        }
        Err(VerifyError::AuthorityKey {
            problem: "expected an SPKI PEM public key, a z6Mk… publicKeyMultibase, or a JSON \
                      object with publicKeyMultibase"
                .into(),
        })
    }

    /// The pinned key.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The key as `publicKeyMultibase`.
    pub fn public_key_multibase(&self) -> &str {
        &self.multibase
    }

    /// Check a trust list: its proof must name this key (the `verificationMethod`'s fragment
    /// is this key's `publicKeyMultibase`) and verify with it, and the signed content must be
    /// a `HocBaTrustList`. Freshness is not judged here (no clock): see
    /// [`VerifiedTrustList::freshness`].
    ///
    /// Errors: [`VerifyError::TooLarge`], [`VerifyError::NotJson`],
    /// [`VerifyError::NotAnObject`] for bytes that cannot be read, and
    /// [`VerifyError::TrustListRejected`] when the authority does not vouch for them.
    pub fn verify_trust_list(&self, bytes: &[u8]) -> Result<VerifiedTrustList, VerifyError> {
        let doc = open_signed(bytes, "trust list")?;
        let unsecured = self.check_pinned(doc)?;
        let list: TrustList = read_signed_list(unsecured, TRUST_LIST_TYPE)?;
        Ok(VerifiedTrustList::index(list, None))
    }

    /// The proof must name this key and verify with it; the signed content, as JSON.
    pub(crate) fn check_pinned(&self, doc: SecuredDocument) -> Result<Value, VerifyError> {
        let vm = doc.proof_str("verificationMethod").unwrap_or_default();
        if vm.rsplit_once('#').map(|(_, fragment)| fragment) != Some(self.multibase.as_str()) {
            return Err(reject(
                Reason::TrustListSignedByOtherKey,
                format!(
                    "proof.verificationMethod is {vm:?}; the pinned authority key is {}",
                    self.multibase
                ),
            ));
        }
        check_signed(doc, &self.key)
    }
}

/// Read a signed trust document (a trust list, a national trust list): its proof split off.
/// No proof or a malformed one: for trust material, both are "not properly signed".
pub(crate) fn open_signed(
    bytes: &[u8],
    what: &'static str,
) -> Result<SecuredDocument, VerifyError> {
    let map = parse_object(bytes, what, MAX_TRUST_LIST_BYTES)?;
    let (unsecured, proof) = split_proof(map);
    let (proof_options, signature) =
        proof.map_err(|(_, detail)| reject(Reason::TrustListUnsigned, detail))?;
    Ok(SecuredDocument {
        unsecured,
        proof_options,
        signature,
    })
}

/// Verify `doc`'s proof with `key`; the signed content, as JSON. The authority signs NFC text
/// and safe numbers only; anything else means its tooling is broken, and the document is
/// refused rather than half-read.
pub(crate) fn check_signed(doc: SecuredDocument, key: &VerifyingKey) -> Result<Value, VerifyError> {
    verify_proof(&doc, key).map_err(|f| {
        let reason = match f.reason() {
            Reason::SignatureMismatch | Reason::NonCanonicalSignature => {
                Reason::TrustListSignatureInvalid
            }
            _ => Reason::TrustListUnsigned,
        };
        reject(reason, f.to_string())
    })?;
    let unsecured = Value::Object(doc.unsecured);
    check_signable(&unsecured).map_err(|e| reject(Reason::TrustListMalformed, e.to_string()))?;
    Ok(unsecured)
}

/// The signed content as a `T` whose `@context` starts with VC 2.0 and the học bạ context and
/// whose `type` includes `kind`.
pub(crate) fn read_signed_list<T: serde::de::DeserializeOwned>(
    unsecured: Value,
    kind: &str,
) -> Result<T, VerifyError> {
    let context: Vec<&str> = unsecured
        .get("@context")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if context.first() != Some(&CONTEXT_VC_V2) || context.get(1) != Some(&CONTEXT_HOCBA_V1) {
        return Err(reject(
            Reason::TrustListMalformed,
            format!(
                "@context must start with {CONTEXT_VC_V2:?}, {CONTEXT_HOCBA_V1:?}; found {:?}",
                unsecured.get("@context")
            ),
        ));
    }
    let has_type = unsecured
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|t| t.as_str() == Some(kind)));
    if !has_type {
        return Err(reject(
            Reason::TrustListMalformed,
            format!(
                "type must include {kind:?}; found {:?}",
                unsecured.get("type")
            ),
        ));
    }
    serde_json::from_value(unsecured).map_err(|e| reject(Reason::TrustListMalformed, e.to_string()))
}

pub(crate) fn reject(reason: Reason, detail: impl Into<String>) -> VerifyError {
    VerifyError::TrustListRejected {
        reason,
        detail: detail.into(),
    }
}

/// A trust list whose signature the pinned authority key verified. Only
/// [`TrustedAuthority::verify_trust_list`] makes one. Keys are indexed by verification method
/// id and decoded once, on first use.
#[derive(Debug)]
pub struct VerifiedTrustList {
    list: TrustList,
    /// Verification method id → (school index, key index).
    by_method: HashMap<String, (usize, usize)>,
    /// Issuer id → school index.
    by_school: HashMap<String, usize>,
    /// Decoded keys, parallel to `list.credential_subject.schools[i].verification_methods[j]`.
    decoded: Vec<Vec<OnceLock<Result<VerifyingKey, String>>>>,
    /// Each school as a verified credential hands it out (shared, not copied per credential),
    /// made on first use.
    shared: Vec<OnceLock<Arc<TrustedSchool>>>,
    /// Federation: who vouches for each school (parallel to the schools), and the schools
    /// the resolution refused. `None` for a single-authority list.
    federation: Option<Box<Federation>>,
    /// Tables of the keys used most, for the signature check (bounded: [`KeyTables`]).
    tables: KeyTables,
}

/// A key found in the trust list, with its school and decoded public key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyLookup<'a> {
    pub(crate) school: &'a TrustedSchool,
    pub(crate) key: &'a TrustedKey,
    pub(crate) public: Result<&'a VerifyingKey, &'a str>,
    /// Federation: the province key that vouched for the school (none for a single-authority
    /// list).
    pub(crate) vouch: Option<&'a Vouch>,
    /// Where the school and the key are in the list ([`VerifiedTrustList::shared_school`]).
    pub(crate) index: (usize, usize),
}

impl VerifiedTrustList {
    pub(crate) fn index(list: TrustList, federation: Option<Box<Federation>>) -> Self {
        let schools = &list.credential_subject.schools;
        let mut by_method = HashMap::new();
        let mut by_school = HashMap::with_capacity(schools.len());
        let mut decoded = Vec::with_capacity(schools.len());
        for (i, school) in schools.iter().enumerate() {
            // The first entry wins, as in `TrustList::school` / `TrustList::key`.
            by_school.entry(school.id.clone()).or_insert(i);
            for (j, key) in school.verification_methods.iter().enumerate() {
                by_method.entry(key.id.clone()).or_insert((i, j));
            }
            decoded.push(
                school
                    .verification_methods
                    .iter()
                    .map(|_| OnceLock::new())
                    .collect(),
            );
        }
        let shared = schools.iter().map(|_| OnceLock::new()).collect();
        Self {
            list,
            by_method,
            by_school,
            decoded,
            shared,
            federation,
            tables: KeyTables::default(),
        }
    }

    /// Ed25519 `verify_strict` of a credential's signature with a key of this list
    /// ([`crate::verify_signature`]'s answer), from the key's table when it has one.
    pub(crate) fn verify_signature(
        &self,
        key: &VerifyingKey,
        message: &[u8],
        signature: &[u8; 64],
    ) -> Result<(), IntegrityFailure> {
        verify_signature_with(Some(&self.tables), key, message, signature)
    }

    /// Federation: how the list was assembled (root → provinces), if it was.
    pub(crate) fn federation(&self) -> Option<&Federation> {
        self.federation.as_deref()
    }

    /// Whether this list was assembled from a national list and provincial lists.
    pub fn is_federated(&self) -> bool {
        self.federation.is_some()
    }

    /// The verified list.
    pub fn list(&self) -> &TrustList {
        &self.list
    }

    /// The list's `id`.
    pub fn id(&self) -> &str {
        &self.list.id
    }

    /// Its version number.
    pub fn version(&self) -> u64 {
        self.list.credential_subject.version
    }

    /// The authority named as its issuer.
    pub fn authority(&self) -> &IssuerRef {
        &self.list.issuer
    }

    /// When this version was made.
    pub fn valid_from(&self) -> OffsetDateTime {
        self.list.valid_from
    }

    /// When the next version is due (after it the list is stale).
    pub fn valid_until(&self) -> OffsetDateTime {
        self.list.valid_until
    }

    /// Whether the next version was due before `now`.
    pub fn is_stale(&self, now: OffsetDateTime) -> bool {
        now > self.list.valid_until
    }

    /// The school whose issuer id is `issuer_id`.
    pub fn school(&self, issuer_id: &str) -> Option<&TrustedSchool> {
        self.by_school
            .get(issuer_id)
            .map(|&i| &self.list.credential_subject.schools[i])
    }

    /// The key whose verification method id is `verification_method`, with its school.
    pub fn key(&self, verification_method: &str) -> Option<(&TrustedSchool, &TrustedKey)> {
        self.lookup(verification_method).map(|l| (l.school, l.key))
    }

    pub(crate) fn lookup(&self, verification_method: &str) -> Option<KeyLookup<'_>> {
        let &(i, j) = self.by_method.get(verification_method)?;
        let school = &self.list.credential_subject.schools[i];
        let key = &school.verification_methods[j];
        let public = self.decoded[i][j]
            .get_or_init(|| decode_trusted_key(key))
            .as_ref()
            .map_err(String::as_str);
        let vouch = self.federation.as_deref().and_then(|f| f.vouch(i));
        Some(KeyLookup {
            school,
            key,
            public,
            vouch,
            index: (i, j),
        })
    }

    /// The school at `index` of the list, shared: a verified credential holds it.
    pub(crate) fn shared_school(&self, index: usize) -> Arc<TrustedSchool> {
        self.shared[index]
            .get_or_init(|| Arc::new(self.list.credential_subject.schools[index].clone()))
            .clone()
    }

    /// What a verdict reports about this list.
    pub fn info(&self) -> TrustListInfo {
        TrustListInfo {
            id: self.list.id.clone(),
            version: self.version(),
            authority: self.list.issuer.clone(),
            valid_from: self.list.valid_from,
            valid_until: self.list.valid_until,
        }
    }

    /// The `trust_list` check at `now`: passed while fresh; failed when `max_age` is given and
    /// the list is older than that; a warning when dated in the future.
    ///
    /// **Past `validUntil` (the next version was due)** the check fails with
    /// `trust_list_stale`, which the verdict reports as "could not check"
    /// ([`VerdictResult::StatusUnknown`](crate::VerdictResult::StatusUnknown)), never valid:
    /// a key may have been marked compromised in a version this verifier has not seen. Only
    /// when the user opts in (`accept_stale`, `--accept-stale-trust-list`) is it a warning, as
    /// for a verifier that knowingly works from an old bundle.
    pub fn freshness(
        &self,
        now: OffsetDateTime,
        max_age: Option<Duration>,
        accept_stale: bool,
    ) -> Check {
        let name = CheckName::TrustList;
        let (from, until) = (self.list.valid_from, self.list.valid_until);
        let version = self.version();
        if let Some(max) = max_age {
            let age = now - from;
            if age > max {
                return Check::failed(
                    name,
                    Reason::TrustListTooOld,
                    format!(
                        "version {version} made {} is {} days old; the maximum is {} days",
                        ShowTime(from),
                        age.whole_days(),
                        max.whole_days()
                    ),
                );
            }
        }
        if now > until {
            let outcome = if accept_stale && max_age.is_none() {
                Outcome::Warning
            } else {
                Outcome::Failed
            };
            return Check::with_reason(
                name,
                outcome,
                Reason::TrustListStale,
                format!(
                    "version {version}: the next update was due {}, {} days before the time of checking",
                    ShowTime(until),
                    (now - until).whole_days()
                ),
            );
        }
        if now < from {
            return Check::with_reason(
                name,
                Outcome::Warning,
                Reason::TrustListNotYetValid,
                format!(
                    "version {version} is dated {}, after the time of checking {}",
                    ShowTime(from),
                    ShowTime(now)
                ),
            );
        }
        Check::passed(
            name,
            Some(format!(
                "version {version}, next update due {}",
                ShowTime(until)
            )),
        )
    }
}

fn decode_trusted_key(key: &TrustedKey) -> Result<VerifyingKey, String> {
    if key.kind != "Multikey" {
        return Err(format!(
            "trusted key {}: type must be \"Multikey\", found {:?}",
            key.id, key.kind
        ));
    }
    decode_public_key(&key.public_key_multibase).map_err(|e| format!("trusted key {}: {e}", key.id))
}
