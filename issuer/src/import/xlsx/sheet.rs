//! One worksheet part streamed into a [`Table`]: each `<row>` built from its cells that have
//! values, nothing sized from `<dimension>` or from a cell reference.

use std::io::BufReader;

use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::super::ImportError;
use super::super::limits::{MAX_CELL_CHARS, MAX_COLUMNS};
use super::super::table::{Table, cell_name, check_cell_length};
use super::part::{self, Archive};
use super::strings::Strings;
use super::{attribute, xlsx_error};

/// Append the text an entity reference (`&amp;`, `&#x1EA1;`) stands for.
pub(super) fn push_entity(text: &mut String, entity: &BytesRef<'_>) -> Result<(), String> {
    if let Some(s) = resolve_xml_entity(entity) {
        text.push_str(s);
        return Ok(());
    }
    match entity.resolve_char_ref() {
        Ok(Some(c)) => {
            text.push(c);
            Ok(())
        }
        _ => Err(format!("unknown entity &{};", &**entity)),
    }
}

/// The cell being read.
#[derive(Default)]
struct Cell {
    /// 0-based column (saturating: a reference past `XFD` is just far).
    column: usize,
    /// The `t` attribute.
    kind: String,
    /// The text of `<v>` or of the inline string.
    value: String,
}

/// Where in a cell the reader is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Inside {
    Nothing,
    Value,
    InlineText,
}

/// The 0-based column of a cell reference (`B7` → 1), saturating for absurd ones.
fn column_of(reference: &str) -> Option<usize> {
    let letters = reference
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .map(|b| usize::from(b.to_ascii_uppercase() - b'A') + 1);
    let mut n: usize = 0;
    let mut any = false;
    for digit in letters {
        any = true;
        n = n.saturating_mul(26).saturating_add(digit);
    }
    any.then(|| n - 1)
}

