//! The province at a glance, for the Department: every school with its pupils, its records
//! signed out of those expected and the rate, and what holds the others back, with counts per
//! reason. The web app's `/authority` pages and their CSV and XLSX downloads show this.
//!
//! **Counting.** *Expected* are the pupils with a record of the school year in any state;
//! *signed* the records signed; the rate is signed / expected (the seeds' "99.34 % issued").
//! The counts come from aggregates in the database (`GROUP BY school`, over an index), never
//! from reading records per request, so the page with 1,000 schools stays fast.
//!
//! **Held back, and why** (the seeds' "0.66 % waiting because of data mismatches"):
//!
//! * `identity` — a draft whose personal identification number disagrees with the date of
//!   birth or the gender (digit 4, digits 5–6, or no province code: the rules' warnings
//!   `personal-id-*`): it waits until the school corrects it or accepts it knowingly;
//! * `validation` — a draft with another rule's error, or a warning nobody accepted yet;
//! * `import` — rows refused at import (never stored), counted by the rule that refused them.
//!
//! **Design.** A draft's reason is computed once per record *and version* and kept in
//! `record_checks` (migration 7): [`Issuer::check_drafts`] validates the drafts whose current
//! version has no check yet (a few hundred after a class upload; none in the steady state)
//! before the page counts, so the import path, which another part of the code optimises for
//! throughput, does not validate twice. A record edited later is a new version, checked again;
//! an older version's check does not count. Refused rows are counted by the import itself
//! ([`Issuer::note_import`], one call at the end of the file and JSON imports) into
//! `import_refusals`, per school, school year and class of the import: each new import of a
//! class replaces that class's counts, so a corrected file clears them.

use std::collections::{BTreeMap, HashMap};

use hocba_schema::validation::{Problem, Rule, Severity};
use time::OffsetDateTime;

use super::Issuer;
use super::import::JsonItem;
use super::overview::problems_of;
use crate::error::IssuerError;
use crate::import::RowProblem;
use crate::store::{DraftCheck, RuleCount, YearRecord};

/// Drafts checked per call of [`Issuer::check_drafts`].
pub const CHECKS_PER_CALL: i64 = 20_000;

/// One school's line of the province table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchoolCoverage {
    /// The school's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Pupils of the school in the year: those with a record of the year (as `expected`; a
    /// count of every pupil ever registered would read a whole table per request).
    pub pupils: i64,
    /// Pupils with a record of the year.
    pub expected: i64,
    /// Records signed.
    pub signed: i64,
    /// Drafts.
    pub draft: i64,
    /// Validated, waiting to be signed.
    pub validated: i64,
    /// Revoked.
    pub revoked: i64,
    /// Drafts held back by data mismatches (identity or validation).
    pub held: i64,
    /// Rows refused at import.
    pub refused: i64,
    /// The main reason things are held back here, if any.
    pub main_reason: Option<Reason>,
}

impl SchoolCoverage {
    /// Signed / expected, in per cent (0 when nothing is expected).
    pub fn rate(&self) -> f64 {
        percent(self.signed, self.expected)
    }

    /// Held back / expected, in per cent.
    pub fn held_rate(&self) -> f64 {
        percent(self.held, self.expected)
    }
}

/// A reason things are held back, and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// `identity`, `validation` or `import`.
    pub kind: String,
    /// The rule's code.
    pub rule: String,
    /// How many records (or refused rows).
    pub count: i64,
}

impl Reason {
    /// What it means, in Vietnamese.
    pub fn label_vi(&self) -> String {
        reason_label(&self.kind, &self.rule).0
    }

    /// What it means, in English.
    pub fn label_en(&self) -> String {
        reason_label(&self.kind, &self.rule).1
    }
}

/// The province in one school year.
#[derive(Clone, Debug, Default)]
pub struct ProvinceCoverage {
    /// The school year shown.
    pub school_year: String,
    /// School years with records, newest first.
    pub years: Vec<String>,
    /// Every registered school, by code.
    pub schools: Vec<SchoolCoverage>,
    /// The province's totals (code and name empty).
    pub total: SchoolCoverage,
    /// The reasons across the province, most frequent first.
    pub reasons: Vec<Reason>,
}

/// `part / whole` in per cent.
pub fn percent(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

fn is_identity(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::PersonalIdGenderCentury | Rule::PersonalIdBirthYear | Rule::PersonalIdProvince
    )
}

/// What holds a draft back: `(kind, rule)`, or `None` when nothing does (it only waits for
/// its validation). The identity mismatch comes first, the reason the Department follows.
pub fn hold_of(problems: &[Problem]) -> Option<(&'static str, &'static str)> {
    if let Some(p) = problems.iter().find(|p| is_identity(p.rule)) {
        return Some(("identity", p.rule.code()));
    }
    problems
        .iter()
        .find(|p| p.severity == Severity::Error)
        .or_else(|| problems.first())
        .map(|p| ("validation", p.rule.code()))
}

