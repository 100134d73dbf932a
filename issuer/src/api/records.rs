//! Year records over HTTP: import (JSON: one record or an array, as in `schema/examples/`),
//! list, read, edit with `If-Match`, validate. Every import, edit and validation is audited.
//!
//! Import answers a validation report per item (every problem by JSON pointer) and the ids
//! of the drafts saved; an item with errors is not saved and does not stop the others.
//! CSV and XLSX come in through `POST /api/v1/imports` once the import engine is wired
//! (see [`import_records`]: a parser that yields record JSON per row plugs in before
//! [`save_items`]).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::error::{ApiError, FieldError, json_error};
use super::{AppState, Body};
use crate::app::import::{JsonItem, Refusal};
use crate::app::names::pupil_name;
use crate::error::IssuerError;
use crate::store::{RecordFilter, RecordState, YearRecord};

/// Largest number of records in one import request.
pub const MAX_IMPORT_ITEMS: usize = 5_000;

/// A stored record as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordView {
    /// Record id.
    pub id: String,
    /// The pupil's id.
    pub pupil_id: String,
    /// The pupil's full name, as in the record.
    pub pupil_name: String,
    /// School year, e.g. `2024-2025`.
    pub school_year: String,
    /// Grade (1–12).
    pub grade: i64,
    /// Class, e.g. `5A`.
    pub class_name: String,
    /// `draft`, `validated`, `signed` or `revoked`.
    pub state: String,
    /// Row version; send it back in `If-Match` to change the record.
    pub version: i64,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
    /// The record itself (only when one record is read).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub record: Option<Value>,
}

impl RecordView {
    fn summary(r: &YearRecord) -> Self {
        RecordView {
            id: r.id.clone(),
            pupil_id: r.pupil_id.clone(),
            pupil_name: pupil_name(&r.record_json).unwrap_or_default(),
            school_year: r.school_year.clone(),
            grade: r.grade,
            class_name: r.class_name.clone(),
            state: r.state.as_str().to_owned(),
            version: r.version,
            updated_at: r
                .updated_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            record: None,
        }
    }

    fn full(r: &YearRecord) -> Self {
        let mut view = Self::summary(r);
        view.record = serde_json::from_str(&r.record_json).ok();
        view
    }
}

/// The outcome of one imported item.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportItem {
    /// Position in the request (0-based).
    pub index: usize,
    /// Whether a draft was saved.
    pub saved: bool,
    /// The saved draft's pupil.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pupil_name: Option<String>,
    /// The saved draft's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    /// The saved draft's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Every problem found, errors and warnings.
    pub problems: Vec<FieldError>,
}

/// The answer to an import.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// Items saved as drafts.
    pub saved: usize,
    /// Items refused.
    pub rejected: usize,
    /// One entry per item, in request order.
    pub items: Vec<ImportItem>,
}

/// Filters of the record list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this school year.
    pub school_year: Option<String>,
    /// Only this class.
    pub class_name: Option<String>,
    /// Only this state: draft, validated, signed, revoked.
    pub state: Option<String>,
    /// The school (authority only; a school user may name only their own).
    pub school: Option<String>,
}

/// Which school (authority only).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SchoolQuery {
    /// The school's code (authority only; a school user may name only their own).
    pub school: Option<String>,
}

/// Options of validation.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValidateRequest {
    /// Mark the record validated although validation reported warnings (a person looked at
    /// them).
    #[serde(default)]
    pub accept_warnings: bool,
}

/// The answer to a validation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidateResponse {
    /// The record, now validated.
    pub record: RecordView,
    /// The warnings that were accepted.
    pub warnings: Vec<FieldError>,
}

fn record_error(pointer: &str, rule: &str, value: Value, vi: &str, en: &str) -> FieldError {
    FieldError::error(pointer, rule, value, vi, en)
}

