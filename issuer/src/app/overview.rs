//! What a school's pages show at a glance: per class, its pupils and records by state
//! ([`ClassSummary`]), and a class's roster by pupil name with what the rules say of each
//! record ([`RosterLine`]). Teachers' and principals' pages (and anything else that lists
//! classes) call these; the counting rule is written once, here.
//!
//! *Blocked* means a draft the rules refuse (at least one error): it cannot be validated,
//! and so not signed, until somebody corrects it. A draft with warnings only is not blocked
//! (a person accepts the warnings when validating).

use std::collections::{BTreeMap, HashSet};

use hocba_schema::validation::{Problem, parse_and_validate};

use super::Issuer;
use super::names::pupil_name;
use super::vi_order::{SortKey, sort_key};
use crate::error::IssuerError;
use crate::store::{RecordFilter, RecordState, School, YearRecord};

/// One class of one school year.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClassSummary {
    /// School year, e.g. `2025-2026`.
    pub school_year: String,
    /// Class, e.g. `5A`.
    pub class_name: String,
    /// Grade (of the class's first record).
    pub grade: i64,
    /// Pupils with a record in the class.
    pub pupils: usize,
    /// Drafts (blocked ones included).
    pub draft: usize,
    /// Validated, waiting to be signed.
    pub validated: usize,
    /// Signed.
    pub signed: usize,
    /// Revoked.
    pub revoked: usize,
    /// Drafts the rules refuse.
    pub blocked: usize,
}

/// A record of a class roster.
#[derive(Clone, Debug)]
pub struct RosterLine {
    /// The record.
    pub record: YearRecord,
    /// The pupil's full name as the record gives it.
    pub pupil_name: String,
    /// What the rules find now (for drafts and validated records; empty once signed).
    pub problems: Vec<Problem>,
    /// Whether the rules refuse it (a draft with at least one error).
    pub blocked: bool,
}

/// The rules' problems with a record (a record that cannot be read is one error).
pub fn problems_of(record_json: &str) -> Vec<Problem> {
    match parse_and_validate(record_json.as_bytes()) {
        Ok((_, report)) | Err(report) => report.problems,
    }
}

fn has_error(problems: &[Problem]) -> bool {
    problems.iter().any(Problem::is_error)
}

impl Issuer {
    /// Every class of `school` (one school year, or all), by year then class.
    pub async fn school_overview(
        &self,
        school: &School,
        school_year: Option<&str>,
    ) -> Result<Vec<ClassSummary>, IssuerError> {
        let records = self
            .store()
            .list_records(
                &school.id,
                &RecordFilter {
                    school_year: school_year.map(str::to_owned),
                    ..RecordFilter::default()
                },
            )
            .await?;
        let mut classes: BTreeMap<(String, String), (ClassSummary, HashSet<String>)> =
            BTreeMap::new();
        for r in &records {
            let (summary, pupils) = classes
                .entry((r.school_year.clone(), r.class_name.clone()))
                .or_insert_with(|| {
                    (
                        ClassSummary {
                            school_year: r.school_year.clone(),
                            class_name: r.class_name.clone(),
                            grade: r.grade,
                            ..ClassSummary::default()
                        },
                        HashSet::new(),
                    )
                });
            pupils.insert(r.pupil_id.clone());
            match r.state {
                RecordState::Draft => {
                    summary.draft += 1;
                    if has_error(&problems_of(&r.record_json)) {
                        summary.blocked += 1;
                    }
                }
                RecordState::Validated => summary.validated += 1,
                RecordState::Signed => summary.signed += 1,
                RecordState::Revoked => summary.revoked += 1,
            }
        }
        Ok(classes
            .into_values()
            .map(|(mut summary, pupils)| {
                summary.pupils = pupils.len();
                summary
            })
            .collect())
    }

    /// The records of one class of `school`, by pupil name (Vietnamese order: by given name,
    /// the last word, then the whole name), optionally only those in `state`.
    pub async fn class_roster(
        &self,
        school: &School,
        school_year: &str,
        class_name: &str,
        state: Option<RecordState>,
    ) -> Result<Vec<RosterLine>, IssuerError> {
        let records = self
            .store()
            .list_records(
                &school.id,
                &RecordFilter {
                    school_year: Some(school_year.to_owned()),
                    class_name: Some(class_name.to_owned()),
                    state,
                },
            )
            .await?;
        let mut lines: Vec<RosterLine> = records
            .into_iter()
            .map(|record| {
                let problems = match record.state {
                    RecordState::Draft | RecordState::Validated => problems_of(&record.record_json),
                    _ => Vec::new(),
                };
                let blocked = record.state == RecordState::Draft && has_error(&problems);
                RosterLine {
                    pupil_name: pupil_name(&record.record_json).unwrap_or_default(),
                    record,
                    problems,
                    blocked,
                }
            })
            .collect();
        lines.sort_by_cached_key(|l| name_key(&l.pupil_name));
        Ok(lines)
    }
}

/// Vietnamese names sort by the given name (the last word), then the whole name, each in
/// Vietnamese alphabetical order ([`super::vi_order`]).
pub fn name_key(full_name: &str) -> (SortKey, SortKey) {
    let given = full_name.split_whitespace().last().unwrap_or("");
    (sort_key(given), sort_key(full_name))
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn names_sort_by_given_name() {
        let mut names = vec!["Trần Văn Minh", "Nguyễn Thị An", "Lê Bảo An"];
        names.sort_by_key(|n| name_key(n));
        assert_eq!(names, ["Lê Bảo An", "Nguyễn Thị An", "Trần Văn Minh"]);
    }
}
