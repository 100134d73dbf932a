//! Verifying a học bạ credential against a verified trust list at a given time.
//!
//! The bytes are parsed once (size cap, nesting limit, no duplicate member names), every check
//! runs on that one tree, and each part is canonicalised (JCS) once for `hashData`. Every check
//! reports its own outcome, so a verdict says everything that is wrong, not only the first.
//!
//! Bytes that are already their own canonical form (as the issuer stores and hands out
//! credentials) take a fast path: one pass confirms that, `hashData` is hashed from the bytes as
//! they lie, and only the members the checks read are parsed (`split_canonical`); the same
//! checks then run on them. The full tree of a verified credential is read when first asked
//! for ([`VerifiedCredential::document`]).

use ed25519_dalek::VerifyingKey;
use hocba_schema::SchemaError;
use hocba_schema::credential::{
    CONTEXT_HOCBA_V1, CONTEXT_VC_V2, CREDENTIAL_TYPE, CredentialView, parse_time,
};
use hocba_schema::jcs::write_canonical_object;
use hocba_schema::proof::SecuredDocument;
use hocba_schema::trust_list::{KeyStatus, TrustedKey, TrustedSchool};
use serde_json::{Map, Value};
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use time::{Duration, OffsetDateTime};

use crate::error::VerifyError;
use crate::input::{MAX_CREDENTIAL_BYTES, parse_object};
use crate::proof::{IntegrityFailure, check_options, verify_signature};
use crate::reason::{CheckName, Reason};
use crate::secured::{CanonicalParts, Object, ProofParts, split_canonical, split_proof};
use crate::status::StatusLists;
use crate::trust_list::{KeyLookup, VerifiedTrustList};
use crate::verdict::{Check, KeyInfo, Outcome, PupilInfo, SchoolInfo, ShowTime, Subject, Verdict};

/// Choices a caller may make about how strict to be, and the status lists to check revocation
/// against. The default is what `hocba-verify` does without `--bundle`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// When set, a trust list older than this (from its `validFrom`) fails the `trust_list`
    /// check.
    pub max_trust_list_age: Option<Duration>,
    /// Accept a trust list past its `validUntil` with a warning instead of "could not check"
    /// (the user's explicit choice, `--accept-stale-trust-list`; ignored with
    /// `max_trust_list_age`). See [`VerifiedTrustList::freshness`].
    pub accept_stale_trust_list: bool,
    /// The status source: already-fetched status list credentials by URL. Without it the
    /// `status` check is `not_checked` (`status_not_checked`).
    pub status_lists: Option<Arc<StatusLists>>,
    /// When set, a status list made (its signed `validFrom`) longer ago than this gives an
    /// unknown status (`status_list_stale`), as a list past its `validUntil` always does.
    pub max_status_list_age: Option<Duration>,
}

impl VerifyOptions {
    /// Check revocation against `lists` (see [`crate::status`]).
    pub fn with_status_lists(mut self, lists: Arc<StatusLists>) -> Self {
        self.status_lists = Some(lists);
        self
    }

    /// Treat status lists made longer ago than `age` as unknown status.
    pub fn with_max_status_list_age(mut self, age: Duration) -> Self {
        self.max_status_list_age = Some(age);
        self
    }

    /// Fail on trust lists older than `age`.
    pub fn with_max_trust_list_age(mut self, age: Duration) -> Self {
        self.max_trust_list_age = Some(age);
        self
    }

    /// Warn, rather than answer "could not check", when the trust list is past its next
    /// update (the user knowingly works from old material).
    pub fn accepting_stale_trust_list(mut self) -> Self {
        self.accept_stale_trust_list = true;
        self
    }
}

