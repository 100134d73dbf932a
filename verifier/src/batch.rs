//! Verifying many credentials at once (the bulk API): every check as for one credential, but
//! the Ed25519 signatures of the batch checked together with `ed25519_dalek::verify_batch`
//! (about 2.8× the rate of one `verify_strict` per signature).
//!
//! **Same verdicts as one at a time.** [`verify_credentials_batch`] gives, for every item,
//! exactly what [`verify_credential_with`](crate::verify_credential_with) gives:
//!
//! * every check but the signature runs as for one credential (the same code);
//! * what `verify_strict` refuses and a batch equation would not — a weak (small-order) key,
//!   an S not below ℓ, an R that is not a canonical encoding or has small order, a key with a
//!   torsion component — is looked for first, and such an item is checked on its own with
//!   [`verify_signature`], which names the reason;
//! * the other signatures are checked in one `verify_batch`; when it fails, each of them is
//!   checked again with `verify_strict`, and the items whose signature fails are verified
//!   again alone, so their verdict is the single verification's.
//!
//! `verify_batch` takes its random coefficients from a transcript of its inputs (merlin), so it
//! needs no RNG and gives the same answer for the same batch. What it cannot see: an R with a
//! torsion component (not small order) that the *holder of the signing key* chose on purpose
//! may pass the batch equation while `verify_strict`'s cofactorless equation refuses it. Nobody
//! without the school's private key can make such a signature (the batch is as unforgeable as
//! one verification), so it changes nothing about who vouches for the content; finding it
//! would cost a scalar multiplication per signature, which is what batching saves.
//!
//! Pure: no I/O, no clock; `now` is an argument.

use ed25519_dalek::{Signature, VerifyingKey};
use time::OffsetDateTime;

use crate::credential::{VerifyOptions, verify_bytes};
use crate::error::VerifyError;
use crate::proof::{IntegrityFailure, is_canonical_scalar, verify_signature};
use crate::trust_list::VerifiedTrustList;
use crate::verdict::Verdict;

/// A signature put aside for the batch: which item, key, `hashData` and signature.
struct Deferred {
    item: usize,
    key: VerifyingKey,
    message: [u8; 64],
    signature: [u8; 64],
}

/// Verify every credential of `items` (JSON bytes) against `trust` at `now` with `options`,
/// the signatures checked in one batch. Each result is exactly what
/// [`verify_credential_with`](crate::verify_credential_with) gives for that item alone (see
/// the [module docs](self)); results are in the items' order.
pub fn verify_credentials_batch(
    items: &[&[u8]],
    trust: &VerifiedTrustList,
    options: &VerifyOptions,
    now: OffsetDateTime,
) -> Vec<Result<Verdict, VerifyError>> {
    let mut deferred: Vec<Deferred> = Vec::with_capacity(items.len());
    // Whether each key seen has no torsion component (checked once per key and batch).
    let mut torsion_free: Vec<([u8; 32], bool)> = Vec::new();
    let mut results: Vec<Result<Verdict, VerifyError>> = items
        .iter()
        .enumerate()
        .map(|(item, bytes)| {
            let mut defer = |key: &VerifyingKey, message: &[u8], signature: &[u8; 64]| {
                let Ok(message) = <[u8; 64]>::try_from(message) else {
                    return verify_signature(key, message, signature);
                };
                if !batchable(key, signature, &mut torsion_free) {
                    return verify_signature(key, &message, signature);
                }
                deferred.push(Deferred {
                    item,
                    key: *key,
                    message,
                    signature: *signature,
                });
                Ok::<(), IntegrityFailure>(())
            };
            verify_bytes(bytes, trust, now, options, &mut defer)
        })
        .collect();
    if deferred.is_empty() || batch_holds(&deferred) {
        return results;
    }
    // Some signature failed: find which, and verify those items alone.
    for d in &deferred {
        let good = d
            .key
            .verify_strict(&d.message, &Signature::from_bytes(&d.signature))
            .is_ok();
        if !good && let (Some(slot), Some(bytes)) = (results.get_mut(d.item), items.get(d.item)) {
            *slot = verify_bytes(bytes, trust, now, options, &mut verify_signature);
        }
    }
    results
}

