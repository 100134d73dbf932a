//! The record of one pupil's school year (học bạ of one year): who the pupil is, which school
//! keeps the record, the class, who signs, and the year's results, for primary (grades 1–5,
//! Circular 27/2020/TT-BGDĐT) and secondary (grades 6–12, Circular 22/2021/TT-BGDĐT).
//!
//! JSON field names are camelCase English; each field's doc gives the Vietnamese term. Codes are
//! written as the Ministry writes them (`T`, `H`, `C`, `K`, `Đ`, `CĐ`); other closed vocabularies
//! use ASCII snake_case codes spelled after the Vietnamese term (`len_lop`, `hoan_thanh_tot`,
//! `hoc_sinh_gioi`, `toan`).
//!
//! The level-specific results sit in one of two optional blocks, `primary` or `secondary`;
//! validation requires exactly the one that matches the grade. Every struct refuses unknown
//! fields. The types can hold values the rules forbid (a score of 11, a rating from another
//! level's set) so that [`crate::validation`] can report every problem at once; a record is
//! only fit to sign when validation reports no error.
//!
//! ```text
//! YearRecord
//! ├─ student        Student (identity)
//! ├─ school         School (code, name, Department, province, commune, levels)
//! ├─ schoolYear, grade, className, homeroomTeacher, principal, placeOfIssue, approvalDate?
//! ├─ daysAbsent, teacherComment, studyHistory[] (Quá trình học tập)
//! ├─ primary?       PrimaryYear   (subjects, qualities, competencies, yearResult, promotion, …)
//! └─ secondary?     SecondaryYear (subjects, learningResult, conductResult, promotion, …,
//!                   summer? — the results after the summer, Circular 22 Art. 13–14)
//! ```

mod marks;
mod outcome;
mod primary;
mod rating;
mod school;
mod secondary;
mod serde_util;
mod student;
mod subject;
mod summer;

pub use marks::{Average, TestScore, format_tenths};
pub use outcome::{Award, Promotion};
pub use primary::{
    Competencies, PeriodicTest, PrimarySubjectResult, PrimaryYear, PrimaryYearResult, Qualities,
    TestScores,
};
pub use rating::{Rating, RatingScale};
pub use school::{School, SchoolLevel, Signatory};
pub use secondary::{SecondarySubjectResult, SecondaryYear, Term, TermRatings};
pub use student::{Gender, Student, parse_date};
pub use summer::{ReassessedSubject, SummerDecision, SummerResults};
// `StudyPeriod` is defined below, with the record it belongs to.
pub use subject::Subject;

use serde::{Deserialize, Serialize};
use serde_util::present;

/// The `type` a record has inside a credential (`credentialSubject.type`).
pub const RECORD_TYPE: &str = crate::credential::SUBJECT_TYPE;

/// One pupil's record for one school year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct YearRecord {
    /// `HocBaYearRecord` when the record is read back from a credential's `credentialSubject`;
    /// absent in a record submitted for issuing.
    #[serde(
        rename = "type",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub record_type: Option<String>,
    /// Thông tin học sinh — the pupil.
    pub student: Student,
    /// Nhà trường — the school.
    pub school: School,
    /// Năm học — school year, `YYYY-YYYY` with consecutive years, e.g. `2025-2026`.
    pub school_year: String,
    /// Lớp (khối) — grade, 1–12.
    pub grade: u8,
    /// Tên lớp — class, e.g. `5A`, `11A2`.
    pub class_name: String,
    /// Giáo viên chủ nhiệm — homeroom teacher's full name.
    pub homeroom_teacher: String,
    /// Hiệu trưởng — the principal who approves, or the vice-principal who signs, with title.
    pub principal: Signatory,
    /// Nơi cấp — place written before the date on the signature line, e.g. `Hòa Bình`.
    pub place_of_issue: String,
    /// Ngày xác nhận — date of the principal's confirmation, `YYYY-MM-DD` (optional).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub approval_date: Option<String>,
    /// Số buổi nghỉ — absences in the year, counted as the Circulars count them (buổi, a
    /// morning or afternoon session); promotion allows at most 45.
    pub days_absent: u16,
    /// Kết quả tiểu học — present exactly when the grade is 1–5.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub primary: Option<PrimaryYear>,
    /// Kết quả THCS / THPT — present exactly when the grade is 6–12.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub secondary: Option<SecondaryYear>,
    /// Nhận xét của giáo viên chủ nhiệm — the homeroom teacher's comment on the year.
    pub teacher_comment: String,
    /// Quá trình học tập — the years, classes and schools of the pupil's schooling at this level
    /// as the form's table lists them, oldest first; a transfer during a year is two rows of the
    /// same year (the first with the date the pupil left). Optional.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub study_history: Vec<StudyPeriod>,
}

/// One row of the Quá trình học tập table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StudyPeriod {
    /// Năm học — `YYYY-YYYY`.
    pub school_year: String,
    /// Lớp — class, e.g. `4A`.
    pub class_name: String,
    /// Tên trường — the school, with its commune and province when it is another school.
    pub school_name: String,
    /// Ngày chuyển đi — the date the pupil left this school during the year (a transfer),
    /// `YYYY-MM-DD`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub left_on: Option<String>,
}

/// The level-specific results of a record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LevelResults<'a> {
    /// Grades 1–5.
    Primary(&'a PrimaryYear),
    /// Grades 6–12.
    Secondary(&'a SecondaryYear),
}

impl YearRecord {
    /// The level the grade belongs to (`None` when the grade is outside 1–12).
    pub fn level(&self) -> Option<SchoolLevel> {
        SchoolLevel::of_grade(self.grade)
    }

    /// The results block that matches the grade, if the record has it.
    pub fn results(&self) -> Option<LevelResults<'_>> {
        match self.level()? {
            SchoolLevel::Primary => self.primary.as_ref().map(LevelResults::Primary),
            SchoolLevel::LowerSecondary | SchoolLevel::UpperSecondary => {
                self.secondary.as_ref().map(LevelResults::Secondary)
            }
        }
    }

    /// The first calendar year of the school year (`2025` for `2025-2026`), when well formed.
    pub fn school_year_start(&self) -> Option<i32> {
        parse_school_year(&self.school_year)
    }
}

/// The first year of a `YYYY-YYYY` school year whose years are consecutive.
pub fn parse_school_year(text: &str) -> Option<i32> {
    let (first, second) = text.split_once('-')?;
    let four_digits = |s: &str| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit());
    if !four_digits(first) || !four_digits(second) {
        return None;
    }
    let first: i32 = first.parse().ok()?;
    let second: i32 = second.parse().ok()?;
    (second == first + 1).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_years_are_consecutive() {
        assert_eq!(parse_school_year("2025-2026"), Some(2025));
        assert_eq!(parse_school_year("2025-2027"), None);
        assert_eq!(parse_school_year("2025/2026"), None);
        assert_eq!(parse_school_year("25-26"), None);
        assert_eq!(parse_school_year("2025-2026 "), None);
    }
}
