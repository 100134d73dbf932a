//! The checks of a credential that need the trust list or the clock: issuer, key validity,
//! validity period and integrity, each giving its own [`Check`].

use ed25519_dalek::VerifyingKey;
use hocba_schema::SchemaError;
use hocba_schema::proof::SecuredDocument;
use hocba_schema::trust_list::KeyStatus;
use serde_json::Value;
use time::OffsetDateTime;

use super::{Envelope, Meta, ProofMeta, SignatureCheck};
use crate::federation::vouch_check;
use crate::proof::check_options;
use crate::reason::{CheckName, Reason};
use crate::trust_list::{KeyLookup, VerifiedTrustList};
use crate::verdict::{Check, Outcome, ShowTime};

fn not_checked(name: CheckName, reason: Reason, detail: impl Into<String>) -> Check {
    Check::with_reason(name, Outcome::NotChecked, reason, detail)
}

/// The issuer is a school in the trust list, the key is that school's, and the record's school
/// code is the school's code.
pub(super) fn issuer_check(
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
        let code = subject_code.and_then(Value::as_str);
        if trust.school(issuer).is_none()
            && let Some((reason, detail)) =
                trust.federation().and_then(|f| f.why_missing(issuer, code))
        {
            return Check::failed(name, reason, detail);
        }
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

/// The key's status and validity window at the proof's `created`, or at `now` when the proof
/// has no `created` (the latest it can have been signed: see [`super::ProofMeta`]).
pub(super) fn key_validity_check(
    meta: &Meta,
    lookup: Option<KeyLookup<'_>>,
    trust: &VerifiedTrustList,
    now: OffsetDateTime,
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
    let (created, signed) = match &meta.created {
        Some((at, text)) => (*at, format!("proof.created {text}")),
        None => (
            now,
            format!(
                "the proof has no created, so the time of checking {}",
                ShowTime(now)
            ),
        ),
    };
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
    if let Some(vouch) = found.vouch
        && let Some((reason, detail)) = vouch_check(
            vouch,
            key,
            created,
            meta.created_text()
                .unwrap_or("(absent: the time of verification)"),
        )
    {
        return Check::failed(name, reason, detail);
    }
    if created < key.valid_from {
        return Check::failed(
            name,
            Reason::SignedBeforeKeyValid,
            format!(
                "{signed} is before the key's validFrom {}",
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
                "{signed} is not before the key's retirement {}",
                ShowTime(until)
            ),
        ),
        (_, Some(until)) if created >= until => Check::failed(
            name,
            Reason::SignedAfterKeyValidity,
            format!(
                "{signed} is not before the key's validUntil {}",
                ShowTime(until)
            ),
        ),
        (KeyStatus::Retired, Some(until)) => Check::passed(
            name,
            Some(format!(
                "retired key; {signed} is before its retirement {}",
                ShowTime(until)
            )),
        ),
        _ => Check::passed(
            name,
            Some(format!("active key since {}", ShowTime(key.valid_from))),
        ),
    }
}

/// `validFrom` ≤ now ≤ `validUntil`, the proof not dated after now and not past its
/// `expires`.
pub(super) fn validity_period_check(
    envelope: &Envelope,
    meta: &Meta,
    now: OffsetDateTime,
) -> Check {
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
    if let Ok(ProofMeta {
        created: Some((created, text)),
        ..
    }) = meta
        && *created > now
    {
        return Check::failed(
            name,
            Reason::ProofCreatedInFuture,
            format!(
                "proof.created {text} is after the time of checking {}",
                ShowTime(now)
            ),
        );
    }
    // Data Integrity: a proof past its `expires` MUST NOT verify.
    if let Ok(ProofMeta {
        expires: Some((expires, text)),
        ..
    }) = meta
        && now > *expires
    {
        return Check::failed(
            name,
            Reason::ProofExpired,
            format!(
                "proof.expires {text} is before the time of checking {}",
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
pub(super) fn integrity_check(
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
