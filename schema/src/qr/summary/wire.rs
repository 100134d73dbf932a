//! The byte-level pieces of the summary layout: shortest varints, NFC text fields, the enum
//! code tables and the `urn:uuid:` form of the credential id.

use unicode_normalization::UnicodeNormalization;

use super::super::QrError;
use super::MAX_TEXT_BYTES;
use crate::jcs::is_nfc;
use crate::record::{Award, PrimaryYearResult, Promotion, Rating};

pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
}

impl Reader<'_> {
    pub(super) fn take(&mut self, n: usize, field: &'static str) -> Result<&[u8], QrError> {
        let start = self.at;
        let end = start
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(QrError::Truncated { field, at: start })?;
        self.at = end;
        Ok(&self.bytes[start..end])
    }

    pub(super) fn byte(&mut self, field: &'static str) -> Result<u8, QrError> {
        Ok(self.take(1, field)?[0])
    }

    pub(super) fn array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], QrError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    pub(super) fn varint(&mut self, field: &'static str) -> Result<u64, QrError> {
        let start = self.at;
        let bad = QrError::BadVarint { field, at: start };
        let mut value = 0u64;
        for i in 0..10 {
            let b = self.byte(field)?;
            let part = u64::from(b & 0x7f);
            if i == 9 && b > 1 {
                return Err(bad);
            }
            value |= part << (7 * i);
            if b & 0x80 == 0 {
                // Shortest form: a last byte of 0 is only allowed for the value 0 itself.
                if b == 0 && i > 0 {
                    return Err(bad);
                }
                return Ok(value);
            }
        }
        Err(bad)
    }

    pub(super) fn text(&mut self, field: &'static str) -> Result<String, QrError> {
        let len = self.varint(field)?;
        let len = usize::try_from(len)
            .ok()
            .filter(|&l| l <= MAX_TEXT_BYTES)
            .ok_or_else(|| QrError::BadText {
                field,
                problem: format!("{len} bytes is longer than the {MAX_TEXT_BYTES}-byte limit"),
            })?;
        let bytes = self.take(len, field)?;
        let text = std::str::from_utf8(bytes).map_err(|e| QrError::BadText {
            field,
            problem: format!("not UTF-8: {e}"),
        })?;
        if !is_nfc(text) {
            return Err(QrError::BadText {
                field,
                problem: "not in Unicode NFC".into(),
            });
        }
        Ok(text.to_owned())
    }
}

pub(super) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

