//! CSV and XLSX into a table of text cells: the header row, then each non-empty row with its
//! spreadsheet row number (the header is row 1). Both readers stop at the limits of
//! [`super::limits`]: [`MAX_ROWS`] pupil rows, [`MAX_COLUMNS`] columns, [`MAX_CELL_CHARS`]
//! characters in a cell.
//!
//! CSV is read as UTF-8 (a byte order mark is allowed) or, after its byte order mark, as
//! UTF-16 LE or BE (Excel's "Unicode Text", tab-separated); anything else that is not UTF-8
//! (Windows-1258, TCVN3, VNI, UTF-16 without a mark) is refused with how to save as UTF-8.

use std::borrow::Cow;

use super::ImportError;
use super::cells::clean;
use super::limits::{MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS};

/// A sheet as text.
#[derive(Debug, Default)]
pub(super) struct Table {
    /// The header row's cells (NFC, trimmed, invisible characters dropped).
    pub(super) headers: Vec<String>,
    /// `(row number, cells)` for each row with at least one non-empty cell.
    pub(super) rows: Vec<(usize, Vec<String>)>,
    /// Rows whose shape is wrong: `(row number, what is wrong)`.
    pub(super) broken: Vec<(usize, String)>,
}

impl Table {
    /// Add the row numbered `row`; empty rows are skipped, the first non-empty one is the
    /// header. Refuses the file past [`MAX_ROWS`] rows or a cell past [`MAX_CELL_CHARS`].
    pub(super) fn push(&mut self, row: usize, mut cells: Vec<String>) -> Result<(), ImportError> {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(());
        }
        for (i, cell) in cells.iter().enumerate() {
            check_cell_length(cell, || cell_name(row, i))?;
        }
        if self.headers.is_empty() {
            self.headers = cells.iter().map(|c| clean(c)).collect();
            return Ok(());
        }
        if self.rows.len() + self.broken.len() >= MAX_ROWS {
            return Err(ImportError::TooManyRows { limit: MAX_ROWS });
        }
        let width = self.headers.len();
        if cells.len() > width && cells[width..].iter().any(|c| !c.trim().is_empty()) {
            self.broken.push((
                row,
                format!("{} ô có giá trị nhưng chỉ có {width} cột / {} cells with values but only {width} columns", cells.len(), cells.len()),
            ));
            return Ok(());
        }
        cells.resize(width, String::new());
        self.rows.push((row, cells));
        Ok(())
    }

    /// The table, or [`ImportError::Empty`] without a header and a row.
    pub(super) fn finish(self) -> Result<Table, ImportError> {
        if self.headers.is_empty() || (self.rows.is_empty() && self.broken.is_empty()) {
            return Err(ImportError::Empty);
        }
        Ok(self)
    }
}

/// Refuse a cell longer than [`MAX_CELL_CHARS`] (`name` names it for the message).
pub(super) fn check_cell_length(cell: &str, name: impl Fn() -> String) -> Result<(), ImportError> {
    // Bytes first: no text of at most MAX_CELL_CHARS bytes is over the limit.
    if cell.len() > MAX_CELL_CHARS {
        let chars = cell.chars().count();
        if chars > MAX_CELL_CHARS {
            return Err(ImportError::CellTooLong {
                cell: name(),
                chars,
                limit: MAX_CELL_CHARS,
            });
        }
    }
    Ok(())
}

/// The spreadsheet name of a cell: column letters and row number (`A1`, `XFD1048576`).
pub(super) fn cell_name(row: usize, column: usize) -> String {
    let mut letters = Vec::new();
    let mut i = column;
    loop {
        letters.push(char::from(b'A' + (i % 26) as u8));
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    letters.iter().rev().collect::<String>() + &row.to_string()
}

/// The 1-based line of byte `at` of `bytes`.
fn line_of(bytes: &[u8], at: usize) -> usize {
    1 + bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// The text of a CSV file: UTF-8 (optional byte order mark), or UTF-16 after its byte
/// order mark; otherwise [`ImportError::NotUtf8`] with the first bad line.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ImportError> {
    let utf16 = |body: &[u8], unit: fn([u8; 2]) -> u16| -> Result<Cow<'_, str>, ImportError> {
        let units = body.chunks(2).map(|pair| match pair {
            [a, b] => unit([*a, *b]),
            // An odd byte at the end: not UTF-16.
            _ => 0xD800,
        });
        let mut text = String::with_capacity(body.len());
        for c in char::decode_utf16(units) {
            match c {
                Ok(c) => text.push(c),
                Err(_) => {
                    let line = 1 + text.matches('\n').count();
                    return Err(ImportError::NotUtf8 { line });
                }
            }
        }
        Ok(Cow::Owned(text))
    };
    if let Some(body) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(body, u16::from_le_bytes);
    }
    if let Some(body) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(body, u16::from_be_bytes);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // NUL bytes: UTF-16 without a byte order mark (valid UTF-8, but not text).
    if let Some(at) = body.iter().position(|&b| b == 0) {
        return Err(ImportError::NotUtf8 {
            line: line_of(body, at),
        });
    }
    match std::str::from_utf8(body) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => Err(ImportError::NotUtf8 {
            line: line_of(body, e.valid_up_to()),
        }),
    }
}

/// Read CSV (see the module docs for encodings; `,`, `;` or a tab as the delimiter,
/// whichever the header line uses most).
pub(super) fn read_csv(bytes: &[u8]) -> Result<Table, ImportError> {
    let text = decode(bytes)?;
    let first_line = text.lines().next().unwrap_or_default();
    let count = |d: char| first_line.matches(d).count();
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (count(char::from(d)), d == b','))
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    let mut record = csv::StringRecord::new();
    let mut row = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(ImportError::Csv {
                    line: e.position().map_or(0, |p| p.line()),
                    problem: e.to_string(),
                });
            }
        }
        row += 1;
        // Trailing empty fields (a spreadsheet's empty columns) are dropped; a value past
        // the widest sheet read refuses the file.
        let used = (0..record.len())
            .rev()
            .find(|&i| record.get(i).is_some_and(|c| !c.trim().is_empty()))
            .map_or(0, |i| i + 1);
        if used > MAX_COLUMNS {
            return Err(ImportError::TooManyColumns {
                cell: cell_name(row, used - 1),
                column: used,
                limit: MAX_COLUMNS,
            });
        }
        table.push(row, record.iter().take(used).map(str::to_owned).collect())?;
    }
    table.finish()
}
