//! One record in, one signed credential out: parse and validate the record (every problem at
//! once), refuse errors, hold warnings for a person to accept, check that the key is the
//! record's school's, wrap the record in the credential envelope and sign it.

use hocba_schema::credential::{StatusEntry, UnsignedCredential};
use hocba_schema::validation::{ValidationReport, parse_and_validate};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::error::IssuerError;
use crate::signing::Signer;

/// How to issue.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// Sign even when validation reported warnings (a person looked at them).
    pub accept_warnings: bool,
    /// The credential's revocation entry, when status lists are in use.
    pub status: Option<StatusEntry>,
    /// Signing time (`validFrom` and the proof's `created`).
    pub now: OffsetDateTime,
    /// The credential id; a fresh `urn:uuid:` when `None`.
    pub id: Option<String>,
}

/// A signed credential and the warnings that were accepted for it.
#[derive(Debug)]
pub struct Issued {
    /// The secured credential.
    pub credential: Map<String, Value>,
    /// Warnings from validation (empty unless accepted).
    pub report: ValidationReport,
}

/// Validate `record_json` and sign it as `signer`, whose school code is `school_code`.
pub fn issue_record(
    record_json: &[u8],
    signer: &Signer,
    school_code: &str,
    options: &IssueOptions,
) -> Result<Issued, IssuerError> {
    let (record, report) = parse_and_validate(record_json)
        .map_err(|report| IssuerError::InvalidRecord(Box::new(report)))?;
    if report.has_errors() {
        return Err(IssuerError::InvalidRecord(Box::new(report)));
    }
    // Only warnings of a kind the school must confirm block signing (issue #12, item 9).
    if report.needs_confirmation() && !options.accept_warnings {
        return Err(IssuerError::UnacceptedWarnings(Box::new(report)));
    }
    if record.school.code != school_code {
        return Err(IssuerError::KeyOfAnotherSchool {
            key_school: school_code.into(),
            record_school: record.school.code.clone(),
        });
    }
    let subject = serde_json::to_value(&record)
        .map_err(|e| hocba_schema::SchemaError::Json(e.to_string()))?;
    let id = options
        .id
        .clone()
        .unwrap_or_else(|| format!("urn:uuid:{}", uuid::Uuid::new_v4()));
    let unsigned = UnsignedCredential::new(
        &id,
        signer.issuer(),
        options.now,
        subject,
        options.status.as_ref(),
    )?;
    let credential = signer.sign(unsigned, options.now)?;
    Ok(Issued { credential, report })
}