/// Read the sheet part `name`.
pub(super) fn read(
    archive: &mut Archive<'_>,
    name: &str,
    strings: &Strings,
) -> Result<Table, ImportError> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part::part(archive, name)?));
    let mut table = Table::default();
    let mut buf = Vec::new();
    let mut row_number = 0usize;
    let mut row: Vec<(usize, String)> = Vec::new();
    let mut cell: Option<Cell> = None;
    let mut next_column = 0usize;
    let mut inside = Inside::Nothing;
    // Inside a phonetic run (`<rPh>`): its text is not the cell's.
    let mut phonetic = false;
    let mut in_data = false;
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => {
                let part = reader.get_mut().get_mut();
                return Err(part.error(|| format!("{name}: {e}")));
            }
        };
        match event {
            // Before `<sheetData>` (`<dimension>` among it) nothing is read.
            Event::Start(e) | Event::Empty(e) if !in_data => {
                in_data = e.local_name().as_ref() == "sheetData";
            }
            Event::Start(e) => match e.local_name().as_ref() {
                "row" => {
                    flush(&mut table, row_number, &mut row)?;
                    row_number = row_number_of(&e, row_number);
                    next_column = 0;
                }
                "c" => {
                    let c = start_cell(&e, next_column);
                    next_column = c.column.saturating_add(1);
                    cell = Some(c);
                }
                "v" if cell.is_some() => inside = Inside::Value,
                "t" if cell.is_some() && !phonetic => inside = Inside::InlineText,
                "rPh" => phonetic = true,
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "row" => {
                    flush(&mut table, row_number, &mut row)?;
                    row_number = row_number_of(&e, row_number);
                    next_column = 0;
                }
                // A cell without a value: only its position counts.
                "c" => next_column = start_cell(&e, next_column).column.saturating_add(1),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "c" => {
                    if let Some(c) = cell.take() {
                        finish_cell(c, row_number, strings, &mut row)?;
                    }
                    inside = Inside::Nothing;
                    phonetic = false;
                }
                "v" | "t" => inside = Inside::Nothing,
                "rPh" => phonetic = false,
                "row" => flush(&mut table, row_number, &mut row)?,
                "sheetData" => break,
                _ => {}
            },
            Event::Text(t) => push_text(&mut cell, inside, &t.xml10_content(), row_number)?,
            Event::CData(t) => push_text(&mut cell, inside, &t.xml10_content(), row_number)?,
            Event::GeneralRef(r) if inside == Inside::Value || inside == Inside::InlineText => {
                let mut text = String::new();
                push_entity(&mut text, &r).map_err(|e| xlsx_error(format!("{name}: {e}")))?;
                push_text(&mut cell, inside, &text, row_number)?;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    flush(&mut table, row_number, &mut row)?;
    table.finish()
}

/// The row number of a `<row>` (its `r`, else the one after the previous row).
fn row_number_of(element: &BytesStart<'_>, previous: usize) -> usize {
    attribute(element, "r")
        .and_then(|r| r.parse::<usize>().ok())
        .filter(|&r| r > 0)
        .unwrap_or_else(|| previous.saturating_add(1))
}

fn start_cell(element: &BytesStart<'_>, next_column: usize) -> Cell {
    Cell {
        column: attribute(element, "r")
            .and_then(|r| column_of(&r))
            .unwrap_or(next_column),
        kind: attribute(element, "t").unwrap_or_default(),
        value: String::new(),
    }
}

fn push_text(
    cell: &mut Option<Cell>,
    inside: Inside,
    text: &str,
    row: usize,
) -> Result<(), ImportError> {
    let Some(cell) = cell.as_mut() else {
        return Ok(());
    };
    if matches!(inside, Inside::Value | Inside::InlineText) {
        cell.value.push_str(text);
        // Stop a runaway cell early; the exact check is on the finished text.
        if cell.value.len() > 4 * MAX_CELL_CHARS {
            check_cell_length(&cell.value, || cell_name(row, cell.column))?;
        }
    }
    Ok(())
}

/// A finished cell's text into `row`, if it has any.
fn finish_cell(
    cell: Cell,
    row_number: usize,
    strings: &Strings,
    row: &mut Vec<(usize, String)>,
) -> Result<(), ImportError> {
    let text = match cell.kind.as_str() {
        "s" => {
            let index = cell.value.trim().parse::<usize>().ok();
            match index.and_then(|i| strings.get(i)) {
                Some(s) => s.to_owned(),
                None => {
                    return Err(xlsx_error(format!(
                        "cell {}: shared string {:?} does not exist",
                        cell_name(row_number, cell.column),
                        cell.value
                    )));
                }
            }
        }
        "b" => match cell.value.trim() {
            "1" | "true" => "x".to_owned(),
            _ => String::new(),
        },
        "d" => match cell.value.split_once('T') {
            Some((date, _)) => date.to_owned(),
            None => cell.value,
        },
        "inlineStr" | "str" | "e" => cell.value,
        _ => match cell.value.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => number_text(f),
            _ => cell.value,
        },
    };
    if text.trim().is_empty() {
        return Ok(());
    }
    if cell.column >= MAX_COLUMNS {
        return Err(ImportError::TooManyColumns {
            cell: cell_name(row_number, cell.column),
            column: cell.column.saturating_add(1),
            limit: MAX_COLUMNS,
        });
    }
    row.push((cell.column, text));
    Ok(())
}

/// The cells gathered for row `row_number` into the table, placed by column.
fn flush(
    table: &mut Table,
    row_number: usize,
    row: &mut Vec<(usize, String)>,
) -> Result<(), ImportError> {
    if row.is_empty() {
        return Ok(());
    }
    // Columns are below MAX_COLUMNS (checked per cell), so this is at most that wide.
    let width = row.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
    let mut cells = vec![String::new(); width];
    for (column, text) in row.drain(..) {
        if let Some(slot) = cells.get_mut(column) {
            *slot = text;
        }
    }
    table.push(row_number, cells)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_references() {
        assert_eq!(column_of("A1"), Some(0));
        assert_eq!(column_of("AB12"), Some(27));
        assert_eq!(column_of("XFD1048576"), Some(16_383));
        assert_eq!(column_of("12"), None);
        assert!(column_of(&"Z".repeat(40)).is_some());
        assert_eq!(cell_name(1_048_576, 16_383), "XFD1048576");
        assert_eq!(number_text(8.299999999999999), "8.3");
        assert_eq!(number_text(45.0), "45");
    }
}
