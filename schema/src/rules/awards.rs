//! Danh hiệu khen thưởng — the year's award title.
//!
//! Secondary (Circular 22/2021, Article 15): **Học sinh Giỏi** when the year's learning and
//! conduct results are both Tốt; **Học sinh Xuất sắc** when, in addition, at least 6 scored
//! subjects have a year average ≥ 9.0 (the 9.0 threshold is unconfirmed and configurable in
//! [`Thresholds`]).
//!
//! Primary (Circular 27/2020, Article 13): **Học sinh Xuất sắc** for every pupil whose year result
//! is Hoàn thành xuất sắc; **Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện** may be
//! given (by the class's vote, which the rules cannot see) to a pupil with Hoàn thành tốt.

use crate::record::{Award, PrimaryYearResult, Rating};

use super::Thresholds;

/// The title the secondary rules give, from the year's learning and conduct results and the
/// year averages (tenths) of the scored subjects.
pub fn secondary_award(
    learning_year: Rating,
    conduct_year: Rating,
    year_averages: &[u16],
    thresholds: &Thresholds,
) -> Option<Award> {
    if learning_year != Rating::T || conduct_year != Rating::T {
        return None;
    }
    let high = year_averages
        .iter()
        .filter(|&&a| a >= thresholds.secondary_outstanding_min_average_tenths)
        .count();
    if high >= thresholds.secondary_outstanding_min_subjects {
        Some(Award::Outstanding)
    } else {
        Some(Award::Excellent)
    }
}

/// The titles (or no title) the primary rules allow for a year result.
pub fn primary_awards(year_result: PrimaryYearResult) -> &'static [Option<Award>] {
    match year_result {
        PrimaryYearResult::Outstanding => &[Some(Award::Outstanding)],
        PrimaryYearResult::Good => &[None, Some(Award::Exemplary)],
        PrimaryYearResult::Completed | PrimaryYearResult::NotCompleted => &[None],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secondary_boundaries() {
        let t = Thresholds::default();
        let six_at_nine = [90, 90, 90, 90, 90, 90, 80, 85];
        assert_eq!(
            secondary_award(Rating::T, Rating::T, &six_at_nine, &t),
            Some(Award::Outstanding)
        );
        let five_at_nine = [90, 90, 90, 90, 90, 89, 80, 85];
        assert_eq!(
            secondary_award(Rating::T, Rating::T, &five_at_nine, &t),
            Some(Award::Excellent)
        );
        assert_eq!(
            secondary_award(Rating::T, Rating::K, &six_at_nine, &t),
            None
        );
        assert_eq!(
            secondary_award(Rating::K, Rating::T, &six_at_nine, &t),
            None
        );
        let stricter = Thresholds {
            secondary_outstanding_min_average_tenths: 95,
            ..t
        };
        assert_eq!(
            secondary_award(Rating::T, Rating::T, &six_at_nine, &stricter),
            Some(Award::Excellent)
        );
    }

    #[test]
    fn primary() {
        assert_eq!(
            primary_awards(PrimaryYearResult::Outstanding),
            &[Some(Award::Outstanding)]
        );
        assert!(primary_awards(PrimaryYearResult::Good).contains(&None));
        assert!(primary_awards(PrimaryYearResult::Good).contains(&Some(Award::Exemplary)));
        assert_eq!(primary_awards(PrimaryYearResult::Completed), &[None]);
    }
}