/// Whether every deferred signature verifies, checked in one `verify_batch`.
fn batch_holds(deferred: &[Deferred]) -> bool {
    let messages: Vec<&[u8]> = deferred.iter().map(|d| &d.message[..]).collect();
    let signatures: Vec<Signature> = deferred
        .iter()
        .map(|d| Signature::from_bytes(&d.signature))
        .collect();
    let keys: Vec<VerifyingKey> = deferred.iter().map(|d| d.key).collect();
    ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok()
}

/// Whether a batch equation decides this signature as `verify_strict` does: the key is not
/// weak and has no torsion component, S is below ℓ, and R is a canonical encoding of a point
/// that is not of small order (an R that is not on the curve fails the batch, and the
/// fallback names it).
fn batchable(
    key: &VerifyingKey,
    signature: &[u8; 64],
    torsion_free: &mut Vec<([u8; 32], bool)>,
) -> bool {
    let mut s = [0u8; 32];
    s.copy_from_slice(&signature[32..]);
    let mut r = [0u8; 32];
    r.copy_from_slice(&signature[..32]);
    if key.is_weak() || !is_canonical_scalar(&s) || !canonical_not_small_order(&r) {
        return false;
    }
    let bytes = key.to_bytes();
    match torsion_free.iter().find(|(k, _)| *k == bytes) {
        Some((_, free)) => *free,
        None => {
            let free = key.to_edwards().is_torsion_free();
            torsion_free.push((bytes, free));
            free
        }
    }
}

/// p = 2^255 − 19, little-endian.
const FIELD_PRIME: [u8; 32] = [
    0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
];

/// The y coordinates (little-endian, below p) of the eight points of small order: 1 (the
/// identity), p − 1 (order 2), 0 (order 4) and the two of order 8.
const SMALL_ORDER_Y: [[u8; 32]; 5] = [
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [0; 32],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
];

/// Whether the point encoding `r` has y below p (so `verify_strict`'s comparison of encodings
/// and the batch's comparison of points agree) and is not one of the small-order points.
fn canonical_not_small_order(r: &[u8; 32]) -> bool {
    let mut y = *r;
    y[31] &= 0x7f;
    // y < p, comparing from the most significant byte.
    let below_p = y
        .iter()
        .rev()
        .zip(FIELD_PRIME.iter().rev())
        .find(|(a, b)| a != b)
        .is_some_and(|(a, b)| a < b);
    below_p && !SMALL_ORDER_Y.contains(&y)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;
    use curve25519_dalek::edwards::CompressedEdwardsY;

    /// The small-order y values are those of curve25519-dalek's eight-torsion points, and no
    /// other canonical encoding of a small-order point passes.
    #[test]
    fn small_order_points_are_recognised() {
        for point in EIGHT_TORSION {
            let bytes = point.compress().to_bytes();
            assert!(!canonical_not_small_order(&bytes), "{bytes:02x?}");
            let mut y = bytes;
            y[31] &= 0x7f;
            assert!(SMALL_ORDER_Y.contains(&y));
            let mut signed = bytes;
            signed[31] ^= 0x80;
            assert!(!canonical_not_small_order(&signed));
        }
        for y in SMALL_ORDER_Y {
            let point = CompressedEdwardsY(y).decompress().unwrap();
            assert!(point.is_small_order());
        }
        // p and above are not canonical; p − 2 (a y on no small-order point) is.
        assert!(!canonical_not_small_order(&FIELD_PRIME));
        assert!(!canonical_not_small_order(&[0xff; 32]));
        let mut below = FIELD_PRIME;
        below[0] -= 2;
        assert!(canonical_not_small_order(&below));
        let base = curve25519_dalek::constants::ED25519_BASEPOINT_COMPRESSED.to_bytes();
        assert!(canonical_not_small_order(&base));
    }
}
