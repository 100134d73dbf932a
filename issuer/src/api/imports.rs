//! Files from school management software: `POST /api/v1/imports` takes a class as CSV
//! (`text/csv`), XLSX or JSON, reads it with the import engine ([`crate::import`]) and saves
//! the rows without errors as drafts; the answer names every problem by row, column, field
//! and rule. A file over an import limit (rows, columns, a workbook part's inflated size or
//! ratio) gets 413 naming the limit; reading runs off the async workers, two files at a time.
//! `GET /api/v1/templates/{file}` serves the templates.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::{ApiError, FieldError};
use super::{AppState, Body};
use crate::app::names::pupil_name;
use crate::error::IssuerError;
use crate::import::{Format, ImportError, LayoutLevel, RowProblem, templates};

/// The media type of XLSX workbooks.
pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One row saved as a draft.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavedRow {
    /// The row (spreadsheet row number; position in a JSON array, 1-based).
    pub row: usize,
    /// The draft's id.
    pub record_id: String,
    /// The draft's version.
    pub version: i64,
    /// The pupil's full name.
    pub pupil_name: String,
    /// The class.
    pub class_name: String,
}

/// The answer to a file import.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileImportReport {
    /// Rows saved as drafts.
    pub saved: Vec<SavedRow>,
    /// Rows refused (each once).
    pub rejected_rows: Vec<usize>,
    /// The problems, the first [`crate::import::limits::MAX_REPORTED_PROBLEMS`]: `row`, `column`, `field` (JSON
    /// pointer), `rule`, `value`, `severity`, messages. A column the template does not have
    /// is a warning on row 1 (rule `ignored-column`).
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<RowProblem>,
    /// How many problems there are, also those left out of `problems`.
    pub problem_count: usize,
    /// Whether problems were left out of `problems`.
    pub truncated: bool,
}

/// A file refused as a whole: 413 for the body's size and for the import limits (the
/// limit named in `detail` and as `errors[0].rule` / `value`), otherwise 422.
fn import_error(e: ImportError) -> ApiError {
    if let ImportError::TooLarge { limit, .. } = e {
        return ApiError::PayloadTooLarge { limit };
    }
    if let Some((rule, limit)) = e.limit() {
        let (vi, en) = e.messages();
        return ApiError::ImportLimit {
            detail: e.to_string(),
            errors: vec![FieldError::error("", rule, Value::from(limit), &vi, &en)],
        };
    }
    let message = e.to_string();
    ApiError::Unprocessable {
        title: "The file cannot be read as a class's results".to_owned(),
        errors: vec![FieldError::error(
            "",
            "file",
            Value::Null,
            &message,
            &message,
        )],
    }
}

/// Import a class from a file: CSV (`text/csv`, UTF-8), XLSX, or JSON, sent as the body or as
/// the file of a browser form (`multipart/form-data`). Teachers and principals.
#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "records",
    request_body(description = "The file", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (Object = "application/json"),
        (Object = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "Saved drafts and every problem by row and column", body = FileImportReport),
        (status = 413, description = "File too large, or over an import limit (rows, columns, inflated size): `detail` names it", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 400, description = "A form without a file, or not readable as multipart/form-data", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not CSV, XLSX or JSON", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The file as a whole is unreadable (encoding, columns…)", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn import_file(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Json<FileImportReport>, ApiError> {
    caller.require_editor()?;
    let school = caller.own_school()?.clone();
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (format, body) = if media_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        file_part(media_type, body).await?
    } else {
        let format =
            Format::from_media_type(media_type).ok_or_else(|| ApiError::UnsupportedMediaType {
                detail: format!(
                    "{media_type:?} is not accepted: send text/csv, {XLSX_MEDIA_TYPE}, \
                     application/json or a multipart/form-data form with the file"
                ),
            })?;
        (format, body)
    };
    let imported = state
        .issuer()
        .import_file(&school, Some(caller.user_id()), body, format, state.now())
        .await
        .map_err(|e| match e {
            IssuerError::Import(e) => import_error(e),
            other => other.into(),
        })?;
    Ok(Json(FileImportReport {
        saved: imported
            .saved
            .iter()
            .map(|(row, record)| SavedRow {
                row: *row,
                record_id: record.id.clone(),
                version: record.version,
                pupil_name: pupil_name(&record.record_json).unwrap_or_default(),
                class_name: record.class_name.clone(),
            })
            .collect(),
        rejected_rows: imported.rejected_rows,
        problems: imported.problems,
        problem_count: imported.problem_count,
        truncated: imported.truncated,
    }))
}

/// The file of a browser's form (`multipart/form-data`): the first part that is a file, its
/// format from its name (`.csv`, `.xlsx`, `.json`, as a school PC names them; Windows sends a
/// CSV as `application/vnd.ms-excel`), else from its media type.
async fn file_part(media_type: &str, body: Bytes) -> Result<(Format, Bytes), ApiError> {
    let request = axum::http::Request::builder()
        .header(header::CONTENT_TYPE, media_type)
        .body(axum::body::Body::from(body))
        .map_err(|e| ApiError::BadRequest {
            detail: format!("the form cannot be read: {e}"),
        })?;
    let bad = |e: &dyn std::fmt::Display| ApiError::BadRequest {
        detail: format!("the form cannot be read as multipart/form-data: {e}"),
    };
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| bad(&e))?;
    while let Some(field) = form.next_field().await.map_err(|e| bad(&e))? {
        let Some(name) = field.file_name().map(str::to_owned) else {
            continue;
        };
        let by_name = Format::from_path(std::path::Path::new(&name));
        let by_type = field.content_type().and_then(Format::from_media_type);
        let format = by_name
            .or(by_type)
            .ok_or_else(|| ApiError::UnsupportedMediaType {
                detail: format!(
                    "the file of the form is not .csv, .xlsx or .json (its type: {})",
                    field.content_type().unwrap_or("none")
                ),
            })?;
        let bytes = field.bytes().await.map_err(|e| bad(&e))?;
        return Ok((format, bytes));
    }
    Err(ApiError::BadRequest {
        detail: "the form has no file: choose the class's file (CSV, XLSX or JSON)".to_owned(),
    })
}

/// An empty import template: `tieu-hoc.csv`, `tieu-hoc.xlsx`, `trung-hoc.csv` or
/// `trung-hoc.xlsx` (Vietnamese column headers). No authentication.
#[utoipa::path(
    get,
    path = "/api/v1/templates/{file}",
    tag = "records",
    params(("file" = String, Path, description = "tieu-hoc.csv, tieu-hoc.xlsx, trung-hoc.csv or trung-hoc.xlsx")),
    responses(
        (status = 200, description = "The template", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 404, description = "No such template", body = super::ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn template(Path(file): Path<String>) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound {
        what: "template",
        id: file.clone(),
    };
    let (stem, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let level = match stem {
        "tieu-hoc" => LayoutLevel::Primary,
        "trung-hoc" => LayoutLevel::Secondary,
        _ => return Err(not_found()),
    };
    let (body, media_type): (Vec<u8>, &'static str) = match ext {
        "csv" => (
            templates::csv(level).as_bytes().to_vec(),
            "text/csv; charset=utf-8",
        ),
        "xlsx" => (templates::xlsx(level).to_vec(), XLSX_MEDIA_TYPE),
        _ => return Err(not_found()),
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(disposition) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        templates::file_name(level, ext)
    )) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}
