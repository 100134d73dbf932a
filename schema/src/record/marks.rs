//! Numbers a record carries: primary periodic test scores (điểm kiểm tra định kì, whole numbers
//! 1–10) and secondary subject averages (điểm trung bình môn, 0–10 with at most one decimal).
//!
//! Both keep the number exactly as the JSON wrote it (as an `f64`), so that a score of `7.5` or
//! an average of `8.25` can be read and then reported by validation together with every other
//! problem, instead of stopping the parse. They serialise whole values as JSON integers (`9`, not
//! `9.0`), which is also what JCS produces.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Largest magnitude written as a JSON integer when serialising (2^53 − 1).
const MAX_EXACT: f64 = 9_007_199_254_740_991.0;

fn serialize_number<S: Serializer>(value: f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() <= MAX_EXACT {
        // Exact: a whole f64 below 2^53 converts to i64 without loss.
        serializer.serialize_i64(value as i64)
    } else {
        serializer.serialize_f64(value)
    }
}

/// Number of digits after the decimal point in the shortest text that reads back as `value`
/// (`8.3` → 1, `8.25` → 2, `9` → 0). `None` for NaN and infinities.
fn decimals(value: f64) -> Option<u32> {
    if !value.is_finite() {
        return None;
    }
    // Nearly every mark has at most one decimal: then `value` is the double nearest to k / 10
    // for the whole k nearest to value × 10 (the division rounds correctly), so "k / 10"
    // written with one decimal reads back as `value` and the shortest text has no more
    // digits. Checked without printing (printing was a third of a record's validation).
    if value.abs() < 1e15 {
        let k = (value * 10.0).round();
        if k / 10.0 == value {
            return Some(u32::from(k % 10.0 != 0.0));
        }
    }
    decimals_as_printed(value)
}

/// [`decimals`] by printing: Rust prints the shortest round-trip representation, never in
/// exponent form.
fn decimals_as_printed(value: f64) -> Option<u32> {
    let text = value.to_string();
    Some(match text.split_once('.') {
        Some((_, fraction)) => u32::try_from(fraction.len()).unwrap_or(u32::MAX),
        None => 0,
    })
}

/// A primary periodic test score (điểm kiểm tra định kì): a whole number from 1 to 10 in a valid
/// record. Validation reports anything else (`score-not-integer`, `score-range`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct TestScore(f64);

impl TestScore {
    /// The lowest score a test can give.
    pub const MIN: u8 = 1;
    /// The highest score a test can give.
    pub const MAX: u8 = 10;

    /// A whole-number score.
    pub fn new(points: u8) -> Self {
        Self(f64::from(points))
    }

    /// Any number, as read from JSON (validation decides whether it is acceptable).
    pub fn from_f64(value: f64) -> Self {
        Self(value)
    }

    /// The number as written.
    pub fn value(self) -> f64 {
        self.0
    }

    /// The score as a whole number, when it is one (and fits in `u8`).
    pub fn whole(self) -> Option<u8> {
        if self.0.fract() == 0.0 && (0.0..=255.0).contains(&self.0) {
            // In range and whole: the conversion is exact.
            Some(self.0 as u8)
        } else {
            None
        }
    }

    /// Whether this is a whole number from 1 to 10.
    pub fn is_valid(self) -> bool {
        self.whole()
            .is_some_and(|p| (Self::MIN..=Self::MAX).contains(&p))
    }
}

impl Serialize for TestScore {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_number(self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for TestScore {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        f64::deserialize(deserializer).map(Self)
    }
}

/// A secondary subject average (điểm trung bình môn học kì / cả năm, ĐTBmhk / ĐTBmcn): 0 to 10
/// with at most one decimal in a valid record. Validation reports anything else
/// (`average-range`, `average-decimals`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Average(f64);

impl Average {
    /// As printed on the paper record: one decimal (`8.3`, `10.0`) when the value is a whole
    /// number of tenths, else the number as given.
    pub fn printed(self) -> String {
        match self.tenths() {
            Some(t) => format_tenths(t),
            None => self.value().to_string(),
        }
    }

    /// The highest average, in tenths.
    pub const MAX_TENTHS: u16 = 100;

    /// An average given in tenths of a point (`83` is 8.3).
    pub fn from_tenths(tenths: u16) -> Self {
        // Dividing an exact integer by 10 gives the double nearest to the decimal value.
        Self(f64::from(tenths) / 10.0)
    }

    /// Any number, as read from JSON (validation decides whether it is acceptable).
    pub fn from_f64(value: f64) -> Self {
        Self(value)
    }

