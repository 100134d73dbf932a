//! Correcting one pupil's row in a form, every column of the template a field, the rules'
//! messages beside the fields they concern (the same messages as the report):
//!
//! * `POST /teacher/rows` — a row the upload refused: `step=open` shows it (checked by the
//!   rules, nothing stored), `step=save` imports it as a file of one row would be; saved, the
//!   browser goes to the class page.
//! * `GET`/`POST /teacher/records/{id}` — a stored draft (or a validated record, which
//!   becomes a draft again), saved at the version read.
//!
//! Fields are `h0…` (the headers) and `c0…` (the cells), so the form carries the row whatever
//! its columns.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::super::error::WebError;
use super::super::page::{Layout, render};
use super::super::session::Signed;
use super::{cell_message, class_href, own_school, row_message};
use crate::api::AppState;
use crate::app::class_file::{check_cells, column_values, record_cells};
use crate::import::RowProblem;
use crate::import::sheet::same_header;
use crate::store::RecordState;

/// A field of the form.
struct Field {
    name: String,
    header_name: String,
    header: String,
    value: String,
    bad: Vec<String>,
    warn: Vec<String>,
}

#[derive(Template)]
#[template(path = "web/teacher/row_form.html")]
struct RowForm {
    layout: Layout,
    action: String,
    /// Where the "back" link goes: the record's class, or my classes.
    back: String,
    /// `Some` for a stored record: its version.
    version: Option<i64>,
    row: String,
    fields: Vec<Field>,
    /// Problems not of one field.
    general: Vec<String>,
    errors: usize,
}

/// The headers and cells a form carries.
fn cells_of(form: &HashMap<String, String>) -> (Vec<String>, Vec<String>) {
    let mut headers = Vec::new();
    let mut cells = Vec::new();
    while let Some(h) = form.get(&format!("h{}", headers.len())) {
        cells.push(
            form.get(&format!("c{}", headers.len()))
                .cloned()
                .unwrap_or_default(),
        );
        headers.push(h.clone());
    }
    (headers, cells)
}

fn field(form: &HashMap<String, String>, name: &str) -> String {
    form.get(name).cloned().unwrap_or_default()
}

/// The form page of `cells` under `headers` with `problems` beside their fields.
#[allow(clippy::too_many_arguments)]
fn form_page(
    signed: &Signed,
    status: StatusCode,
    action: String,
    back: Option<String>,
    version: Option<i64>,
    row: String,
    headers: &[String],
    cells: &[String],
    problems: &[RowProblem],
) -> Response {
    let lang = signed.lang;
    let mut fields: Vec<Field> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| Field {
            name: format!("c{i}"),
            header_name: format!("h{i}"),
            header: h.clone(),
            value: cells.get(i).cloned().unwrap_or_default(),
            bad: Vec::new(),
            warn: Vec::new(),
        })
        .collect();
    let accepts = column_values(headers);
    let mut general = Vec::new();
    let mut errors = 0;
    for p in problems.iter().filter(|p| p.rule != "ignored-column") {
        errors += usize::from(p.is_error());
        let at = p
            .column
            .as_ref()
            .and_then(|c| fields.iter().position(|f| same_header(&f.header, c)));
        let text = cell_message(p, at.and_then(|i| accepts.get(i)?.as_deref()), lang);
        match at.and_then(|i| fields.get_mut(i)) {
            Some(f) if p.is_error() => f.bad.push(text),
            Some(f) => f.warn.push(text),
            None => general.push(row_message(p, lang, true)),
        }
    }
    let name = headers
        .iter()
        .position(|h| same_header(h, "Họ và tên"))
        .and_then(|i| cells.get(i))
        .map_or("", |n| n.trim());
    let (vi, en) = if version.is_some() {
        (
            format!("Sửa hồ sơ của {name}"),
            format!("Correct the record of {name}"),
        )
    } else {
        (
            format!("Sửa dòng {row}: {name}"),
            format!("Correct row {row}: {name}"),
        )
    };
    let mut layout = signed.layout(&vi, &en);
    layout.script = true;
    render(
        status,
        &RowForm {
            layout,
            back: back.unwrap_or_else(|| "/teacher".to_owned()),
            action,
            version,
            row,
            fields,
            general,
            errors,
        },
    )
}