impl From<&Refusal> for FieldError {
    fn from(r: &Refusal) -> Self {
        record_error(
            &r.pointer,
            r.rule,
            r.value.clone(),
            &r.message_vi,
            &r.message_en,
        )
    }
}

/// Splits a JSON body into items: an array gives its elements, an object is one item.
fn split_items(bytes: &[u8]) -> Result<Vec<Box<RawValue>>, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        let items: Vec<Box<RawValue>> =
            serde_json::from_slice(bytes).map_err(|e| json_error(&e))?;
        if items.len() > MAX_IMPORT_ITEMS {
            return Err(ApiError::BadRequest {
                detail: format!(
                    "{} records in one request; send at most {MAX_IMPORT_ITEMS}",
                    items.len()
                ),
            });
        }
        Ok(items)
    } else {
        // Checks the syntax here so that a syntax error is a 400 naming line and column.
        let item: Box<RawValue> = serde_json::from_slice(bytes).map_err(|e| json_error(&e))?;
        Ok(vec![item])
    }
}

/// The API's answer to a JSON import from the application layer's outcome.
fn import_report(items: Vec<JsonItem>) -> ImportReport {
    let saved = items.iter().filter(|i| i.saved.is_some()).count();
    let rejected = items.len() - saved;
    let items = items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let mut problems = FieldError::all(&item.report);
            problems.extend(item.refusals.iter().map(FieldError::from));
            ImportItem {
                index,
                saved: item.saved.is_some(),
                pupil_name: item.saved.as_ref().and_then(|r| pupil_name(&r.record_json)),
                record_id: item.saved.as_ref().map(|r| r.id.clone()),
                version: item.saved.as_ref().map(|r| r.version),
                problems,
            }
        })
        .collect();
    ImportReport {
        saved,
        rejected,
        items,
    }
}

