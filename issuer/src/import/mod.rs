//! Import of a class's end-of-year results as the school management software exports them:
//! CSV or XLSX in the flat column layout of `issuer/templates/` (one row per pupil, Vietnamese
//! headers), or JSON (one record as in `schema/examples/`, or an array of them).
//!
//! Every row becomes a record and goes through [`hocba_schema::validation`]; each problem
//! comes back as a [`RowProblem`] naming the row, the column (for CSV and XLSX), the field
//! (JSON pointer), the rule and the offending value. Rows without errors are the
//! [`ImportReport::drafts`]. Problems with the file as a whole (empty, not UTF-8, a missing or
//! unknown column, not a spreadsheet) are an [`ImportError`].
//!
//! Nothing here touches the database, the network or the clock.
//!
//! Every file is read within the limits of [`limits`] (rows, columns, cell length, and for
//! XLSX the ZIP's entries and each part's inflated size and ratio); a file over one is an
//! [`ImportError`] naming the limit ([`ImportError::is_limit`]), and memory grows only with
//! what has been read, never with a size the file declares. A report keeps the first
//! [`limits::MAX_REPORTED_PROBLEMS`] problems and counts the rest.
//!
//! What real exports bring is tolerated: headers in NFD or with stray spaces, a column the
//! template does not have (ignored, with a warning naming it), ratings written as words
//! (`Tốt`, `Đạt`, `Hoàn thành tốt`, …), UTF-16 CSV with a byte order mark. Legacy 8-bit
//! encodings (Windows-1258, TCVN3) cannot be told apart reliably and are refused with how to
//! save as UTF-8.
//!
//! * `layout/` — the columns of each level and how a row becomes a record (and back).
//! * `cells.rs` — reading one cell: numbers with a decimal comma, `dd/mm/yyyy` dates, labels.
//! * `table.rs` — CSV into rows of text cells; the row and cell limits.
//! * `xlsx/` — XLSX into rows of text cells, streamed (why not calamine: see there).
//! * `json.rs` — JSON records.
//! * `report.rs` — [`ImportReport`] and [`RowProblem`].
//! * `sheet.rs` — a file's cells as the person sees them (the web app's report), a row back as CSV.
//! * `error.rs` — [`ImportError`].
//! * `limits.rs` — the limits, each with its reason.
//! * `templates.rs` — the published templates.

mod cells;
mod error;
mod json;
mod layout;
pub mod limits;
mod report;
pub mod sheet;
mod table;
pub mod templates;
mod xlsx;

pub use error::ImportError;
pub use layout::{ColumnGuide, Layout, LayoutLevel};
pub use report::{ImportReport, RowProblem};

use std::path::Path;

/// Largest input file read (50 MiB; a class is well under 1 MiB, a whole school a few MiB).
pub const MAX_IMPORT_BYTES: usize = 50 * 1024 * 1024;

/// The kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma- (or semicolon-) separated values, UTF-8 (a byte order mark is allowed).
    Csv,
    /// An Excel workbook; the first sheet is read.
    Xlsx,
    /// One JSON record or an array of records.
    Json,
}

impl Format {
    /// The format a file name says (`.csv`, `.xlsx`, `.json`, any case).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The format a media type names (`text/csv`, the XLSX type, `application/json`).
    pub fn from_media_type(media_type: &str) -> Option<Format> {
        let essence = media_type.split(';').next()?.trim().to_ascii_lowercase();
        match essence.as_str() {
            "text/csv" => Some(Format::Csv),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
                Some(Format::Xlsx)
            }
            "application/json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The layout's level; detected from the headers when `None`.
    pub level: Option<LayoutLevel>,
    /// Values for the whole file, by column header (e.g. `("Năm học", "2025-2026")`): used
    /// when the file has no such column, or the row's cell is empty. This is how a file
    /// without the school and class columns is imported.
    pub fixed: Vec<(String, String)>,
}

/// Read `bytes` as `format` and validate every row.
pub fn import(
    bytes: &[u8],
    format: Format,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            bytes: bytes.len(),
            limit: MAX_IMPORT_BYTES,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) || bytes == b"\xEF\xBB\xBF" {
        return Err(ImportError::Empty);
    }
    match format {
        Format::Json => json::import_json(bytes),
        Format::Csv => {
            let table = table::read_csv(bytes)?;
            layout::import_table(&table, options)
        }
        Format::Xlsx => {
            let table = xlsx::read_xlsx(bytes)?;
            layout::import_table(&table, options)
        }
    }
}
