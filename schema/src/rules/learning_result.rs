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
//! **Article 9(3), the adjustment to the adjacent level**: when the result of a term or of the
//! year falls two or more levels below Tốt or Khá *only because of one single subject*, it is
//! raised to the adjacent level (one level up from where the thresholds put it). "Only because of
//! one subject" is read as: without that subject, the other subjects reach Tốt or Khá by
//! themselves. Seven subjects at 8.5 and one at 3.0 give Chưa đạt by the thresholds, Tốt without
//! the 3.0, so the result is Đạt; with that one at 4.0 the thresholds give Đạt, adjusted to Khá.
//! Whether a comment-assessed subject rated CĐ can be that one subject is not settled by the
//! text; the project says **yes** by default (see `schema/docs/record.md`, *The adjustment of
//! Article 9(3)*) and [`Adjustment::comment_subjects`] turns it off.
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

/// Which subjects Article 9(3) may adjust for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adjustment {
    /// Whether a comment-assessed subject rated CĐ can be the one subject (default `true`).
    pub comment_subjects: bool,
}

impl Default for Adjustment {
    fn default() -> Self {
        Self {
            comment_subjects: super::ADJUSTMENT_COUNTS_COMMENT_SUBJECTS,
        }
    }
}

/// The learning result with how it was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearningAssessment {
    /// The result after the adjustment of Article 9(3), if any: what the record should say.
    pub result: Rating,
    /// The result the thresholds of Article 9(2) alone give.
    pub unadjusted: Rating,
    /// When adjusted: the index (in the marks given) of the one subject that held the result
    /// down, and the level (T or K) the other subjects reach without it.
    pub adjusted_for: Option<(usize, Rating)>,
}

/// The learning result (T, K, Đ or CĐ) the rules give for these subject results, adjusted by
/// Article 9(3) with the default [`Adjustment`].
pub fn learning_result(marks: &[SubjectMark]) -> Rating {
    assess_learning(marks, Adjustment::default()).result
}

/// The learning result, the result before the adjustment and the subject it was adjusted for.
pub fn assess_learning(marks: &[SubjectMark], adjustment: Adjustment) -> LearningAssessment {
    let unadjusted = thresholds_result(marks);
    let mut assessment = LearningAssessment {
        result: unadjusted,
        unadjusted,
        adjusted_for: None,
    };
    if level(unadjusted) >= level(Rating::K) {
        // Khá or Tốt: not two levels below either.
        return assessment;
    }
    for (i, mark) in marks.iter().enumerate() {
        if matches!(mark, SubjectMark::Commented(_)) && !adjustment.comment_subjects {
            continue;
        }
        let others: Vec<SubjectMark> = marks
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, m)| *m)
            .collect();
        let without = thresholds_result(&others);
        if matches!(without, Rating::T | Rating::K) && level(without) >= level(unadjusted) + 2 {
            assessment.result = one_level_up(unadjusted);
            assessment.adjusted_for = Some((i, without));
            break;
        }
    }
    assessment
}