/// A reason in words: `(Vietnamese, English)`.
pub fn reason_label(kind: &str, rule: &str) -> (String, String) {
    let (vi, en) = match rule {
        "personal-id-gender-century" => (
            "Mã định danh cá nhân không khớp giới tính hoặc thế kỷ sinh (chữ số thứ 4)",
            "Personal ID number disagrees with gender or century of birth (digit 4)",
        ),
        "personal-id-birth-year" => (
            "Mã định danh cá nhân không khớp năm sinh (chữ số thứ 5–6)",
            "Personal ID number disagrees with the year of birth (digits 5–6)",
        ),
        "personal-id-province" => (
            "Mã định danh cá nhân có mã tỉnh nơi đăng ký khai sinh không đúng",
            "Personal ID number has no valid province code of birth registration",
        ),
        "personal-id-format" => (
            "Mã định danh cá nhân không đủ 12 chữ số",
            "Personal ID number is not 12 digits",
        ),
        "personal-id-missing" => ("Thiếu mã định danh cá nhân", "No personal ID number"),
        "pupil-identity-mismatch" => (
            "Mã học sinh và mã định danh không khớp với hồ sơ đã có",
            "Student code and personal ID number disagree with the stored pupil",
        ),
        "date-of-birth-implausible" | "date-of-birth-unusual" | "date-format" => (
            "Ngày sinh sai hoặc không hợp với khối lớp",
            "Date of birth wrong or unlikely for the grade",
        ),
        "school-mismatch" => ("Hồ sơ của trường khác", "Record of another school"),
        "required-field-missing" => ("Thiếu thông tin bắt buộc", "A required field is missing"),
        "not-saved" => ("Không lưu được", "Could not be saved"),
        _ if kind == "import" => (
            "Dòng bị từ chối khi nhập vì sai quy tắc dữ liệu",
            "Rows refused at import by a data rule",
        ),
        _ if kind == "identity" => (
            "Mã định danh cá nhân không khớp ngày sinh hoặc giới tính",
            "Personal ID number disagrees with date of birth or gender",
        ),
        _ => (
            "Sai lệch dữ liệu chưa được sửa hoặc chấp nhận",
            "Data mismatch not corrected or accepted yet",
        ),
    };
    (format!("{vi} ({rule})"), format!("{en} ({rule})"))
}

fn add_reason(reasons: &mut BTreeMap<(String, String), i64>, r: &RuleCount) {
    *reasons.entry((r.kind.clone(), r.rule.clone())).or_default() += r.count;
}

fn sorted(reasons: BTreeMap<(String, String), i64>) -> Vec<Reason> {
    let mut out: Vec<Reason> = reasons
        .into_iter()
        .map(|((kind, rule), count)| Reason { kind, rule, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.rule.cmp(&b.rule)));
    out
}

impl Issuer {
    /// Checks the drafts whose current version has no check yet (module doc), at most
    /// [`CHECKS_PER_CALL`], off the async workers; how many were checked.
    pub async fn check_drafts(&self, now: OffsetDateTime) -> Result<usize, IssuerError> {
        let drafts = self.store().unchecked_drafts(CHECKS_PER_CALL).await?;
        if drafts.is_empty() {
            return Ok(0);
        }
        let checks: Vec<DraftCheck> = tokio::task::spawn_blocking(move || {
            drafts
                .into_iter()
                .map(|(id, school_id, version, json)| {
                    let hold = hold_of(&problems_of(&json));
                    (
                        id,
                        school_id,
                        version,
                        hold.map(|h| h.0.to_owned()),
                        hold.map(|h| h.1.to_owned()),
                    )
                })
                .collect()
        })
        .await
        .map_err(|e| IssuerError::Internal(format!("draft checks: {e}")))?;
        self.store().save_draft_checks(&checks, now).await?;
        Ok(checks.len())
    }

