//! Multibase strings as this project uses them: `z` + base58btc (keys, signatures) and
//! `u` + base64url without padding (status list bitstrings).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{SchemaError, shorten};

/// `z` + base58btc of `bytes`.
pub fn encode_base58btc(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(1 + bytes.len() * 138 / 100 + 1);
    s.push('z');
    push_base58(bytes, &mut s);
    s
}

/// The Bitcoin base58 alphabet.
const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// 58^5, the largest power of 58 below 2^32: five digits per step of the long arithmetic.
const POW5: u64 = 58 * 58 * 58 * 58 * 58;

/// Append base58 of `bytes` (what `bs58::encode` gives) to `out`: the number is held in
/// 32-bit limbs and divided by 58^5 at a time, five digits per pass.
fn push_base58(bytes: &[u8], out: &mut String) {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    let rest = &bytes[zeros..];
    // Big-endian 32-bit limbs of the number (the first one padded at the top).
    let mut limbs: Vec<u32> = Vec::with_capacity(rest.len() / 4 + 1);
    let head = rest.len() % 4;
    if head > 0 {
        limbs.push(
            rest[..head]
                .iter()
                .fold(0, |acc, &b| acc << 8 | u32::from(b)),
        );
    }
    for chunk in rest[head..].chunks_exact(4) {
        limbs.push(u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
    }
    let mut digits: Vec<u8> = Vec::with_capacity(rest.len() * 138 / 100 + 5);
    let mut first = 0; // limbs before `first` are zero
    while first < limbs.len() {
        let mut rem = 0u64;
        for limb in &mut limbs[first..] {
            let cur = rem << 32 | u64::from(*limb);
            *limb = (cur / POW5) as u32;
            rem = cur % POW5;
        }
        for _ in 0..5 {
            digits.push((rem % 58) as u8);
            rem /= 58;
        }
        while first < limbs.len() && limbs[first] == 0 {
            first += 1;
        }
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    out.reserve(zeros + digits.len());
    out.extend(std::iter::repeat_n('1', zeros));
    out.extend(
        digits
            .iter()
            .rev()
            .map(|&d| char::from(ALPHABET[usize::from(d)])),
    );
}

/// Value of each base58 character, 0xff for bytes outside the alphabet.
static DIGIT: [u8; 256] = {
    let mut t = [0xff; 256];
    let mut i = 0;
    while i < 58 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Decode a `z`-prefixed base58btc string that holds exactly `N` bytes (at most 128), such as
/// an Ed25519 signature: the same bytes as [`decode_base58btc`], without allocating. `None` for
/// anything else; [`decode_base58btc`] then says what is wrong.
pub fn decode_base58btc_exact<const N: usize>(value: &str) -> Option<[u8; N]> {
    const MAX_LIMBS: usize = 32;
    let body = value.strip_prefix('z')?.as_bytes();
    let n_limbs = N.div_ceil(4);
    if n_limbs > MAX_LIMBS {
        return None;
    }
    let ones = body.iter().take_while(|&&c| c == b'1').count();
    // Little-endian 32-bit limbs of the number.
    let mut limbs = [0u32; MAX_LIMBS];
    let limbs = &mut limbs[..n_limbs];
    for group in body[ones..].chunks(5) {
        let mut mul = 1u64;
        let mut add = 0u64;
        for &c in group {
            let d = DIGIT[usize::from(c)];
            if d == 0xff {
                return None;
            }
            mul *= 58;
            add = add * 58 + u64::from(d);
        }
        let mut carry = add;
        for limb in limbs.iter_mut() {
            let cur = u64::from(*limb) * mul + carry;
            *limb = cur as u32;
            carry = cur >> 32;
        }
        if carry != 0 {
            return None;
        }
    }
    let mut wide = [0u8; MAX_LIMBS * 4];
    for (i, limb) in limbs.iter().rev().enumerate() {
        wide[i * 4..i * 4 + 4].copy_from_slice(&limb.to_be_bytes());
    }
    let wide = &wide[..n_limbs * 4];
    let (pad, number) = wide.split_at(n_limbs * 4 - N);
    if pad.iter().any(|&b| b != 0) {
        return None;
    }
    // bs58 gives one zero byte per leading `1`, then the number without leading zeros.
    let zeros = number.iter().take_while(|&&b| b == 0).count();
    if zeros != ones {
        return None;
    }
    let mut out = [0u8; N];
    out.copy_from_slice(number);
    Some(out)
}

/// Decode a `z`-prefixed base58btc string; `field` names the field for the error.
pub fn decode_base58btc(field: &'static str, value: &str) -> Result<Vec<u8>, SchemaError> {
    let body = value
        .strip_prefix('z')
        .ok_or_else(|| SchemaError::Encoding {
            field,
            problem: "multibase prefix must be `z` (base58btc)".into(),
            value: shorten(value),
        })?;
    bs58::decode(body)
        .into_vec()
        .map_err(|e| SchemaError::Encoding {
            field,
            problem: format!("not base58btc: {e}"),
            value: shorten(value),
        })
}

/// `u` + base64url (no padding) of `bytes`.
pub fn encode_base64url(bytes: &[u8]) -> String {
    let mut s = String::from("u");
    URL_SAFE_NO_PAD.encode_string(bytes, &mut s);
    s
}

/// Decode a `u`-prefixed base64url string (padding not allowed).
pub fn decode_base64url(field: &'static str, value: &str) -> Result<Vec<u8>, SchemaError> {
    let body = value
        .strip_prefix('u')
        .ok_or_else(|| SchemaError::Encoding {
            field,
            problem: "multibase prefix must be `u` (base64url, no padding)".into(),
            value: shorten(value),
        })?;
    URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|e| SchemaError::Encoding {
            field,
            problem: format!("not base64url: {e}"),
            value: shorten(value),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let bytes = [0u8, 0, 1, 2, 255, 254];
        assert_eq!(
            decode_base58btc("x", &encode_base58btc(&bytes)).unwrap(),
            bytes
        );
        assert_eq!(
            decode_base64url("x", &encode_base64url(&bytes)).unwrap(),
            bytes
        );
    }

    /// The long-arithmetic encoder and the fixed-size decoder agree with the `bs58` crate on
    /// every length and on leading zero bytes.
    #[test]
    fn fast_base58_agrees_with_bs58() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..3000 {
            let len = (next() % 70) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let lead = (next() % 4) as usize;
            for b in bytes.iter_mut().take(if round % 3 == 0 { lead } else { 0 }) {
                *b = 0;
            }
            if round % 50 == 0 {
                bytes.iter_mut().for_each(|b| *b = 0);
            }
            let ours = encode_base58btc(&bytes);
            assert_eq!(ours[1..], bs58::encode(&bytes).into_string(), "{bytes:?}");
            assert_eq!(decode_base58btc("x", &ours).unwrap(), bytes);
            if bytes.len() == 64 {
                assert_eq!(
                    decode_base58btc_exact::<64>(&ours),
                    Some(bytes.clone().try_into().unwrap())
                );
            } else {
                assert_eq!(decode_base58btc_exact::<64>(&ours), None, "{bytes:?}");
            }
            if bytes.len() >= 60 {
                // One character changed: often still 64 bytes, sometimes 63 or 65.
                let mut chars: Vec<u8> = ours.clone().into_bytes();
                let at = 1 + (next() as usize) % (chars.len() - 1);
                chars[at] = ALPHABET[(next() % 58) as usize];
                let s = String::from_utf8(chars).unwrap();
                let slow = decode_base58btc("x", &s).ok().filter(|b| b.len() == 64);
                assert_eq!(decode_base58btc_exact::<64>(&s).map(Vec::from), slow, "{s}");
            }
            if bytes.len() == 32 {
                assert_eq!(
                    decode_base58btc_exact::<32>(&ours).map(Vec::from),
                    Some(bytes.clone())
                );
            }
            // Random strings of base58 characters (and a few others): the fast decoder gives
            // 64 bytes exactly when bs58 does, and the same ones.
            let s: String = std::iter::once('z')
                .chain((0..(next() % 95)).map(|_| {
                    let r = next();
                    if r % 40 == 0 {
                        '0'
                    } else if r % 7 == 0 {
                        '1'
                    } else {
                        char::from(ALPHABET[(r % 58) as usize])
                    }
                }))
                .collect();
            let slow = decode_base58btc("x", &s).ok().filter(|b| b.len() == 64);
            assert_eq!(decode_base58btc_exact::<64>(&s).map(Vec::from), slow, "{s}");
        }
        let max = [0xffu8; 64];
        assert_eq!(
            decode_base58btc_exact::<64>(&encode_base58btc(&max)),
            Some(max)
        );
        assert_eq!(
            decode_base58btc_exact::<64>(&encode_base58btc(&[0; 64])),
            Some([0; 64])
        );
        assert_eq!(
            decode_base58btc_exact::<64>(&encode_base58btc(&[0xff; 65])),
            None
        );
        assert_eq!(decode_base58btc_exact::<64>("u123"), None);
        assert_eq!(decode_base58btc_exact::<64>("z"), None);
    }

    #[test]
    fn wrong_prefix_is_named() {
        let err = decode_base58btc("proofValue", "u123").unwrap_err();
        assert!(err.to_string().contains("proofValue"), "{err}");
        assert!(decode_base64url("encodedList", "zabc").is_err());
        assert!(decode_base58btc("proofValue", "z0OIl").is_err());
    }
}