/// The result by the thresholds of Article 9(2) alone, without the adjustment.
pub fn thresholds_result(marks: &[SubjectMark]) -> Rating {
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

/// A secondary result's rank: CĐ 0, Đ 1, K 2, T 3 (other ratings rank as CĐ).
fn level(r: Rating) -> u8 {
    match r {
        Rating::T => 3,
        Rating::K => 2,
        Rating::D => 1,
        _ => 0,
    }
}

/// The adjacent level above (Tốt stays Tốt).
fn one_level_up(r: Rating) -> Rating {
    match level(r) {
        0 => Rating::D,
        1 => Rating::K,
        _ => Rating::T,
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
        // A comment subject CĐ: not Tốt nor Khá by the thresholds (Đạt), but only that one
        // subject keeps a Tốt record down two levels, so Article 9(3) raises it to Khá.
        let mut m = lower_secondary([90; 8]);
        m[8] = Commented(false);
        assert_eq!(thresholds_result(&m), Rating::D);
        assert_eq!(learning_result(&m), Rating::K);
        let strict = Adjustment {
            comment_subjects: false,
        };
        assert_eq!(assess_learning(&m, strict).result, Rating::D);
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
    fn article_9_3_examples_from_the_text() {
        // Seven at 8.5 and one at 3.0: Chưa đạt by the thresholds, Tốt without the 3.0 → Đạt.
        let m = lower_secondary([85, 85, 85, 85, 85, 85, 85, 30]);
        let a = assess_learning(&m, Adjustment::default());
        assert_eq!(a.unadjusted, Rating::Cd);
        assert_eq!(a.result, Rating::D);
        assert_eq!(a.adjusted_for, Some((7, Rating::T)));
        // The same with 4.0: Đạt by the thresholds → Khá.
        let m = lower_secondary([85, 85, 85, 85, 85, 85, 85, 40]);
        let a = assess_learning(&m, Adjustment::default());
        assert_eq!((a.unadjusted, a.result), (Rating::D, Rating::K));
        assert_eq!(a.adjusted_for, Some((7, Rating::T)));
    }

    #[test]
    fn article_9_3_from_khá() {
        // The others are Khá; one at 3.0 gives Chưa đạt → Đạt.
        let m = lower_secondary([70, 70, 70, 70, 70, 70, 55, 30]);
        let a = assess_learning(&m, Adjustment::default());
        assert_eq!((a.unadjusted, a.result), (Rating::Cd, Rating::D));
        assert_eq!(a.adjusted_for, Some((7, Rating::K)));
        // One at 4.0 gives Đạt: one level below Khá, no adjustment.
        let m = lower_secondary([70, 70, 70, 70, 70, 70, 55, 40]);
        let a = assess_learning(&m, Adjustment::default());
        assert_eq!(
            (a.unadjusted, a.result, a.adjusted_for),
            (Rating::D, Rating::D, None)
        );
    }

    #[test]
    fn article_9_3_needs_one_single_subject() {
        // Two subjects below the floor: no single subject is the cause.
        let m = lower_secondary([85, 85, 85, 85, 85, 85, 40, 30]);
        let a = assess_learning(&m, Adjustment::default());
        assert_eq!(
            (a.unadjusted, a.result, a.adjusted_for),
            (Rating::Cd, Rating::Cd, None)
        );
        // One scored subject at 3.0 and a comment subject CĐ: two causes.
        let mut m = lower_secondary([85, 85, 85, 85, 85, 85, 85, 30]);
        m[9] = Commented(false);
        assert_eq!(learning_result(&m), Rating::Cd);
        // The others alone are only Đạt (five at 8.0 or more, the rest 5.0): one level, none.
        let m = lower_secondary([85, 85, 85, 85, 85, 50, 50, 30]);
        let a = assess_learning(&m, Adjustment::default());
        assert_eq!((a.unadjusted, a.result), (Rating::Cd, Rating::Cd));
        // Đạt only because of the 4.0 (Tốt without it) → Khá.
        let m = lower_secondary([85, 85, 85, 85, 85, 85, 40, 70]);
        assert_eq!(learning_result(&m), Rating::K);
        // Without the 3.0 only five remain at 8.0: Khá, two levels above Chưa đạt → Đạt.
        let m = lower_secondary([85, 85, 85, 85, 85, 70, 70, 30]);
        let a = assess_learning(&m, Adjustment::default());
        assert_eq!((a.unadjusted, a.result), (Rating::Cd, Rating::D));
        assert_eq!(a.adjusted_for, Some((7, Rating::K)));
    }

    #[test]
    fn a_comment_subject_as_the_one_subject_only_when_allowed() {
        let strict = Adjustment {
            comment_subjects: false,
        };
        // Scored subjects at Tốt level, one comment subject CĐ: Đạt → Khá (default) or Đạt.
        let mut m = lower_secondary([85; 8]);
        m[10] = Commented(false);
        let a = assess_learning(&m, Adjustment::default());
        assert_eq!((a.unadjusted, a.result), (Rating::D, Rating::K));
        assert_eq!(a.adjusted_for, Some((10, Rating::T)));
        assert_eq!(assess_learning(&m, strict).result, Rating::D);
        // A scored subject is adjusted for either way.
        let m = lower_secondary([85, 85, 85, 85, 85, 85, 85, 40]);
        assert_eq!(assess_learning(&m, strict).result, Rating::K);
    }

    #[test]
    fn fewer_than_six_scored_subjects_cannot_pass() {
        let m = [Scored(100); 5];
        assert_eq!(learning_result(&m), Rating::Cd);
        assert!(is_at_least_pass(Rating::D));
        assert!(!is_at_least_pass(Rating::Cd));
    }
}
