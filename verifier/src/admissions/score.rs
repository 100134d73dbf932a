//! A combination's score with its breakdown:
//!
//! ```text
//! subject average  = mean of the subject's values in the scheme's terms, rounded (subject)
//! combination      = scale_max × Σ(weight × average) / (10 × Σ weight), rounded (total)
//!                    (equal weights on the 30-point scale: the sum of the three averages)
//! bonus            = min(the candidate's bonus, bonus_cap)
//! nominal priority = min(area points + policy-group points, priority cap)
//! priority         = nominal, or, when combination + bonus ≥ reduce_from,
//!                    (scale_max − combination − bonus) / (scale_max − reduce_from) × nominal
//!                    (never below 0), rounded (total)
//! total            = min(combination + bonus + priority, scale_max)
//! ```
//!
//! Pure arithmetic on verified records; nothing here reads or prints.

use serde::Serialize;

use super::candidate::CandidateRecords;
use super::scheme::{Combination, Period, Scheme, round};

/// One value used: a grade's period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermValue {
    /// Grade.
    pub grade: u8,
    /// `semester1`, `semester2` or `year`.
    pub period: Period,
    /// The average the record gives.
    pub value: f64,
}

/// A subject's part of a combination score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectPart {
    /// Subject code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Weight.
    pub weight: f64,
    /// The values used, by term.
    pub terms: Vec<TermValue>,
    /// Their mean, rounded.
    pub average: f64,
}

/// Priority points as applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PriorityPart {
    /// Area code given (`KV1`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// Policy group given (`UT1`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Area + group points, capped.
    pub nominal: f64,
    /// Whether the high-total reduction applied.
    pub reduced: bool,
    /// The points added.
    pub applied: f64,
}

/// One combination's score and how it was reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CombinationScore {
    /// Combination code.
    pub combination: String,
    /// Its subjects in words.
    pub name: String,
    /// By subject.
    pub subjects: Vec<SubjectPart>,
    /// The combination's score on the scale, before bonus and priority.
    pub combination_score: f64,
    /// The bonus given.
    pub bonus_given: f64,
    /// The bonus added (at most the cap).
    pub bonus: f64,
    /// Whether the bonus cap cut the bonus.
    pub bonus_capped: bool,
    /// Priority.
    pub priority: PriorityPart,
    /// Whether the total was cut to the scale's maximum.
    pub capped_at_max: bool,
    /// The admission score.
    pub total: f64,
}

/// What a candidate brings besides records: priority area and group, bonus points.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extras {
    /// Khu vực ưu tiên (`KV1`, `KV2-NT`, `KV2`, `KV3`).
    pub area: Option<String>,
    /// Đối tượng ưu tiên (`UT1`, `UT2`).
    pub group: Option<String>,
    /// Điểm cộng before the cap.
    pub bonus: f64,
}

/// Why a combination could not be scored: the subject and the term without a value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unscorable {
    /// Combination code.
    pub combination: String,
    /// The subject.
    pub subject: String,
    /// The grade.
    pub grade: u8,
    /// The period.
    pub period: Period,
}

fn value_of(records: &CandidateRecords<'_>, code: &str, grade: u8, period: Period) -> Option<f64> {
    let (_, _, record) = records.by_grade.iter().find(|(g, _, _)| *g == grade)?;
    let subject = record
        .subjects
        .iter()
        .find(|s| s.code.as_deref() == Some(code) && !s.exempt)?;
    match period {
        Period::Semester1 => subject.semester1_average,
        Period::Semester2 => subject.semester2_average,
        Period::Year => subject.year_average,
    }
}

/// Score `combination` of `scheme` for `records` with `extras` (area and group codes are
/// checked by the caller against the scheme; an unknown one counts 0).
pub fn score_combination(
    scheme: &Scheme,
    combination: &Combination,
    records: &CandidateRecords<'_>,
    extras: &Extras,
) -> Result<CombinationScore, Unscorable> {
    let mut subjects = Vec::with_capacity(combination.subjects.len());
    let mut weighted = 0.0;
    for s in &combination.subjects {
        let mut terms = Vec::with_capacity(scheme.terms.len());
        for t in &scheme.terms {
            let Some(value) = value_of(records, &s.code, t.grade, t.period) else {
                return Err(Unscorable {
                    combination: combination.code.clone(),
                    subject: s.code.clone(),
                    grade: t.grade,
                    period: t.period,
                });
            };
            terms.push(TermValue {
                grade: t.grade,
                period: t.period,
                value,
            });
        }
        let mean = terms.iter().map(|t| t.value).sum::<f64>() / terms.len() as f64;
        let average = round(mean, scheme.rounding.subject);
        weighted += s.weight * average;
        subjects.push(SubjectPart {
            code: s.code.clone(),
            name: s.name.clone(),
            weight: s.weight,
            terms,
            average,
        });
    }
    let decimals = scheme.rounding.total;
    let combination_score = round(
        scheme.scale_max * weighted / (10.0 * combination.total_weight()),
        decimals,
    );
    let bonus_given = extras.bonus.max(0.0);
    let bonus = bonus_given.min(scheme.bonus_cap);
    let points = |table: &std::collections::BTreeMap<String, f64>, key: &Option<String>| {
        key.as_ref()
            .and_then(|k| table.get(k))
            .copied()
            .unwrap_or(0.0)
    };
    let mut nominal = points(&scheme.priority.areas, &extras.area)
        + points(&scheme.priority.groups, &extras.group);
    if let Some(cap) = scheme.priority.cap {
        nominal = nominal.min(cap);
    }
    let before_priority = combination_score + bonus;
    let (applied, reduced) = match scheme.priority.reduce_from {
        Some(from) if before_priority >= from - 1e-9 && nominal > 0.0 => (
            round(
                ((scheme.scale_max - before_priority) / (scheme.scale_max - from) * nominal)
                    .max(0.0),
                decimals,
            ),
            true,
        ),
        _ => (nominal, false),
    };
    let sum = round(before_priority + applied, decimals);
    let total = sum.min(scheme.scale_max);
    Ok(CombinationScore {
        combination: combination.code.clone(),
        name: combination.name.clone(),
        subjects,
        combination_score,
        bonus_given,
        bonus,
        bonus_capped: bonus_given > scheme.bonus_cap,
        priority: PriorityPart {
            area: extras.area.clone(),
            group: extras.group.clone(),
            nominal,
            reduced,
            applied,
        },
        capped_at_max: sum > scheme.scale_max,
        total,
    })
}
