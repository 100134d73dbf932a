//! Admission scores from verified grade 10–12 records ("xét tuyển học bạ").
//!
//! A university's rules are data: a [`Scheme`] read from a TOML file
//! ([`Scheme::from_toml`], format in `schema/docs/admissions.md`, examples in
//! `verifier/schemes/`). A candidate is an id chosen by the portal, priority area and group,
//! bonus points, and items that were verified ([`ItemOutcome`]). [`assess`] then
//!
//! 1. refuses the candidate unless every item verified with its revocation status looked up
//!    (fail closed), the records are one pupil (personal identification number, name and date
//!    of birth agree), each grade the scheme needs is present once and the school years are
//!    consecutive, conduct and completion as the scheme asks ([`candidate::records_for`]);
//! 2. scores every combination with its breakdown ([`score::score_combination`]).
//!
//! A refused candidate has no score, only the reason in Vietnamese and English
//! ([`Refusal`]). [`assess_credentials`] verifies credential JSON of many candidates together
//! (signatures in batches, [`crate::verify_credentials_batch`]) and assesses each.
//! [`export`] makes the committee's ranked table (CSV here; XLSX in the service layer).
//!
//! Core code: no I/O, no clock, nothing printed.

pub mod candidate;
pub mod export;
pub mod refusal;
pub mod scheme;
pub mod scheme_file;
pub mod score;

use serde::Serialize;
use time::OffsetDateTime;

pub use candidate::{CandidatePupil, ItemOutcome, ItemSummary, records_for};
pub use refusal::{Refusal, RefusalCode};
pub use scheme::Scheme;
pub use scheme_file::SchemeError;
pub use score::{CombinationScore, Extras, Unscorable, score_combination};

use crate::{VerifiedTrustList, VerifyOptions, verify_credentials_batch};

/// A candidate's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assessment {
    /// The portal's id for the candidate.
    pub id: String,
    /// `scored` or `refused`.
    pub result: &'static str,
    /// The pupil the records name (from the first verified record).
    pub pupil: CandidatePupil,
    /// Each item's verdict.
    pub items: Vec<ItemSummary>,
    /// Why refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
    /// Every combination scored, best first (then in the scheme's order).
    pub scores: Vec<CombinationScore>,
    /// Combinations that could not be scored (a subject without an average in a term).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unscorable: Vec<Unscorable>,
    /// The best total, if scored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best: Option<f64>,
}

/// Whether `extras` name an area and a policy group the scheme knows and a bonus that is a
/// number ≥ 0: `Err((field, message))` otherwise.
pub fn check_extras(scheme: &Scheme, extras: &Extras) -> Result<(), (&'static str, String)> {
    if let Some(a) = &extras.area
        && !scheme.priority.areas.contains_key(a)
    {
        let known: Vec<&str> = scheme.priority.areas.keys().map(String::as_str).collect();
        return Err((
            "area",
            format!(
                "priority area {a:?} is not in scheme {}: use one of {}",
                scheme.name,
                known.join(", ")
            ),
        ));
    }
    if let Some(g) = &extras.group
        && !scheme.priority.groups.contains_key(g)
    {
        let known: Vec<&str> = scheme.priority.groups.keys().map(String::as_str).collect();
        return Err((
            "policyGroup",
            format!(
                "policy group {g:?} is not in scheme {}: use one of {}",
                scheme.name,
                known.join(", ")
            ),
        ));
    }
    if !(extras.bonus.is_finite() && extras.bonus >= 0.0) {
        return Err((
            "bonus",
            format!("bonus must be a number ≥ 0, not {}", extras.bonus),
        ));
    }
    Ok(())
}

/// Assess one candidate: refuse with the reason, or score every combination.
pub fn assess(scheme: &Scheme, id: &str, extras: &Extras, outcomes: &[ItemOutcome]) -> Assessment {
    let refused = |pupil: CandidatePupil, refusal: Refusal, used: &[usize]| Assessment {
        id: id.to_owned(),
        result: "refused",
        pupil,
        items: summaries(outcomes, used),
        refusal: Some(refusal),
        scores: Vec::new(),
        unscorable: Vec::new(),
        best: None,
    };
    let records = match records_for(scheme, outcomes) {
        Ok(r) => r,
        Err((pupil, refusal)) => return refused(pupil, refusal, &[]),
    };
    let used: Vec<usize> = records.by_grade.iter().map(|(_, i, _)| *i).collect();
    let mut scores = Vec::new();
    let mut unscorable = Vec::new();
    for combination in &scheme.combinations {
        match score_combination(scheme, combination, &records, extras) {
            Ok(s) => scores.push(s),
            Err(u) => unscorable.push(u),
        }
    }
    if scores.is_empty() {
        let name = records.pupil.full_name.clone().unwrap_or_default();
        return refused(
            records.pupil,
            Refusal::new(
                RefusalCode::NoCombination,
                None,
                format!(
                    "Không tổ hợp nào tính được điểm cho {name}: học bạ thiếu điểm trung bình của \
                     một môn trong mỗi tổ hợp."
                ),
                format!(
                    "No combination can be scored for {name}: the records lack a subject \
                     average in every combination."
                ),
            ),
            &used,
        );
    }
    // Best first; equal totals keep the scheme's order (stable sort).
    scores.sort_by(|a, b| b.total.total_cmp(&a.total));
    Assessment {
        id: id.to_owned(),
        result: "scored",
        pupil: records.pupil,
        items: summaries(outcomes, &used),
        refusal: None,
        best: scores.first().map(|s| s.total),
        scores,
        unscorable,
    }
}

fn summaries(outcomes: &[ItemOutcome], used: &[usize]) -> Vec<ItemSummary> {
    outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| ItemSummary::of(i, o, used.contains(&i)))
        .collect()
}

/// A candidate given as credential JSON.
#[derive(Debug, Clone)]
pub struct CredentialCandidate<'a> {
    /// The portal's id.
    pub id: String,
    /// Priority and bonus.
    pub extras: Extras,
    /// Credential JSON of each record.
    pub credentials: Vec<&'a [u8]>,
}

/// Verify the credentials of every candidate together (signatures in one batch,
/// [`verify_credentials_batch`]; `options` holds the status lists) against `trust` at `now`,
/// then [`assess`] each candidate. Results in the candidates' order.
pub fn assess_credentials(
    scheme: &Scheme,
    candidates: &[CredentialCandidate<'_>],
    trust: &VerifiedTrustList,
    options: &VerifyOptions,
    now: OffsetDateTime,
) -> Vec<Assessment> {
    let all: Vec<&[u8]> = candidates
        .iter()
        .flat_map(|c| c.credentials.iter().copied())
        .collect();
    let mut verdicts = verify_credentials_batch(&all, trust, options, now).into_iter();
    candidates
        .iter()
        .map(|c| {
            let outcomes: Vec<ItemOutcome> = c
                .credentials
                .iter()
                .map(|_| match verdicts.next() {
                    Some(Ok(v)) => ItemOutcome::of_verdict(&v),
                    Some(Err(e)) => ItemOutcome::Unreadable {
                        code: "unreadable".into(),
                        detail: e.to_string(),
                    },
                    None => ItemOutcome::Unreadable {
                        code: "unreadable".into(),
                        detail: "not verified".into(),
                    },
                })
                .collect();
            assess(scheme, &c.id, &c.extras, &outcomes)
        })
        .collect()
}
