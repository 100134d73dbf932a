//! The Ministry's rules, as pure functions: they derive what a record's results should be from
//! its marks, so that validation can compare them with what the school wrote.
//!
//! * [`curriculum`] — which subjects each grade allows or requires and how each is assessed.
//! * [`year_average`] — ĐTBmcn = (ĐTBmhk I + 2 × ĐTBmhk II) / 3, one decimal (Circular 22,
//!   Article 9(1)).
//! * [`learning_result`] — kết quả học tập T / K / Đ / CĐ (Circular 22, Article 9(2)), with the
//!   adjustment to the adjacent level of Article 9(3).
//! * [`conduct`] — kết quả rèn luyện cả năm from the two semesters (Circular 22, Article 8(2)(b)).
//! * [`promotion`] — lên lớp, rèn luyện trong hè, kiểm tra lại, ở lại lớp; hoàn thành chương
//!   trình lớp học (primary grades 1–4) and chương trình THPT (grade 12).
//! * [`awards`] — Học sinh Giỏi / Xuất sắc (Circular 22), Học sinh Xuất sắc / Tiêu biểu
//!   (Circular 27).
//! * [`primary_result`] — Hoàn thành xuất sắc / tốt / Hoàn thành / Chưa hoàn thành
//!   (Circular 27, Article 9).
//! * [`personal_id`] — what the 12-digit personal identification number says about the pupil.
//! * [`age`] — whether a date of birth fits the grade.
//!
//! Thresholds not confirmed from a primary source live in [`Thresholds`], whose
//! [`Default`] holds the values the project currently believes; a deployment may override them.

pub mod age;
pub mod awards;
pub mod conduct;
pub mod curriculum;
pub mod learning_result;
pub mod personal_id;
pub mod primary_result;
pub mod promotion;
pub mod year_average;

/// Year-end score a primary pupil needs in every tested subject for Hoàn thành xuất sắc
/// (Circular 27, Article 9).
pub const PRIMARY_OUTSTANDING_MIN_SCORE: u8 = 9;
/// Year-end score for Hoàn thành tốt — **unconfirmed**, see [`Thresholds`].
pub const PRIMARY_GOOD_MIN_SCORE: u8 = 7;
/// Year-end score for Hoàn thành — **unconfirmed**, see [`Thresholds`].
pub const PRIMARY_COMPLETED_MIN_SCORE: u8 = 5;
/// Year average (in tenths) a subject needs to count towards Học sinh Xuất sắc —
/// **unconfirmed**, see [`Thresholds`].
pub const SECONDARY_OUTSTANDING_MIN_AVERAGE_TENTHS: u16 = 90;
/// How many subjects need that year average for Học sinh Xuất sắc.
pub const SECONDARY_OUTSTANDING_MIN_SUBJECTS: usize = 6;
/// Most absences (buổi) a pupil may have and still be promoted (Circular 22, Article 12).
pub const MAX_ABSENCES_FOR_PROMOTION: u16 = 45;
/// Weight of semester I in the year average (Circular 22, Article 9(1)).
pub const YEAR_AVERAGE_WEIGHT_SEMESTER1: u16 = 1;
/// Weight of semester II in the year average (Circular 22, Article 9(1)).
pub const YEAR_AVERAGE_WEIGHT_SEMESTER2: u16 = 2;
/// Whether a comment-assessed subject rated CĐ can be the one subject of Article 9(3) —
/// **the text does not settle it**; the project's reading, see [`Thresholds`].
pub const ADJUSTMENT_COUNTS_COMMENT_SUBJECTS: bool = true;

/// The thresholds a deployment may change. [`Thresholds::default`] holds the constants of this
/// module. The ones marked unconfirmed were not found in a primary source (see DOMAIN.md and
/// `schema/docs/record.md`): a mismatch with them is reported as a warning, never an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Primary: year-end score for Hoàn thành xuất sắc (9).
    pub primary_outstanding_min_score: u8,
    /// Primary: year-end score for Hoàn thành tốt (7, unconfirmed).
    pub primary_good_min_score: u8,
    /// Primary: year-end score for Hoàn thành (5, unconfirmed).
    pub primary_completed_min_score: u8,
    /// Secondary: year average in tenths for a subject to count towards Học sinh Xuất sắc
    /// (90, unconfirmed).
    pub secondary_outstanding_min_average_tenths: u16,
    /// Secondary: number of subjects at that average for Học sinh Xuất sắc (6).
    pub secondary_outstanding_min_subjects: usize,
    /// Secondary: most absences for promotion (45).
    pub max_absences_for_promotion: u16,
    /// Secondary: weights of semester I and semester II in the year average (1 and 2,
    /// Article 9(1)).
    pub year_average_weights: year_average::Weights,
    /// Secondary: which subjects the adjustment of Article 9(3) may be for (by default a comment
    /// subject too; unsettled by the text).
    pub learning_adjustment: learning_result::Adjustment,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            primary_outstanding_min_score: PRIMARY_OUTSTANDING_MIN_SCORE,
            primary_good_min_score: PRIMARY_GOOD_MIN_SCORE,
            primary_completed_min_score: PRIMARY_COMPLETED_MIN_SCORE,
            secondary_outstanding_min_average_tenths: SECONDARY_OUTSTANDING_MIN_AVERAGE_TENTHS,
            secondary_outstanding_min_subjects: SECONDARY_OUTSTANDING_MIN_SUBJECTS,
            max_absences_for_promotion: MAX_ABSENCES_FOR_PROMOTION,
            year_average_weights: year_average::Weights {
                semester1: YEAR_AVERAGE_WEIGHT_SEMESTER1,
                semester2: YEAR_AVERAGE_WEIGHT_SEMESTER2,
            },
            learning_adjustment: learning_result::Adjustment {
                comment_subjects: ADJUSTMENT_COUNTS_COMMENT_SUBJECTS,
            },
        }
    }
}
