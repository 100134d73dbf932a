//! The results after the summer (Circular 22, Art. 12–14) that format version 3 of the summary
//! adds after the version 2 fields, so that the landing page shows what the printed page's
//! section 4 states: the learning result after re-assessment and the conduct result after
//! summer training. A record without results after the summer is written in version 2 as
//! before (its bytes do not change); one with them in version 3.
//!
//! ```text
//! learning after the summer   u8: 0 not stated, else the rating code
//! conduct after the summer    u8: 0 not stated, else the rating code
//! ```
//!
//! Version 3 is written only for a record completed after the summer, so a version 3 summary
//! must carry an after-summer decision (codes 7–9) and at least one of the two results; the
//! re-assessed subjects' values stay with the other subject results in the PDF.

use crate::record::{Rating, SummerResults};

use super::wire::{Reader, decode_enum, rating_code, rating_of};
use super::{Decision, QrError};

/// The format version that carries the results after the summer.
pub const SUMMER_VERSION: u8 = 3;

/// The year's results after the summer re-assessment or training, as the summary carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummerSummary {
    /// Kết quả học tập sau đánh giá lại (when the year's learning was CĐ).
    pub learning: Option<Rating>,
    /// Kết quả rèn luyện sau rèn luyện trong hè (when the year's conduct was CĐ).
    pub conduct: Option<Rating>,
}

impl SummerSummary {
    /// What the summary carries of a record's `secondary.summer`.
    pub fn of(summer: &SummerResults) -> Self {
        Self {
            learning: summer.learning_result,
            conduct: summer.conduct_result,
        }
    }
}

/// Write the version 3 fields.
pub(super) fn put(summer: &SummerSummary, out: &mut Vec<u8>) {
    out.push(summer.learning.map_or(0, rating_code));
    out.push(summer.conduct.map_or(0, rating_code));
}

/// Read the version 3 fields of a summary whose decision is `decision`.
pub(super) fn read(r: &mut Reader<'_>, decision: Decision) -> Result<SummerSummary, QrError> {
    let rating = |r: &mut Reader<'_>, field: &'static str| -> Result<Option<Rating>, QrError> {
        match r.byte(field)? {
            0 => Ok(None),
            code => decode_enum(code, field, rating_of).map(Some),
        }
    };
    let learning = rating(r, "learning after the summer")?;
    let conduct = rating(r, "conduct after the summer")?;
    let summer = SummerSummary { learning, conduct };
    check(&summer, decision)?;
    Ok(summer)
}

/// A version 3 summary is a record completed after the summer: an after-summer decision and at
/// least one result after the summer.
pub(super) fn check(summer: &SummerSummary, decision: Decision) -> Result<(), QrError> {
    if !matches!(decision, Decision::AfterSummer(_)) {
        return Err(QrError::BadValue {
            field: "promotion",
            value: u64::from(decision.code()),
        });
    }
    if summer.learning.is_none() && summer.conduct.is_none() {
        return Err(QrError::BadValue {
            field: "results after the summer",
            value: 0,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Completion, LevelSummary, SignedSummary, Summary, VERSION};
    use super::*;
    use crate::record::{Promotion, SummerDecision};
    use time::macros::{date, datetime};

    fn summary() -> Summary {
        Summary {
            credential_id: [7; 16],
            status_index: Some(41),
            credential_sha256: [9; 32],
            key_hint: [1, 2, 3, 4],
            signed_at: datetime!(2026-08-20 09:30 UTC),
            school_code: "79000701".into(),
            school_year_start: 2025,
            grade: 7,
            class_name: "7A".into(),
            pupil_name: "Lò Văn Páo".into(),
            date_of_birth: date!(2013 - 02 - 03),
            results: LevelSummary::Secondary {
                learning: Rating::Cd,
                conduct: Rating::K,
            },
            promotion: Decision::AfterSummer(SummerDecision::Promoted),
            award: None,
            completion: Completion::NotStated,
            version: SUMMER_VERSION,
            record_date: Some(date!(2026 - 08 - 15)),
            other_awards: Vec::new(),
            replaces: Some([5; 16]),
            summer: Some(SummerSummary {
                learning: Some(Rating::K),
                conduct: None,
            }),
        }
    }

    fn round_trip(s: &Summary) -> Result<SignedSummary, QrError> {
        let signed = s.clone().with_signature([0; 64])?;
        SignedSummary::from_bytes(&signed.to_bytes())
    }

    #[test]
    fn version_3_carries_the_results_after_the_summer() {
        assert_eq!(VERSION, 2, "version 2 stays the default");
        let s = summary();
        let back = round_trip(&s).unwrap();
        assert_eq!(back.summary(), &s);
        // Two bytes after the version 2 fields.
        let mut v2 = s.clone();
        v2.version = 2;
        v2.summer = None;
        assert_eq!(
            s.to_bytes().unwrap().len(),
            v2.to_bytes().unwrap().len() + 2
        );
        let both = Summary {
            summer: Some(SummerSummary {
                learning: Some(Rating::D),
                conduct: Some(Rating::T),
            }),
            ..summary()
        };
        assert_eq!(round_trip(&both).unwrap().summary(), &both);
    }

    #[test]
    fn a_version_2_summary_of_a_summer_record_still_decodes_without_them() {
        let mut s = summary();
        s.version = 2;
        let back = round_trip(&s).unwrap();
        assert_eq!(back.summary().summer, None);
        assert_eq!(back.summary().version, 2);
    }

    #[test]
    fn inconsistent_version_3_summaries_are_refused() {
        // Not an after-summer decision.
        let mut s = summary();
        s.promotion = Decision::YearEnd(Promotion::Retest);
        assert!(matches!(
            s.to_bytes(),
            Err(QrError::BadValue {
                field: "promotion",
                ..
            })
        ));
        // Neither result.
        let mut s = summary();
        s.summer = Some(SummerSummary {
            learning: None,
            conduct: None,
        });
        assert!(s.to_bytes().is_err());
        // Version 3 without results, or results in version 2.
        let mut s = summary();
        s.summer = None;
        assert!(s.to_bytes().is_err());
        let mut s = summary();
        s.version = 2;
        let v2 = s.to_bytes().unwrap();
        assert_eq!(v2[0], 2);
        // A bad rating code, and bytes cut short, as read.
        let good = summary().to_bytes().unwrap();
        let mut bad = good.clone();
        let at = bad.len() - 2;
        bad[at] = 9;
        bad.extend_from_slice(&[0; 64]);
        assert!(matches!(
            SignedSummary::from_bytes(&bad),
            Err(QrError::BadValue {
                field: "learning after the summer",
                ..
            })
        ));
        let mut cut = good[..good.len() - 1].to_vec();
        cut.extend_from_slice(&[0; 64]);
        assert!(SignedSummary::from_bytes(&cut).is_err());
    }
}
