//! Verifying many credentials at once (the bulk API): every check as for one credential, but
//! the Ed25519 signatures of the batch checked together, in the equation of
//! `ed25519_dalek::verify_batch` with the terms of each key gathered into one (`batch_holds`:
//! one school key signs a whole batch, which halves the work of `verify_batch`, itself about
//! 2.8× the rate of one `verify_strict` per signature).
//!
//! **Same verdicts as one at a time.** [`verify_credentials_batch`] gives, for every item,
//! exactly what [`verify_credential_with`](crate::verify_credential_with) gives:
//!
//! * every check but the signature runs as for one credential (the same code);
//! * what `verify_strict` refuses and a batch equation would not — a weak (small-order) key,
//!   an S not below ℓ, an R that is not a canonical encoding or has small order, a key with a
//!   torsion component — is looked for first, and such an item is checked on its own with
//!   [`verify_signature`], which names the reason;
//! * the other signatures are checked in one batch equation; when it fails, each of them is
//!   checked again with `verify_strict`, and the items whose signature fails are verified
//!   again alone, so their verdict is the single verification's.
//!
//! The batch takes its random coefficients from a hash of its inputs (as `verify_batch` does
//! from a transcript), so it needs no RNG and gives the same answer for the same batch. What
//! it cannot see: an R with a torsion component (not small order) that the *holder of the
//! signing key* chose on purpose may pass the batch equation while `verify_strict`'s
//! cofactorless equation refuses it. Nobody without the school's private key can make such a
//! signature (the batch is as unforgeable as one verification), so it changes nothing about
//! who vouches for the content; finding it would cost a scalar multiplication per signature,
//! which is what batching saves.
//!
//! Pure: no I/O, no clock; `now` is an argument.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha512};
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

/// Whether every deferred signature verifies: the equation `ed25519_dalek::verify_batch` checks,
///
/// `[−Σ zᵢsᵢ]B + Σ [zᵢ]Rᵢ + Σ [zᵢkᵢ]Aᵢ = 0` (kᵢ = SHA-512(Rᵢ ‖ Aᵢ ‖ Mᵢ) mod ℓ, zᵢ 128-bit
/// coefficients bound to every input),
///
/// with the terms of one key gathered into one: `Σ [zᵢkᵢ]A` over the signatures of key A is
/// `[Σ zᵢkᵢ]A`. A school signs every credential of a bulk request with the same key, so the
/// multiscalar multiplication has one point per signature (its R) and one per key instead of two
/// per signature: about half the work of `verify_batch`, which takes each key apart as if all
/// differed. That is why this is written here and not taken from the crate; the equation, and
/// so the answer, is the same (the tests compare the two).
fn batch_holds(deferred: &[Deferred]) -> bool {
    let hrams = hrams(deferred);
    let zs = coefficients(deferred, &hrams);
    // One entry per key: its bytes, its point and the sum of zᵢkᵢ of its signatures.
    let mut keys: Vec<([u8; 32], EdwardsPoint, Scalar)> = Vec::new();
    let mut scalars: Vec<Scalar> = Vec::with_capacity(deferred.len() + 2);
    let mut points: Vec<EdwardsPoint> = Vec::with_capacity(deferred.len() + 2);
    let mut b_coefficient = Scalar::ZERO;
    scalars.push(Scalar::ZERO); // −Σ zᵢsᵢ, set below
    points.push(ED25519_BASEPOINT_POINT);
    for ((d, hram), z) in deferred.iter().zip(&hrams).zip(&zs) {
        let mut s = [0u8; 32];
        s.copy_from_slice(&d.signature[32..]);
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
            return false;
        };
        let mut r = [0u8; 32];
        r.copy_from_slice(&d.signature[..32]);
        let Some(r) = CompressedEdwardsY(r).decompress() else {
            return false;
        };
        b_coefficient += z * s;
        scalars.push(*z);
        points.push(r);
        let zk = z * Scalar::from_bytes_mod_order_wide(hram);
        let bytes = d.key.to_bytes();
        match keys.iter_mut().find(|(k, _, _)| *k == bytes) {
            Some((_, _, sum)) => *sum += zk,
            None => keys.push((bytes, d.key.to_edwards(), zk)),
        }
    }
    if let Some(first) = scalars.first_mut() {
        *first = -b_coefficient;
    }
    for (_, point, sum) in keys {
        scalars.push(sum);
        points.push(point);
    }
    EdwardsPoint::vartime_multiscalar_mul(&scalars, &points).is_identity()
}

/// SHA-512(R ‖ A ‖ M) of each signature: its k before reduction.
fn hrams(deferred: &[Deferred]) -> Vec<[u8; 64]> {
    deferred
        .iter()
        .map(|d| {
            let mut h = Sha512::new();
            h.update(&d.signature[..32]);
            h.update(d.key.as_bytes());
            h.update(d.message);
            h.finalize().into()
        })
        .collect()
}

