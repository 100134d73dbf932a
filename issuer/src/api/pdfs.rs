//! The printed record over HTTP: one credential as a PDF, and a ZIP of a class's PDFs. Both
//! are rendered from the stored signed credential (byte for byte as signed, embedded in the
//! PDF) with the school's key signing the QR summary; every PDF handed out is audited as a
//! copy (`pdf`). Rendering runs on the blocking pool, a class's PDFs across the cores.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::records::SchoolQuery;
use crate::app::render::safe;

/// The media type of a PDF.
pub const PDF_MEDIA_TYPE: &str = "application/pdf";

/// The signed credential as the printed record: an A4 PDF with the signed QR summary and the
/// credential embedded as `hocba-credential.json`. Each copy is audited.
#[utoipa::path(
    get,
    path = "/api/v1/credentials/{id}/pdf",
    tag = "credentials",
    params(("id" = String, Path, description = "Credential id (urn:uuid:…)")),
    responses(
        (status = 200, description = "The printed record", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "No such credential for this caller", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The school's key is not loaded on this server", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn credential_pdf(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (name, bytes) = state
        .issuer()
        .credential_pdf(
            &caller.principal.scope(),
            &id,
            Some(caller.user_id()),
            state.now(),
        )
        .await?;
    Ok(file_response(bytes, PDF_MEDIA_TYPE, &name))
}

/// The printed records of one class in a school year, one PDF per credential that is not
/// revoked (`<class>-<pupil name in ASCII>-<short id>.pdf`), in a ZIP. Each PDF is audited as a
/// copy. Each QR summary is signed by the key that signed its credential.
#[utoipa::path(
    get,
    path = "/api/v1/classes/{schoolYear}/{className}/pdfs.zip",
    tag = "credentials",
    params(("schoolYear" = String, Path, description = "e.g. 2025-2026"),
           ("className" = String, Path, description = "e.g. 5A"), SchoolQuery),
    responses(
        (status = 200, description = "A ZIP of the class's PDFs", content_type = "application/zip", body = Vec<u8>),
        (status = 404, description = "Unknown school", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The school's key is not loaded on this server", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn class_pdfs(
    State(state): State<AppState>,
    caller: Caller,
    Path((school_year, class_name)): Path<(String, String)>,
    Query(query): Query<SchoolQuery>,
) -> Result<Response, ApiError> {
    let school = caller.school_for(&state, query.school.as_deref()).await?;
    let zip = state
        .issuer()
        .class_zip(
            &school,
            &school_year,
            &class_name,
            Some(caller.user_id()),
            state.now(),
        )
        .await?;
    let name = format!("hocba-{}-{}.zip", safe(&class_name), safe(&school_year));
    Ok(file_response(zip, "application/zip", &name))
}

fn file_response(bytes: Vec<u8>, media_type: &'static str, file_name: &str) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}
