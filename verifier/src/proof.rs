//! Checking an `eddsa-jcs-2022` Data Integrity proof with a known key: the proof options,
//! then Ed25519 `verify_strict` over `hashData`.
//!
//! `verify_strict` (RFC 8032 §5.1.7 with the extra checks of "Taming the many EdDSAs") refuses
//! an S that is not below the group order ℓ (so a signature has one accepted form and cannot be
//! altered into another valid one), and small-order public keys and R points (which would
//! "verify" a signature on almost any message). This module tells those cases apart so the
//! verdict can name them.
//!
//! A trust list keeps tables of multiples of the school keys it sees often (`proof/cache.rs`,
//! bounded), from which the check computes \[S\]B − \[k\]A with 12 doublings instead of 253
//! (`proof/comb.rs`); the answer is `verify_strict`'s either way (`proof/strict.rs`).

mod cache;
mod comb;
mod strict;

pub(crate) use cache::KeyTables;

use ed25519_dalek::VerifyingKey;
use hocba_schema::proof::{CRYPTOSUITE, PROOF_PURPOSE, PROOF_TYPE, SecuredDocument};
use thiserror::Error;

use crate::reason::Reason;

/// Why a proof did not verify. `reason` is the stable code; the message names the field and
/// value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{reason}: {detail}")]
pub struct IntegrityFailure {
    reason: Reason,
    detail: String,
}

impl IntegrityFailure {
    pub(crate) fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
        }
    }

    /// The stable reason code (one of the integrity reasons).
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// The technical detail: which field held which value.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

/// Check `doc`'s proof with `key`: `type` DataIntegrityProof, `cryptosuite` eddsa-jcs-2022,
/// `proofPurpose` assertionMethod, the proof's `@context` a prefix of the document's, then
/// Ed25519 `verify_strict` over `hashData` (JCS of each part computed once).
///
/// This does not decide whether `key` is trusted for the document: that is the trust list's
/// job ([`verify_credential`](crate::verify_credential)).
pub fn verify_proof(doc: &SecuredDocument, key: &VerifyingKey) -> Result<(), IntegrityFailure> {
    check_options(doc)?;
    let hash = doc
        .hash_data()
        .map_err(|e| IntegrityFailure::new(Reason::MalformedProof, e.to_string()))?;
    verify_signature(key, &hash, &doc.signature)
}

/// [`verify_proof`] at time `now`, for documents outside the học bạ trust model (the
/// conformance mode, where the key comes from a `did:key`): the proof options, then the
/// proof's own times (`created`, when present, a date-time not after `now`; `expires`, when
/// present, a date-time not before `now`), then the signature. A document that breaks the
/// project's limits on signed JSON (NFC, numbers within ±(2^53−1)) is hashed with plain
/// RFC 8785, as the cryptosuite defines it.
pub fn verify_proof_at(
    doc: &SecuredDocument,
    key: &VerifyingKey,
    now: time::OffsetDateTime,
) -> Result<(), IntegrityFailure> {
    check_options(doc)?;
    check_proof_times(doc, now)?;
    let hash = match doc.hash_data() {
        Ok(hash) => hash,
        Err(
            hocba_schema::SchemaError::NotNfc { .. }
            | hocba_schema::SchemaError::NumberOutOfRange { .. },
        ) => doc
            .hash_data_unchecked()
            .map_err(|e| IntegrityFailure::new(Reason::MalformedProof, e.to_string()))?,
        Err(e) => return Err(IntegrityFailure::new(Reason::MalformedProof, e.to_string())),
    };
    verify_signature(key, &hash, &doc.signature)
}

/// The proof's `created` and `expires` against `now` (Data Integrity §4): each, when present,
/// is an RFC 3339 date-time; `created` is not after `now`, `expires` not before it.
pub fn check_proof_times(
    doc: &SecuredDocument,
    now: time::OffsetDateTime,
) -> Result<(), IntegrityFailure> {
    check_proof_times_allowing(doc, now, time::Duration::ZERO)
}

/// [`check_proof_times`], but a `created` up to `created_ahead` after `now` passes (`expires`
/// is checked against `now` itself): for a document fetched just after it was signed by a
/// server whose clock runs ahead, or signed after the verifier read its clock.
pub fn check_proof_times_allowing(
    doc: &SecuredDocument,
    now: time::OffsetDateTime,
    created_ahead: time::Duration,
) -> Result<(), IntegrityFailure> {
    let time = |name: &str| -> Result<Option<time::OffsetDateTime>, IntegrityFailure> {
        match doc.proof_options.get(name) {
            None => Ok(None),
            Some(serde_json::Value::String(text)) => {
                hocba_schema::credential::parse_time(&format!("proof.{name}"), text)
                    .map(Some)
                    .map_err(|e| IntegrityFailure::new(Reason::MalformedProof, e.to_string()))
            }
            Some(other) => Err(IntegrityFailure::new(
                Reason::MalformedProof,
                format!("proof.{name} must be a date-time string, found {other}"),
            )),
        }
    };
    if let Some(created) = time("created")?
        && created > now + created_ahead
    {
        return Err(IntegrityFailure::new(
            Reason::ProofCreatedInFuture,
            "proof.created is after the time of checking",
        ));
    }
    if let Some(expires) = time("expires")?
        && now > expires
    {
        return Err(IntegrityFailure::new(
            Reason::ProofExpired,
            "proof.expires is before the time of checking",
        ));
    }
    Ok(())
}

