//! Validation: a stored draft becomes `validated`, ready to sign, when the rules find no
//! error in it and a person has accepted its warnings. One rule for every door: the API's
//! one-record and whole-class validation, the web app's "validate the class" button and
//! `hocba-issuer issue`, which imports, validates and signs in one go: it stores each row
//! already validated when [`may_validate`] says so (warnings accepted by `--accept-warnings`),
//! in the import's own transaction, so two processes issuing one class never race between
//! the import and the validation.
//!
//! A class (or a school year) is validated in one call: every draft is checked, those that
//! pass are marked in one transaction, those that do not are listed with their problems and
//! the pupil's name, and one audit row says what happened.

use hocba_schema::validation::{Problem, ValidationReport, parse_and_validate};
use time::OffsetDateTime;

use super::Issuer;
use super::sign::PupilRef;
use crate::error::IssuerError;
use crate::store::{AuditEntry, RecordFilter, RecordState, School, YearRecord};

/// A draft that was not validated, and why.
#[derive(Debug)]
pub struct NotValidated {
    /// The record.
    pub record: YearRecord,
    /// Whose record it is.
    pub pupil: PupilRef,
    /// Its errors, or the warnings nobody accepted; or the store's reason (`None`).
    pub report: Option<ValidationReport>,
    /// Why, in words (both languages), when it is not the rules.
    pub reason: Option<String>,
}

/// What validating a class did.
#[derive(Debug, Default)]
pub struct ClassValidation {
    /// Drafts now validated, with the warnings accepted for each.
    pub validated: Vec<(YearRecord, PupilRef, usize)>,
    /// Drafts left as they were.
    pub refused: Vec<NotValidated>,
    /// Records of the scope that were validated or signed already.
    pub already: usize,
}

/// The one rule: a record may be marked validated when the rules found no error in it and
/// its warnings that need confirmation ([`ValidationReport::needs_confirmation`]), if any,
/// were accepted by a person. Other warnings (text normalised to NFC, an unusual age) never
/// block.
pub fn may_validate(has_errors: bool, has_warnings: bool, accept_warnings: bool) -> bool {
    !has_errors && (!has_warnings || accept_warnings)
}

/// The rules' verdict on a stored record: its report, whether it may be validated.
fn check(record: &YearRecord, accept_warnings: bool) -> Result<ValidationReport, ValidationReport> {
    let report = match parse_and_validate(record.record_json.as_bytes()) {
        Ok((_, report)) => report,
        Err(report) => return Err(report),
    };
    if !may_validate(
        report.has_errors(),
        report.needs_confirmation(),
        accept_warnings,
    ) {
        return Err(report);
    }
    Ok(report)
}

impl Issuer {
    /// Validates one record of `school` at `expected` version (its current one when
    /// `None`): errors are [`IssuerError::InvalidRecord`], warnings not accepted
    /// [`IssuerError::UnacceptedWarnings`]. Returns the record and the warnings accepted.
    pub async fn validate_record(
        &self,
        school: &School,
        actor: Option<&str>,
        record_id: &str,
        expected: Option<i64>,
        accept_warnings: bool,
        now: OffsetDateTime,
    ) -> Result<(YearRecord, Vec<Problem>), IssuerError> {
        let record = self.store().record(&school.id, record_id).await?;
        let expected = expected.unwrap_or(record.version);
        let report = match check(&record, accept_warnings) {
            Ok(report) => report,
            Err(report) if report.has_errors() => {
                return Err(IssuerError::InvalidRecord(Box::new(report)));
            }
            Err(report) => return Err(IssuerError::UnacceptedWarnings(Box::new(report))),
        };
        let warnings: Vec<Problem> = report.warnings().into_iter().cloned().collect();
        let validated = self
            .store()
            .mark_validated(&school.id, record_id, expected, actor, now)
            .await?;
        self.audit(
            school,
            actor,
            "validate",
            record_id,
            serde_json::json!({
                "version": validated.version,
                "acceptedWarnings": warnings.len(),
            }),
            now,
        )
        .await?;
        Ok((validated, warnings))
    }

    /// Validates every draft of a school year (or one class of it) of `school` in one call.
    pub async fn validate_class(
        &self,
        school: &School,
        actor: Option<&str>,
        school_year: &str,
        class_name: Option<&str>,
        accept_warnings: bool,
        now: OffsetDateTime,
    ) -> Result<ClassValidation, IssuerError> {
        let records = self
            .store()
            .list_records(
                &school.id,
                &RecordFilter {
                    school_year: Some(school_year.to_owned()),
                    class_name: class_name.map(str::to_owned),
                    state: None,
                },
            )
            .await?;
        let subject = match class_name {
            Some(class) => format!("class:{class} {school_year}"),
            None => format!("year:{school_year}"),
        };
        self.validate_records(school, actor, records, accept_warnings, &subject, now)
            .await
    }

    /// Validates the drafts among `records` (of `school`): one transaction for those that
    /// pass, one audit row naming `subject`.
    pub async fn validate_records(
        &self,
        school: &School,
        actor: Option<&str>,
        records: Vec<YearRecord>,
        accept_warnings: bool,
        subject: &str,
        now: OffsetDateTime,
    ) -> Result<ClassValidation, IssuerError> {
        let mut out = ClassValidation::default();
        let mut passing: Vec<(YearRecord, usize)> = Vec::new();
        for record in records {
            if record.state != RecordState::Draft {
                out.already += 1;
                continue;
            }
            match check(&record, accept_warnings) {
                Ok(report) => {
                    let warnings = report.warnings().len();
                    passing.push((record, warnings));
                }
                Err(report) => out.refused.push(NotValidated {
                    pupil: PupilRef::of(&record),
                    record,
                    report: Some(report),
                    reason: None,
                }),
            }
        }
        let pairs: Vec<(String, i64)> = passing
            .iter()
            .map(|(r, _)| (r.id.clone(), r.version))
            .collect();
        let marked = if pairs.is_empty() {
            Vec::new()
        } else {
            self.store()
                .mark_validated_many(&school.id, &pairs, actor, now)
                .await?
        };
        for ((record, warnings), outcome) in passing.into_iter().zip(marked) {
            let pupil = PupilRef::of(&record);
            match outcome {
                Ok(validated) => out.validated.push((validated, pupil, warnings)),
                Err(e) => out.refused.push(NotValidated {
                    record,
                    pupil,
                    report: None,
                    reason: Some(e.to_string()),
                }),
            }
        }
        self.audit(
            school,
            actor,
            "validate",
            subject,
            serde_json::json!({
                "validated": out.validated.iter().map(|(r, _, _)| r.id.as_str()).collect::<Vec<_>>(),
                "refused": out.refused.iter().map(|n| n.record.id.as_str()).collect::<Vec<_>>(),
                "acceptedWarnings": out.validated.iter().map(|(_, _, w)| w).sum::<usize>(),
            }),
            now,
        )
        .await?;
        Ok(out)
    }

    /// Appends an audit entry for `actor` acting on `subject` of `school`.
    pub async fn audit(
        &self,
        school: &School,
        actor: Option<&str>,
        action: &str,
        subject: &str,
        details: serde_json::Value,
        now: OffsetDateTime,
    ) -> Result<(), IssuerError> {
        self.store()
            .append_audit(&AuditEntry {
                at: now,
                school_id: Some(school.id.clone()),
                user_id: actor.map(str::to_owned),
                action: action.to_owned(),
                subject: subject.to_owned(),
                details_json: details.to_string(),
            })
            .await?;
        Ok(())
    }
}
