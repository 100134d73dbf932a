//! The report of an upload as the spreadsheet itself: the file's header row and rows, each
//! cell a rule refused marked (`td.bad`) with the rule's message in the page's language, the
//! cells with a warning marked `warn`, a column the template does not have named as ignored,
//! each refused row with a button that opens it in the correction form (its cells travel as
//! hidden fields: nothing of the upload is kept on the server).

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::super::error::WebError;
use super::super::lang::Lang;
use super::super::page::{Layout, render};
use super::super::session::Signed;
use super::{cell_message, class_href, row_message};
use crate::app::class_file::ClassUpload;
use crate::app::class_file::column_values;
use crate::import::RowProblem;
use crate::import::sheet::same_header;

/// Why an upload was not read at all.
pub(super) enum UploadError {
    /// The form had no file.
    NoFile,
    /// The file's name is not `.csv`, `.xlsx` or `.json`.
    NotASheet(String),
    /// The import refused the file as a whole: (Vietnamese, English).
    File(String, String),
}

#[derive(Template)]
#[template(path = "web/teacher/upload_error.html")]
struct ErrorPage {
    layout: Layout,
    message: String,
}

/// The upload form again, with why the file was not read.
pub(super) fn refused(
    signed: &Signed,
    status: StatusCode,
    error: UploadError,
) -> Result<Response, WebError> {
    let lang = signed.lang;
    let message = match error {
        UploadError::NoFile => lang
            .t(
                "Chưa chọn tệp. Hãy chọn tệp CSV hoặc XLSX của lớp (hoặc kéo thả vào khung) rồi \
                 tải lên lại.",
                "No file was chosen. Choose the class's CSV or XLSX file (or drop it on the box) \
                 and upload again.",
            )
            .to_owned(),
        UploadError::NotASheet(name) => match lang {
            Lang::Vi => format!(
                "Tệp «{name}» không phải CSV hoặc XLSX. Hãy lưu bảng tính theo mẫu dưới dạng \
                 .xlsx hoặc .csv (UTF-8) rồi tải lên lại."
            ),
            Lang::En => format!(
                "The file «{name}» is not CSV or XLSX. Save the sheet from the template as .xlsx \
                 or .csv (UTF-8) and upload it again."
            ),
        },
        UploadError::File(vi, en) => lang.t(&vi, &en).to_owned(),
    };
    let mut layout = signed.layout("Không đọc được tệp", "The file could not be read");
    layout.script = true;
    Ok(render(status, &ErrorPage { layout, message }))
}

/// A column of the sheet.
struct Header {
    text: String,
    ignored: bool,
}

/// A cell of the sheet.
#[derive(Default)]
struct Cell {
    text: String,
    /// The messages of the errors found in it.
    bad: Vec<String>,
    /// The messages of the warnings.
    warn: Vec<String>,
}

/// A row of the sheet.
struct SheetRow {
    number: usize,
    saved: bool,
    refused: bool,
    cells: Vec<Cell>,
    /// For a refused row: the hidden fields that carry it to the correction form.
    fix: Vec<(String, String)>,
}

/// A wrong cell in the list above the sheet.
struct WrongCell {
    href: String,
    text: String,
}

/// A class the upload saved records of.
struct ClassLink {
    href: String,
    label: String,
}

#[derive(Template)]
#[template(path = "web/teacher/report.html")]
struct ReportPage {
    layout: Layout,
    file_name: String,
    saved: usize,
    refused: usize,
    headers: Vec<Header>,
    rows: Vec<SheetRow>,
    /// Problems that are not one cell's (a whole row, or a JSON file), with their row.
    other: Vec<String>,
    /// The wrong cells, each with a link to it in the sheet.
    wrong: Vec<WrongCell>,
    ignored: Vec<String>,
    classes: Vec<ClassLink>,
    problem_count: usize,
    shown: usize,
}

/// The hidden fields of a row: the headers `h0…` and cells `c0…`.
pub(super) fn carry(headers: &[String], cells: &[String]) -> Vec<(String, String)> {
    let mut fields = Vec::with_capacity(headers.len() * 2);
    for (i, h) in headers.iter().enumerate() {
        fields.push((format!("h{i}"), h.clone()));
        fields.push((format!("c{i}"), cells.get(i).cloned().unwrap_or_default()));
    }
    fields
}

