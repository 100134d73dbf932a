//! Lên lớp — the year-end promotion decision.
//!
//! Secondary (Circular 22/2021, Articles 12–13): promoted when the year's conduct and learning
//! results are at least Đạt and absences are at most 45 (buổi). Otherwise the pupil is not
//! promoted yet: conduct CĐ leads to rèn luyện trong hè, learning CĐ to kiểm tra lại, and either
//! may end in ở lại lớp; more than 45 absences means ở lại lớp. Which of these the school
//! recorded depends on what happened after the year closed, so the rule returns every outcome it
//! allows and validation warns only when the school's value is not among them.
//!
//! Primary (Circular 27/2020): a pupil whose year result is Hoàn thành or better completes the
//! grade's programme and is promoted; Chưa hoàn thành means ở lại lớp (after the extra support
//! and re-assessment the circular requires, the school records the final result).

use crate::record::{PrimaryYearResult, Promotion, Rating};

use super::learning_result::is_at_least_pass;

/// The outcomes the secondary rules allow, the usual one first.
pub fn secondary_promotion(
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

/// The outcomes the primary rules allow.
pub fn primary_promotion(year_result: PrimaryYearResult) -> &'static [Promotion] {
    if year_result.is_completed() {
        &[Promotion::Promoted]
    } else {
        &[Promotion::Retained]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secondary_boundaries() {
        assert_eq!(
            secondary_promotion(Rating::D, Rating::D, 45, 45),
            &[Promotion::Promoted]
        );
        assert_eq!(
            secondary_promotion(Rating::T, Rating::T, 46, 45),
            &[Promotion::Retained]
        );
        assert_eq!(
            secondary_promotion(Rating::Cd, Rating::T, 0, 45),
            &[Promotion::Retest, Promotion::Retained]
        );
        assert_eq!(
            secondary_promotion(Rating::K, Rating::Cd, 0, 45),
            &[Promotion::SummerTraining, Promotion::Retained]
        );
        assert!(secondary_promotion(Rating::Cd, Rating::Cd, 0, 45).contains(&Promotion::Retained));
        assert!(!secondary_promotion(Rating::Cd, Rating::Cd, 0, 45).contains(&Promotion::Promoted));
    }

    #[test]
    fn primary() {
        assert_eq!(
            primary_promotion(PrimaryYearResult::Completed),
            &[Promotion::Promoted]
        );
        assert_eq!(
            primary_promotion(PrimaryYearResult::NotCompleted),
            &[Promotion::Retained]
        );
    }
}
