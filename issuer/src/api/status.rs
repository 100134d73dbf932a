//! Public, unauthenticated trust material: each school's signed status list at
//! `GET /status/{schoolCode}/{listId}` (the URL credentials name), the authority's trust list
//! at `GET /.well-known/hocba/trust-list.json`, and the offline trust bundle at
//! `GET /api/v1/bundle`. Every answer carries a strong ETag (SHA-256 of the bytes) and
//! `Cache-Control`; `If-None-Match` with the current ETag gives 304.
//!
//! The bundle is public like its members: the trust list and status lists are published
//! anyway, and a verifier preparing to work offline should not need an account.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::ApiError;
use crate::bundle::build_bundle;
use crate::status_lists::{PublishError, hex};

/// `Cache-Control` of status lists, the trust list and the bundle (5 minutes: a revocation
/// reaches online verifiers within that).
pub const CACHE_CONTROL: &str = "public, max-age=300";

/// The routes of this module (merged into [`super::app`]).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/status/{school}/{list}", get(status_list))
        .route("/.well-known/hocba/trust-list.json", get(trust_list))
        .route("/api/v1/bundle", get(bundle))
}

impl From<PublishError> for ApiError {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::Store(e) => e.into(),
            PublishError::NoSuchList { school, list } => ApiError::NotFound {
                what: "status list",
                id: format!("{school}/{list}"),
            },
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// A school's signed BitstringStatusListCredential.
async fn status_list(
    State(state): State<AppState>,
    Path((code, list)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let school = state.store().school_by_code(&code).await?;
    let signer = state.signer(&code);
    let published = state
        .publication()
        .status_list(
            state.store(),
            signer.as_deref(),
            &state.config().public_base,
            &school,
            &list,
            state.now(),
        )
        .await?;
    Ok(cacheable(
        &headers,
        published.bytes.as_ref().clone(),
        &published.etag,
        "application/vc+json",
    ))
}

/// The latest trust list version the authority published (from the store; the key
/// directory's file while the store holds none).
async fn trust_list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let bytes = current_trust_list(&state)
        .await?
        .ok_or(ApiError::NotFound {
            what: "path",
            id: "/.well-known/hocba/trust-list.json".to_owned(),
        })?;
    let etag = etag_of(&bytes);
    Ok(cacheable(&headers, bytes, &etag, "application/json"))
}

/// The bytes of the current trust list: the latest stored version, else the file.
async fn current_trust_list(state: &AppState) -> Result<Option<Vec<u8>>, ApiError> {
    Ok(match state.store().latest_trust_version().await? {
        Some(version) => Some(version.list_json.into_bytes()),
        None => state.publication().trust_list().map(|b| b.as_ref().clone()),
    })
}

/// The offline trust bundle: the trust list and every status list this service can sign.
async fn bundle(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let trust = current_trust_list(&state)
        .await?
        .ok_or(ApiError::NotFound {
            what: "path",
            id: "/api/v1/bundle".to_owned(),
        })?;
    let signer_for = |code: &str| state.signer(code);
    let (bytes, _stats) = build_bundle(
        state.store(),
        state.publication(),
        &signer_for,
        &state.config().public_base,
        &trust,
        state.now(),
    )
    .await?;
    let etag = etag_of(&bytes);
    Ok(cacheable(&headers, bytes, &etag, "application/json"))
}

fn etag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", hex(&Sha256::digest(bytes)))
}

/// 200 with the bytes, or 304 when `If-None-Match` names `etag` (or is `*`).
fn cacheable(
    headers: &HeaderMap,
    bytes: Vec<u8>,
    etag: &str,
    content_type: &'static str,
) -> Response {
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*");
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = (StatusCode::OK, bytes).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}
