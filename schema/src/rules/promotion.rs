//! Lên lớp — the year-end promotion decision.
//!
//! Secondary (Circular 22/2021, Articles 12–13): promoted when the year's conduct and learning
//! results are at least Đạt and absences are at most 45 (buổi). Otherwise the pupil is not
//! promoted yet: conduct CĐ leads to rèn luyện trong hè, learning CĐ to kiểm tra lại, and either
//! may end in ở lại lớp; more than 45 absences means ở lại lớp. Which of these the school
//! recorded depends on what happened after the year closed, so the rule returns every outcome it
//! allows and validation warns only when the school's value is not among them.
//!
//! In grade 12 the same conditions give hoàn thành chương trình THPT (Article 12(1)) instead of
//! lên lớp.
//!
//! Primary (Circular 27/2020, Article 11): a pupil whose year result is Hoàn thành or better
//! completes the grade's programme — "hoàn thành chương trình lớp học" in grades 1–4; in grade 5
//! the record says lên lớp and confirms completion of the primary programme separately. A pupil
//! still rated Chưa hoàn thành after the extra support goes up or repeats the grade as the
//! principal decides, so in grades 1–4 both are valid. In grade 5 a Chưa hoàn thành pupil repeats
//! the grade: lower secondary admits pupils who completed the primary programme.

use crate::record::{PrimaryYearResult, Promotion, Rating};

use super::learning_result::is_at_least_pass;

/// The last grade of upper secondary.
pub const LAST_GRADE: u8 = 12;

/// The outcomes the secondary rules allow in `grade`, the usual one first.
pub fn secondary_promotion(
    grade: u8,
    learning_year: Rating,
    conduct_year: Rating,
    days_absent: u16,
    max_absences: u16,
) -> &'static [Promotion] {
    if days_absent > max_absences {
        return &[Promotion::Retained];
    }
    match (
        is_at_least_pass(learning_year),
        is_at_least_pass(conduct_year),
    ) {
        (true, true) if grade == LAST_GRADE => &[Promotion::CompletedUpperSecondary],
        (true, true) => &[Promotion::Promoted],
        (false, true) => &[Promotion::Retest, Promotion::Retained],
        (true, false) => &[Promotion::SummerTraining, Promotion::Retained],
        (false, false) => &[
            Promotion::Retained,
            Promotion::Retest,
            Promotion::SummerTraining,
        ],
    }
}

/// The outcomes the primary rules allow in `grade`, the usual one first.
pub fn primary_promotion(grade: u8, year_result: PrimaryYearResult) -> &'static [Promotion] {
    match (grade < 5, year_result.is_completed()) {
        (true, true) => &[Promotion::CompletedGrade],
        (true, false) => &[Promotion::Retained, Promotion::Promoted],
        (false, true) => &[Promotion::Promoted],
        (false, false) => &[Promotion::Retained],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secondary_boundaries() {
        assert_eq!(
            secondary_promotion(8, Rating::D, Rating::D, 45, 45),
            &[Promotion::Promoted]
        );
        assert_eq!(
            secondary_promotion(8, Rating::T, Rating::T, 46, 45),
            &[Promotion::Retained]
        );
        assert_eq!(
            secondary_promotion(8, Rating::Cd, Rating::T, 0, 45),
            &[Promotion::Retest, Promotion::Retained]
        );
        assert_eq!(
            secondary_promotion(8, Rating::K, Rating::Cd, 0, 45),
            &[Promotion::SummerTraining, Promotion::Retained]
        );
        let both = secondary_promotion(8, Rating::Cd, Rating::Cd, 0, 45);
        assert!(both.contains(&Promotion::Retained));
        assert!(!both.contains(&Promotion::Promoted));
    }

    #[test]
    fn grade_twelve_completes_the_programme() {
        assert_eq!(
            secondary_promotion(12, Rating::D, Rating::D, 45, 45),
            &[Promotion::CompletedUpperSecondary]
        );
        assert_eq!(
            secondary_promotion(11, Rating::D, Rating::D, 45, 45),
            &[Promotion::Promoted]
        );
        assert_eq!(
            secondary_promotion(12, Rating::T, Rating::T, 46, 45),
            &[Promotion::Retained]
        );
        assert_eq!(
            secondary_promotion(12, Rating::Cd, Rating::T, 0, 45),
            &[Promotion::Retest, Promotion::Retained]
        );
    }

    #[test]
    fn primary() {
        use PrimaryYearResult::{Completed, NotCompleted, Outstanding};
        // Grades 1–4: completion of the grade; the principal decides for Chưa hoàn thành.
        assert_eq!(
            primary_promotion(3, Completed),
            &[Promotion::CompletedGrade]
        );
        assert_eq!(
            primary_promotion(1, Outstanding),
            &[Promotion::CompletedGrade]
        );
        assert_eq!(
            primary_promotion(4, NotCompleted),
            &[Promotion::Retained, Promotion::Promoted]
        );
        // Grade 5: lên lớp with completion of the primary programme, else ở lại lớp.
        assert_eq!(primary_promotion(5, Completed), &[Promotion::Promoted]);
        assert_eq!(primary_promotion(5, NotCompleted), &[Promotion::Retained]);
    }
}
