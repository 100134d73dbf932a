//! XLSX into a [`Table`]: the first sheet of the workbook, streamed.
//!
//! Written on the `zip` and `quick-xml` crates rather than calamine, because calamine's
//! `Xlsx::new` inflates `xl/sharedStrings.xml` whole, with no cap, before anything can be
//! checked, and its `worksheet_range` sizes a dense grid from the cell positions and the
//! sheet's `<dimension>`: a 3 KB workbook with one cell at `XFD1048576` asks for hundreds of
//! GiB. Here:
//!
//! * every part read is capped while it inflates ([`part::Capped`]: bytes and ratio), and
//!   the ZIP may hold at most [`super::limits::MAX_ZIP_ENTRIES`] entries;
//! * the sheet is streamed event by event; `<dimension>` is never read; a row is built
//!   only from the cells that have values; a value beyond
//!   [`super::limits::MAX_COLUMNS`] refuses the file, empty far cells are skipped;
//! * rows are counted as they come, and reading stops past [`super::limits::MAX_ROWS`];
//! * shared strings are kept in one buffer with their end offsets (8 bytes each, not a
//!   `String` each), at most [`super::limits::MAX_SHARED_STRINGS`].
//!
//! Cells read as the text a person sees: numbers without a spurious `.0` or float noise,
//! booleans as `x`, ISO dates (`t="d"`) as their date; a date formatted number stays its
//! serial, which the date columns read as a date (see `cells.rs`). Formulas are not
//! evaluated: the value Excel saved with them is read.

mod part;
mod sheet;
mod strings;

use quick_xml::events::{BytesStart, Event};

use super::ImportError;
use super::table::Table;

/// A workbook that cannot be read, with what is wrong.
fn xlsx_error(problem: String) -> ImportError {
    ImportError::Xlsx { problem }
}

/// The value of the attribute whose local name is `name` (any prefix), as written.
fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.into_owned())
}

/// Read the first sheet of an XLSX workbook.
pub(super) fn read_xlsx(bytes: &[u8]) -> Result<Table, ImportError> {
    let mut archive = part::open(bytes)?;
    let (sheet, strings) = locate(&mut archive)?;
    let strings = match strings {
        Some(name) => strings::read(&mut archive, &name)?,
        None => strings::Strings::default(),
    };
    sheet::read(&mut archive, &sheet, &strings)
}

/// The first sheet's part and the shared strings' part (if any), from `xl/workbook.xml` and
/// its relationships, or the names Excel gives them.
fn locate(archive: &mut part::Archive<'_>) -> Result<(String, Option<String>), ImportError> {
    let mut first_sheet_id = None;
    if let Some(name) = part::find(archive, "xl/workbook.xml") {
        let xml = part::read_all(archive, &name)?;
        let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sheet" => {
                    first_sheet_id = attribute(&e, "id");
                    break;
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return Err(xlsx_error(format!("{name}: {e}"))),
            }
            buf.clear();
        }
    }
    let mut sheet = None;
    let mut strings = None;
    if let Some(name) = part::find(archive, "xl/_rels/workbook.xml.rels") {
        let xml = part::read_all(archive, &name)?;
        let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e))
                    if e.local_name().as_ref() == "Relationship" =>
                {
                    let target = attribute(&e, "Target").map(|t| resolve(&t));
                    let kind = attribute(&e, "Type").unwrap_or_default();
                    if kind.ends_with("/sharedStrings") {
                        strings = target;
                    } else if first_sheet_id.is_some() && attribute(&e, "Id") == first_sheet_id {
                        sheet = target;
                    }
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return Err(xlsx_error(format!("{name}: {e}"))),
            }
            buf.clear();
        }
    }
    let sheet = sheet
        .and_then(|s| part::find(archive, &s))
        .or_else(|| part::find(archive, "xl/worksheets/sheet1.xml"))
        .ok_or_else(|| xlsx_error("the workbook has no sheet".into()))?;
    let strings = strings
        .and_then(|s| part::find(archive, &s))
        .or_else(|| part::find(archive, "xl/sharedStrings.xml"));
    Ok((sheet, strings))
}

/// A relationship target as a path in the ZIP (targets are relative to `xl/`, or absolute).
fn resolve(target: &str) -> String {
    match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("xl/{}", target.trim_start_matches("./")),
    }
}
