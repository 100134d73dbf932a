//! Ed25519 `verify_strict` (ed25519-dalek) computed without decompressing R.
//!
//! `VerifyingKey::verify_strict` accepts exactly when S is below ℓ, neither R nor A is of small
//! order, R decompresses, and the encoding of [S]B − [k]A equals R's bytes (k = SHA-512(R ‖ A ‖ M)
//! mod ℓ). Decompressing R costs a field square root, about a tenth of the whole check, and is
//! not needed for the same answer:
//!
//! * when the encodings are equal, R is the point [S]B − [k]A (an encoding made by `compress`
//!   decompresses to its point), so "R is of small order" is "[S]B − [k]A is of small order";
//! * when R does not decompress (or is a non-canonical encoding: y ≥ p, or x = 0 with the sign
//!   bit set), no `compress` output equals its bytes, so both refuse.
//!
//! It is written here and not taken from a crate because ed25519-dalek offers no strict check
//! without the decompression, and the verifier checks every credential with one school key: the
//! saving is a tenth of each verification. The curve arithmetic is curve25519-dalek's (the same
//! calls `verify_strict` makes); only the order of the checks differs. The tests run both over
//! valid signatures and every edge case of RFC 8032 and "Taming the many EdDSAs" (small-order
//! and mixed-order R and A, non-canonical encodings of R, S ≥ ℓ, points off the curve, every
//! single-bit change) and require the same answer each time, with and without the key's table
//! ([`super::comb`]: the same point [S]B − [k]A, computed with fewer doublings).

use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha512};

use super::comb::{Comb, double_scalar_mul};