    /// The number as written.
    pub fn value(self) -> f64 {
        self.0
    }

    /// Digits after the decimal point as written (`None` for NaN or infinity).
    pub fn decimals(self) -> Option<u32> {
        decimals(self.0)
    }

    /// Whether the average lies in 0–10.
    pub fn in_range(self) -> bool {
        (0.0..=10.0).contains(&self.0)
    }

    /// The average in tenths of a point, when it lies in 0–10 and has at most one decimal.
    pub fn tenths(self) -> Option<u16> {
        if self.in_range() && self.decimals().is_some_and(|d| d <= 1) {
            // 0 ≤ value ≤ 10 with one decimal: value × 10 is within rounding of a whole number.
            Some((self.0 * 10.0).round() as u16)
        } else {
            None
        }
    }
}

impl Serialize for Average {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_number(self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for Average {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        f64::deserialize(deserializer).map(Self)
    }
}

/// Format tenths of a point as the Ministry writes an average: `83` → `8.3`, `90` → `9.0`.
pub fn format_tenths(tenths: u16) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn whole_scores_serialise_as_integers() {
        assert_eq!(serde_json::to_string(&TestScore::new(9)).unwrap(), "9");
        let s: TestScore = serde_json::from_str("10").unwrap();
        assert_eq!(s.whole(), Some(10));
        assert!(s.is_valid());
        let s: TestScore = serde_json::from_str("7.5").unwrap();
        assert_eq!(s.whole(), None);
        assert!(!s.is_valid());
        assert_eq!(serde_json::to_string(&s).unwrap(), "7.5");
        assert!(!TestScore::new(0).is_valid());
        assert!(!TestScore::new(11).is_valid());
        assert!(TestScore::new(1).is_valid());
        assert!(serde_json::from_str::<TestScore>("\"9\"").is_err());
    }

    /// The check without printing agrees with printing, around every mark a record can hold
    /// and elsewhere.
    #[test]
    fn decimals_agree_with_the_printed_text() {
        let mut values: Vec<f64> = Vec::new();
        for k in -2_000..=2_000 {
            let v = f64::from(k) / 100.0;
            values.extend([v, f64::from(k) / 10.0, f64::from(k) / 1000.0]);
            values.extend([v.next_up(), v.next_down()]);
        }
        values.extend([
            0.0,
            -0.0,
            1e-7,
            0.1 + 0.2,
            8.3 * 3.0,
            1e15,
            1e15 + 0.5,
            123_456_789.1,
            9_007_199_254_740_993.0,
            1e300,
            f64::MIN_POSITIVE,
        ]);
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            values.push(f64::from_bits(state));
            values.push((state % 100_000) as f64 / 997.0);
        }
        for v in values {
            let printed = if v.is_finite() {
                decimals_as_printed(v)
            } else {
                None
            };
            assert_eq!(decimals(v), printed, "{v:?}");
        }
    }

    #[test]
    fn averages_count_their_decimals() {
        let a: Average = serde_json::from_str("8.3").unwrap();
        assert_eq!(a.decimals(), Some(1));
        assert_eq!(a.tenths(), Some(83));
        let a: Average = serde_json::from_str("8.25").unwrap();
        assert_eq!(a.decimals(), Some(2));
        assert_eq!(a.tenths(), None);
        let a: Average = serde_json::from_str("9").unwrap();
        assert_eq!(a.tenths(), Some(90));
        assert_eq!(serde_json::to_string(&a).unwrap(), "9");
        let a: Average = serde_json::from_str("10.0").unwrap();
        assert_eq!(a.tenths(), Some(100));
        let a: Average = serde_json::from_str("10.1").unwrap();
        assert_eq!(a.tenths(), None);
        assert!(!a.in_range());
        let a: Average = serde_json::from_str("-0.5").unwrap();
        assert_eq!(a.tenths(), None);
        let a: Average = serde_json::from_str("1e-7").unwrap();
        assert_eq!(a.decimals(), Some(7));
        for t in 0..=100u16 {
            let a = Average::from_tenths(t);
            assert_eq!(a.tenths(), Some(t), "{t}");
            let json = serde_json::to_string(&a).unwrap();
            let back: Average = serde_json::from_str(&json).unwrap();
            assert_eq!(back.tenths(), Some(t));
        }
        assert_eq!(format_tenths(83), "8.3");
        assert_eq!(format_tenths(90), "9.0");
        assert_eq!(format_tenths(100), "10.0");
    }
}
