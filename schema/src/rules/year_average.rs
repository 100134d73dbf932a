//! A secondary subject's year value from its two semesters (Circular 22/2021, Article 9(1)):
//!
//! * a scored subject's year average (điểm trung bình môn cả năm, ĐTBmcn) is
//!   (ĐTBmhk I + 2 × ĐTBmhk II) / 3, rounded half up to one decimal;
//! * a comment-assessed subject is Đạt for the year exactly when it is Đạt in semester II.
//!
//! The weights stay configurable ([`super::Thresholds`]). A school value that disagrees is a
//! warning, and the derived results (learning result, award) are computed from the recomputed
//! year values.
//!
//! Everything is computed in tenths of a point, in integers: no floating-point rounding.

use crate::record::Rating;

/// Weights of the two semesters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weights {
    /// Weight of semester I (1).
    pub semester1: u16,
    /// Weight of semester II (2).
    pub semester2: u16,
}

/// The year average in tenths from the semester averages in tenths, rounded half up.
/// Returns `None` when both weights are zero.
pub fn year_average_tenths(semester1: u16, semester2: u16, weights: Weights) -> Option<u16> {
    let total = u32::from(weights.semester1) + u32::from(weights.semester2);
    if total == 0 {
        return None;
    }
    let weighted = u32::from(weights.semester1) * u32::from(semester1)
        + u32::from(weights.semester2) * u32::from(semester2);
    // Round half up: floor((2·weighted + total) / (2·total)).
    let rounded = (2 * weighted + total) / (2 * total);
    u16::try_from(rounded).ok()
}

/// A comment-assessed subject's year rating: its semester II rating (Article 9(1)).
pub fn comment_year_rating(semester2: Rating) -> Rating {
    semester2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_subject_keeps_its_semester_two_rating() {
        assert_eq!(comment_year_rating(Rating::Cd), Rating::Cd);
        assert_eq!(comment_year_rating(Rating::D), Rating::D);
    }

    const W: Weights = Weights {
        semester1: 1,
        semester2: 2,
    };

    #[test]
    fn one_and_two_thirds() {
        // (8.0 + 2 × 9.0) / 3 = 8.666… → 8.7
        assert_eq!(year_average_tenths(80, 90, W), Some(87));
        // (9.0 + 2 × 8.0) / 3 = 8.333… → 8.3
        assert_eq!(year_average_tenths(90, 80, W), Some(83));
        // (6.5 + 2 × 6.5) / 3 = 6.5
        assert_eq!(year_average_tenths(65, 65, W), Some(65));
        assert_eq!(year_average_tenths(0, 0, W), Some(0));
        assert_eq!(year_average_tenths(100, 100, W), Some(100));
        // (7.9 + 2 × 8.0) / 3 = 7.9666… → 8.0
        assert_eq!(year_average_tenths(79, 80, W), Some(80));
        // (8.1 + 2 × 8.0) / 3 = 8.0333… → 8.0
        assert_eq!(year_average_tenths(81, 80, W), Some(80));
    }

    #[test]
    fn half_rounds_up_with_other_weights() {
        let equal = Weights {
            semester1: 1,
            semester2: 1,
        };
        // (8.0 + 8.5) / 2 = 8.25 → 8.3
        assert_eq!(year_average_tenths(80, 85, equal), Some(83));
        let none = Weights {
            semester1: 0,
            semester2: 0,
        };
        assert_eq!(year_average_tenths(80, 85, none), None);
    }
}