/// A credential whose every check passed. Only a successful verification makes one; it gives
/// access to the verified document and the trust list entries that vouched for it.
#[derive(Debug, Clone)]
pub struct VerifiedCredential {
    /// The document as verified; on the fast path, read from `canonical` when first asked for.
    secured: OnceLock<SecuredDocument>,
    /// The verified bytes, when they were verified on the fast path.
    canonical: Option<Arc<[u8]>>,
    /// Where `credentialSubject`'s value lies in `canonical` (fast path).
    subject_range: Option<Range<usize>>,
    /// `credentialSubject` alone, read from `canonical` when asked for before the document.
    subject: OnceLock<Option<Value>>,
    school: TrustedSchool,
    key: TrustedKey,
}

impl VerifiedCredential {
    /// The document without its proof.
    pub fn document(&self) -> &Map<String, Value> {
        &self.secured().unsecured
    }

    /// `credentialSubject`: the school-year record.
    ///
    /// On the fast path, when the whole document has not been read yet, only the subject's
    /// bytes are parsed (what the bulk API's normalised record needs).
    pub fn credential_subject(&self) -> Option<&Value> {
        if self.secured.get().is_none()
            && let (Some(bytes), Some(range)) = (&self.canonical, &self.subject_range)
        {
            return self
                .subject
                .get_or_init(|| {
                    bytes
                        .get(range.clone())
                        .and_then(|b| serde_json::from_slice(b).ok())
                })
                .as_ref();
        }
        self.document().get("credentialSubject")
    }

    /// The credential's `id`.
    pub fn id(&self) -> Option<&str> {
        self.document().get("id").and_then(Value::as_str)
    }

    /// The document, proof options and signature as verified.
    pub fn secured(&self) -> &SecuredDocument {
        self.secured
            .get_or_init(|| read_verified(self.canonical.as_deref().unwrap_or_default()))
    }

    /// The issuing school as the trust list registers it.
    pub fn school(&self) -> &TrustedSchool {
        &self.school
    }

    /// The trust list entry of the key that signed.
    pub fn key(&self) -> &TrustedKey {
        &self.key
    }

    /// Take the secured document out.
    pub fn into_secured(self) -> SecuredDocument {
        let Self {
            secured, canonical, ..
        } = self;
        secured
            .into_inner()
            .unwrap_or_else(|| read_verified(canonical.as_deref().unwrap_or_default()))
    }
}

/// The whole secured document of bytes verified on the fast path. They passed the canonical
/// scan and the proof split, so they parse and split; the empty document below is never made.
fn read_verified(bytes: &[u8]) -> SecuredDocument {
    serde_json::from_slice(bytes)
        .ok()
        .and_then(|value| SecuredDocument::from_value(value).ok())
        .unwrap_or_else(|| SecuredDocument {
            unsecured: Map::new(),
            proof_options: Map::new(),
            signature: [0; 64],
        })
}

/// Verify a credential (the JSON bytes) against `trust` at `now`, with default options.
///
/// Returns a [`Verdict`] whenever the bytes are a JSON object of at most
/// [`MAX_CREDENTIAL_BYTES`]; `Err` only for input that cannot be checked
/// ([`VerifyError::TooLarge`], [`VerifyError::NotJson`], [`VerifyError::NotAnObject`]).
pub fn verify_credential(
    bytes: &[u8],
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
) -> Result<Verdict, VerifyError> {
    verify_credential_with(bytes, trust, now, &VerifyOptions::default())
}

/// [`verify_credential`] with explicit [`VerifyOptions`].
pub fn verify_credential_with(
    bytes: &[u8],
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
    options: &VerifyOptions,
) -> Result<Verdict, VerifyError> {
    verify_bytes(bytes, trust, now, options, &mut verify_signature)
}

/// How the integrity check has a signature checked: `verify_signature` for one credential, a
/// deferring check for a batch ([`crate::batch`]).
pub(crate) type SignatureCheck<'a> =
    &'a mut dyn FnMut(&VerifyingKey, &[u8], &[u8; 64]) -> Result<(), IntegrityFailure>;