/// `POST /teacher/rows`: a refused row opened in the form, or saved.
pub(super) async fn row(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    signed.check_csrf(&field(&form, "_csrf"))?;
    let school = own_school(&state, &signed).await?;
    let (headers, cells) = cells_of(&form);
    if headers.is_empty() {
        return Err(WebError::BadRequest);
    }
    let row = field(&form, "row");
    let action = "/teacher/rows".to_owned();
    if field(&form, "step") != "save" {
        let (check, _) = check_cells(&headers, &cells)?;
        let page = form_page(
            &signed,
            StatusCode::OK,
            action,
            None,
            None,
            row,
            &headers,
            &cells,
            &check.problems,
        );
        return Ok(page);
    }
    let done = state
        .issuer()
        .import_row(
            &school,
            Some(&signed.account().id),
            &headers,
            &cells,
            state.now(),
        )
        .await?;
    match done.saved.first() {
        Some((_, record)) => Ok(saved_redirect(record)),
        None => Ok(form_page(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            action,
            None,
            None,
            row,
            &headers,
            &cells,
            &done.problems,
        )),
    }
}

/// Back to the class page, which names the pupil whose record was saved.
fn saved_redirect(record: &crate::store::YearRecord) -> Response {
    Redirect::to(&format!(
        "{}?saved={}",
        class_href(&record.school_year, &record.class_name),
        record.id
    ))
    .into_response()
}

/// A stored record that may be corrected here, or the page saying why not.
async fn editable(
    state: &AppState,
    signed: &Signed,
    id: &str,
) -> Result<(crate::store::School, crate::store::YearRecord), WebError> {
    let school = own_school(state, signed).await?;
    let record = state.store().record(&school.id, id).await?;
    if !matches!(record.state, RecordState::Draft | RecordState::Validated) {
        return Err(WebError::Conflict(
            "Hồ sơ đã ký số không sửa được; hãy nhờ hiệu trưởng thu hồi và cấp lại.".to_owned(),
            "A signed record cannot be edited; ask the principal to revoke and re-issue it."
                .to_owned(),
        ));
    }
    Ok((school, record))
}

/// `GET /teacher/records/{id}`: a stored record's cells in the form, with what the rules say.
pub(super) async fn record(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (_, record) = editable(&state, &signed, &id).await?;
    let (headers, cells) = record_cells(&record).ok_or(WebError::Internal)?;
    let (check, _) = check_cells(&headers, &cells)?;
    Ok(form_page(
        &signed,
        StatusCode::OK,
        format!("/teacher/records/{id}"),
        Some(class_href(&record.school_year, &record.class_name)),
        Some(record.version),
        String::new(),
        &headers,
        &cells,
        &check.problems,
    ))
}

/// `POST /teacher/records/{id}`: the corrected cells saved at the version read.
pub(super) async fn save_record(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    signed.check_csrf(&field(&form, "_csrf"))?;
    let (school, current) = editable(&state, &signed, &id).await?;
    let (headers, cells) = cells_of(&form);
    let Ok(version) = field(&form, "version").parse::<i64>() else {
        return Err(WebError::BadRequest);
    };
    if headers.is_empty() {
        return Err(WebError::BadRequest);
    }
    match state
        .issuer()
        .edit_cells(
            &school,
            Some(&signed.account().id),
            &id,
            version,
            &headers,
            &cells,
            state.now(),
        )
        .await?
    {
        Ok(saved) => Ok(saved_redirect(&saved)),
        Err(check) => Ok(form_page(
            &signed,
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("/teacher/records/{id}"),
            Some(class_href(&current.school_year, &current.class_name)),
            Some(version),
            String::new(),
            &headers,
            &cells,
            &check.problems,
        )),
    }
}