pub(super) fn put_text(out: &mut Vec<u8>, field: &'static str, text: &str) -> Result<(), QrError> {
    let text: String = text.nfc().collect();
    if text.len() > MAX_TEXT_BYTES {
        return Err(QrError::BadText {
            field,
            problem: format!(
                "{} bytes is longer than the {MAX_TEXT_BYTES}-byte limit",
                text.len()
            ),
        });
    }
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

pub(super) fn decode_enum<T>(
    code: u8,
    field: &'static str,
    of: fn(u8) -> Option<T>,
) -> Result<T, QrError> {
    of(code).ok_or(QrError::BadValue {
        field,
        value: u64::from(code),
    })
}

pub(super) const RATINGS: [Rating; 6] = [
    Rating::T,
    Rating::H,
    Rating::C,
    Rating::K,
    Rating::D,
    Rating::Cd,
];
pub(super) const YEAR_RESULTS: [PrimaryYearResult; 4] = [
    PrimaryYearResult::Outstanding,
    PrimaryYearResult::Good,
    PrimaryYearResult::Completed,
    PrimaryYearResult::NotCompleted,
];
pub(super) const PROMOTIONS: [Promotion; 6] = [
    Promotion::Promoted,
    Promotion::SummerTraining,
    Promotion::Retest,
    Promotion::Retained,
    Promotion::CompletedGrade,
    Promotion::CompletedUpperSecondary,
];
pub(super) const AWARDS: [Award; 3] = [Award::Outstanding, Award::Exemplary, Award::Excellent];

pub(super) fn code_in<T: PartialEq>(table: &[T], value: T) -> u8 {
    // Every variant is in its table, so the position exists; tables have at most 6 entries.
    table
        .iter()
        .position(|v| *v == value)
        .map_or(0, |i| i as u8 + 1)
}

pub(super) fn of_code<T: Copy>(table: &[T], code: u8) -> Option<T> {
    table.get(usize::from(code).checked_sub(1)?).copied()
}

pub(super) fn rating_code(r: Rating) -> u8 {
    code_in(&RATINGS, r)
}
pub(super) fn rating_of(c: u8) -> Option<Rating> {
    of_code(&RATINGS, c)
}
pub(super) fn year_result_code(r: PrimaryYearResult) -> u8 {
    code_in(&YEAR_RESULTS, r)
}
pub(super) fn year_result_of(c: u8) -> Option<PrimaryYearResult> {
    of_code(&YEAR_RESULTS, c)
}
pub(super) fn promotion_code(p: Promotion) -> u8 {
    code_in(&PROMOTIONS, p)
}
pub(super) fn promotion_of(c: u8) -> Option<Promotion> {
    of_code(&PROMOTIONS, c)
}
pub(super) fn award_code(a: Award) -> u8 {
    code_in(&AWARDS, a)
}
pub(super) fn award_of(c: u8) -> Option<Award> {
    of_code(&AWARDS, c)
}

/// The 16 bytes of `urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex in either case).
pub fn parse_urn_uuid(id: &str) -> Option<[u8; 16]> {
    let hex = id.strip_prefix("urn:uuid:")?;
    let b = hex.as_bytes();
    if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
        return None;
    }
    let digits: Vec<u8> = b.iter().copied().filter(|&c| c != b'-').collect();
    if digits.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in digits.chunks(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Some(out)
}

/// `urn:uuid:` + the UUID in lower-case hex with hyphens.
pub fn format_urn_uuid(id: &[u8; 16]) -> String {
    let mut s = String::from("urn:uuid:");
    for (i, b) in id.iter().enumerate() {
        if [4, 6, 8, 10].contains(&i) {
            s.push('-');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_round_trip() {
        let urn = "urn:uuid:0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
        let bytes = parse_urn_uuid(urn).unwrap();
        assert_eq!(format_urn_uuid(&bytes), urn);
        assert!(parse_urn_uuid("urn:uuid:0f8e2c1a3b4d-4e5f-8a9b-0c1d2e3f4a5b-").is_none());
        assert!(parse_urn_uuid("urn:uuid:0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5g").is_none());
        assert!(parse_urn_uuid("urn:uuid:ể8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a").is_none());
    }

    #[test]
    fn promotion_codes_keep_their_numbers() {
        // The first four are in summaries printed before issue #12; new codes are appended.
        let expected = [
            (Promotion::Promoted, 1),
            (Promotion::SummerTraining, 2),
            (Promotion::Retest, 3),
            (Promotion::Retained, 4),
            (Promotion::CompletedGrade, 5),
            (Promotion::CompletedUpperSecondary, 6),
        ];
        for (p, code) in expected {
            assert_eq!(promotion_code(p), code, "{p:?}");
            assert_eq!(promotion_of(code), Some(p));
        }
        assert_eq!(promotion_of(7), None);
    }

    #[test]
    fn varints_are_shortest() {
        for v in [0u64, 1, 127, 128, 300, 1 << 35, u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            let mut r = Reader { bytes: &out, at: 0 };
            assert_eq!(r.varint("x").unwrap(), v);
            assert_eq!(r.at, out.len());
        }
        for bad in [&[0x80u8, 0x00][..], &[0xff; 10][..], &[0x80][..]] {
            let mut r = Reader { bytes: bad, at: 0 };
            assert!(r.varint("x").is_err(), "{bad:?}");
        }
    }
}