/// Import records as drafts: one record or an array, as in `schema/examples/`.
///
/// The answer lists every problem of every item by JSON pointer; items with errors are not
/// saved and do not stop the others. Teachers and principals.
#[utoipa::path(
    post,
    path = "/api/v1/records",
    tag = "records",
    request_body(content = Object, description = "A record, or an array of records",
                 content_type = "application/json"),
    responses(
        (status = 200, description = "Validation report per item and the saved drafts", body = ImportReport),
        (status = 400, description = "Malformed JSON (line and column named)", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Wrong role", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn import_records(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Json<ImportReport>, ApiError> {
    caller.require_editor()?;
    let school = caller.own_school()?.clone();
    if let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        && !kind.starts_with("application/json")
    {
        return Err(ApiError::UnsupportedMediaType {
            detail: format!(
                "{kind} is not accepted here: send application/json (CSV and XLSX go to /api/v1/imports)"
            ),
        });
    }
    let items = split_items(&body)?;
    let slices: Vec<&[u8]> = items.iter().map(|i| i.get().as_bytes()).collect();
    let items = state
        .issuer()
        .import_json(
            &school,
            Some(caller.user_id()),
            &slices,
            "json",
            state.now(),
        )
        .await?;
    Ok(Json(import_report(items)))
}

/// List records of the caller's school (the authority names one with `?school=`).
#[utoipa::path(
    get,
    path = "/api/v1/records",
    tag = "records",
    params(ListQuery),
    responses(
        (status = 200, description = "The records, without content", body = [RecordView]),
        (status = 401, description = "No valid token", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "Unknown school", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_records(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<RecordView>>, ApiError> {
    let school = caller.school_for(&state, query.school.as_deref()).await?;
    let filter = RecordFilter {
        school_year: query.school_year,
        class_name: query.class_name,
        state: query
            .state
            .as_deref()
            .map(str::parse::<RecordState>)
            .transpose()?,
    };
    let records = state.store().list_records(&school.id, &filter).await?;
    Ok(Json(records.iter().map(RecordView::summary).collect()))
}

fn with_etag(status: StatusCode, record: &YearRecord, body: impl Serialize) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", record.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// Read one record with its content; the `ETag` is its version.
#[utoipa::path(
    get,
    path = "/api/v1/records/{id}",
    tag = "records",
    params(("id" = String, Path, description = "Record id"), SchoolQuery),
    responses(
        (status = 200, description = "The record", body = RecordView),
        (status = 404, description = "No such record for this caller", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<SchoolQuery>,
) -> Result<Response, ApiError> {
    let school = caller.school_for(&state, query.school.as_deref()).await?;
    let record = state.store().record(&school.id, &id).await?;
    Ok(with_etag(
        StatusCode::OK,
        &record,
        RecordView::full(&record),
    ))
}

/// The version named by `If-Match` (`"3"`, `W/"3"` or `3`).
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse().map(Some).map_err(|_| ApiError::BadRequest {
        detail: format!("If-Match {text:?} is not a record version (the ETag of the record)"),
    })
}

/// Replace a draft's content. Needs `If-Match` with the version read; someone else's change
/// in between gives 412. The record becomes a draft again. Teachers and principals.
#[utoipa::path(
    put,
    path = "/api/v1/records/{id}",
    tag = "records",
    params(("id" = String, Path, description = "Record id"),
           ("If-Match" = String, Header, description = "The version read (its ETag)")),
    request_body(content = Object, description = "The record", content_type = "application/json"),
    responses(
        (status = 200, description = "Saved; new ETag", body = RecordView),
        (status = 404, description = "No such record for this caller", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Signed or revoked", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not valid; every problem by pointer", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    caller.require_editor()?;
    let school = caller.own_school()?.clone();
    let expected = if_match(&headers)?.ok_or(ApiError::PreconditionRequired)?;
    split_items(&body)?;
    let updated = state
        .issuer()
        .edit_draft(
            &school,
            Some(caller.user_id()),
            &id,
            expected,
            &body,
            state.now(),
        )
        .await
        .map_err(|e| match e {
            IssuerError::RecordRefused { report, refusals } => {
                let mut errors = FieldError::all(&report);
                errors.extend(refusals.iter().map(FieldError::from));
                let title = match refusals.first() {
                    Some(r) if r.pointer == "/schoolYear" => {
                        "The school year of a record cannot change"
                    }
                    Some(r) if r.rule == "immutable-field" => "The pupil of a record cannot change",
                    _ => "The record does not pass validation",
                };
                ApiError::Unprocessable {
                    title: title.to_owned(),
                    errors,
                }
            }
            other => other.into(),
        })?;
    Ok(with_etag(
        StatusCode::OK,
        &updated,
        RecordView::full(&updated),
    ))
}

/// Validate a stored record and, if it has no errors (and its warnings are accepted), mark
/// it validated, ready to sign. `If-Match` is optional. Principals.
#[utoipa::path(
    post,
    path = "/api/v1/records/{id}/validate",
    tag = "records",
    params(("id" = String, Path, description = "Record id")),
    request_body(content = ValidateRequest, description = "Optional", content_type = "application/json"),
    responses(
        (status = 200, description = "Validated", body = ValidateResponse),
        (status = 403, description = "Not a principal", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such record for this caller", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Errors, or warnings not accepted", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn validate_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    caller.require_editor()?;
    let school = caller.own_school()?.clone();
    let request: ValidateRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ValidateRequest::default()
    } else {
        super::error::parse_json(&body)?
    };
    let (validated, warnings) = state
        .issuer()
        .validate_record(
            &school,
            Some(caller.user_id()),
            &id,
            if_match(&headers)?,
            request.accept_warnings,
            state.now(),
        )
        .await?;
    Ok(with_etag(
        StatusCode::OK,
        &validated,
        ValidateResponse {
            record: RecordView::summary(&validated),
            warnings: warnings.iter().map(FieldError::from).collect(),
        },
    ))
}
