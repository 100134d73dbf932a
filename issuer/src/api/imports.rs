//! Files from school management software: `POST /api/v1/imports` takes a class as CSV
//! (`text/csv`), XLSX or JSON, reads it with the import engine ([`crate::import`]) and saves
//! the rows without errors as drafts; the answer names every problem by row, column, field
//! and rule. A file over an import limit (rows, columns, a workbook part's inflated size or
//! ratio) gets 413 naming the limit; reading runs off the async workers, two files at a time.
//! `GET /api/v1/templates/{file}` serves the templates.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::{ApiError, FieldError};
use super::records::{audit, import_row};
use super::{AppState, Body};
use crate::import::limits::MAX_REPORTED_PROBLEMS;
use crate::import::{self, Format, ImportError, ImportOptions, LayoutLevel, RowProblem, templates};
use hocba_schema::validation::Severity;

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
}

/// The answer to a file import.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileImportReport {
    /// Rows saved as drafts.
    pub saved: Vec<SavedRow>,
    /// Rows refused (each once).
    pub rejected_rows: Vec<usize>,
    /// The problems, the first [`MAX_REPORTED_PROBLEMS`]: `row`, `column`, `field` (JSON
    /// pointer), `rule`, `value`, `severity`, messages. A column the template does not have
    /// is a warning on row 1 (rule `ignored-column`).
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<RowProblem>,
    /// How many problems there are, also those left out of `problems`.
    pub problem_count: usize,
    /// Whether problems were left out of `problems`.
    pub truncated: bool,
}

/// Files read at once by this process: each read is bounded (`import::limits`, about 100 MiB
/// at worst), and so is their sum.
static READERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Read and validate a file off the async workers (a large file takes a second of CPU),
/// at most [`READERS`] at once; the others wait their turn.
async fn read_file(
    body: axum::body::Bytes,
    format: Format,
) -> Result<import::ImportReport, ApiError> {
    let _permit = READERS
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || import::import(&body, format, &ImportOptions::default()))
        .await
        .map_err(|e| ApiError::Internal(format!("import task: {e}")))?
        .map_err(import_error)
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

fn row_problem(
    row: usize,
    field: &str,
    rule: &str,
    value: Value,
    vi: &str,
    en: &str,
) -> RowProblem {
    RowProblem {
        row,
        column: None,
        field: field.to_owned(),
        rule: rule.to_owned(),
        value,
        expected: None,
        severity: Severity::Error,
        message_vi: format!("Dòng {row}: {vi}"),
        message_en: format!("Row {row}: {en}"),
    }
}

/// Import a class from a file: CSV (`text/csv`, UTF-8), XLSX, or JSON. Teachers and principals.
#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "records",
    request_body(description = "The file", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (Object = "application/json"),
    )),
    responses(
        (status = 200, description = "Saved drafts and every problem by row and column", body = FileImportReport),
        (status = 413, description = "File too large, or over an import limit (rows, columns, inflated size): `detail` names it", body = super::ProblemDetails, content_type = "application/problem+json"),
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
    let format = Format::from_media_type(media_type).ok_or_else(|| ApiError::UnsupportedMediaType {
        detail: format!(
            "{media_type:?} is not accepted: send text/csv, {XLSX_MEDIA_TYPE} or application/json"
        ),
    })?;
    let report = read_file(body.clone(), format).await?;
    // Rows refused by the import, also those whose problems the report left out.
    let mut refused: Vec<usize> = report.rows_with_errors();
    let mut problem_count = report.problem_count;
    let mut problems = report.problems;
    let report_kept = problems.len();
    let mut rows = Vec::new();
    let mut row_numbers = Vec::new();
    for (row, record) in &report.drafts {
        if record.school.code != school.code {
            problems.push(row_problem(
                *row,
                "/school/code",
                "school-mismatch",
                Value::String(record.school.code.clone()),
                &format!(
                    "hồ sơ thuộc trường khác; tài khoản này chỉ nhập cho trường {}",
                    school.code
                ),
                &format!(
                    "the record is for another school; this account imports for school {} only",
                    school.code
                ),
            ));
            continue;
        }
        match import_row(record) {
            Ok(r) => {
                rows.push(r);
                row_numbers.push(*row);
            }
            Err(e) => problems.push(row_problem(
                *row,
                &e.pointer,
                &e.rule,
                e.value,
                &e.message_vi,
                &e.message_en,
            )),
        }
    }
    let now = state.now();
    let outcomes = if rows.is_empty() {
        Vec::new()
    } else {
        state
            .store()
            .import_records(&school.id, &rows, Some(caller.user_id()), now)
            .await?
    };
    let mut saved = Vec::new();
    for (row, outcome) in row_numbers.into_iter().zip(outcomes) {
        match outcome {
            Ok(record) => saved.push(SavedRow {
                row,
                record_id: record.id,
                version: record.version,
            }),
            Err(e) => problems.push(row_problem(
                row,
                "",
                "not-saved",
                Value::Null,
                &format!("không lưu được: {e}"),
                &format!("not saved: {e}"),
            )),
        }
    }
    // Problems added here (school, saving) count too; the answer keeps the first ones.
    problem_count += problems.len().saturating_sub(report_kept);
    problems.sort_by_key(|p| p.row);
    refused.extend(problems.iter().filter(|p| p.is_error()).map(|p| p.row));
    refused.sort_unstable();
    refused.dedup();
    let rejected_rows = refused;
    problems.truncate(MAX_REPORTED_PROBLEMS);
    let truncated = problems.len() < problem_count;
    audit(
        &state,
        &caller,
        &school,
        "import",
        &format!("file:{} rows", saved.len() + rejected_rows.len()),
        now,
        serde_json::json!({
            "format": format!("{format:?}").to_lowercase(),
            "bytes": body.len(),
            "saved": saved.iter().map(|s| s.record_id.as_str()).collect::<Vec<_>>(),
            "rejectedRows": rejected_rows,
        }),
    )
    .await?;
    Ok(Json(FileImportReport {
        saved,
        rejected_rows,
        problems,
        problem_count,
        truncated,
    }))
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
