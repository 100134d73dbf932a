//! `GET /.well-known/hocba/national-trust-list.json`: the national trust list of the
//! federation, signed off-line by the root (the Ministry) and handed to this service as the key
//! directory's `national-trust-list.json` (see `crate::app::national`). Served as it was
//! signed, with a strong ETag and the same caching as the trust list; 404 when this deployment
//! publishes none.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use hocba_schema::publication::NATIONAL_TRUST_LIST_PATH;

use crate::api::AppState;
use crate::api::error::ApiError;
use crate::api::status::{cacheable, etag_of};

/// The route of this module (merged into [`crate::api::app`]).
pub(crate) fn router() -> Router<AppState> {
    Router::new().route(NATIONAL_TRUST_LIST_PATH, get(national_trust_list))
}

async fn national_trust_list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let bytes = state
        .config()
        .national_trust_list
        .clone()
        .ok_or(ApiError::NotFound {
            what: "path",
            id: NATIONAL_TRUST_LIST_PATH.to_owned(),
        })?;
    let etag = etag_of(&bytes);
    Ok(cacheable(
        &headers,
        bytes.as_ref().clone(),
        &etag,
        "application/json",
    ))
}
