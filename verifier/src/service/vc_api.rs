//! The W3C VC-API verification endpoint, `POST /credentials/verify`: like the bulk API, the
//! heavy slot is taken before the body is read, the body is read through
//! [`super::Limits::max_json_body_bytes`], and the credential is checked on the blocking pool
//! under the work deadline ([`super::api::check_items`]).

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::AppState;
use super::api::{check_items, declared_over, read_body};
use super::problem::Problem;
use super::verify::{Checked, Item};
use crate::{CheckName, Outcome, VerdictResult};

#[derive(Deserialize)]
struct VcApiRequest<'a> {
    #[serde(borrow, rename = "verifiableCredential")]
    verifiable_credential: Option<&'a RawValue>,
    #[serde(default)]
    #[allow(dead_code)]
    options: Option<Value>,
}

/// `POST /credentials/verify` (W3C VC-API): 200 `{verified: true, checks, warnings, errors}`
/// for a valid credential; 400 with the same shape (`verified: false`, `errors` as problem
/// details naming the reason) for one that is not valid or cannot be read.
pub(super) async fn vc_api_verify(State(state): State<AppState>, request: Request) -> Response {
    if let Err(p) = declared_over(&request, state.inner.limits.max_json_body_bytes) {
        return p.into_response();
    }
    // The slot first, then the body (as for the bulk API).
    let permit = match state.heavy_permit().await {
        Ok(p) => p,
        Err(p) => return p.into_response(),
    };
    let body = match read_body(request.into_body(), state.inner.limits.max_json_body_bytes).await {
        Ok(b) => b,
        Err(p) => return p.into_response(),
    };
    let req: VcApiRequest<'_> = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return Problem::bad_json(format!(
                "expected {{\"verifiableCredential\": {{…}}, \"options\": {{…}}}}: {e}"
            ))
            .into_response();
        }
    };
    let Some(vc) = req.verifiable_credential else {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "missing-field",
            "verifiableCredential is missing",
            "the body must have a verifiableCredential member",
        )
        .field("verifiableCredential")
        .into_response();
    };
    let items = vec![Item::Credential(vc.get().as_bytes().to_vec())];
    let checked = match check_items(&state, items, Some(permit)).await {
        Ok((mut c, _)) => c.pop(),
        Err(p) => return p.into_response(),
    };
    let problem = |kind: &str, title: &str, detail: String| {
        json!({
            "type": format!("{}{kind}", super::problem::TYPE_BASE),
            "title": title,
            "detail": detail,
        })
    };
    let (verified, checks, warnings, errors) = match checked {
        Some(Checked::Credential(v)) => {
            let checks: Vec<&str> = v
                .checks()
                .iter()
                .filter(|c| c.outcome == Outcome::Passed)
                .map(|c| vc_check_name(c.name))
                .collect();
            // The checks with an outcome `wanted`, as problem details naming their reason.
            let problems_where = |wanted: &dyn Fn(Outcome) -> bool| -> Vec<Value> {
                v.checks()
                    .iter()
                    .filter(|c| wanted(c.outcome))
                    .filter_map(|c| {
                        let r = c.reason?;
                        Some(problem(
                            r.code(),
                            r.message().en,
                            c.detail.clone().unwrap_or_default(),
                        ))
                    })
                    .collect()
            };
            let warnings = problems_where(&|o| o == Outcome::Warning || o == Outcome::NotChecked);
            let errors = problems_where(&|o| o == Outcome::Failed);
            (v.result() == VerdictResult::Valid, checks, warnings, errors)
        }
        Some(Checked::Error { code, detail }) => (
            false,
            Vec::new(),
            Vec::new(),
            vec![problem(code, "The credential could not be read", detail)],
        ),
        _ => (
            false,
            Vec::new(),
            Vec::new(),
            vec![problem("internal", "No verdict", String::new())],
        ),
    };
    let status = if verified {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (
        status,
        Json(json!({
            "verified": verified,
            "checks": checks,
            "warnings": warnings,
            "errors": errors,
        })),
    )
        .into_response()
}

/// VC-API check names: `proof` for the signature, the others as the verifier names them.
fn vc_check_name(name: CheckName) -> &'static str {
    match name {
        CheckName::Integrity => "proof",
        CheckName::ValidityPeriod => "expiration",
        CheckName::Status => "credentialStatus",
        other => other.as_str(),
    }
}