/// [`verify_credential_with`], the signature checked by `signature`.
pub(crate) fn verify_bytes(
    bytes: &[u8],
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
    options: &VerifyOptions,
    signature: SignatureCheck<'_>,
) -> Result<Verdict, VerifyError> {
    if bytes.len() <= MAX_CREDENTIAL_BYTES
        && let Some(parts) = split_canonical(bytes)
    {
        return Ok(verify_canonical(
            bytes, parts, trust, now, options, signature,
        ));
    }
    let map = parse_object(bytes, "credential", MAX_CREDENTIAL_BYTES)?;
    Ok(verify_object(map, trust, now, options, signature))
}

/// Every check on a credential read on the fast path ([`split_canonical`]).
fn verify_canonical(
    bytes: &[u8],
    parts: CanonicalParts,
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
    options: &VerifyOptions,
    signature: SignatureCheck<'_>,
) -> Verdict {
    let canonical = Canonical {
        bytes,
        hash: parts.hash,
        subject: parts.subject,
    };
    verify_split(
        parts.checked,
        Ok(parts.proof),
        Some(canonical),
        trust,
        now,
        options,
        signature,
    )
}

/// What the fast path already knows: the verified bytes and their `hashData`.
struct Canonical<'a> {
    bytes: &'a [u8],
    hash: [u8; 64],
    subject: Option<Range<usize>>,
}

/// The verdict on credential `bytes` when the trust list itself was rejected
/// ([`VerifyError::TrustListRejected`] gives `reason` and `detail`). The credential is parsed,
/// so unreadable input is still an error, and described (issuer, pupil, key) for display; the
/// `trust_list` check fails with `reason` and nothing else is checked.
pub fn verdict_without_trust_list(
    bytes: &[u8],
    reason: Reason,
    detail: &str,
) -> Result<Verdict, VerifyError> {
    let map = parse_object(bytes, "credential", MAX_CREDENTIAL_BYTES)?;
    let mut subject = Subject {
        pupil: pupil_info(&map),
        signed_at: text_at(&map, &["proof", "created"]),
        key: text_at(&map, &["proof", "verificationMethod"]).map(|id| KeyInfo { id, status: None }),
        ..Subject::default()
    };
    if let Ok(view) = CredentialView::read(&map) {
        subject.credential_id = view.id;
        subject.issuer = Some(view.issuer);
        subject.valid_from = view.valid_from;
        subject.valid_until = view.valid_until;
    }
    Ok(Verdict::untrusted_trust_list(reason, detail).with_subject(subject))
}

/// Every check on a parsed credential.
fn verify_object(
    map: Object,
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
    options: &VerifyOptions,
    signature: SignatureCheck<'_>,
) -> Verdict {
    let (unsecured, proof) = split_proof(map);
    verify_split(unsecured, proof, None, trust, now, options, signature)
}

