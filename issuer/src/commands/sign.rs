//! `hocba-issuer sign`: validate one record and print its signed credential, signed with its
//! school's key that is active now (the key ring of `--keys`, or `--key`).

use std::path::Path;

use anyhow::Result;
use hocba_issuer::error::IssuerError;
use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_schema::validation::parse_and_validate;
use serde_json::Value;
use time::OffsetDateTime;

use super::{KeyMaterial, MAX_INPUT_BYTES, read_capped, write_out};
use crate::cli::KeyArgs;

/// Sign `record` as its school (`school.code`).
pub(crate) fn run(
    keys: &KeyArgs,
    record: &Path,
    accept_warnings: bool,
    out: Option<&Path>,
    now: OffsetDateTime,
) -> Result<()> {
    let bytes = read_capped(record, MAX_INPUT_BYTES)?;
    // Validation first: an invalid record lists every problem (exit 2), whatever the keys.
    let (parsed, report) =
        parse_and_validate(&bytes).map_err(|r| IssuerError::InvalidRecord(Box::new(r)))?;
    if report.has_errors() {
        return Err(IssuerError::InvalidRecord(Box::new(report)).into());
    }
    let code = parsed.school.code;
    let material = KeyMaterial::load(keys, now)?;
    let signer = material.signer_for(&code, now)?;
    let key_school = material.school_of(&signer).unwrap_or(code);
    let issued = issue_record(
        &bytes,
        &signer,
        &key_school,
        &IssueOptions {
            accept_warnings,
            status: None,
            now,
            id: None,
        },
    )?;
    if !issued.report.warnings().is_empty() {
        eprintln!(
            "Cảnh báo đã chấp nhận / accepted warnings:\n{}",
            issued.report
        );
    }
    let text = serde_json::to_string_pretty(&Value::Object(issued.credential))?;
    write_out(out, &text)
}
