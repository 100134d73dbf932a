//! JSON input: one record (as in `schema/examples/`) or an array of them. Each element is
//! validated on its own, so one bad record does not hide the others.

use hocba_schema::validation::parse_and_validate;
use serde::de::{Deserialize, Deserializer, Error as _, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::limits::MAX_ROWS;
use super::{ImportError, ImportReport};

/// The message that stops reading an array past [`MAX_ROWS`] elements.
const TOO_MANY: &str = "hocba: too many records";

/// The elements of an array as their JSON text, at most [`MAX_ROWS`] of them (reading stops
/// there, before anything is parsed into values).
struct Elements<'a>(Vec<&'a RawValue>);

impl<'de> Deserialize<'de> for Elements<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Capped;
        impl<'de> Visitor<'de> for Capped {
            type Value = Elements<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of records")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<&'de RawValue>()? {
                    if items.len() >= MAX_ROWS {
                        return Err(A::Error::custom(TOO_MANY));
                    }
                    items.push(item);
                }
                Ok(Elements(items))
            }
        }
        deserializer.deserialize_seq(Capped)
    }
}

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
    // `simdutf8`: several times std's speed on Vietnamese text, the same answer.
    let text = match simdutf8::compat::from_utf8(body) {
        Ok(text) => text,
        Err(e) => {
            let line = 1 + body[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            return Err(ImportError::NotUtf8 { line });
        }
    };
    // Read as text (checked just above), so that the elements' own text is not checked again.
    let items = match serde_json::from_str::<Elements<'_>>(text) {
        Ok(Elements(items)) => items,
        Err(e) if e.to_string().starts_with(TOO_MANY) => {
            return Err(ImportError::TooManyRows { limit: MAX_ROWS });
        }
        Err(e) => {
            return Err(ImportError::Json {
                problem: e.to_string(),
            });
        }
    };
    if items.is_empty() {
        return Err(ImportError::Empty);
    }
    // Room for every record at once: a record is large, and growing the list copies them all.
    report.drafts.reserve_exact(items.len());
    for (i, item) in items.iter().enumerate() {
        // Each element's own text goes through the same strict reader as one record.
        report.add_row(i + 1, outcome(item.get().as_bytes()), |_| None);
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