/// Every check on a credential split into the document without proof and the proof's parts;
/// `canonical` when it was read on the fast path.
fn verify_split(
    unsecured: Object,
    proof: ProofParts,
    canonical: Option<Canonical<'_>>,
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
    options: &VerifyOptions,
    signature: SignatureCheck<'_>,
) -> Verdict {
    let mut checks = Vec::with_capacity(CheckName::ALL.len());
    checks.push(trust.freshness(
        now,
        options.max_trust_list_age,
        options.accept_stale_trust_list,
    ));

    // The limits on signed JSON (NFC text, numbers within ±(2^53−1)) are checked while the
    // document is canonicalised for hashing, in the same pass; when there is no usable proof
    // the document is checked on its own.
    let unusable_proof_problem = match &proof {
        Ok(_) => None,
        Err(_) => write_canonical_object(&unsecured, &mut Vec::new()).err(),
    };
    let envelope = Envelope::read(&unsecured);
    let subject_code = unsecured
        .get("credentialSubject")
        .and_then(|s| s.get("school"))
        .and_then(|s| s.get("code"))
        .cloned();
    let mut subject = Subject {
        pupil: pupil_info(&unsecured),
        replaces: text_at(&unsecured, &["replaces"]),
        ..Subject::default()
    };
    if let Some(view) = &envelope.view {
        subject.credential_id = view.id.clone();
        subject.issuer = Some(view.issuer.clone());
        subject.valid_from = view.valid_from.clone();
        subject.valid_until = view.valid_until.clone();
    }
    let status = crate::status::status_check(
        &unsecured,
        envelope.view.as_ref().map(|v| v.issuer.id.as_str()),
        options.status_lists.as_deref(),
        trust,
        now,
        options.max_status_list_age,
    );
    let secured = proof.map(|(proof_options, signature)| SecuredDocument {
        unsecured,
        proof_options,
        signature,
    });
    let hash = match &canonical {
        // Hashed from the bytes, whose limits the scan checked.
        Some(c) => Some((Ok(c.hash), None)),
        None => secured.as_ref().ok().map(|doc| match doc.hash_data() {
            Err(e @ (SchemaError::NotNfc { .. } | SchemaError::NumberOutOfRange { .. })) => {
                (doc.hash_data_unchecked(), Some(signable_failure(&e)))
            }
            other => (other, None),
        }),
    };
    let signable = match &hash {
        Some((_, problem)) => problem.clone(),
        None => None,
    }
    .or_else(|| unusable_proof_problem.as_ref().map(signable_failure));
    checks.push(match signable.or_else(|| envelope.problem.clone()) {
        Some((reason, detail)) => Check::failed(CheckName::Format, reason, detail),
        None => Check::passed(CheckName::Format, None),
    });
    checks.push(status);
    let meta = match &secured {
        Ok(doc) => ProofMeta::read(doc),
        Err(problem) => Err(problem.clone()),
    };
    if let Ok(meta) = &meta {
        subject.signed_at = Some(meta.created_text.clone());
        subject.key = Some(KeyInfo {
            id: meta.verification_method.clone(),
            status: None,
        });
    }
    let lookup = meta
        .as_ref()
        .ok()
        .and_then(|m| trust.lookup(&m.verification_method));
    if let (Some(key_info), Some(found)) = (&mut subject.key, &lookup) {
        key_info.status = Some(found.key.status);
    }
    if let Some(issuer) = &subject.issuer {
        subject.school = trust.school(&issuer.id).map(school_info);
    }

    checks.push(issuer_check(
        &envelope,
        &meta,
        lookup,
        trust,
        subject_code.as_ref(),
    ));
    checks.push(key_validity_check(&meta, lookup, trust));
    checks.push(validity_period_check(&envelope, &meta, now));
    checks.push(integrity_check(
        &secured,
        hash.map(|(hash, _)| hash),
        &meta,
        lookup,
        signature,
    ));

    let all_passed = checks.iter().all(|c| c.outcome != Outcome::Failed);
    let verified = match (all_passed, secured, lookup) {
        (true, Ok(secured), Some(found)) => Some(VerifiedCredential {
            // The fast path's document holds only what the checks read: the whole one is
            // read from the bytes when asked for.
            secured: match &canonical {
                Some(_) => OnceLock::new(),
                None => OnceLock::from(secured),
            },
            subject_range: canonical.as_ref().and_then(|c| c.subject.clone()),
            subject: OnceLock::new(),
            canonical: canonical.map(|c| Arc::from(c.bytes)),
            school: found.school.clone(),
            key: found.key.clone(),
        }),
        _ => None,
    };
    Verdict::new(subject, Some(trust.info()), checks, verified)
}

fn signable_failure(e: &SchemaError) -> (Reason, String) {
    match e {
        SchemaError::NotNfc { .. } => (Reason::NotNfc, e.to_string()),
        SchemaError::NumberOutOfRange { .. } => (Reason::NumberOutOfRange, e.to_string()),
        _ => (Reason::MalformedEnvelope, e.to_string()),
    }
}

