//! `GET /metrics` for the operations centre (Prometheus text format 0.0.4), and [`track`],
//! the middleware that counts and times every request by its route template.
//!
//! **Who may read it.** The metrics name no person, but they show each school's activity
//! and the service's load, which is for the Department, not the public. So:
//!
//! * with a metrics token (`serve --metrics-token`, or `HOCBA_METRICS_TOKEN`; at least 32
//!   characters), a scrape must send `Authorization: Bearer <token>` (Prometheus:
//!   `authorization: {credentials_file: …}`), from any address; without it or with another
//!   one the answer is 401. The token is a scraper's own: it opens nothing else, unlike an
//!   authority token, which would give the scraper the province's records;
//! * without one, only a client on the loopback interface (127.0.0.0/8, ::1) is answered: a
//!   scraper or an SSH tunnel on the machine itself. Anyone else gets 404, as for a path that
//!   does not exist. Behind a reverse proxy on the same machine every client looks local:
//!   set a metrics token there, or do not forward `/metrics`.
//!
//! The answer is never cached (`Cache-Control: no-store`).

use std::fmt;
use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::ApiError;
use crate::ops::metrics::{self, CONTENT_TYPE, UNMATCHED};

/// The shortest metrics token accepted (`serve` refuses a shorter one).
pub const MIN_TOKEN_LEN: usize = 32;

/// The bearer token a scraper must send for `/metrics`. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// A token, if it is at least [`MIN_TOKEN_LEN`] characters long.
    pub fn new(token: &str) -> Option<Self> {
        let token = token.trim();
        (token.chars().count() >= MIN_TOKEN_LEN).then(|| MetricsToken(token.to_owned()))
    }

    /// Whether `presented` is this token (compared as SHA-256 digests, in constant time).
    fn matches(&self, presented: &str) -> bool {
        let a = Sha256::digest(self.0.as_bytes());
        let b = Sha256::digest(presented.as_bytes());
        a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
    }
}

impl fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MetricsToken(…)")
    }
}

/// Counts and times a request under its route's template (`MatchedPath`), never its raw
/// path. Added with `Router::layer`, so it sees the matched route.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |p| p.as_str().to_owned());
    let method = request.method().clone();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics::http_request(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// `GET /metrics`: the records by school and state from the store, then the process's
/// metrics (see the module documentation for who may read it).
pub async fn scrape(State(state): State<AppState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if let Err(refused) = allowed(
        state.config().metrics_token.as_ref(),
        request.headers(),
        peer,
    ) {
        return refused.into_response();
    }
    let counts = match state.store().record_counts().await {
        Ok(counts) => counts,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut response = metrics::render(&counts).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Why a scrape is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// A token is configured and the request does not carry it: 401.
    Unauthorized,
    /// No token is configured and the client is not on loopback: 404.
    NotHere,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Unauthorized => {
                let mut refused = StatusCode::UNAUTHORIZED.into_response();
                refused.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"metrics\""),
                );
                refused
            }
            Refusal::NotHere => ApiError::NotFound {
                what: "path",
                id: "/metrics".to_owned(),
            }
            .into_response(),
        }
    }
}

/// The access rule of the module documentation.
fn allowed(
    token: Option<&MetricsToken>,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Result<(), Refusal> {
    match token {
        Some(token) => {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, t)| t.trim());
            if presented.is_some_and(|t| token.matches(t)) {
                Ok(())
            } else {
                Err(Refusal::Unauthorized)
            }
        }
        None if peer.is_some_and(|p| p.ip().to_canonical().is_loopback()) => Ok(()),
        None => Err(Refusal::NotHere),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(token: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        h
    }

    #[test]
    fn short_tokens_are_refused_and_tokens_are_not_shown() {
        assert!(MetricsToken::new("short").is_none());
        let token = MetricsToken::new(&"k".repeat(32)).unwrap();
        assert_eq!(format!("{token:?}"), "MetricsToken(…)");
    }

    #[test]
    fn a_token_opens_from_anywhere_and_only_the_right_one() {
        let token = MetricsToken::new(&"k".repeat(40)).unwrap();
        let far: SocketAddr = "203.0.113.9:4000".parse().unwrap();
        assert!(allowed(Some(&token), &bearer(&"k".repeat(40)), Some(far)).is_ok());
        let refused = allowed(Some(&token), &bearer(&"x".repeat(40)), None).unwrap_err();
        assert_eq!(refused, Refusal::Unauthorized);
        let answer = refused.into_response();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
        assert!(answer.headers().contains_key(header::WWW_AUTHENTICATE));
        // With a token configured, loopback alone is not enough.
        let local: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let refused = allowed(Some(&token), &HeaderMap::new(), Some(local)).unwrap_err();
        assert_eq!(refused, Refusal::Unauthorized);
    }

    #[test]
    fn without_a_token_only_loopback_is_answered() {
        for local in ["[::1]:4000", "127.0.0.1:4000", "[::ffff:127.0.0.1]:4000"] {
            let local: SocketAddr = local.parse().unwrap();
            assert!(
                allowed(None, &HeaderMap::new(), Some(local)).is_ok(),
                "{local}"
            );
        }
        let far: SocketAddr = "198.51.100.7:4000".parse().unwrap();
        let refused = allowed(None, &HeaderMap::new(), Some(far)).unwrap_err();
        assert_eq!(refused.into_response().status(), StatusCode::NOT_FOUND);
        assert!(allowed(None, &HeaderMap::new(), None).is_err());
    }
}
