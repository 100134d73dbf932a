//! Timestamps as stored: RFC 3339 in UTC with exactly six fractional digits
//! (`2025-05-28T07:30:00.000000Z`). Fixed width, so text order is time order on both backends.
//! Dates of birth are stored as RFC 3339 full-dates (`2013-09-05`).

use sqlx::Row;
use sqlx::any::AnyRow;
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

use super::StoreError;

const TIMESTAMP: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
const DATE: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// The stored text of an instant.
pub(crate) fn to_text(t: OffsetDateTime) -> Result<String, StoreError> {
    let utc = t.to_offset(UtcOffset::UTC);
    if !(0..=9999).contains(&utc.year()) {
        return Err(StoreError::InvalidInput {
            field: "timestamp",
            reason: format!("year {} is outside 0–9999", utc.year()),
        });
    }
    utc.format(TIMESTAMP).map_err(|e| StoreError::InvalidInput {
        field: "timestamp",
        reason: e.to_string(),
    })
}

/// Reads a stored instant back.
pub(crate) fn from_text(what: &'static str, s: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| StoreError::Corrupt {
        what,
        detail: format!("{s:?}: {e}"),
    })
}

/// Reads an optional stored instant back.
pub(crate) fn from_opt_text(
    what: &'static str,
    s: Option<String>,
) -> Result<Option<OffsetDateTime>, StoreError> {
    s.map(|s| from_text(what, &s)).transpose()
}

/// Reads the stored instant in `column` of `row` back; `what` names it in errors
/// (`table.column`).
pub(crate) fn time_at(
    row: &AnyRow,
    what: &'static str,
    column: &str,
) -> Result<OffsetDateTime, StoreError> {
    from_text(what, &row.try_get::<String, _>(column)?)
}

/// [`time_at`] for a column that may be NULL.
pub(crate) fn opt_time_at(
    row: &AnyRow,
    what: &'static str,
    column: &str,
) -> Result<Option<OffsetDateTime>, StoreError> {
    from_opt_text(what, row.try_get(column)?)
}

/// The stored text of a calendar date.
pub(crate) fn date_to_text(d: Date) -> Result<String, StoreError> {
    d.format(DATE).map_err(|e| StoreError::InvalidInput {
        field: "date",
        reason: e.to_string(),
    })
}

/// Reads a stored calendar date back.
pub(crate) fn date_from_text(what: &'static str, s: &str) -> Result<Date, StoreError> {
    Date::parse(s, DATE).map_err(|e| StoreError::Corrupt {
        what,
        detail: format!("{s:?}: {e}"),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::datetime;

    #[test]
    fn fixed_width_and_round_trip() {
        let a = datetime!(2025-05-28 07:30:00 +07:00);
        let b = datetime!(2025-05-28 00:30:00.5 UTC);
        let (ta, tb) = (to_text(a).unwrap(), to_text(b).unwrap());
        assert_eq!(ta, "2025-05-28T00:30:00.000000Z");
        assert_eq!(tb, "2025-05-28T00:30:00.500000Z");
        assert!(ta < tb);
        assert_eq!(from_text("t", &ta).unwrap(), a);
        assert_eq!(from_text("t", &tb).unwrap(), b);
    }
}
