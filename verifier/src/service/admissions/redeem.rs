//! **I/O layer:** redeeming a candidate's share code at the issuer
//! (`POST {issuer}/api/v1/shares/redeem` with the portal's bearer token), so that the portal
//! never handles the records: the codes go in, scores come out. Each code works once and is
//! audited at the issuer. What comes back is verified like any other item — the issuer is not
//! trusted for it, its school's signature is.
//!
//! The token is read from a file (`--portal-token-file`), never from the command line, and
//! never printed: [`Redeemer`]'s `Debug` leaves it out. A refusal keeps the issuer's rule
//! (`share_code_used`, `share_code_unknown`, …) and says nothing of the code itself.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::StatusCode;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde_json::value::RawValue;

/// Largest redeem answer read (16 MiB: a family's twelve year records with room to spare).
const MAX_ANSWER_BYTES: usize = 16 << 20;

/// Redeems share codes at one issuer with one portal token.
pub struct Redeemer {
    base: String,
    token: String,
    timeout: Duration,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl std::fmt::Debug for Redeemer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redeemer")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Redeemer {
    /// A redeemer for the issuer at `base` (`http://host:port`, as `--online`) with the
    /// portal's bearer `token`.
    pub fn new(base: &str, token: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            token: token.trim().to_owned(),
            timeout: Duration::from_secs(10),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// The issuer's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }
}

#[derive(Deserialize)]
struct Answer {
    credentials: Vec<SharedCredential>,
}

#[derive(Deserialize)]
struct SharedCredential {
    credential: Box<RawValue>,
}

#[derive(Deserialize)]
struct ProblemAnswer {
    #[serde(default)]
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
struct FieldError {
    #[serde(default)]
    rule: String,
}

/// Redeem `code`: the credentials' JSON bytes as signed, or (rule, what to do).
pub(super) async fn redeem(
    redeemer: Option<&Redeemer>,
    code: &str,
) -> Result<Vec<Vec<u8>>, (&'static str, String)> {
    let Some(r) = redeemer else {
        return Err((
            "share_code_unavailable",
            "this verifier redeems share codes only when started with --online URL \
             --portal-token-file FILE"
                .into(),
        ));
    };
    let body = serde_json::to_vec(&serde_json::json!({ "code": code }))
        .map_err(|e| ("share_code_unavailable", e.to_string()))?;
    let request = hyper::Request::post(format!("{}/api/v1/shares/redeem", r.base))
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .header(hyper::header::ACCEPT, "application/json")
        .header(hyper::header::AUTHORIZATION, format!("Bearer {}", r.token))
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| ("share_code_unavailable", e.to_string()))?;
    let work = async {
        let response = r.client.request(request).await.map_err(|e| {
            (
                "share_code_unavailable",
                format!("the issuer did not answer: {e}"),
            )
        })?;
        let status = response.status();
        let bytes = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| ("share_code_unavailable", format!("reading the answer: {e}")))?
            .to_bytes();
        if status == StatusCode::OK {
            let answer: Answer = serde_json::from_slice(&bytes).map_err(|e| {
                (
                    "share_code_unavailable",
                    format!("the issuer's answer is not a redeemed share: {e}"),
                )
            })?;
            return Ok(answer
                .credentials
                .into_iter()
                .map(|c| c.credential.get().as_bytes().to_vec())
                .collect());
        }
        let rule = serde_json::from_slice::<ProblemAnswer>(&bytes)
            .ok()
            .and_then(|p| p.errors.into_iter().next())
            .map(|e| e.rule)
            .unwrap_or_default();
        Err(refusal(status, &rule))
    };
    match tokio::time::timeout(r.timeout, work).await {
        Ok(result) => result,
        Err(_) => Err((
            "share_code_unavailable",
            format!("the issuer did not answer within {} s", r.timeout.as_secs()),
        )),
    }
}

fn refusal(status: StatusCode, rule: &str) -> (&'static str, String) {
    match (status, rule) {
        (_, "share_code_used") => (
            "share_code_used",
            "the share code was redeemed already; each code works once: ask the family for a new one".into(),
        ),
        (_, "share_code_expired") => (
            "share_code_expired",
            "the share code has expired: ask the family for a new one".into(),
        ),
        (_, "share_code_withdrawn") => (
            "share_code_withdrawn",
            "the family withdrew this share code".into(),
        ),
        (StatusCode::NOT_FOUND, _) => (
            "share_code_unknown",
            "no share has this code for this portal: check it with the family".into(),
        ),
        (StatusCode::TOO_MANY_REQUESTS, _) => (
            "share_code_rate_limited",
            "too many failed attempts at the issuer; try again later".into(),
        ),
        (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, _) => (
            "share_code_forbidden",
            "the issuer refused the portal token: check --portal-token-file".into(),
        ),
        (s, _) => (
            "share_code_unavailable",
            format!("the issuer answered {s}"),
        ),
    }
}
