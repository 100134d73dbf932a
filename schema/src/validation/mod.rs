//! Validation of a year record: every problem at once, each with the JSON pointer of the field,
//! a stable rule code, the offending value, a severity and a message in Vietnamese and English.
//!
//! * **Errors** block signing: wrong types and ranges, ratings from another level's set,
//!   non-integer primary scores, averages with more than one decimal, subjects the grade does
//!   not have or is missing, a grade the school does not teach, completion outside grade 5 / 9, a
//!   date of birth impossible for the grade, empty or over-long text.
//! * **Warnings** ask a person to decide: a derived result (year average, a comment subject's
//!   year rating, learning result with the adjustment of Circular 22 Art. 9(3), year conduct,
//!   primary year result, promotion, award, completion) that disagrees with what the rules
//!   compute — the problem carries the school's value and the computed one —, a personal
//!   identification number that disagrees with the date of birth or gender, an unusual age,
//!   text not in NFC.
//!
//! Derived results are only checked when the marks they come from have no errors, so that one
//! wrong score does not also produce a cascade of mismatches.
//!
//! [`validate`] checks a record built in Rust; [`parse_and_validate`] reads JSON bytes first and
//! never panics: malformed JSON, wrong types, unknown or duplicate fields, deep nesting and
//! numbers out of range become a report too. Text in NFD is accepted, normalised to NFC in the
//! returned record, and reported as a `text-not-nfc` warning.

mod checks;
mod form;
mod identity;
mod labels;
mod primary;
mod read;
mod report;
mod rule;
mod secondary;
mod secondary_derived;
mod study_history;
mod subjects;
mod summer;
mod text;

#[cfg(test)]
mod fast_path_tests;

pub use form::{HEIGHT_CM, MAX_CERTIFICATES, MAX_SCHOOL_DAYS, MAX_STUDY_HISTORY, WEIGHT_KG};
pub use identity::CODE_MAX_CHARS;
pub use report::{CONFIRM_EN, CONFIRM_VI, Problem, Severity, ValidationReport};
pub use rule::Rule;
pub use subjects::{MAX_OTHER_AWARDS, MAX_SUBJECTS};
pub use summer::REASSESS_BELOW_TENTHS;
pub use text::{COMMENT_MAX_CHARS, NAME_MAX_CHARS, TEXT_MAX_CHARS};

use serde_json::Value;

use crate::record::{SchoolLevel, YearRecord};
use crate::rules::Thresholds;
use checks::Checks;

/// Largest JSON document [`parse_and_validate`] reads (512 KiB; a full record is a few KiB).
pub const MAX_RECORD_BYTES: usize = 512 * 1024;

/// Every problem of `record`, with the default [`Thresholds`].
pub fn validate(record: &YearRecord) -> ValidationReport {
    validate_with(record, &Thresholds::default())
}

/// Every problem of `record`, with the given thresholds for the unconfirmed rules.
pub fn validate_with(record: &YearRecord, thresholds: &Thresholds) -> ValidationReport {
    validate_document_with(record, thresholds).0
}

/// [`validate_with`], also returning the record's JSON form (`serde_json::to_value(record)`),
/// which the text checks walk anyway: a signer wraps it in the credential without
/// serialising the record a second time. `None` if the record does not serialise (not the
/// case for these types).
pub fn validate_document_with(
    record: &YearRecord,
    thresholds: &Thresholds,
) -> (ValidationReport, Option<Value>) {
    let mut checks = Checks::new(thresholds);
    // Text checks walk the JSON form so their pointers are the document's.
    let document = serde_json::to_value(record).ok();
    if let Some(document) = &document {
        text::check_text(document, &mut checks);
    }
    identity::check_identity(record, &mut checks);
    form::check_form_fields(record, &mut checks);
    let level = record.level();
    if let Some(block) = &record.primary {
        let grade = (level == Some(SchoolLevel::Primary)).then_some(record.grade);
        let noted = record.student.disability_note.is_some();
        primary::check_primary(block, grade, noted, &mut checks);
    }
    if let Some(block) = &record.secondary {
        let secondary = matches!(
            level,
            Some(SchoolLevel::LowerSecondary | SchoolLevel::UpperSecondary)
        );
        let grade = secondary.then_some(record.grade);
        let noted = record.student.disability_note.is_some();
        secondary::check_secondary(block, grade, record.days_absent, noted, &mut checks);
    }
    (checks.report, document)
}

/// Read a record from JSON bytes and validate it, with the default [`Thresholds`].
///
/// `Ok` holds the record (text normalised to NFC) and its report, which may contain errors;
/// `Err` holds a report whose error says why the bytes could not be read as a record.
pub fn parse_and_validate(json: &[u8]) -> Result<(YearRecord, ValidationReport), ValidationReport> {
    parse_and_validate_with(json, &Thresholds::default())
}

/// [`parse_and_validate`] with the given thresholds.
pub fn parse_and_validate_with(
    json: &[u8],
    thresholds: &Thresholds,
) -> Result<(YearRecord, ValidationReport), ValidationReport> {
    match read_canonical(json) {
        Some(record) => {
            let report = validate_with(&record, thresholds);
            Ok((record, report))
        }
        None => {
            parse_and_validate_general(json, thresholds).map(|(record, report, _)| (record, report))
        }
    }
}

/// A record read and validated for signing: the record, its report and its JSON form (what
/// `serde_json::to_value(&record)` gives, `Null` if it does not serialise, which these
/// types always do), made once for the text checks and the credential both.
pub type Documented = (YearRecord, ValidationReport, Value);

/// [`parse_and_validate`] that also returns the record's JSON form (see [`Documented`]).
pub fn parse_and_validate_document(json: &[u8]) -> Result<Documented, ValidationReport> {
    let thresholds = Thresholds::default();
    match read_canonical(json) {
        Some(record) => {
            let (report, document) = validate_document_with(&record, &thresholds);
            Ok((record, report, document.unwrap_or(Value::Null)))
        }
        None => parse_and_validate_general(json, &thresholds),
    }
}

/// The record in `json` when the bytes are already canonical JSON (RFC 8785, as the issuer
/// stores records): read straight into the record, without the strict reader's value tree
/// and NFC pass. Canonical bytes have no byte order mark, no member twice, no nesting past
/// the scan's limit, every string in NFC and every number within ±(2^53−1), so the strict
/// reader would accept them, normalise nothing and warn of nothing, and reading them into
/// the record directly gives the same record. `None` (the general path) otherwise, and also
/// when the bytes are not a record, so that its report says why in the usual words.
fn read_canonical(json: &[u8]) -> Option<YearRecord> {
    if json.len() > MAX_RECORD_BYTES {
        return None;
    }
    crate::jcs::scan::scan_canonical(json)?;
    serde_json::from_slice(json).ok()
}

/// [`parse_and_validate_document`] for any bytes: the strict reader, NFC, then the record.
fn parse_and_validate_general(
    json: &[u8],
    thresholds: &Thresholds,
) -> Result<Documented, ValidationReport> {
    let mut value = read::read_value(json).map_err(|problem| ValidationReport {
        problems: vec![*problem],
    })?;
    let nfc_warnings = read::normalise_text(&mut value);
    match read::record_from_value(&value) {
        Ok(record) => {
            let mut report = ValidationReport {
                problems: nfc_warnings,
            };
            let (found, document) = validate_document_with(&record, thresholds);
            report.extend(found.problems);
            Ok((record, report, document.unwrap_or(Value::Null)))
        }
        Err(problem) => {
            let mut report = ValidationReport {
                problems: nfc_warnings,
            };
            report.push(*problem);
            Err(report)
        }
    }
}
