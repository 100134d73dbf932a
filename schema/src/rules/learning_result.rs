//! Kết quả học tập — a secondary pupil's learning result for a semester or the year
//! (Circular 22/2021/TT-BGDĐT, Article 9):
//!
//! * **T** Tốt: every comment subject Đ; every scored subject ≥ 6.5; at least 6 scored subjects
//!   ≥ 8.0.
//! * **K** Khá: every comment subject Đ; every scored subject ≥ 5.0; at least 6 scored subjects
//!   ≥ 6.5.
//! * **Đ** Đạt: at most one comment subject CĐ; at least 6 scored subjects ≥ 5.0; none below 3.5.
//! * **CĐ** Chưa đạt: otherwise.
//!
//! Marks are in tenths of a point (`65` is 6.5). Exempt subjects are left out by the caller.

use crate::record::Rating;

/// How many scored subjects must reach the level's second threshold.
pub const MIN_SUBJECTS_AT_THRESHOLD: usize = 6;
/// Tốt: every scored subject at least 6.5.
pub const GOOD_FLOOR_TENTHS: u16 = 65;
/// Tốt: six scored subjects at least 8.0.
pub const GOOD_SIX_TENTHS: u16 = 80;
/// Khá: every scored subject at least 5.0.
pub const FAIR_FLOOR_TENTHS: u16 = 50;
/// Khá: six scored subjects at least 6.5.
pub const FAIR_SIX_TENTHS: u16 = 65;
/// Đạt: six scored subjects at least 5.0.
pub const PASS_SIX_TENTHS: u16 = 50;
/// Đạt: no scored subject below 3.5.
pub const PASS_FLOOR_TENTHS: u16 = 35;
/// Đạt: at most this many comment subjects Chưa đạt.
pub const PASS_MAX_COMMENT_FAILS: usize = 1;

/// One subject's result for the period being judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectMark {
    /// A scored subject's average, in tenths.
    Scored(u16),
    /// A comment subject: `true` for Đ (Đạt), `false` for CĐ (Chưa đạt).
    Commented(bool),
}

/// The learning result (T, K, Đ or CĐ) the rules give for these subject results.
pub fn learning_result(marks: &[SubjectMark]) -> Rating {
    let scores: Vec<u16> = marks
        .iter()
        .filter_map(|m| match m {
            SubjectMark::Scored(t) => Some(*t),
            SubjectMark::Commented(_) => None,
        })
        .collect();
    let comment_fails = marks
        .iter()
        .filter(|m| matches!(m, SubjectMark::Commented(false)))
        .count();
    let all_at_least = |floor: u16| scores.iter().all(|&s| s >= floor);
    let count_at_least = |threshold: u16| scores.iter().filter(|&&s| s >= threshold).count();

    if comment_fails == 0
        && all_at_least(GOOD_FLOOR_TENTHS)
        && count_at_least(GOOD_SIX_TENTHS) >= MIN_SUBJECTS_AT_THRESHOLD
    {
        Rating::T
    } else if comment_fails == 0
        && all_at_least(FAIR_FLOOR_TENTHS)
        && count_at_least(FAIR_SIX_TENTHS) >= MIN_SUBJECTS_AT_THRESHOLD
    {
        Rating::K
    } else if comment_fails <= PASS_MAX_COMMENT_FAILS
        && count_at_least(PASS_SIX_TENTHS) >= MIN_SUBJECTS_AT_THRESHOLD
        && all_at_least(PASS_FLOOR_TENTHS)
    {
        Rating::D
    } else {
        Rating::Cd
    }
}

/// Whether a secondary learning or conduct result lets a pupil be promoted (T, K or Đ).
pub fn is_at_least_pass(result: Rating) -> bool {
    matches!(result, Rating::T | Rating::K | Rating::D)
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubjectMark::{Commented, Scored};

    /// Eight scored subjects with the given averages and five comment subjects passed.
    fn lower_secondary(scores: [u16; 8]) -> Vec<SubjectMark> {
        let mut marks: Vec<SubjectMark> = scores.into_iter().map(Scored).collect();
        marks.extend([Commented(true); 5]);
        marks
    }

    #[test]
    fn good_boundaries() {
        // Six at exactly 8.0, the rest at exactly 6.5.
        let m = lower_secondary([80, 80, 80, 80, 80, 80, 65, 65]);
        assert_eq!(learning_result(&m), Rating::T);
        // One at 6.4 drops to Khá.
        let m = lower_secondary([80, 80, 80, 80, 80, 80, 65, 64]);
        assert_eq!(learning_result(&m), Rating::K);
        // Only five at 8.0 (one at 7.9) drops to Khá.
        let m = lower_secondary([80, 80, 80, 80, 80, 79, 65, 65]);
        assert_eq!(learning_result(&m), Rating::K);
        // A comment subject CĐ: not Tốt nor Khá.
        let mut m = lower_secondary([90; 8]);
        m[8] = Commented(false);
        assert_eq!(learning_result(&m), Rating::D);
    }

    #[test]
    fn fair_boundaries() {
        let m = lower_secondary([65, 65, 65, 65, 65, 65, 50, 50]);
        assert_eq!(learning_result(&m), Rating::K);
        let m = lower_secondary([65, 65, 65, 65, 65, 65, 50, 49]);
        assert_eq!(learning_result(&m), Rating::D);
        let m = lower_secondary([65, 65, 65, 65, 65, 64, 50, 50]);
        assert_eq!(learning_result(&m), Rating::D);
    }

    #[test]
    fn pass_boundaries() {
        let m = lower_secondary([50, 50, 50, 50, 50, 50, 35, 35]);
        assert_eq!(learning_result(&m), Rating::D);
        let m = lower_secondary([50, 50, 50, 50, 50, 50, 35, 34]);
        assert_eq!(learning_result(&m), Rating::Cd);
        let m = lower_secondary([50, 50, 50, 50, 50, 49, 90, 90]);
        assert_eq!(learning_result(&m), Rating::D);
        let m = lower_secondary([50, 50, 50, 50, 49, 49, 90, 40]);
        assert_eq!(learning_result(&m), Rating::Cd);
        // Two comment subjects CĐ.
        let mut m = lower_secondary([90; 8]);
        m[8] = Commented(false);
        m[9] = Commented(false);
        assert_eq!(learning_result(&m), Rating::Cd);
    }

    #[test]
    fn fewer_than_six_scored_subjects_cannot_pass() {
        let m = [Scored(100); 5];
        assert_eq!(learning_result(&m), Rating::Cd);
        assert!(is_at_least_pass(Rating::D));
        assert!(!is_at_least_pass(Rating::Cd));
    }
}
