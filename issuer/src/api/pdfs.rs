//! The printed record over HTTP: one credential as a PDF, and a ZIP of a class's PDFs. Both
//! are rendered from the stored signed credential (byte for byte as signed, embedded in the
//! PDF) with the school's key signing the QR summary; every PDF handed out is audited as a
//! copy (`pdf`). Rendering runs on the blocking pool, a class's PDFs across the cores.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::records::SchoolQuery;
use crate::pdf::{PdfOptions, render_all, zip_class};
use crate::signing::Signer;
use crate::store::{AuditEntry, Credential};

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
    let credential = state
        .store()
        .credential(&caller.principal.scope(), &id)
        .await?;
    let mut pdfs = render(&state, &credential.school_id, vec![credential.clone()]).await?;
    let bytes = pdfs.pop().map(|(_, bytes)| bytes).unwrap_or_default();
    audit_pdf(&state, &caller, &credential, "api").await?;
    let name = format!("hocba-{}.pdf", safe(&credential.id));
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
    let list: Vec<Credential> = state
        .store()
        .list_class_credentials(&school.id, &school_year, &class_name)
        .await?
        .into_iter()
        .filter(|c| c.revoked_at.is_none())
        .collect();
    let pdfs = render(&state, &school.id, list.clone()).await?;
    let zip = tokio::task::spawn_blocking(move || {
        zip_class(
            pdfs.iter()
                .map(|(name, bytes)| (name.as_str(), bytes.as_slice())),
        )
    })
    .await
    .map_err(|e| ApiError::Internal(format!("ZIP task: {e}")))?
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    for credential in &list {
        audit_pdf(&state, &caller, credential, "api-zip").await?;
    }
    let name = format!("hocba-{}-{}.zip", safe(&class_name), safe(&school_year));
    Ok(file_response(zip, "application/zip", &name))
}

/// Render `credentials` of school `school_id` on the blocking pool: `(file name, PDF)` each,
/// file names unique.
async fn render(
    state: &AppState,
    school_id: &str,
    credentials: Vec<Credential>,
) -> Result<Vec<(String, Vec<u8>)>, ApiError> {
    let school = state.store().school(school_id).await?;
    // Each PDF's QR summary is signed by the key that signed its credential (found even when
    // retired since), not by the school's current key: a record re-rendered after a rotation
    // must still verify.
    let mut signers: Vec<Arc<Signer>> = Vec::new();
    let mut signer_of = Vec::with_capacity(credentials.len());
    for c in &credentials {
        let vm = serde_json::from_str::<Value>(&c.credential_json)
            .ok()
            .and_then(|v| v["proof"]["verificationMethod"].as_str().map(str::to_owned));
        let known = signers
            .iter()
            .position(|s| Some(s.verification_method()) == vm.as_deref());
        let index = match known {
            Some(i) => i,
            None => {
                let signer = state
                    .school_keys()
                    .signer_of(&school.code, &c.credential_json)
                    .map_err(|problem| ApiError::Conflict {
                        detail: format!(
                            "the QR summary of credential {} cannot be signed: {problem}",
                            c.id
                        ),
                    })?;
                signers.push(Arc::new(signer));
                signers.len() - 1
            }
        };
        signer_of.push(index);
    }
    let options = PdfOptions {
        verifier_url: state.config().verifier_url.clone(),
    };
    tokio::task::spawn_blocking(move || {
        let mut rendered: Vec<Option<_>> = (0..credentials.len()).map(|_| None).collect();
        for (k, signer) in signers.iter().enumerate() {
            let mine: Vec<usize> = (0..credentials.len())
                .filter(|&i| signer_of[i] == k)
                .collect();
            let jsons: Vec<&str> = mine
                .iter()
                .map(|&i| credentials[i].credential_json.as_str())
                .collect();
            for (i, pdf) in mine
                .into_iter()
                .zip(render_all(&jsons, signer.key(), &options))
            {
                rendered[i] = Some(pdf);
            }
        }
        let mut seen = HashSet::new();
        credentials
            .iter()
            .zip(rendered)
            .map(|(c, r)| {
                let r =
                    r.ok_or_else(|| ApiError::Internal(format!("PDF of {} not rendered", c.id)))?;
                let pdf = r.map_err(|e| ApiError::Internal(format!("PDF of {}: {e}", c.id)))?;
                let mut name = file_stem(c);
                if !seen.insert(name.clone()) {
                    name = format!("{name}-{}", safe(&c.id));
                    seen.insert(name.clone());
                }
                Ok((format!("{name}.pdf"), pdf.bytes))
            })
            .collect()
    })
    .await
    .map_err(|e| ApiError::Internal(format!("PDF task: {e}")))?
}

/// `<class>-<pupil name in ASCII>-<short id>` of a stored credential
/// ([`crate::app::names`]; its id when the names are missing).
fn file_stem(c: &Credential) -> String {
    let value: Value = serde_json::from_str(&c.credential_json).unwrap_or(Value::Null);
    let subject = &value["credentialSubject"];
    match (
        subject["className"].as_str(),
        subject["student"]["fullName"].as_str(),
    ) {
        (Some(class), Some(name)) => crate::app::names::file_stem(class, name, &c.id),
        _ => safe(&c.id),
    }
}

/// ASCII letters, digits and `-` only.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

async fn audit_pdf(
    state: &AppState,
    caller: &Caller,
    credential: &Credential,
    channel: &str,
) -> Result<(), ApiError> {
    state
        .store()
        .append_audit(&AuditEntry {
            at: state.now(),
            school_id: Some(credential.school_id.clone()),
            user_id: Some(caller.user_id().to_owned()),
            action: "pdf".to_owned(),
            subject: credential.id.clone(),
            details_json: serde_json::json!({ "channel": channel, "sha256": credential.sha256 })
                .to_string(),
        })
        .await?;
    Ok(())
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
