//! Bytes as decimal digits, so that a QR code carries them in numeric mode (10 bits per 3
//! digits, about 99.7 % of the density of raw bytes) and the text stays URL-safe.
//!
//! Every whole group of 7 bytes, read as a big-endian integer below 2^56, is written as exactly
//! 17 digits (10^17 > 2^56). A final group of k = 1…6 bytes is written with a fixed number of
//! digits, [`TAIL_DIGITS`]`[k]` = ⌈8k·log10 2⌉: 3, 5, 8, 10, 13, 15. Those counts are all
//! different and below 17, so the digit count alone says how many bytes there are. Decoding is
//! canonical: a group whose value does not fit its byte count is refused, so each byte string
//! has exactly one digit string.

use super::QrError;

/// Bytes in a whole group.
pub const GROUP_BYTES: usize = 7;
/// Digits of a whole group.
pub const GROUP_DIGITS: usize = 17;
/// Digits of a final group of `k` bytes (index `k`, 0 unused).
pub const TAIL_DIGITS: [usize; GROUP_BYTES] = [0, 3, 5, 8, 10, 13, 15];

/// Number of digits that encode `len` bytes.
pub fn digit_len(len: usize) -> usize {
    len / GROUP_BYTES * GROUP_DIGITS + TAIL_DIGITS[len % GROUP_BYTES]
}

/// Write `bytes` as decimal digits.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(digit_len(bytes.len()));
    for chunk in bytes.chunks(GROUP_BYTES) {
        let value = chunk.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b));
        let width = if chunk.len() == GROUP_BYTES {
            GROUP_DIGITS
        } else {
            TAIL_DIGITS[chunk.len()]
        };
        // `{:0width$}` pads with leading zeros to the fixed width.
        out.push_str(&format!("{value:0width$}"));
    }
    out
}

/// Read decimal digits back into bytes. Only ASCII digits are accepted; the length must be a
/// valid digit count and every group must fit its byte count.
pub fn decode(digits: &str) -> Result<Vec<u8>, QrError> {
    let text = digits.as_bytes();
    if let Some(at) = text.iter().position(|b| !b.is_ascii_digit()) {
        return Err(QrError::NotDigits {
            position: at,
            found: digits[at..].chars().next().unwrap_or('?'),
        });
    }
    let whole = text.len() / GROUP_DIGITS;
    let rest = text.len() % GROUP_DIGITS;
    let Some(tail_bytes) = TAIL_DIGITS.iter().position(|&d| d == rest) else {
        return Err(QrError::DigitCount { digits: text.len() });
    };
    let mut out = Vec::with_capacity(whole * GROUP_BYTES + tail_bytes);
    let mut groups: Vec<(&[u8], usize)> = text[..whole * GROUP_DIGITS]
        .chunks(GROUP_DIGITS)
        .map(|g| (g, GROUP_BYTES))
        .collect();
    if tail_bytes > 0 {
        groups.push((&text[whole * GROUP_DIGITS..], tail_bytes));
    }
    for (index, (group, bytes)) in groups.into_iter().enumerate() {
        // At most 17 digits: below 10^17 < 2^64, no overflow.
        let value = group.iter().fold(0u64, |v, d| v * 10 + u64::from(d - b'0'));
        if bytes < 8 && value >> (8 * bytes) != 0 {
            return Err(QrError::DigitGroupOutOfRange { group: index });
        }
        out.extend_from_slice(&value.to_be_bytes()[8 - bytes..]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        for len in 0..40usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 255) as u8).collect();
            let text = encode(&bytes);
            assert_eq!(text.len(), digit_len(len));
            assert_eq!(decode(&text).unwrap(), bytes);
            let max = vec![0xffu8; len];
            assert_eq!(decode(&encode(&max)).unwrap(), max);
        }
    }

    #[test]
    fn fixed_widths() {
        assert_eq!(encode(&[0]), "000");
        assert_eq!(encode(&[255]), "255");
        assert_eq!(encode(&[1, 0]), "00256");
        assert_eq!(encode(&[0xff; 7]), "72057594037927935");
    }

    #[test]
    fn refuses_bad_digits() {
        assert!(matches!(
            decode("256"),
            Err(QrError::DigitGroupOutOfRange { group: 0 })
        ));
        assert!(matches!(
            decode("1234"),
            Err(QrError::DigitCount { digits: 4 })
        ));
        assert!(matches!(
            decode("12a"),
            Err(QrError::NotDigits { position: 2, .. })
        ));
        assert!(matches!(
            decode("٣٣٣"),
            Err(QrError::NotDigits { position: 0, .. })
        ));
        assert!(matches!(
            decode("99999999999999999"),
            Err(QrError::DigitGroupOutOfRange { group: 0 })
        ));
        assert_eq!(decode("").unwrap(), Vec::<u8>::new());
    }
}
