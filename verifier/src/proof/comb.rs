//! [S]B − [k]A from tables of multiples of B and of A, in variable time, with far fewer
//! point doublings than `vartime_double_scalar_mul_basepoint`.
//!
//! The scalar is written in signed radix 2^6 (43 digits in [−32, 32], the scalars here are
//! below ℓ < 2^253), and the digits are dealt into three interleaved groups: digit i belongs
//! to group i mod 3, at position i / 3. A table holds m·2^(18·p)·P for every position p < 15
//! and m = 1…32 (480 points, 77 KB), so
//!
//! [x]P = Σ_r 2^(6r) · Σ_p d_(3p+r) · 2^(18p)·P,
//!
//! which costs one table addition per non-zero digit (≤ 43 per scalar) and 12 doublings in all
//! (Horner over the three groups), against 253 doublings and about 80 additions for the
//! sliding-window double-scalar multiplication. Both scalars share the doublings.
//!
//! Why hand-written: curve25519-dalek's precomputed tables (`EdwardsBasepointTable…`) are
//! constant-time (every lookup reads the whole row) and cost an inversion per entry to build
//! (measured here: 9.3 µs per scalar for the radix-16 one against 7.1 µs for this table, and
//! 1.6 ms to build against 0.09 ms); `VartimeEdwardsPrecomputation` still doubles 256 times. The signature's
//! scalars are public, so a direct lookup is fine, and only public curve25519-dalek operations
//! are used here (point addition, subtraction, `mul_by_cofactor`): the point computed is the
//! same group element as dalek's, and `compress` gives its one encoding. Variable time leaks
//! nothing secret: k, S and A are all public in a verification.

use std::sync::OnceLock;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

/// Bits per digit.
const W: usize = 6;
/// Largest digit magnitude, and multiples per position: 2^(W−1).
const HALF: usize = 1 << (W - 1);
/// Digits of a scalar below 2^253: ⌈253 / 6⌉ = 43 (the top one is at most 2, carry included).
const DIGITS: usize = 43;
/// Interleaved groups of digits (and 6·(GROUPS − 1) doublings per multiplication).
const GROUPS: usize = 3;
/// Table positions: ⌈43 / 3⌉.
const POSITIONS: usize = DIGITS.div_ceil(GROUPS);
// Multiplying by 2^W is done as ×8 (`mul_by_cofactor`) W / 3 times, and the top digit (bit 252
// and the carry) must stay within the table.
const _: () = assert!(W.is_multiple_of(3) && DIGITS * W >= 253 && (DIGITS - 1) * W < 253);

/// The multiples m·2^(18·p)·P of one point P (m = 1…32, p < 15), in variable time.
pub(crate) struct Comb {
    /// Position p, multiple m at `p * HALF + m − 1`.
    table: Box<[EdwardsPoint]>,
}

impl Comb {
    /// The table of `point` (about 470 additions and 250 doublings: as much as roughly eight
    /// table-less verifications save).
    pub(crate) fn new(point: &EdwardsPoint) -> Self {
        let mut table = Vec::with_capacity(POSITIONS * HALF);
        let mut base = *point;
        for p in 0..POSITIONS {
            let mut multiple = base;
            for _ in 0..HALF {
                table.push(multiple);
                multiple += &base;
            }
            if p + 1 < POSITIONS {
                // 2^(W·GROUPS) = 8^(W·GROUPS / 3).
                for _ in 0..(W * GROUPS / 3) {
                    base = base.mul_by_cofactor();
                }
            }
        }
        Self {
            table: table.into_boxed_slice(),
        }
    }

    /// Add `digit`·2^(18·position)·P to `acc`.
    fn add_digit(&self, acc: &mut EdwardsPoint, position: usize, digit: i8) {
        let m = usize::from(digit.unsigned_abs());
        if m == 0 {
            return;
        }
        let point = &self.table[position * HALF + m - 1];
        *acc = if digit > 0 {
            *acc + point
        } else {
            *acc - point
        };
    }
}

/// The table of the Ed25519 base point B, made once.
fn basepoint() -> &'static Comb {
    static TABLE: OnceLock<Comb> = OnceLock::new();
    TABLE.get_or_init(|| Comb::new(&ED25519_BASEPOINT_POINT))
}

