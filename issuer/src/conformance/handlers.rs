//! The conformance mode's VC-API handlers: issue, verify, update status, and the status list.
//! Refusals are 400 with `{"errors": [{"message": …}]}` (verify: `verified: false` too), as
//! the suites read them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hocba_schema::credential::format_time;
use hocba_schema::proof::SecuredDocument;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::vc_model::{CONTEXT_V2, check_credential, check_validity};
use super::{Conformance, resolve_did_key};

fn now() -> OffsetDateTime {
    // The conformance mode is a live fixture: it reads the wall clock at each request.
    #[allow(clippy::disallowed_methods)]
    OffsetDateTime::now_utc()
}

fn refuse(message: impl Into<String>) -> Response {
    let message = message.into();
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"verified": false, "errors": [{"message": message}]})),
    )
        .into_response()
}

fn body_object(body: &Bytes, member: &str) -> Result<Map<String, Value>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))?;
    match value.get(member) {
        Some(Value::Object(o)) => Ok(o.clone()),
        _ => Err(format!("{member} must be a JSON object")),
    }
}

/// Sign `doc` with the service's key as of `at` (`eddsa-jcs-2022`).
fn sign(
    state: &Conformance,
    doc: &Map<String, Value>,
    at: OffsetDateTime,
) -> Result<Value, String> {
    sign_with(state, doc, at, false)
}

/// Sign `doc` with the service's key as of `at`, with `eddsa-rdfc-2022` when `rdfc`.
fn sign_with(
    state: &Conformance,
    doc: &Map<String, Value>,
    at: OffsetDateTime,
    rdfc: bool,
) -> Result<Value, String> {
    let created = format_time(at).map_err(|e| e.to_string())?;
    if rdfc {
        return super::rdfc::sign_document(
            &state.inner.key,
            doc,
            &state.verification_method(),
            &created,
            hocba_schema::proof::PROOF_PURPOSE,
            &Map::new(),
        );
    }
    super::sign_document(
        &state.inner.key,
        doc,
        &state.verification_method(),
        &created,
    )
}

/// `POST /credentials/issue`: any VC 2.0 credential whose issuer is this service's `did:key`,
/// given a status entry in the service's list (unless it has a `credentialStatus`) and signed
/// with `eddsa-jcs-2022`.
pub(super) async fn issue(state: State<Conformance>, body: Bytes) -> Response {
    issue_with(state, body, false).await
}

/// `POST /rdfc/credentials/issue`: [`issue`], signed with `eddsa-rdfc-2022` (the `rdfc`
/// feature; without it, refused).
pub(super) async fn issue_rdfc(state: State<Conformance>, body: Bytes) -> Response {
    issue_with(state, body, true).await
}

async fn issue_with(State(state): State<Conformance>, body: Bytes, rdfc: bool) -> Response {
    let mut doc = match body_object(&body, "credential") {
        Ok(doc) => doc,
        Err(problem) => return refuse(problem),
    };
    if doc.contains_key("proof") {
        return refuse("credential already has a proof");
    }
    if let Err(problem) = check_credential(&doc) {
        return refuse(problem);
    }
    let issuer = match doc.get("issuer") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).unwrap_or("").to_owned(),
        _ => String::new(),
    };
    if issuer != state.did() {
        return refuse(format!(
            "issuer must be this service's DID {}, found {issuer:?}",
            state.did()
        ));
    }
    if !doc.contains_key("credentialStatus") {
        let index = {
            let Ok(mut status) = state.inner.status.lock() else {
                return refuse("status list unavailable");
            };
            let index = status.next;
            status.next += 1;
            if let Some(Value::String(id)) = doc.get("id") {
                status.by_credential.insert(id.clone(), index);
            }
            index
        };
        let url = state.status_list_url();
        doc.insert(
            "credentialStatus".into(),
            json!({
                "id": format!("{url}#{index}"),
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": index.to_string(),
                "statusListCredential": url,
            }),
        );
    }
    match sign_with(&state, &doc, now(), rdfc) {
        Ok(vc) => (
            StatusCode::CREATED,
            Json(json!({"verifiableCredential": vc})),
        )
            .into_response(),
        Err(problem) => refuse(problem),
    }
}

