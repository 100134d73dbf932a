//! The school (nhà trường) and the people who sign for it.

use serde::{Deserialize, Serialize};

/// The school that keeps and issues the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct School {
    /// Mã trường — the school's code in the Ministry's education database; the trust list and
    /// the issuer's key registration use the same code.
    pub code: String,
    /// Tên trường — school name, e.g. `Trường Tiểu học Kim Đồng`.
    pub name: String,
    /// Mã Sở GD&ĐT — code of the provincial Department of Education and Training.
    pub department_code: String,
    /// Tỉnh / thành phố — province or centrally governed city (after the 2025 mergers).
    pub province: String,
    /// Xã / phường / đặc khu — commune, ward or special zone (the second level after 2025).
    pub commune: String,
    /// Cấp học — the levels the school teaches: one for most schools, several for a
    /// multi-level school (trường liên cấp, e.g. Tiểu học và THCS).
    pub levels: Vec<SchoolLevel>,
}

/// Cấp học — level of general education.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SchoolLevel {
    /// `tieu_hoc` — Tiểu học, primary (grades 1–5, Circular 27/2020).
    #[serde(rename = "tieu_hoc")]
    Primary,
    /// `thcs` — Trung học cơ sở, lower secondary (grades 6–9, Circular 22/2021).
    #[serde(rename = "thcs")]
    LowerSecondary,
    /// `thpt` — Trung học phổ thông, upper secondary (grades 10–12, Circular 22/2021).
    #[serde(rename = "thpt")]
    UpperSecondary,
}

impl SchoolLevel {
    /// The level a grade belongs to (`None` outside 1–12).
    pub fn of_grade(grade: u8) -> Option<Self> {
        match grade {
            1..=5 => Some(SchoolLevel::Primary),
            6..=9 => Some(SchoolLevel::LowerSecondary),
            10..=12 => Some(SchoolLevel::UpperSecondary),
            _ => None,
        }
    }

    /// The JSON code (`tieu_hoc`, `thcs`, `thpt`).
    pub fn code(self) -> &'static str {
        match self {
            SchoolLevel::Primary => "tieu_hoc",
            SchoolLevel::LowerSecondary => "thcs",
            SchoolLevel::UpperSecondary => "thpt",
        }
    }

    /// The Vietnamese name of the level.
    pub fn label_vi(self) -> &'static str {
        match self {
            SchoolLevel::Primary => "Tiểu học",
            SchoolLevel::LowerSecondary => "Trung học cơ sở",
            SchoolLevel::UpperSecondary => "Trung học phổ thông",
        }
    }

    /// The English name of the level.
    pub fn label_en(self) -> &'static str {
        match self {
            SchoolLevel::Primary => "primary",
            SchoolLevel::LowerSecondary => "lower secondary",
            SchoolLevel::UpperSecondary => "upper secondary",
        }
    }
}

/// A person who signs: the principal (hiệu trưởng) or the vice-principal who signs on the
/// principal's behalf, with the title as written under the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Signatory {
    /// Họ và tên — full name.
    pub name: String,
    /// Chức vụ — title, e.g. `Hiệu trưởng`, `Phó Hiệu trưởng`.
    pub title: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_map_to_levels() {
        assert_eq!(SchoolLevel::of_grade(0), None);
        assert_eq!(SchoolLevel::of_grade(1), Some(SchoolLevel::Primary));
        assert_eq!(SchoolLevel::of_grade(5), Some(SchoolLevel::Primary));
        assert_eq!(SchoolLevel::of_grade(6), Some(SchoolLevel::LowerSecondary));
        assert_eq!(SchoolLevel::of_grade(9), Some(SchoolLevel::LowerSecondary));
        assert_eq!(SchoolLevel::of_grade(10), Some(SchoolLevel::UpperSecondary));
        assert_eq!(SchoolLevel::of_grade(12), Some(SchoolLevel::UpperSecondary));
        assert_eq!(SchoolLevel::of_grade(13), None);
    }
}