/// The envelope as read, and the first problem with it.
struct Envelope {
    view: Option<CredentialView>,
    valid_from: Option<OffsetDateTime>,
    valid_until: Option<OffsetDateTime>,
    problem: Option<(Reason, String)>,
}

impl Envelope {
    fn read(doc: &Object) -> Self {
        let view = match CredentialView::read(doc) {
            Ok(view) => view,
            Err(e) => {
                return Self {
                    view: None,
                    valid_from: None,
                    valid_until: None,
                    problem: Some((Reason::MalformedEnvelope, e.to_string())),
                };
            }
        };
        let mut problems = Vec::new();
        if view.context.first().map(String::as_str) != Some(CONTEXT_VC_V2)
            || view.context.get(1).map(String::as_str) != Some(CONTEXT_HOCBA_V1)
        {
            problems.push((
                Reason::WrongContext,
                format!(
                    "@context must start with {CONTEXT_VC_V2:?}, {CONTEXT_HOCBA_V1:?}; found {:?}",
                    view.context
                ),
            ));
        }
        for wanted in ["VerifiableCredential", CREDENTIAL_TYPE] {
            if !view.kind.iter().any(|t| t == wanted) {
                problems.push((
                    Reason::WrongType,
                    format!("type must include {wanted:?}; found {:?}", view.kind),
                ));
            }
        }
        let mut time_at = |field: &str, text: Option<&str>| match text {
            Some(t) => match parse_time(field, t) {
                Ok(t) => Some(t),
                Err(e) => {
                    problems.push((Reason::MalformedEnvelope, e.to_string()));
                    None
                }
            },
            None => None,
        };
        let valid_from = time_at("validFrom", view.valid_from.as_deref());
        let valid_until = time_at("validUntil", view.valid_until.as_deref());
        if view.valid_from.is_none() {
            problems.push((
                Reason::MalformedEnvelope,
                "validFrom is missing: a credential says from when it is valid".into(),
            ));
        }
        for (field, empty) in [
            ("issuer.id", view.issuer.id.is_empty()),
            ("issuer.name", view.issuer.name.is_empty()),
        ] {
            if empty {
                problems.push((Reason::MalformedEnvelope, format!("{field} is empty")));
            }
        }
        Self {
            problem: problems.into_iter().next(),
            view: Some(view),
            valid_from,
            valid_until,
        }
    }
}

/// What the proof says about who signed and when.
struct ProofMeta {
    verification_method: String,
    created: OffsetDateTime,
    created_text: String,
}

impl ProofMeta {
    fn read(doc: &SecuredDocument) -> Result<Self, (Reason, String)> {
        let malformed = |detail: String| (Reason::MalformedProof, detail);
        let verification_method = doc
            .proof_str("verificationMethod")
            .ok_or_else(|| malformed("proof.verificationMethod is missing or not a string".into()))?
            .to_owned();
        let created_text = doc
            .proof_str("created")
            .ok_or_else(|| malformed("proof.created is missing or not a string".into()))?
            .to_owned();
        let created =
            parse_time("proof.created", &created_text).map_err(|e| malformed(e.to_string()))?;
        Ok(Self {
            verification_method,
            created,
            created_text,
        })
    }
}

type Meta = Result<ProofMeta, (Reason, String)>;

fn not_checked(name: CheckName, reason: Reason, detail: impl Into<String>) -> Check {
    Check::with_reason(name, Outcome::NotChecked, reason, detail)
}