    /// The province in `school_year` (the newest year with records when `None`).
    pub async fn province_coverage(
        &self,
        school_year: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<ProvinceCoverage, IssuerError> {
        self.check_drafts(now).await?;
        let store = self.store();
        let years = store.record_years(10).await?;
        let school_year = school_year
            .map(str::to_owned)
            .or_else(|| years.first().cloned())
            .unwrap_or_default();
        let (schools, counts, held, refused) = tokio::try_join!(
            store.list_schools(),
            store.coverage_counts(&school_year),
            store.held_drafts(&school_year),
            store.import_refusals(&school_year),
        )?;
        let counts: HashMap<String, _> = counts
            .into_iter()
            .map(|c| (c.school_id.clone(), c))
            .collect();
        let mut per_school: HashMap<&str, BTreeMap<(String, String), i64>> = HashMap::new();
        let mut province: BTreeMap<(String, String), i64> = BTreeMap::new();
        for r in held.iter().chain(refused.iter()) {
            add_reason(per_school.entry(r.school_id.as_str()).or_default(), r);
            add_reason(&mut province, r);
        }
        let mut total = SchoolCoverage::default();
        let mut lines: Vec<SchoolCoverage> = schools
            .iter()
            .map(|s| {
                let c = counts.get(&s.id).cloned().unwrap_or_default();
                let reasons = per_school.remove(s.id.as_str()).unwrap_or_default();
                let held = reasons
                    .iter()
                    .filter(|((kind, _), _)| kind != "import")
                    .map(|(_, n)| n)
                    .sum();
                let refused = reasons
                    .iter()
                    .filter(|((kind, _), _)| kind == "import")
                    .map(|(_, n)| n)
                    .sum();
                let line = SchoolCoverage {
                    code: s.code.clone(),
                    name: s.name.clone(),
                    pupils: c.expected,
                    expected: c.expected,
                    signed: c.signed,
                    draft: c.draft,
                    validated: c.validated,
                    revoked: c.revoked,
                    held,
                    refused,
                    main_reason: sorted(reasons).into_iter().next(),
                };
                total.pupils += line.pupils;
                total.expected += line.expected;
                total.signed += line.signed;
                total.draft += line.draft;
                total.validated += line.validated;
                total.revoked += line.revoked;
                total.held += line.held;
                total.refused += line.refused;
                line
            })
            .collect();
        lines.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(ProvinceCoverage {
            school_year,
            years,
            schools: lines,
            total,
            reasons: sorted(province),
        })
    }

    /// [`Issuer::note_import`] for a file import: each refused row counted once, under its
    /// first error's rule (`other` when the report left its problems out).
    pub async fn note_file_import(
        &self,
        school_id: &str,
        saved: &[(usize, YearRecord)],
        problems: &[RowProblem],
        refused_rows: &[usize],
        now: OffsetDateTime,
    ) -> Result<(), IssuerError> {
        let rules: Vec<String> = refused_rows
            .iter()
            .map(|row| {
                problems
                    .iter()
                    .find(|p| p.row == *row && p.is_error())
                    .map_or_else(|| "other".to_owned(), |p| p.rule.clone())
            })
            .collect();
        let saved: Vec<&YearRecord> = saved.iter().map(|(_, r)| r).collect();
        self.note_import(school_id, &saved, &rules, now).await
    }

    /// [`Issuer::note_import`] for a JSON import: each item not stored counted under its first
    /// error's rule, or its first refusal's.
    pub async fn note_json_import(
        &self,
        school_id: &str,
        items: &[JsonItem],
        now: OffsetDateTime,
    ) -> Result<(), IssuerError> {
        let rules: Vec<String> = items
            .iter()
            .filter(|i| i.saved.is_none())
            .map(|i| {
                i.report
                    .errors()
                    .first()
                    .map(|p| p.rule.code().to_owned())
                    .or_else(|| i.refusals.first().map(|r| r.rule.to_owned()))
                    .unwrap_or_else(|| "other".to_owned())
            })
            .collect();
        let saved: Vec<&YearRecord> = items.iter().filter_map(|i| i.saved.as_ref()).collect();
        self.note_import(school_id, &saved, &rules, now).await
    }

    /// Counts the rows an import refused (`refused_rules`: the rule of each refused row) for
    /// the class the import stored rows of (`saved`; none: the school year and class are
    /// left empty), replacing that class's earlier counts (module doc).
    pub async fn note_import(
        &self,
        school_id: &str,
        saved: &[&YearRecord],
        refused_rules: &[String],
        now: OffsetDateTime,
    ) -> Result<(), IssuerError> {
        let (year, class) = saved
            .first()
            .map(|r| (r.school_year.as_str(), r.class_name.as_str()))
            .unwrap_or_default();
        let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
        for rule in refused_rules {
            *counts.entry(rule.as_str()).or_default() += 1;
        }
        let counts: Vec<(String, i64)> = counts
            .into_iter()
            .map(|(rule, n)| (rule.to_owned(), n))
            .collect();
        self.store()
            .replace_import_refusals(school_id, year, class, &counts, now)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{hold_of, percent};
    use hocba_schema::validation::{Problem, Rule};
    use serde_json::Value;

    fn problem(rule: Rule) -> Problem {
        Problem::new("/student", rule, Value::Null, "x", "x")
    }

    #[test]
    fn the_identity_mismatch_is_the_reason_before_others() {
        let problems = [
            problem(Rule::YearAverageMismatch),
            problem(Rule::PersonalIdBirthYear),
        ];
        assert_eq!(
            hold_of(&problems),
            Some(("identity", "personal-id-birth-year"))
        );
        assert_eq!(
            hold_of(&[
                problem(Rule::YearAverageMismatch),
                problem(Rule::ScoreRange)
            ]),
            Some(("validation", "score-range"))
        );
        assert_eq!(hold_of(&[]), None);
    }

    #[test]
    fn rates_are_per_cent_of_the_expected() {
        assert!((percent(15_100, 15_200) - 99.342).abs() < 0.001);
        assert!(percent(3, 0).abs() < f64::EPSILON);
    }
}