/// The coefficients zᵢ of the batch equation: 128 bits each, from SHA-512 of every input (the
/// hashes kᵢ, which bind each R, key and message, and each S), as `verify_batch` draws them
/// from a transcript of its inputs. Nobody can choose the signatures after seeing them, so a
/// wrong signature passes the equation with probability about 2⁻¹²⁸; and the same batch always
/// gets the same answer, without an RNG.
fn coefficients(deferred: &[Deferred], hrams: &[[u8; 64]]) -> Vec<Scalar> {
    let mut transcript = Sha512::new();
    transcript.update(b"hocba ed25519 batch coefficients v1");
    transcript.update((deferred.len() as u64).to_le_bytes());
    for (d, hram) in deferred.iter().zip(hrams) {
        transcript.update(hram);
        transcript.update(&d.signature[32..]);
    }
    let seed: [u8; 64] = transcript.finalize().into();
    let mut zs = Vec::with_capacity(deferred.len());
    let mut block = 0_u64;
    while zs.len() < deferred.len() {
        let mut h = Sha512::new();
        h.update(seed);
        h.update(block.to_le_bytes());
        let out: [u8; 64] = h.finalize().into();
        for quarter in out.chunks_exact(16) {
            let mut z = [0u8; 16];
            z.copy_from_slice(quarter);
            zs.push(Scalar::from(u128::from_le_bytes(z)));
        }
        block += 1;
    }
    zs.truncate(deferred.len());
    zs
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

    /// `n` signatures, the i-th by key `i % keys` (keys made from small seeds), each on its own
    /// 64-byte message.
    fn signed(n: usize, keys: usize) -> Vec<Deferred> {
        use ed25519_dalek::{Signer as _, SigningKey};
        (0..n)
            .map(|i| {
                let key = SigningKey::from_bytes(&[u8::try_from(i % keys).unwrap() + 1; 32]);
                let message = [u8::try_from(i % 251).unwrap(); 64];
                Deferred {
                    item: i,
                    key: key.verifying_key(),
                    message,
                    signature: key.sign(&message).to_bytes(),
                }
            })
            .collect()
    }

    /// What `ed25519_dalek::verify_batch` says of the same signatures.
    fn dalek(deferred: &[Deferred]) -> bool {
        let messages: Vec<&[u8]> = deferred.iter().map(|d| &d.message[..]).collect();
        let signatures: Vec<Signature> = deferred
            .iter()
            .map(|d| Signature::from_bytes(&d.signature))
            .collect();
        let keys: Vec<VerifyingKey> = deferred.iter().map(|d| d.key).collect();
        ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok()
    }

    /// The gathered equation answers as `verify_batch` does: batches of one key or several
    /// (interleaved), every signature sound, or one of them changed in any way (S, R, the
    /// message, the key, R off the curve, S not below ℓ), at the first, a middle and the last
    /// place.
    #[test]
    fn the_gathered_equation_answers_as_verify_batch() {
        for (n, keys) in [(1, 1), (2, 1), (2, 2), (7, 3), (40, 1), (24, 4)] {
            let good = signed(n, keys);
            assert!(
                batch_holds(&good) && dalek(&good),
                "{n} signatures, {keys} keys"
            );
            let stranger = {
                use ed25519_dalek::{Signer as _, SigningKey};
                let key = SigningKey::from_bytes(&[200; 32]);
                (key.verifying_key(), key.sign(&[0xee; 64]).to_bytes())
            };
            for at in [0, n / 2, n - 1] {
                let spoil: [&dyn Fn(&mut Deferred); 7] = [
                    &|d| d.signature[40] ^= 1,
                    &|d| d.signature[..32].copy_from_slice(&stranger.1[..32]),
                    &|d| d.signature[..32].copy_from_slice(&[0xff; 32]),
                    &|d| d.signature[63] |= 0xf0,
                    &|d| d.message[0] ^= 0x80,
                    &|d| d.key = stranger.0,
                    &|d| d.signature = stranger.1,
                ];
                for (which, f) in spoil.iter().enumerate() {
                    let mut bad = signed(n, keys);
                    f(&mut bad[at]);
                    assert_eq!(
                        batch_holds(&bad),
                        dalek(&bad),
                        "{n} signatures, {keys} keys, change {which} at {at}"
                    );
                    assert!(!batch_holds(&bad), "change {which} at {at}");
                }
            }
        }
        // Two wrong signatures whose errors would cancel if they shared a coefficient.
        let mut pair = signed(4, 1);
        pair[1].signature[40] ^= 1;
        pair[2].signature[40] ^= 1;
        assert!(!batch_holds(&pair) && !dalek(&pair));
    }

    /// The coefficients are 128-bit, depend on every signature, and are the same each time.
    #[test]
    fn coefficients_are_bound_to_every_input() {
        let a = signed(9, 2);
        let za = coefficients(&a, &hrams(&a));
        assert_eq!(za.len(), 9);
        assert_eq!(za, coefficients(&a, &hrams(&a)));
        for z in &za {
            assert!(z.as_bytes()[16..].iter().all(|&b| b == 0));
        }
        let mut b = signed(9, 2);
        b[8].signature[63] ^= 1;
        let zb = coefficients(&b, &hrams(&b));
        assert!(za.iter().zip(&zb).all(|(x, y)| x != y));
    }

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