/// The issuer is a school in the trust list, the key is that school's, and the record's school
/// code is the school's code.
fn issuer_check(
    envelope: &Envelope,
    meta: &Meta,
    lookup: Option<KeyLookup<'_>>,
    trust: &VerifiedTrustList,
    subject_code: Option<&Value>,
) -> Check {
    let name = CheckName::Issuer;
    let (Some(view), Ok(meta)) = (&envelope.view, meta) else {
        return not_checked(name, Reason::DependsOnFailedCheck, "");
    };
    let issuer = &view.issuer.id;
    let vm = &meta.verification_method;
    let Some(found) = lookup else {
        return match trust.school(issuer) {
            None => Check::failed(
                name,
                Reason::UntrustedIssuer,
                format!(
                    "issuer.id {issuer:?} is not a school in trust list version {}",
                    trust.version()
                ),
            ),
            Some(school) => Check::failed(
                name,
                Reason::UnknownKey,
                format!(
                    "proof.verificationMethod {vm:?} is not a key of {} ({}) in trust list version {}",
                    school.name,
                    school.code,
                    trust.version()
                ),
            ),
        };
    };
    if found.school.id != *issuer || found.key.controller != *issuer {
        return Check::failed(
            name,
            Reason::KeyOfAnotherSchool,
            format!(
                "key {vm:?} is registered to {:?} ({}, controller {:?}); the credential's issuer.id is {issuer:?}",
                found.school.id, found.school.name, found.key.controller
            ),
        );
    }
    let code = &found.school.code;
    match subject_code {
        Some(Value::String(c)) if c == code => {
            Check::passed(name, Some(format!("{} ({code})", found.school.name)))
        }
        Some(c) => Check::failed(
            name,
            Reason::SchoolCodeMismatch,
            format!(
                "credentialSubject.school.code is {c}; the trust list's code for {issuer} is {code:?}"
            ),
        ),
        None => Check::failed(
            name,
            Reason::SchoolCodeMismatch,
            format!(
                "credentialSubject.school.code is missing; the trust list's code for {issuer} is {code:?}"
            ),
        ),
    }
}

/// The key's status and validity window at the proof's `created`.
fn key_validity_check(
    meta: &Meta,
    lookup: Option<KeyLookup<'_>>,
    trust: &VerifiedTrustList,
) -> Check {
    let name = CheckName::KeyValidity;
    let Some(found) = lookup else {
        return not_checked(name, Reason::NoTrustedKey, "");
    };
    let key = found.key;
    if let Err(problem) = found.public {
        return Check::failed(name, Reason::InvalidTrustedKey, problem);
    }
    let Ok(meta) = meta else {
        return not_checked(name, Reason::DependsOnFailedCheck, "");
    };
    let created = meta.created;
    let version = trust.version();
    if key.status == KeyStatus::Compromised {
        return Check::failed(
            name,
            Reason::CompromisedKey,
            format!(
                "key {:?} is marked compromised in trust list version {version}",
                key.id
            ),
        );
    }
    if created < key.valid_from {
        return Check::failed(
            name,
            Reason::SignedBeforeKeyValid,
            format!(
                "proof.created {} is before the key's validFrom {}",
                meta.created_text,
                ShowTime(key.valid_from)
            ),
        );
    }
    match (key.status, key.valid_until) {
        (KeyStatus::Retired, None) => Check::failed(
            name,
            Reason::RetiredKeyAfterRetirement,
            format!(
                "key {:?} is retired and the trust list gives no retirement time",
                key.id
            ),
        ),
        (KeyStatus::Retired, Some(until)) if created >= until => Check::failed(
            name,
            Reason::RetiredKeyAfterRetirement,
            format!(
                "proof.created {} is not before the key's retirement {}",
                meta.created_text,
                ShowTime(until)
            ),
        ),
        (_, Some(until)) if created >= until => Check::failed(
            name,
            Reason::SignedAfterKeyValidity,
            format!(
                "proof.created {} is not before the key's validUntil {}",
                meta.created_text,
                ShowTime(until)
            ),
        ),
        (KeyStatus::Retired, Some(until)) => Check::passed(
            name,
            Some(format!(
                "retired key; signed {} before its retirement {}",
                meta.created_text,
                ShowTime(until)
            )),
        ),
        _ => Check::passed(
            name,
            Some(format!("active key since {}", ShowTime(key.valid_from))),
        ),
    }
}

