//! CSV and XLSX into a table of text cells: the header row, then each non-empty row with its
//! spreadsheet row number (the header is row 1).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::ImportError;

/// A sheet as text.
#[derive(Debug, Default)]
pub(super) struct Table {
    /// The header row's cells.
    pub(super) headers: Vec<String>,
    /// `(row number, cells)` for each row with at least one non-empty cell.
    pub(super) rows: Vec<(usize, Vec<String>)>,
    /// Rows whose shape is wrong: `(row number, what is wrong)`.
    pub(super) broken: Vec<(usize, String)>,
}

impl Table {
    fn push(&mut self, row: usize, mut cells: Vec<String>) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        if self.headers.is_empty() {
            self.headers = cells;
            return;
        }
        let width = self.headers.len();
        if cells.len() > width && cells[width..].iter().any(|c| !c.trim().is_empty()) {
            self.broken.push((
                row,
                format!("{} ô có giá trị nhưng chỉ có {width} cột / {} cells with values but only {width} columns", cells.len(), cells.len()),
            ));
            return;
        }
        cells.resize(width, String::new());
        self.rows.push((row, cells));
    }

    fn finish(self) -> Result<Table, ImportError> {
        if self.headers.is_empty() || (self.rows.is_empty() && self.broken.is_empty()) {
            return Err(ImportError::Empty);
        }
        Ok(self)
    }
}

/// The 1-based line of the first byte that is not UTF-8, if any.
fn first_bad_line(bytes: &[u8]) -> Option<usize> {
    match std::str::from_utf8(bytes) {
        Ok(_) => None,
        Err(e) => Some(
            1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count(),
        ),
    }
}

/// Read CSV (UTF-8, optional byte order mark; `,` or `;` as the delimiter, whichever the
/// header line uses more).
pub(super) fn read_csv(bytes: &[u8]) -> Result<Table, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(line) = first_bad_line(bytes) {
        return Err(ImportError::NotUtf8 { line });
    }
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |d: u8| first_line.iter().filter(|&&b| b == d).count();
    let delimiter = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut table = Table::default();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ImportError::Csv {
            line: e.position().map_or(0, |p| p.line()),
            problem: e.to_string(),
        })?;
        table.push(i + 1, record.iter().map(str::to_owned).collect());
    }
    table.finish()
}

/// Read the first sheet of an XLSX workbook.
pub(super) fn read_xlsx(bytes: &[u8]) -> Result<Table, ImportError> {
    let xlsx_error = |problem: String| ImportError::Xlsx { problem };
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| xlsx_error(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| xlsx_error("the workbook has no sheet".into()))?
        .map_err(|e| xlsx_error(e.to_string()))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut table = Table::default();
    for (i, row) in range.rows().enumerate() {
        // Columns left of the used range are empty: keep the header positions right.
        let mut cells: Vec<String> = (0..first_col).map(|_| String::new()).collect();
        cells.extend(row.iter().map(cell_text));
        table.push(first_row as usize + i + 1, cells);
    }
    table.finish()
}

/// A cell as the text a person sees (dates as `YYYY-MM-DD`, whole numbers without `.0`).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(true) => "x".into(),
        Data::Bool(false) => String::new(),
        Data::DateTime(d) => excel_date(d.as_f64()).unwrap_or_else(|| number_text(d.as_f64())),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A number without a spurious `.0`, and without the float noise of a spreadsheet formula
/// (`8.299999999999999` → `8.3`).
fn number_text(f: f64) -> String {
    let rounded = (f * 1e9).round() / 1e9;
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        format!("{rounded:.0}")
    } else {
        rounded.to_string()
    }
}

/// An Excel date serial (days since 1899-12-30) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> Option<String> {
    let epoch = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let date = epoch.checked_add(time::Duration::days(serial.floor() as i64))?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}
