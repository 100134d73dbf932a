//! The decision a summary carries: the year-end decision, or — for a record completed after
//! the summer (Circular 22, Art. 12–14) — the final decision taken after the re-assessment or
//! the summer training, which the printed page shows as the record's decision (its year-end
//! code is interim and never printed as final).
//!
//! On the wire it is the promotion byte: 1–6 the year-end codes (as in version 1), and, in
//! version 2, 7 được lên lớp sau kiểm tra lại / rèn luyện trong hè, 8 hoàn thành chương trình
//! THPT after the summer, 9 không được lên lớp after the summer.

use crate::record::{Promotion, SummerDecision};

use super::wire::{promotion_code, promotion_of};

/// The decision on a record, as its printed page states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The year-end decision (`promotion`), on a record without results after the summer.
    YearEnd(Promotion),
    /// The final decision after the summer (`secondary.summer.decision`).
    AfterSummer(SummerDecision),
}

impl From<Promotion> for Decision {
    fn from(p: Promotion) -> Self {
        Decision::YearEnd(p)
    }
}

/// The after-summer decisions with their wire codes.
const AFTER_SUMMER: [(SummerDecision, u8); 3] = [
    (SummerDecision::Promoted, 7),
    (SummerDecision::CompletedUpperSecondary, 8),
    (SummerDecision::NotPromoted, 9),
];

impl Decision {
    /// The wording on the học bạ.
    pub fn label_vi(self) -> &'static str {
        match self {
            Decision::YearEnd(p) => p.label_vi(),
            Decision::AfterSummer(d) => d.label_vi(),
        }
    }

    /// The wire code.
    pub(super) fn code(self) -> u8 {
        match self {
            Decision::YearEnd(p) => promotion_code(p),
            Decision::AfterSummer(d) => AFTER_SUMMER
                .iter()
                .find(|(x, _)| *x == d)
                .map_or(0, |(_, c)| *c),
        }
    }

    /// The decision of a wire code (the after-summer codes from `version` 2 on).
    pub(super) fn of_code(code: u8, version: u8) -> Option<Self> {
        promotion_of(code).map(Decision::YearEnd).or_else(|| {
            AFTER_SUMMER
                .iter()
                .find(|(_, c)| *c == code && version >= 2)
                .map(|(d, _)| Decision::AfterSummer(*d))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_decision_round_trips_and_the_codes_are_distinct() {
        let mut all: Vec<Decision> = super::super::wire::PROMOTIONS
            .iter()
            .map(|p| Decision::YearEnd(*p))
            .collect();
        all.extend(AFTER_SUMMER.iter().map(|(d, _)| Decision::AfterSummer(*d)));
        let mut codes = std::collections::HashSet::new();
        for d in all {
            assert!(codes.insert(d.code()), "{d:?}");
            assert_eq!(Decision::of_code(d.code(), 2), Some(d));
        }
        assert_eq!(
            Decision::of_code(7, 2),
            Some(Decision::AfterSummer(SummerDecision::Promoted))
        );
        assert_eq!(Decision::of_code(7, 1), None, "version 1 has codes 1–6");
        assert_eq!(Decision::of_code(10, 2), None);
    }
}
