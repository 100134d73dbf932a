//! **I/O layer:** the committee's table as an XLSX workbook (`rust_xlsxwriter`, no default
//! features): the same rows as the CSV ([`crate::admissions::export::rows`]), Vietnamese
//! headers in bold, the header row frozen and filterable, a second sheet naming the scheme,
//! the trust list and the time of checking.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::Scored;
use crate::admissions::export::{Cell, HEADERS, defuse, rows};

/// Column widths (characters), one per header.
const WIDTHS: [f64; 13] = [
    6.0, 14.0, 24.0, 12.0, 16.0, 30.0, 44.0, 11.0, 10.0, 11.0, 13.0, 22.0, 60.0,
];

/// The workbook's bytes.
pub fn to_xlsx(scored: &Scored) -> Result<Vec<u8>, String> {
    build(scored).map_err(|e| e.to_string())
}

fn build(scored: &Scored) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let number = Format::new().set_num_format("0.00");
    let table = rows(&scored.candidates);
    let sheet = book.add_worksheet();
    sheet.set_name("Xét tuyển")?;
    for (col, (header, width)) in HEADERS.iter().zip(WIDTHS).enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, *header, &bold)?;
        sheet.set_column_width(col, width)?;
    }
    for (r, row) in table.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            match cell {
                Cell::Text(t) => {
                    sheet.write_string(r, c, defuse(t))?;
                }
                Cell::Number(n) if c == 0 => {
                    sheet.write_number(r, c, *n)?;
                }
                Cell::Number(n) => {
                    sheet.write_number_with_format(r, c, *n, &number)?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_row = u32::try_from(table.len()).unwrap_or(u32::MAX);
    let last_col = u16::try_from(HEADERS.len() - 1).unwrap_or(0);
    sheet.autofilter(0, 0, last_row, last_col)?;
    let about = book.add_worksheet();
    about.set_name("Thông tin")?;
    about.set_column_width(0, 28.0)?;
    about.set_column_width(1, 70.0)?;
    let lines = [
        ("Phương án xét tuyển", scored.scheme.title.clone()),
        ("Mã phương án", scored.scheme.name.clone()),
        ("Thời điểm kiểm tra", scored.checked_at.clone()),
        (
            "Danh sách tin cậy",
            format!(
                "{} (phiên bản {})",
                scored.trust_list.id, scored.trust_list.version
            ),
        ),
        ("Số thí sinh", scored.count.to_string()),
        ("Được xét điểm", scored.scored.to_string()),
        ("Không xét (xem cột Lý do)", scored.refused.to_string()),
    ];
    for (r, (label, value)) in lines.iter().enumerate() {
        let r = u32::try_from(r).unwrap_or(u32::MAX);
        about.write_string_with_format(r, 0, *label, &bold)?;
        about.write_string(r, 1, defuse(value))?;
    }
    book.save_to_buffer()
}
