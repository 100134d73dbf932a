//! Why a candidate gets no score: a stable code, the item concerned, and a sentence in
//! Vietnamese and English that names the pupil, the record and the rule and says what to do.

use serde::Serialize;

/// A refusal reason's stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefusalCode {
    /// The candidate has no items.
    NoItems,
    /// An item could not be read (not JSON, damaged PDF, …).
    ItemUnreadable,
    /// An item did not verify (signature, key, issuer, format…).
    ItemInvalid,
    /// An item was revoked by its school.
    ItemRevoked,
    /// Whether an item is revoked could not be established (fails closed).
    ItemStatusUnknown,
    /// A QR summary only: it has no subject averages to score.
    SummaryOnly,
    /// A share code could not be redeemed.
    ShareCodeRefused,
    /// A verified record is not a grade 10–12 year record.
    NotUpperSecondary,
    /// The records are not of one pupil (personal ID, name or date of birth differ).
    PupilMismatch,
    /// A record has no personal identification number to compare.
    PersonalIdMissing,
    /// Two records of a grade the scheme needs.
    GradeTwice,
    /// A grade the scheme needs has no record.
    GradeMissing,
    /// The grades' school years do not follow each other.
    YearsNotConsecutive,
    /// A year's conduct (rèn luyện) is below the scheme's minimum.
    ConductBelowMinimum,
    /// The grade-12 record does not say the pupil completed upper secondary.
    CompletionMissing,
    /// No combination could be scored (a subject average is missing from every one).
    NoCombination,
}

impl RefusalCode {
    /// The snake_case code.
    pub fn as_str(self) -> &'static str {
        use RefusalCode::*;
        match self {
            NoItems => "no_items",
            ItemUnreadable => "item_unreadable",
            ItemInvalid => "item_invalid",
            ItemRevoked => "item_revoked",
            ItemStatusUnknown => "item_status_unknown",
            SummaryOnly => "summary_only",
            ShareCodeRefused => "share_code_refused",
            NotUpperSecondary => "not_upper_secondary",
            PupilMismatch => "pupil_mismatch",
            PersonalIdMissing => "personal_id_missing",
            GradeTwice => "grade_twice",
            GradeMissing => "grade_missing",
            YearsNotConsecutive => "years_not_consecutive",
            ConductBelowMinimum => "conduct_below_minimum",
            CompletionMissing => "completion_missing",
            NoCombination => "no_combination",
        }
    }
}

/// Why a candidate was refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    /// Stable code.
    pub code: RefusalCode,
    /// The item (0-based, in the candidate's order) concerned, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<usize>,
    /// In Vietnamese.
    pub vi: String,
    /// In English.
    pub en: String,
}

impl Refusal {
    /// A refusal about `item`.
    pub fn new(code: RefusalCode, item: Option<usize>, vi: String, en: String) -> Self {
        Self { code, item, vi, en }
    }
}

/// `của <name>` / `of <name>` when the pupil's name is known.
pub(crate) fn of_pupil(name: Option<&str>) -> (String, String) {
    match name {
        Some(n) => (format!(" của {n}"), format!(" of {n}")),
        None => (String::new(), String::new()),
    }
}
