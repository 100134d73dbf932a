//! An admission scheme: which terms count, the subject combinations and their weights,
//! rounding, the conditions a candidate must meet, priority points and the bonus cap.
//!
//! A [`Scheme`] is only made by [`Scheme::from_toml`] (see [`super::scheme_file`]), which
//! checks it against its own rules: every subject code is a scored grade 10–12 subject, every
//! combination meets the scheme's Toán/Ngữ văn share, the priority and bonus fit the scale.
//! The format is documented in `schema/docs/admissions.md`.

use std::collections::BTreeMap;

use serde::Serialize;

/// Which result of a grade counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Học kì I: the subject's `semester1Average`.
    Semester1,
    /// Học kì II: `semester2Average`.
    Semester2,
    /// Cả năm: `yearAverage`.
    Year,
}

impl Period {
    /// The code used in scheme files and answers.
    pub fn code(self) -> &'static str {
        match self {
            Period::Semester1 => "semester1",
            Period::Semester2 => "semester2",
            Period::Year => "year",
        }
    }

    /// Vietnamese label (`HK I`, `HK II`, `Cả năm`).
    pub fn label_vi(self) -> &'static str {
        match self {
            Period::Semester1 => "HK I",
            Period::Semester2 => "HK II",
            Period::Year => "Cả năm",
        }
    }

    /// Read a scheme file's code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "semester1" => Some(Period::Semester1),
            "semester2" => Some(Period::Semester2),
            "year" => Some(Period::Year),
            _ => None,
        }
    }
}

/// One term that counts: a grade and a period of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Term {
    /// Grade 10–12.
    pub grade: u8,
    /// Which result of that grade.
    pub period: Period,
}

/// A subject of a combination with its weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedSubject {
    /// Subject code of the record (`toan`, `vat_li`, `ngoai_ngu_1`, …).
    pub code: String,
    /// Its name as the scheme writes it (e.g. `Tiếng Anh` for `ngoai_ngu_1`).
    pub name: String,
    /// Its weight (hệ số), > 0.
    pub weight: f64,
}

/// A subject combination (tổ hợp xét tuyển).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Combination {
    /// Its code (`A00`, `D01`, …).
    pub code: String,
    /// Its subjects in words (`Toán, Vật lí, Hóa học`).
    pub name: String,
    /// The subjects and weights, in the scheme's order.
    pub subjects: Vec<WeightedSubject>,
}

impl Combination {
    /// Sum of the weights.
    pub fn total_weight(&self) -> f64 {
        self.subjects.iter().map(|s| s.weight).sum()
    }
}

/// Decimal places kept when rounding (half away from zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rounding {
    /// Each subject's average over the terms.
    pub subject: u8,
    /// The combination score, priority and total.
    pub total: u8,
}

/// A share of the combination's weight, as a fraction (`1/3`, `1/4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Share {
    /// Numerator.
    pub numerator: u32,
    /// Denominator (> 0).
    pub denominator: u32,
}

impl Share {
    /// Whether `part / whole` is at least this share (compared without dividing).
    pub fn met_by(self, part: f64, whole: f64) -> bool {
        part * f64::from(self.denominator) + 1e-9 >= whole * f64::from(self.numerator)
    }
}

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

/// The conditions a candidate, and each combination, must meet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conditions {
    /// Subjects of which one must carry at least [`Conditions::core_share`] of a combination's
    /// weight (Toán, Ngữ văn).
    pub core_subjects: Vec<String>,
    /// That share.
    pub core_share: Option<Share>,
    /// Fewest subjects in a combination.
    pub min_subjects: usize,
    /// Lowest conduct (rèn luyện) rating of the year in each grade used: `T` or `K` (`Đ`
    /// accepts anything but `CĐ`).
    pub min_conduct: Option<String>,
    /// The grade-12 record must say `hoan_thanh_chuong_trinh_thpt`.
    pub require_completion: bool,
}

/// Priority points (điểm ưu tiên).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Priority {
    /// By area (`KV1`, `KV2-NT`, `KV2`, `KV3`), on the scheme's scale.
    pub areas: BTreeMap<String, f64>,
    /// By policy group (`UT1`, `UT2`).
    pub groups: BTreeMap<String, f64>,
    /// Most priority points in all (area + group).
    pub cap: Option<f64>,
    /// From this total on (on the scheme's scale), priority = (max − total) / (max −
    /// `reduce_from`) × the nominal priority.
    pub reduce_from: Option<f64>,
}

/// An admission scheme.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scheme {
    /// Short name (`thong-tu-06-2025-ca-nam-lop-12`), how the API and page pick it.
    pub name: String,
    /// Title in Vietnamese.
    pub title: String,
    /// Title in English.
    pub title_en: String,
    /// Where its rules come from (a circular and article), as written.
    pub basis: String,
    /// The terms that count, in order.
    pub terms: Vec<Term>,
    /// Highest total (30 on the 30-point scale).
    pub scale_max: f64,
    /// Most bonus points (điểm cộng).
    pub bonus_cap: f64,
    /// Rounding.
    pub rounding: Rounding,
    /// Conditions.
    pub conditions: Conditions,
    /// Priority points.
    pub priority: Priority,
    /// The combinations, in the scheme's order.
    pub combinations: Vec<Combination>,
}

impl Scheme {
    /// The grades the scheme's terms use, ascending, each once.
    pub fn grades(&self) -> Vec<u8> {
        let mut grades: Vec<u8> = self.terms.iter().map(|t| t.grade).collect();
        grades.sort_unstable();
        grades.dedup();
        grades
    }

    /// A combination by code.
    pub fn combination(&self, code: &str) -> Option<&Combination> {
        self.combinations.iter().find(|c| c.code == code)
    }
}

/// Round `x` to `decimals` places, half away from zero. A small tolerance absorbs binary
/// floating point (8.125 stored as 8.12499… still rounds to 8.13), which is how the averages
/// on paper are rounded.
pub fn round(x: f64, decimals: u8) -> f64 {
    let factor = 10f64.powi(i32::from(decimals));
    let scaled = x * factor;
    let rounded = (scaled.abs() + 0.5 + 1e-7).floor();
    rounded.copysign(scaled) / factor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round(8.125, 2), 8.13);
        assert_eq!(round(8.124, 2), 8.12);
        assert_eq!(round(26.666_666, 2), 26.67);
        assert_eq!(round(9.05, 1), 9.1);
        assert_eq!(round(-1.25, 1), -1.3);
        assert_eq!(round(27.0, 2), 27.0);
    }

    #[test]
    fn shares_compare_without_dividing() {
        let third = Share {
            numerator: 1,
            denominator: 3,
        };
        assert!(third.met_by(1.0, 3.0));
        assert!(!third.met_by(1.0, 4.0));
        assert!(third.met_by(2.0, 4.0));
    }
}