/// [s]B − [k]A, with `a` the table of A (any point, small-order components included: the
/// sum is computed over the integers k and s, so it is the same group element as dalek's).
pub(crate) fn double_scalar_mul(a: &Comb, k: &Scalar, s: &Scalar) -> EdwardsPoint {
    let b = basepoint();
    let (kd, sd) = (digits(k), digits(s));
    let mut acc = EdwardsPoint::identity();
    for group in (0..GROUPS).rev() {
        if group + 1 < GROUPS {
            // ×2^W = ×8 W / 3 times.
            for _ in 0..W / 3 {
                acc = acc.mul_by_cofactor();
            }
        }
        for position in 0..POSITIONS {
            let i = position * GROUPS + group;
            if i >= DIGITS {
                break;
            }
            a.add_digit(&mut acc, position, -kd[i]);
            b.add_digit(&mut acc, position, sd[i]);
        }
    }
    acc
}

/// The signed radix-2^6 digits of `x` (below 2^253): x = Σ d_i·2^(6i), d_i in [−32, 32].
fn digits(x: &Scalar) -> [i8; DIGITS] {
    let bytes = x.as_bytes();
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
    }
    let mask = (1u64 << W) - 1;
    let mut out = [0i8; DIGITS];
    let mut carry = 0u64;
    for (i, digit) in out.iter_mut().enumerate() {
        let bit = i * W;
        let (limb, offset) = (bit / 64, bit % 64);
        let mut chunk = limbs[limb] >> offset;
        if offset + W > 64 && limb + 1 < 4 {
            chunk |= limbs[limb + 1] << (64 - offset);
        }
        // At most 63 + 1: below 2^7, so the casts below are exact.
        let value = (chunk & mask) + carry;
        if value >= HALF as u64 && i + 1 < DIGITS {
            *digit = (value as i64 - (1i64 << W)) as i8;
            carry = 1;
        } else {
            *digit = value as i8;
            carry = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;

    fn scalars() -> Vec<Scalar> {
        let mut out = vec![Scalar::ZERO, Scalar::ONE, -Scalar::ONE, Scalar::from(32u8)];
        // 2^i and 2^i − 1 across digit and limb boundaries, and all-ones patterns.
        for i in [5u32, 6, 17, 18, 63, 64, 126, 127, 128, 200, 251, 252] {
            let p = (0..i).fold(Scalar::ONE, |acc, _| acc + acc);
            out.push(p);
            out.push(p - Scalar::ONE);
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..40 {
            let mut bytes = [0u8; 64];
            for b in &mut bytes {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = (x >> 24) as u8;
            }
            out.push(Scalar::from_bytes_mod_order_wide(&bytes));
        }
        out
    }

    #[test]
    fn digits_add_up_to_the_scalar() {
        for x in scalars() {
            let d = digits(&x);
            assert!(d.iter().all(|&d| (-32..=32).contains(&d)));
            let sum = d.iter().rev().fold(Scalar::ZERO, |acc, &d| {
                let digit = Scalar::from(u64::from(d.unsigned_abs()));
                acc * Scalar::from(64u8) + if d < 0 { -digit } else { digit }
            });
            assert_eq!(sum, x);
        }
    }

    /// The table gives dalek's double-scalar result for every scalar pair tried, with A of
    /// large order, small order and mixed order.
    #[test]
    fn equals_the_double_scalar_multiplication() {
        let big = ED25519_BASEPOINT_POINT * Scalar::from(0x1234_5678u64);
        let mut points = vec![big, -big, EdwardsPoint::identity()];
        points.extend(EIGHT_TORSION.iter().skip(1).map(|t| big + t));
        points.extend(EIGHT_TORSION.iter().copied());
        let scalars = scalars();
        for a in &points {
            let comb = Comb::new(a);
            for (k, s) in scalars.iter().zip(scalars.iter().rev()) {
                assert_eq!(
                    double_scalar_mul(&comb, k, s),
                    EdwardsPoint::vartime_double_scalar_mul_basepoint(k, &-a, s)
                );
            }
        }
    }
}
