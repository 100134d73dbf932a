//! The stylesheet and the small script of the pages, compiled into the binary
//! (`issuer/assets/`), served from this origin only (the pages' CSP allows nothing else).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::page::security_headers;

const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/app.js");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    security_headers(h);
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Cached for an hour: an old school PC on a slow line fetches them once per session.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

/// `GET /assets/app.css`.
pub(super) async fn css() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

/// `GET /assets/app.js`.
pub(super) async fn js() -> Response {
    asset(JS, "text/javascript; charset=utf-8")
}
