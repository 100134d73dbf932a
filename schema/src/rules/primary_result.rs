//! Đánh giá kết quả giáo dục — a primary pupil's year result (Circular 27/2020/TT-BGDĐT,
//! Article 9, as read by the project):
//!
//! * **Hoàn thành xuất sắc**: every subject Hoàn thành tốt (T); every quality and competency Tốt
//!   (T); every year-end test score ≥ 9.
//! * **Hoàn thành tốt**: not the above, but every subject T, every quality and competency T, every
//!   year-end test score ≥ 7 (unconfirmed threshold).
//! * **Hoàn thành**: not the above, but every subject T or H, every quality and competency T or Đ,
//!   every year-end test score ≥ 5 (unconfirmed threshold).
//! * **Chưa hoàn thành**: otherwise.
//!
//! The three score thresholds come from [`Thresholds`]. Exempt subjects are left out by the
//! caller.

use crate::record::{PrimaryYearResult, Rating};

use super::Thresholds;

/// What the year result is computed from.
#[derive(Debug, Clone, Copy)]
pub struct PrimaryEvidence<'a> {
    /// The year rating of every (non-exempt) subject and activity: T / H / C.
    pub subject_ratings: &'a [Rating],
    /// The rating of every quality and competency: T / Đ / C.
    pub quality_ratings: &'a [Rating],
    /// The year-end test score of every tested subject.
    pub end_year_scores: &'a [u8],
}

/// The year result the rules give.
pub fn primary_year_result(
    evidence: PrimaryEvidence<'_>,
    thresholds: &Thresholds,
) -> PrimaryYearResult {
    let subjects_all_t = evidence.subject_ratings.iter().all(|&r| r == Rating::T);
    let qualities_all_t = evidence.quality_ratings.iter().all(|&r| r == Rating::T);
    let scores_at_least = |min: u8| evidence.end_year_scores.iter().all(|&s| s >= min);

    if subjects_all_t
        && qualities_all_t
        && scores_at_least(thresholds.primary_outstanding_min_score)
    {
        PrimaryYearResult::Outstanding
    } else if subjects_all_t
        && qualities_all_t
        && scores_at_least(thresholds.primary_good_min_score)
    {
        PrimaryYearResult::Good
    } else if evidence
        .subject_ratings
        .iter()
        .all(|&r| matches!(r, Rating::T | Rating::H))
        && evidence
            .quality_ratings
            .iter()
            .all(|&r| matches!(r, Rating::T | Rating::D))
        && scores_at_least(thresholds.primary_completed_min_score)
    {
        PrimaryYearResult::Completed
    } else {
        PrimaryYearResult::NotCompleted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(subjects: &[Rating], qualities: &[Rating], scores: &[u8]) -> PrimaryYearResult {
        primary_year_result(
            PrimaryEvidence {
                subject_ratings: subjects,
                quality_ratings: qualities,
                end_year_scores: scores,
            },
            &Thresholds::default(),
        )
    }

    const T8: [Rating; 8] = [Rating::T; 8];
    const T15: [Rating; 15] = [Rating::T; 15];

    #[test]
    fn outstanding_and_good_boundaries() {
        assert_eq!(result(&T8, &T15, &[9, 10]), PrimaryYearResult::Outstanding);
        assert_eq!(result(&T8, &T15, &[8, 10]), PrimaryYearResult::Good);
        assert_eq!(result(&T8, &T15, &[7, 7]), PrimaryYearResult::Good);
        assert_eq!(result(&T8, &T15, &[6, 10]), PrimaryYearResult::Completed);
        let mut one_h = T8;
        one_h[3] = Rating::H;
        assert_eq!(
            result(&one_h, &T15, &[10, 10]),
            PrimaryYearResult::Completed
        );
        let mut one_d = T15;
        one_d[0] = Rating::D;
        assert_eq!(result(&T8, &one_d, &[10, 10]), PrimaryYearResult::Completed);
    }

    #[test]
    fn completed_boundaries() {
        assert_eq!(result(&T8, &T15, &[5, 5]), PrimaryYearResult::Completed);
        assert_eq!(result(&T8, &T15, &[4, 10]), PrimaryYearResult::NotCompleted);
        let mut one_c = T8;
        one_c[0] = Rating::C;
        assert_eq!(
            result(&one_c, &T15, &[10, 10]),
            PrimaryYearResult::NotCompleted
        );
        let mut needs_effort = T15;
        needs_effort[14] = Rating::C;
        assert_eq!(
            result(&T8, &needs_effort, &[10, 10]),
            PrimaryYearResult::NotCompleted
        );
    }

    #[test]
    fn thresholds_are_configurable() {
        let lenient = Thresholds {
            primary_good_min_score: 6,
            ..Thresholds::default()
        };
        let r = primary_year_result(
            PrimaryEvidence {
                subject_ratings: &T8,
                quality_ratings: &T15,
                end_year_scores: &[6, 10],
            },
            &lenient,
        );
        assert_eq!(r, PrimaryYearResult::Good);
    }
}
