//! JSON input: one record (as in `schema/examples/`) or an array of them. Each element is
//! validated on its own, so one bad record does not hide the others.

use hocba_schema::validation::parse_and_validate;
use serde_json::Value;

use super::{ImportError, ImportReport};

/// Validate the record or records in `bytes`.
pub(super) fn import_json(bytes: &[u8]) -> Result<ImportReport, ImportError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let mut report = ImportReport::default();
    if first != Some(b'[') {
        // One record: the validator reports syntax errors with their place.
        report.add_row(1, outcome(body), |_| None);
        return Ok(report);
    }
    if let Err(e) = std::str::from_utf8(body) {
        let line = 1 + body[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        return Err(ImportError::NotUtf8 { line });
    }
    let items: Vec<Value> = serde_json::from_slice(body).map_err(|e| ImportError::Json {
        problem: e.to_string(),
    })?;
    if items.is_empty() {
        return Err(ImportError::Empty);
    }
    for (i, item) in items.iter().enumerate() {
        // Back to bytes, so each element goes through the same strict reader as one record.
        let bytes = serde_json::to_vec(item).map_err(|e| ImportError::Json {
            problem: e.to_string(),
        })?;
        report.add_row(i + 1, outcome(&bytes), |_| None);
    }
    Ok(report)
}

fn outcome(
    bytes: &[u8],
) -> Result<
    (
        hocba_schema::record::YearRecord,
        Vec<hocba_schema::validation::Problem>,
    ),
    Vec<hocba_schema::validation::Problem>,
> {
    match parse_and_validate(bytes) {
        Ok((record, report)) => Ok((record, report.problems)),
        Err(report) => Err(report.problems),
    }
}
