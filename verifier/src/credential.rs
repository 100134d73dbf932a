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

mod checks;
mod options;
mod verified;

use ed25519_dalek::VerifyingKey;
use hocba_schema::SchemaError;
use hocba_schema::credential::{
    CONTEXT_HOCBA_V1, CONTEXT_VC_V2, CREDENTIAL_TYPE, CredentialView, parse_time,
};
use hocba_schema::jcs::write_canonical_object;
use hocba_schema::proof::SecuredDocument;
use hocba_schema::trust_list::TrustedSchool;
use serde::Deserialize as _;
use serde_json::Value;
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use time::OffsetDateTime;

use crate::error::VerifyError;
use crate::input::{MAX_CREDENTIAL_BYTES, parse_object};
use crate::proof::IntegrityFailure;
use crate::reason::{CheckName, Reason};
use crate::secured::{CanonicalParts, Object, ProofParts, split_canonical, split_proof};
use crate::trust_list::VerifiedTrustList;
use crate::verdict::{Check, KeyInfo, Outcome, PupilInfo, SchoolInfo, Subject, Verdict};
use checks::{integrity_check, issuer_check, key_validity_check, validity_period_check};
pub use options::VerifyOptions;
pub use verified::VerifiedCredential;

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
    verify_bytes(
        bytes,
        trust,
        now,
        options,
        &mut |key, message, signature| trust.verify_signature(key, message, signature),
    )
}

/// How the integrity check has a signature checked: the trust list's
/// [`VerifiedTrustList::verify_signature`] (from the key's table when it has one) for one
/// credential, a deferring check for a batch ([`crate::batch`]).
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
    let lookup = meta
        .as_ref()
        .ok()
        .and_then(|m| trust.lookup(&m.verification_method));

    checks.push(issuer_check(
        &envelope,
        &meta,
        lookup,
        trust,
        subject_code.as_ref(),
    ));
    checks.push(key_validity_check(&meta, lookup, trust, now));
    checks.push(validity_period_check(&envelope, &meta, now));
    checks.push(integrity_check(
        &secured,
        hash.map(|(hash, _)| hash),
        &meta,
        lookup,
        signature,
    ));

    // What the verdict shows, moved out of what the checks read.
    if let Some(view) = envelope.view {
        subject.school = trust.school(&view.issuer.id).map(school_info);
        subject.credential_id = view.id;
        subject.issuer = Some(view.issuer);
        subject.valid_from = view.valid_from;
        subject.valid_until = view.valid_until;
    }
    if let Ok(meta) = meta {
        subject.signed_at = meta.created.map(|(_, text)| text);
        subject.key = Some(KeyInfo {
            id: meta.verification_method,
            status: lookup.as_ref().map(|found| found.key.status),
        });
    }

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
            school: trust.shared_school(found.index.0),
            key_index: found.index.1,
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
        // Read from the document in place (the other members are skipped); on failure,
        // `CredentialView::read` gives the error as it words it.
        let view = match CredentialView::deserialize(doc).or_else(|_| CredentialView::read(doc)) {
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

/// What the proof says about who signed and when, and until when it counts.
///
/// `created` is optional in Data Integrity; when it is absent the time of signing is unknown
/// and the key-lifecycle check takes the time of verification instead (the latest the proof
/// can have been made), so such a proof passes only with a key that is valid and not retired
/// now: a proof without `created` can never borrow a key's past validity
/// ([`checks::key_validity_check`]). The issuer always writes `created`.
struct ProofMeta {
    verification_method: String,
    created: Option<(OffsetDateTime, String)>,
    expires: Option<(OffsetDateTime, String)>,
}

impl ProofMeta {
    fn read(doc: &SecuredDocument) -> Result<Self, (Reason, String)> {
        let malformed = |detail: String| (Reason::MalformedProof, detail);
        let verification_method = doc
            .proof_str("verificationMethod")
            .ok_or_else(|| malformed("proof.verificationMethod is missing or not a string".into()))?
            .to_owned();
        // A member that is present must be an XML Schema dateTime string; a malformed one
        // makes the proof malformed (the spec's MUST), never "no time given".
        let time = |name: &str,
                    field: &str|
         -> Result<Option<(OffsetDateTime, String)>, (Reason, String)> {
            match doc.proof_options.get(name) {
                None => Ok(None),
                Some(Value::String(text)) => parse_time(field, text)
                    .map(|t| Some((t, text.clone())))
                    .map_err(|e| malformed(e.to_string())),
                Some(other) => Err(malformed(format!(
                    "proof.{name} must be a date-time string, found {other}"
                ))),
            }
        };
        Ok(Self {
            verification_method,
            created: time("created", "proof.created")?,
            expires: time("expires", "proof.expires")?,
        })
    }

    fn created_text(&self) -> Option<&str> {
        self.created.as_ref().map(|(_, text)| text.as_str())
    }
}

type Meta = Result<ProofMeta, (Reason, String)>;

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
