//! Public, unauthenticated trust material: each school's signed status list at
//! `GET /status/{schoolCode}/{listId}` (the URL credentials name), the index of a school's
//! lists at `GET /status/{schoolCode}/index.json` (`{"school": "urn:hocba:school:<code>",
//! "statusLists": [URL, …]}`: how an online verifier finds the list of a QR summary, which
//! names its index but not its list), the authority's trust list
//! at `GET /.well-known/hocba/trust-list.json`, and the offline trust bundle at
//! `GET /api/v1/bundle`. Every answer carries a strong ETag (SHA-256 of the bytes) and
//! `Cache-Control`; `If-None-Match` with the current ETag gives 304.
//!
//! A school without an active key here (its only key retired or compromised and no new one
//! published yet) gets `503` with an RFC 9457 problem (`type` `/problems/no-active-key`, the
//! school named in `detail`) and `Retry-After`, never a list signed by a retired or
//! compromised key ([`crate::status_lists::Publication::status_list`]).
//!
//! The bundle is public like its members: the trust list and status lists are published
//! anyway, and a verifier preparing to work offline should not need an account.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hocba_schema::publication::index::StatusIndex;
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::ApiError;
use crate::bundle::build_bundle;
use crate::status_lists::{PublishError, hex, status_list_url};

/// `Cache-Control` of status lists, the trust list and the bundle (5 minutes: a revocation
/// reaches online verifiers within that).
pub const CACHE_CONTROL: &str = "public, max-age=300";

/// The routes of this module (merged into [`super::app`]).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/status/{school}/index.json", get(status_index))
        .route("/status/{school}/{list}", get(status_list))
        .route(hocba_schema::publication::TRUST_LIST_PATH, get(trust_list))
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
            e @ (PublishError::NoKey { .. } | PublishError::NoActiveKey { .. }) => {
                ApiError::Conflict {
                    detail: e.to_string(),
                }
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// `Retry-After` (seconds) of a status list that no active key can sign now: the authority
/// must add and publish a new key first.
pub const NO_KEY_RETRY_AFTER_SECS: u32 = 300;

/// 503 with a problem JSON and `Retry-After`: school `code` has no active key that can sign its
/// list `list` here (its only key is retired or compromised, or this service lacks it). Never
/// a list signed by a retired or compromised key instead.
fn no_active_key(code: &str, list: &str, why: &str) -> Response {
    let body = serde_json::json!({
        "type": "/problems/no-active-key",
        "title": "No active key can sign this status list",
        "status": 503,
        "detail": format!(
            "school {code} has no active key that can sign its status list {list} ({why}); \
             the authority must add and publish a new key for the school"
        ),
        "school": code,
    });
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, body.to_string()).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    h.insert(
        header::RETRY_AFTER,
        HeaderValue::from(NO_KEY_RETRY_AFTER_SECS),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// Largest number of list URLs a school's index names (a verifier reads no more).
pub const MAX_INDEX_LISTS: usize = hocba_schema::publication::index::MAX_INDEX_LISTS;

/// The public index of a school's status lists, `GET /status/{schoolCode}/index.json`:
/// `{"school": "urn:hocba:school:<code>", "statusLists": ["{base}/status/<code>/<listId>", …]}`
/// (at most [`MAX_INDEX_LISTS`], in the order the lists were made). A QR summary names its status index but not its
/// list; an online verifier reads this index to know which lists to fetch. Not signed: it only
/// says where to look, and every list it names is verified with the school's key.
async fn status_index(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let school = state.store().school_by_code(&code).await?;
    let urls: Vec<String> = state
        .store()
        .status_lists(&school.id)
        .await?
        .into_iter()
        .map(|l| status_list_url(&state.config().public_base, &school.code, &l.id))
        .collect();
    let bytes = StatusIndex::new(school.issuer_id.clone(), urls).to_json();
    let etag = etag_of(&bytes);
    Ok(cacheable(&headers, bytes, &etag, "application/json"))
}

/// A school's signed BitstringStatusListCredential.
async fn status_list(
    State(state): State<AppState>,
    Path((code, list)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let school = state.store().school_by_code(&code).await?;
    let signer = state.signer(&code);
    let published = match state
        .publication()
        .status_list(
            state.store(),
            signer.as_deref(),
            &state.config().public_base,
            &school,
            &list,
            state.now(),
        )
        .await
    {
        Ok(published) => published,
        Err(PublishError::NoKey { .. }) => {
            return Ok(no_active_key(
                &code,
                &list,
                "no active key of it is held here",
            ));
        }
        Err(PublishError::NoActiveKey { key, status, .. }) => {
            return Ok(no_active_key(
                &code,
                &list,
                &format!("key {key} is {status}"),
            ));
        }
        Err(e) => return Err(e.into()),
    };
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
            id: hocba_schema::publication::TRUST_LIST_PATH.to_owned(),
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

pub(crate) fn etag_of(bytes: &[u8]) -> String {
    format!("\"{}\"", hex(&Sha256::digest(bytes)))
}

/// 200 with the bytes, or 304 when `If-None-Match` names `etag` (or is `*`).
pub(crate) fn cacheable(
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