/// Puts `p` into its cell; the cell's column, or `None` when it is not one cell's.
fn mark(
    p: &RowProblem,
    headers: &[String],
    rows: &mut [SheetRow],
    at: &HashMap<usize, usize>,
    accepts: &[Option<String>],
    lang: Lang,
) -> Option<usize> {
    let column = p.column.as_ref()?;
    let i = headers.iter().position(|h| same_header(h, column))?;
    let cell = at
        .get(&p.row)
        .and_then(|r| rows.get_mut(*r))
        .and_then(|row| row.cells.get_mut(i))?;
    let text = cell_message(p, accepts.get(i).and_then(Option::as_deref), lang);
    if p.is_error() {
        cell.bad.push(text);
    } else {
        cell.warn.push(text);
    }
    Some(i)
}

/// Where a problem is: `Dòng 3, cột «Giới tính»`.
fn place(p: &RowProblem, lang: Lang) -> String {
    let column = p.column.as_deref().unwrap_or_default();
    match lang {
        Lang::Vi => format!("Dòng {}, cột «{column}»", p.row),
        Lang::En => format!("Row {}, column «{column}»", p.row),
    }
}

/// The report page of an upload of `file_name`.
pub(super) fn page(signed: &Signed, file_name: &str, done: ClassUpload) -> Response {
    let lang = signed.lang;
    let import = done.import;
    let saved_rows: BTreeSet<usize> = import.saved.iter().map(|(r, _)| *r).collect();
    let refused_rows: BTreeSet<usize> = import.rejected_rows.iter().copied().collect();
    let sheet = done.sheet.unwrap_or_default();
    let mut rows: Vec<SheetRow> = sheet
        .rows
        .iter()
        .map(|(number, cells)| SheetRow {
            number: *number,
            saved: saved_rows.contains(number),
            refused: refused_rows.contains(number),
            cells: cells
                .iter()
                .map(|text| Cell {
                    text: text.clone(),
                    ..Cell::default()
                })
                .collect(),
            fix: if refused_rows.contains(number) {
                carry(&sheet.headers, cells)
            } else {
                Vec::new()
            },
        })
        .collect();
    let at: HashMap<usize, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.number, i))
        .collect();
    let mut ignored = Vec::new();
    let mut other = Vec::new();
    let mut wrong = Vec::new();
    let accepts = column_values(&sheet.headers);
    for p in &import.problems {
        if p.rule == "ignored-column" {
            ignored.extend(p.column.clone());
        } else {
            match mark(p, &sheet.headers, &mut rows, &at, &accepts, lang) {
                Some(i) if p.is_error() => wrong.push(WrongCell {
                    href: format!("#r{}c{i}", p.row),
                    text: format!(
                        "{}: {}",
                        place(p, lang),
                        cell_message(p, accepts.get(i).and_then(Option::as_deref), lang)
                    ),
                }),
                Some(_) => {}
                None => other.push(row_message(p, lang, false)),
            }
        }
    }
    let headers = sheet
        .headers
        .iter()
        .map(|h| Header {
            text: h.clone(),
            ignored: ignored.iter().any(|i| same_header(i, h)),
        })
        .collect();
    let mut classes: Vec<(String, String)> = import
        .saved
        .iter()
        .map(|(_, r)| (r.school_year.clone(), r.class_name.clone()))
        .collect();
    classes.sort();
    classes.dedup();
    let classes = classes
        .into_iter()
        .map(|(year, class)| ClassLink {
            href: class_href(&year, &class),
            label: match lang {
                Lang::Vi => format!("Lớp {class} · năm học {year}"),
                Lang::En => format!("Class {class} · {year}"),
            },
        })
        .collect();
    let mut layout = signed.layout("Kết quả kiểm tra tệp", "The file's check");
    layout.script = true;
    render(
        StatusCode::OK,
        &ReportPage {
            layout,
            file_name: file_name.to_owned(),
            saved: import.saved.len(),
            refused: import.rejected_rows.len(),
            headers,
            rows,
            other,
            wrong,
            ignored,
            classes,
            problem_count: import.problem_count,
            shown: import.problems.len(),
        },
    )
}