/// Whether `verify_strict` accepts `signature` on `message` under `key` (same answer for every
/// input, see the module); [S]B − [k]A from `table` (the key's, [`Comb`]) when given.
pub(crate) fn verify_strict(
    key: &VerifyingKey,
    table: Option<&Comb>,
    message: &[u8],
    signature: &[u8; 64],
) -> bool {
    let (r, s) = signature.split_at(32);
    let mut s_bytes = [0u8; 32];
    s_bytes.copy_from_slice(s);
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)) else {
        return false;
    };
    let a = key.to_edwards();
    if a.is_small_order() {
        return false;
    }
    let mut h = Sha512::new();
    h.update(r);
    h.update(key.as_bytes());
    h.update(message);
    let wide: [u8; 64] = h.finalize().into();
    let k = Scalar::from_bytes_mod_order_wide(&wide);
    let expected = match table {
        Some(table) => double_scalar_mul(table, &k, &s),
        None => EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-a, &s),
    };
    expected.compress().as_bytes()[..] == *r && !expected.is_small_order()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
    use curve25519_dalek::edwards::CompressedEdwardsY;
    use ed25519_dalek::{Signature, Signer as _, SigningKey};

    /// The two answers for one input (a key that does not decode is no input: the verifier
    /// never holds one).
    fn agree(key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> Option<bool> {
        let key = VerifyingKey::from_bytes(key).ok()?;
        let dalek = key
            .verify_strict(message, &Signature::from_bytes(signature))
            .is_ok();
        let table = Comb::new(&key.to_edwards());
        assert_eq!(
            verify_strict(&key, Some(&table), message, signature),
            dalek,
            "with the table: key {:02x?} message {message:02x?} signature {:02x?}",
            key.as_bytes(),
            signature
        );
        assert_eq!(
            verify_strict(&key, None, message, signature),
            dalek,
            "key {:02x?} message {message:02x?} signature {:02x?}",
            key.as_bytes(),
            signature
        );
        Some(dalek)
    }

    struct Rng(u64);
    impl Rng {
        fn bytes<const N: usize>(&mut self) -> [u8; N] {
            let mut out = [0u8; N];
            for b in &mut out {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                *b = (self.0 >> 24) as u8;
            }
            out
        }
    }

    /// p = 2^255 − 19 added to a small y (0 or 1): the non-canonical encodings y + p.
    fn plus_p(y: u8) -> [u8; 32] {
        let mut e = [0xffu8; 32];
        e[0] = 0xed + y;
        e[31] = 0x7f;
        e
    }

    /// Every encoding of each small-order point: canonical, with the sign bit flipped, and
    /// (for y = 0 and y = 1) y + p with either sign bit.
    fn small_order_encodings() -> Vec<[u8; 32]> {
        let mut out = Vec::new();
        for t in EIGHT_TORSION {
            let e = t.compress().to_bytes();
            out.push(e);
            let mut flipped = e;
            flipped[31] ^= 0x80;
            out.push(flipped);
        }
        for y in [0u8, 1] {
            let e = plus_p(y);
            out.push(e);
            let mut signed = e;
            signed[31] |= 0x80;
            out.push(signed);
        }
        out
    }

    /// The signature (R, S) with S = k·a mod ℓ, so that [S]B − [k]A is the identity for
    /// A = [a]B, whatever R is: the cofactorless equation holds with R small-order only if R
    /// encodes the identity.
    fn with_r(secret: &Scalar, key: &[u8; 32], r: [u8; 32], message: &[u8]) -> [u8; 64] {
        let mut h = Sha512::new();
        h.update(r);
        h.update(key);
        h.update(message);
        let wide: [u8; 64] = h.finalize().into();
        let k = Scalar::from_bytes_mod_order_wide(&wide);
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r);
        sig[32..].copy_from_slice((k * secret).as_bytes());
        sig
    }

    #[test]
    fn agrees_on_valid_signatures_and_every_single_bit_change() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..12 {
            let signer = SigningKey::from_bytes(&rng.bytes::<32>());
            let message = rng.bytes::<64>();
            let key = signer.verifying_key().to_bytes();
            let sig = signer.sign(&message).to_bytes();
            assert_eq!(agree(&key, &message, &sig), Some(true));
            if round == 0 {
                for bit in 0..512 {
                    let mut s = sig;
                    s[bit / 8] ^= 1 << (bit % 8);
                    agree(&key, &message, &s);
                }
                for bit in 0..256 {
                    let mut k = key;
                    k[bit / 8] ^= 1 << (bit % 8);
                    agree(&k, &message, &sig);
                }
                let mut m = message;
                m[round] ^= 1;
                assert_eq!(agree(&key, &m, &sig), Some(false));
            }
            // Random R and S: mostly off the curve, or S ≥ ℓ.
            for _ in 0..4 {
                agree(&key, &message, &rng.bytes::<64>());
            }
        }
    }

    #[test]
    fn agrees_on_non_canonical_s() {
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let signer = SigningKey::from_bytes(&[7; 32]);
        let key = signer.verifying_key().to_bytes();
        let sig = signer.sign(b"hoc ba").to_bytes();
        // S + ℓ (the same signature, malleated), ℓ itself, and the top bits set.
        let mut plus_l = sig;
        let mut carry = 0u16;
        for (out, l) in plus_l[32..].iter_mut().zip(L) {
            let v = u16::from(*out) + u16::from(l) + carry;
            *out = v as u8;
            carry = v >> 8;
        }
        assert_eq!(agree(&key, b"hoc ba", &plus_l), Some(false));
        let mut is_l = sig;
        is_l[32..].copy_from_slice(&L);
        assert_eq!(agree(&key, b"hoc ba", &is_l), Some(false));
        for top in [0x20u8, 0x40, 0x80, 0xe0] {
            let mut high = sig;
            high[63] |= top;
            assert_eq!(agree(&key, b"hoc ba", &high), Some(false));
        }
    }

    #[test]
    fn agrees_on_small_order_and_non_canonical_r_and_a() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let secret = Scalar::from_bytes_mod_order(rng.bytes::<32>());
        let a = ED25519_BASEPOINT_POINT * secret;
        let key = a.compress().to_bytes();
        for r in small_order_encodings() {
            // The cofactorless equation holds exactly for the identity; all are refused.
            let sig = with_r(&secret, &key, r, b"m");
            assert_eq!(agree(&key, b"m", &sig), Some(false), "{r:02x?}");
            agree(&key, b"m", &rng.bytes::<64>());
        }
        // A of small order (weak keys), with signatures the cofactorless equation accepts:
        // [S]B − [k]A = [S]B for the identity, so R = [S]B "verifies" any message.
        for weak in small_order_encodings() {
            let Ok(vk) = VerifyingKey::from_bytes(&weak) else {
                continue;
            };
            let s = Scalar::from_bytes_mod_order(rng.bytes::<32>());
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice((ED25519_BASEPOINT_POINT * s).compress().as_bytes());
            sig[32..].copy_from_slice(s.as_bytes());
            assert_eq!(agree(vk.as_bytes(), b"any", &sig), Some(false));
        }
        // R a non-canonical encoding of a valid point: y + p for the points with y < 19 that
        // exist, and the sign bit set on a point with x = 0 (covered above); and R = [r]B
        // written with the sign bit flipped (a valid other point, −R).
        let r = ED25519_BASEPOINT_POINT * Scalar::from(5u8);
        let mut neg = r.compress().to_bytes();
        neg[31] ^= 0x80;
        agree(&key, b"m", &with_r(&secret, &key, neg, b"m"));
        for y in 0u8..19 {
            let mut e = plus_p(0);
            e[0] = 0xed + y;
            if CompressedEdwardsY(e).decompress().is_some() {
                agree(&key, b"m", &with_r(&secret, &key, e, b"m"));
            }
        }
    }

    /// Mixed-order keys and R (a point of large order plus a small-order one): the
    /// cofactorless equation holds for some messages, as often as [k]T is the identity, and
    /// both checks accept exactly those.
    #[test]
    fn agrees_on_mixed_order_points() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let (mut accepted, mut refused) = (0, 0);
        for t in EIGHT_TORSION.iter().skip(1) {
            let secret = Scalar::from_bytes_mod_order(rng.bytes::<32>());
            let a = ED25519_BASEPOINT_POINT * secret + t;
            let key = a.compress().to_bytes();
            for i in 0u32..12 {
                let message = i.to_le_bytes();
                let nonce = Scalar::from_bytes_mod_order(rng.bytes::<32>());
                // R = [r]B: holds when [k]T is the identity.
                let r = (ED25519_BASEPOINT_POINT * nonce).compress().to_bytes();
                let mut h = Sha512::new();
                h.update(r);
                h.update(key);
                h.update(message);
                let wide: [u8; 64] = h.finalize().into();
                let k = Scalar::from_bytes_mod_order_wide(&wide);
                let mut sig = [0u8; 64];
                sig[..32].copy_from_slice(&r);
                sig[32..].copy_from_slice((nonce + k * secret).as_bytes());
                match agree(&key, &message, &sig) {
                    Some(true) => accepted += 1,
                    _ => refused += 1,
                }
                // R with a torsion part too.
                let r2 = (ED25519_BASEPOINT_POINT * nonce + t).compress().to_bytes();
                let sig2 = with_r(&secret, &key, r2, &message);
                agree(&key, &message, &sig2);
            }
        }
        assert!(accepted > 0 && refused > 0, "{accepted} / {refused}");
    }
}