/// `POST /credentials/verify`: the data model, the proof with its `did:key`, the validity
/// period, and the status of entries in this service's list; or an enveloped credential
/// (its JWS, then the credential it carries).
pub(super) async fn verify(State(state): State<Conformance>, body: Bytes) -> Response {
    let doc = match body_object(&body, "verifiableCredential") {
        Ok(doc) => doc,
        Err(problem) => return refuse(problem),
    };
    let enveloped = super::vc_model::type_list(doc.get("type"))
        .is_some_and(|t| t.contains(&"EnvelopedVerifiableCredential"));
    if enveloped {
        return match super::presentation::verify_enveloped_credential(&doc, "", now()) {
            Ok(()) => Json(
                json!({"verified": true, "checks": ["envelope"], "warnings": [], "errors": []}),
            )
            .into_response(),
            Err(problem) => refuse(problem),
        };
    }
    if let Err(problem) = check_credential(&doc) {
        return refuse(problem);
    }
    let at = now();
    if let Err(problem) = check_validity(&doc, at) {
        return refuse(problem);
    }
    let status = doc.get("credentialStatus").cloned();
    let related = doc.clone();
    let secured = match SecuredDocument::from_value(Value::Object(doc)) {
        Ok(secured) => secured,
        Err(e) => return refuse(e.to_string()),
    };
    let Some(vm) = secured.proof_str("verificationMethod") else {
        return refuse("proof.verificationMethod is missing");
    };
    let Some(key) = resolve_did_key(vm) else {
        return refuse(format!(
            "proof.verificationMethod {vm:?} is not an Ed25519 did:key"
        ));
    };
    // eddsa-rdfc-2022 when built in (the `rdfc` feature); anything else goes to the
    // verifier's eddsa-jcs-2022 checks, which name a wrong cryptosuite.
    let rdfc =
        super::rdfc::BUILT_IN && secured.proof_str("cryptosuite") == Some(super::rdfc::CRYPTOSUITE);
    let checked = if rdfc {
        super::rdfc::verify_proof_at(&secured, &key, at)
    } else {
        hocba_verifier::verify_proof_at(&secured, &key, at).map_err(|f| f.to_string())
    };
    if let Err(problem) = checked {
        return refuse(problem);
    }
    if let Some(status) = status
        && let Err(problem) = check_status(&state, &status)
    {
        return refuse(problem);
    }
    // A related resource that cannot be obtained here was not checked: said, not passed over.
    let warnings: Vec<Value> = super::related::unchecked(&related)
        .into_iter()
        .map(|id| json!({"message": format!("relatedResource {id}: not obtainable here, its digest was not checked")}))
        .collect();
    Json(json!({"verified": true, "checks": ["proof"], "warnings": warnings, "errors": []}))
        .into_response()
}

/// `POST /presentations/verify`: `{"verifiablePresentation", "options": {"challenge",
/// "domain"}}`, checked by [`super::presentation::verify_presentation`].
pub(super) async fn verify_presentation(body: Bytes) -> Response {
    let vp = match body_object(&body, "verifiablePresentation") {
        Ok(vp) => vp,
        Err(problem) => return refuse(problem),
    };
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    let option = |name: &str| {
        request
            .pointer(&format!("/options/{name}"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let options = super::presentation::Options {
        challenge: option("challenge"),
        domain: option("domain"),
    };
    match super::presentation::verify_presentation(&vp, &options, now()) {
        Ok(()) => Json(json!({
            "verified": true,
            "checks": ["proof"],
            "presentationResult": {"verified": true},
            "warnings": [],
            "errors": []
        }))
        .into_response(),
        Err(problem) => refuse(problem),
    }
}

/// Each revocation entry names this service's list and an index not set in it.
fn check_status(state: &Conformance, status: &Value) -> Result<(), String> {
    let entries: Vec<&Value> = match status {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for entry in entries {
        if entry.get("type").and_then(Value::as_str) != Some("BitstringStatusListEntry") {
            continue;
        }
        let url = entry
            .get("statusListCredential")
            .and_then(Value::as_str)
            .ok_or("credentialStatus.statusListCredential is missing")?;
        if url != state.status_list_url() {
            return Err(format!(
                "status list {url} is not served here: status unknown"
            ));
        }
        let index = entry
            .get("statusListIndex")
            .and_then(Value::as_str)
            .and_then(|i| i.parse::<usize>().ok())
            .ok_or("credentialStatus.statusListIndex must be a decimal string")?;
        let purpose = entry.get("statusPurpose").and_then(Value::as_str);
        let set = state
            .inner
            .status
            .lock()
            .map_err(|_| "status list unavailable")?
            .bits
            .get(index)
            .ok_or("credentialStatus.statusListIndex is outside the list")?;
        if set && purpose == Some("revocation") {
            return Err("the credential is revoked".into());
        }
        if set && purpose == Some("suspension") {
            return Err("the credential is suspended".into());
        }
    }
    Ok(())
}

/// `POST /credentials/status`: `{"credentialId", "credentialStatus": [{"type", "status"}]}`
/// sets (`revoked`) or clears (`active`) the credential's bit.
pub(super) async fn update_status(State(state): State<Conformance>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return refuse("malformed JSON");
    };
    let Some(id) = request.get("credentialId").and_then(Value::as_str) else {
        return refuse("credentialId is missing");
    };
    let value = match request
        .pointer("/credentialStatus/0/status")
        .and_then(Value::as_str)
    {
        Some("revoked") => true,
        Some("active") => false,
        _ => return refuse("credentialStatus[0].status must be revoked or active"),
    };
    let Ok(mut status) = state.inner.status.lock() else {
        return refuse("status list unavailable");
    };
    let Some(&index) = status.by_credential.get(id) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"errors": [{"message": format!("no credential {id} issued here")}]})),
        )
            .into_response();
    };
    status.bits.set(index, value);
    StatusCode::OK.into_response()
}

/// `GET /status/1`: the revocation list, signed now.
pub(super) async fn status_list(State(state): State<Conformance>) -> Response {
    let encoded = match state.inner.status.lock() {
        Ok(status) => status.bits.encode(),
        Err(_) => return refuse("status list unavailable"),
    };
    let url = state.status_list_url();
    let at = now();
    let Ok(valid_from) = format_time(at) else {
        return refuse("clock");
    };
    let Value::Object(doc) = json!({
        "@context": [CONTEXT_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": state.did(),
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }) else {
        return refuse("status list");
    };
    match sign(&state, &doc, at) {
        Ok(vc) => ([(header::CONTENT_TYPE, "application/json")], vc.to_string()).into_response(),
        Err(problem) => refuse(problem),
    }
}