/// `validFrom` ≤ now ≤ `validUntil`, and the proof not dated after now.
fn validity_period_check(envelope: &Envelope, meta: &Meta, now: OffsetDateTime) -> Check {
    let name = CheckName::ValidityPeriod;
    let Some(from) = envelope.valid_from else {
        return not_checked(
            name,
            Reason::DependsOnFailedCheck,
            "validFrom could not be read",
        );
    };
    if now < from {
        return Check::failed(
            name,
            Reason::NotYetValid,
            format!(
                "validFrom {} is after the time of checking {}",
                ShowTime(from),
                ShowTime(now)
            ),
        );
    }
    if let Some(until) = envelope.valid_until
        && now > until
    {
        return Check::failed(
            name,
            Reason::Expired,
            format!(
                "validUntil {} is before the time of checking {}",
                ShowTime(until),
                ShowTime(now)
            ),
        );
    }
    if let Ok(meta) = meta
        && meta.created > now
    {
        return Check::failed(
            name,
            Reason::ProofCreatedInFuture,
            format!(
                "proof.created {} is after the time of checking {}",
                meta.created_text,
                ShowTime(now)
            ),
        );
    }
    let detail = match envelope.valid_until {
        Some(until) => format!("valid from {} until {}", ShowTime(from), ShowTime(until)),
        None => format!("valid from {}", ShowTime(from)),
    };
    Check::passed(name, Some(detail))
}

/// The proof options, then `verify_strict` with the trusted key over `hashData`.
fn integrity_check(
    secured: &Result<SecuredDocument, (Reason, String)>,
    hash: Option<Result<[u8; 64], SchemaError>>,
    meta: &Meta,
    lookup: Option<KeyLookup<'_>>,
    signature: SignatureCheck<'_>,
) -> Check {
    let name = CheckName::Integrity;
    let doc = match secured {
        Ok(doc) => doc,
        Err((reason, detail)) => return Check::failed(name, *reason, detail.clone()),
    };
    if let Err(f) = check_options(doc) {
        return Check::failed(name, f.reason(), f.detail());
    }
    if let Err((reason, detail)) = meta {
        return Check::failed(name, *reason, detail.clone());
    }
    let Some(key): Option<&VerifyingKey> = lookup.and_then(|l| l.public.ok()) else {
        return not_checked(name, Reason::NoTrustedKey, "");
    };
    let hash = match hash {
        Some(Ok(hash)) => hash,
        Some(Err(e)) => return Check::failed(name, Reason::MalformedProof, e.to_string()),
        None => return not_checked(name, Reason::DependsOnFailedCheck, ""),
    };
    match signature(key, &hash, &doc.signature) {
        Ok(()) => Check::passed(name, None),
        Err(f) => Check::failed(name, f.reason(), f.detail()),
    }
}

fn school_info(s: &TrustedSchool) -> SchoolInfo {
    SchoolInfo {
        id: s.id.clone(),
        code: s.code.clone(),
        name: s.name.clone(),
        province: s.province.clone(),
    }
}

/// Text at a path of object members; a number is given as its decimal text.
fn text_at(doc: &Object, path: &[&str]) -> Option<String> {
    let (first, rest) = path.split_first()?;
    let mut v = doc.get(*first)?;
    for part in rest {
        v = v.get(*part)?;
    }
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn pupil_info(doc: &Object) -> PupilInfo {
    let at = |path: &[&str]| text_at(doc, path);
    PupilInfo {
        full_name: at(&["credentialSubject", "student", "fullName"]),
        school_year: at(&["credentialSubject", "schoolYear"]),
        grade: at(&["credentialSubject", "grade"]),
        class_name: at(&["credentialSubject", "className"]),
        school_code: at(&["credentialSubject", "school", "code"]),
        school_name: at(&["credentialSubject", "school", "name"]),
    }
}
