//! Issued credentials: one by id (the signed JSON byte for byte, audited as a `copy`), a
//! class's list, and revocation (always audited).
//!
//! Copies are audited per caller and credential, not per request: the same caller reading
//! the same credential again within `store::READ_WINDOW` (10 minutes) of the copy that
//! opened the window adds no row to the audit log; that row stands for them all and the
//! store counts them (`Store::collapsed_reads`). A client polling a credential thus costs
//! one row per 10 minutes, not one per request.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::{ApiError, parse_json};
use super::records::SchoolQuery;
use super::{AppState, Body};
use crate::store::{AuditEntry, Credential, Scope};

/// The media type of a credential (W3C VC Data Model 2.0).
pub const VC_MEDIA_TYPE: &str = "application/vc+json";

/// A credential's metadata as listed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialSummary {
    /// The credential id (`urn:uuid:…`); `GET /api/v1/credentials/{id}` gives the JSON.
    pub id: String,
    /// The record it was signed from.
    pub record_id: String,
    /// SHA-256 of the signed JSON (hex).
    pub sha256: String,
    /// Its status list.
    pub status_list: String,
    /// Its index in the status list.
    pub status_index: i64,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// When it was revoked, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// The pupil's full name, as signed.
    pub pupil_name: String,
    /// The class, as signed.
    pub class_name: String,
}

impl From<&Credential> for CredentialSummary {
    fn from(c: &Credential) -> Self {
        let (pupil_name, class_name) =
            crate::app::names::credential_pupil(&c.credential_json).unwrap_or_default();
        CredentialSummary {
            pupil_name,
            class_name,
            id: c.id.clone(),
            record_id: c.record_id.clone(),
            sha256: c.sha256.clone(),
            status_list: c.status_list.clone(),
            status_index: c.status_index,
            issued_at: c.issued_at.format(&Rfc3339).unwrap_or_default(),
            revoked_at: c.revoked_at.and_then(|t| t.format(&Rfc3339).ok()),
        }
    }
}

/// Why a credential is revoked.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// The reason, kept in the audit log and the store and published in the signed status
    /// list: at most 200 characters on one line, and no personal data.
    pub reason: String,
}

/// The signed credential, byte for byte as signed (`application/vc+json`, or
/// `application/json` when only that is accepted). Copies are audited, repeated ones to the
/// same caller within 10 minutes as one row.
#[utoipa::path(
    get,
    path = "/api/v1/credentials/{id}",
    tag = "credentials",
    params(("id" = String, Path, description = "Credential id (urn:uuid:…)")),
    responses(
        (status = 200, description = "The signed credential", content_type = "application/vc+json", body = Object),
        (status = 404, description = "No such credential for this caller", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_credential(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let credential = state
        .store()
        .credential(&caller.principal.scope(), &id)
        .await?;
    let now = state.now();
    // Repeated copies of one credential to one caller within `READ_WINDOW` are one row.
    state
        .store()
        .append_read_audit(&AuditEntry {
            at: now,
            school_id: Some(credential.school_id.clone()),
            user_id: Some(caller.user_id().to_owned()),
            action: "copy".to_owned(),
            subject: credential.id.clone(),
            details_json: serde_json::json!({ "channel": "api", "sha256": credential.sha256 })
                .to_string(),
        })
        .await?;
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media_type = if accept.contains("application/json") && !accept.contains(VC_MEDIA_TYPE) {
        "application/json"
    } else {
        VC_MEDIA_TYPE
    };
    let mut response = (StatusCode::OK, credential.credential_json).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", credential.sha256)) {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}

/// Revoke a credential of the caller's school (its record becomes revoked). Principals.
#[utoipa::path(
    post,
    path = "/api/v1/credentials/{id}/revoke",
    tag = "credentials",
    params(("id" = String, Path, description = "Credential id")),
    request_body(content = RevokeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Revoked", body = CredentialSummary),
        (status = 403, description = "Not a principal", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such credential for this caller", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = super::ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The reason is blank, longer than 200 characters or not one line", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn revoke_credential(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body,
) -> Result<Json<CredentialSummary>, ApiError> {
    caller.require_principal()?;
    let school = caller.own_school()?.clone();
    let request: RevokeRequest = parse_json(&body)?;
    let revoked = state
        .issuer()
        .revoke(
            &Scope::School(school.id.clone()),
            &id,
            &request.reason,
            Some(caller.user_id()),
            "api",
            state.now(),
        )
        .await?;
    Ok(Json(CredentialSummary::from(&revoked)))
}

/// The credentials of one class in a school year (revoked ones included), oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/classes/{schoolYear}/{className}/credentials",
    tag = "credentials",
    params(("schoolYear" = String, Path, description = "e.g. 2025-2026"),
           ("className" = String, Path, description = "e.g. 5A"), SchoolQuery),
    responses(
        (status = 200, description = "The class's credentials", body = [CredentialSummary]),
        (status = 404, description = "Unknown school", body = super::ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn class_credentials(
    State(state): State<AppState>,
    caller: Caller,
    Path((school_year, class_name)): Path<(String, String)>,
    Query(query): Query<SchoolQuery>,
) -> Result<Json<Vec<CredentialSummary>>, ApiError> {
    let school = caller.school_for(&state, query.school.as_deref()).await?;
    let list = state
        .store()
        .list_class_credentials(&school.id, &school_year, &class_name)
        .await?;
    Ok(Json(list.iter().map(CredentialSummary::from).collect()))
}
