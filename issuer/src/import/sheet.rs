//! A class's file as the person sees it in their spreadsheet program: the header row and each
//! pupil's row of text cells, read by the same readers as the import (`table.rs`, `xlsx/`) and
//! within the same limits. The web app shows an import's report as this sheet, each refused
//! cell marked where the import's [`super::RowProblem`] says (row number and column header).
//!
//! Also the way back: a row of cells under headers as a one-row CSV file, so that a row
//! corrected in a form goes through exactly the import's conversion and rules.

use super::cells::fold;
use super::{Format, ImportError, table, xlsx};

/// The cells of a CSV or XLSX file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    /// The header row's cells.
    pub headers: Vec<String>,
    /// `(row number, cells)` for each non-empty row, as wide as the header row (the header
    /// is row 1). Rows with values past the last header are left out (the import refuses
    /// them with rule `row-shape`).
    pub rows: Vec<(usize, Vec<String>)>,
}

/// The sheet of a CSV or XLSX file; `None` for JSON (records, not a sheet).
pub fn read_sheet(bytes: &[u8], format: Format) -> Result<Option<Sheet>, ImportError> {
    if bytes.len() > super::MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            bytes: bytes.len(),
            limit: super::MAX_IMPORT_BYTES,
        });
    }
    let table = match format {
        Format::Json => return Ok(None),
        Format::Csv => table::read_csv(bytes)?,
        Format::Xlsx => xlsx::read_xlsx(bytes)?,
    };
    Ok(Some(Sheet {
        headers: table.headers,
        rows: table.rows,
    }))
}

/// Whether two column headers name the same column, as the import compares them (NFC,
/// invisible characters, spaces, dashes and case aside).
pub fn same_header(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

/// `headers` and one row of `cells` as a CSV file (UTF-8, every cell quoted): the pupil is
/// row 2 of it.
pub fn one_row_csv(headers: &[String], cells: &[String]) -> Vec<u8> {
    let line = |cells: &[String]| {
        cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    };
    format!("{}\r\n{}\r\n", line(headers), line(cells)).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_written_as_csv_reads_back_the_same() {
        let headers = vec!["Họ và tên".to_owned(), "Ghi chú".to_owned()];
        let cells = vec!["Lê \"Bé\" An".to_owned(), "a, b".to_owned()];
        let sheet = read_sheet(&one_row_csv(&headers, &cells), Format::Csv)
            .unwrap()
            .unwrap();
        assert_eq!(sheet.headers, headers);
        assert_eq!(sheet.rows, vec![(2, cells)]);
        assert!(same_header("HỌ  VÀ TÊN", "Họ và tên"));
        assert!(!same_header("Họ tên", "Họ và tên"));
    }
}