/// The proof options `type`, `cryptosuite`, `proofPurpose` and `@context`.
pub(crate) fn check_options(doc: &SecuredDocument) -> Result<(), IntegrityFailure> {
    let expect = |name: &str, wanted: &str, reason: Reason| match doc.proof_options.get(name) {
        Some(serde_json::Value::String(s)) if s == wanted => Ok(()),
        Some(other) => Err(IntegrityFailure::new(
            reason,
            format!("proof.{name} is {other}, expected {wanted:?}"),
        )),
        None => Err(IntegrityFailure::new(
            reason,
            format!("proof.{name} is missing, expected {wanted:?}"),
        )),
    };
    expect("type", PROOF_TYPE, Reason::WrongProofType)?;
    expect("cryptosuite", CRYPTOSUITE, Reason::WrongCryptosuite)?;
    expect("proofPurpose", PROOF_PURPOSE, Reason::WrongProofPurpose)?;
    if !doc.context_matches() {
        return Err(IntegrityFailure::new(
            Reason::ProofContextMismatch,
            "proof.@context is not a prefix of the document's @context",
        ));
    }
    Ok(())
}

/// Ed25519 `verify_strict` of `signature` on `message`, naming why it failed: a weak
/// (small-order) key, an S not below ℓ, or a plain mismatch.
pub fn verify_signature(
    key: &VerifyingKey,
    message: &[u8],
    signature: &[u8; 64],
) -> Result<(), IntegrityFailure> {
    verify_signature_with(None, key, message, signature)
}

/// [`verify_signature`], with [S]B − [k]A computed from the key's table in `tables` when it
/// has one or this use earns one ([`KeyTables`]): the same answer, faster for a key seen often.
pub(crate) fn verify_signature_with(
    tables: Option<&KeyTables>,
    key: &VerifyingKey,
    message: &[u8],
    signature: &[u8; 64],
) -> Result<(), IntegrityFailure> {
    if key.is_weak() {
        return Err(IntegrityFailure::new(
            Reason::WeakKey,
            "the public key has small order",
        ));
    }
    let mut s = [0u8; 32];
    s.copy_from_slice(&signature[32..]);
    if !is_canonical_scalar(&s) {
        return Err(IntegrityFailure::new(
            Reason::NonCanonicalSignature,
            "signature S is not below the group order ℓ",
        ));
    }
    let table = tables.and_then(|t| t.table(key));
    if strict::verify_strict(key, table.as_deref(), message, signature) {
        Ok(())
    } else {
        Err(IntegrityFailure::new(
            Reason::SignatureMismatch,
            "Ed25519 verify_strict failed over hashData",
        ))
    }
}

/// ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian (RFC 8032 §5.1).
const GROUP_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Whether the little-endian scalar `s` is below ℓ.
pub(crate) fn is_canonical_scalar(s: &[u8; 32]) -> bool {
    for (a, l) in s.iter().rev().zip(GROUP_ORDER.iter().rev()) {
        if a != l {
            return a < l;
        }
    }
    false // s == ℓ
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use curve25519_dalek::Scalar;

    #[test]
    fn group_order_matches_curve25519_dalek() {
        // ℓ itself is not canonical, ℓ − 1 is, and so are both for curve25519-dalek.
        assert!(!is_canonical_scalar(&GROUP_ORDER));
        assert!(bool::from(
            Scalar::from_canonical_bytes(GROUP_ORDER).is_none()
        ));
        let mut below = GROUP_ORDER;
        below[0] -= 1;
        assert!(is_canonical_scalar(&below));
        assert!(bool::from(Scalar::from_canonical_bytes(below).is_some()));
        // −1 mod ℓ equals ℓ − 1.
        assert_eq!((-Scalar::ONE).to_bytes(), below);
        assert!(!is_canonical_scalar(&[0xff; 32]));
        assert!(is_canonical_scalar(&[0; 32]));
    }

    /// Through a key's table (made on its repeated use) every answer is the table-less one:
    /// valid, single-bit changes of R and S, S + ℓ, another message.
    #[test]
    fn a_key_table_gives_the_same_answers() {
        use ed25519_dalek::{Signer as _, SigningKey};
        let tables = KeyTables::default();
        let signer = SigningKey::from_bytes(&[9; 32]);
        let key = signer.verifying_key();
        let message = [5u8; 64];
        let sig = signer.sign(&message).to_bytes();
        let mut inputs = vec![sig];
        for bit in [0, 7, 100, 255, 256, 300, 511] {
            let mut s = sig;
            s[bit / 8] ^= 1 << (bit % 8);
            inputs.push(s);
        }
        let mut plus_l = sig;
        // S + ℓ (the malleated twin): ℓ's bytes added to S's, with carries.
        let mut carry = 0u16;
        for (out, l) in plus_l[32..].iter_mut().zip(GROUP_ORDER) {
            let v = u16::from(*out) + u16::from(l) + carry;
            *out = v as u8;
            carry = v >> 8;
        }
        inputs.push(plus_l);
        for round in 0..4 {
            for s in &inputs {
                for m in [&message[..], b"other"] {
                    assert_eq!(
                        verify_signature_with(Some(&tables), &key, m, s),
                        verify_signature(&key, m, s),
                        "round {round}"
                    );
                }
            }
        }
        assert!(tables.has(&key));
        assert_eq!(
            verify_signature_with(Some(&tables), &key, &message, &sig),
            Ok(())
        );
    }
}
