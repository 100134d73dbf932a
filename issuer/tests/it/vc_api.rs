//! The W3C VC-API endpoints of `hocba-issuer serve` through the router, on SQLite and
//! PostgreSQL: `POST /credentials/issue` signs a whole credential's record as any other and
//! stores it with its status entry (the verifier says valid with the published list), a
//! principal of another school and a teacher are refused, a proof or status given by the
//! caller is refused, and `POST /credentials/status` revokes (the verifier then says revoked).

#![allow(clippy::unwrap_used, missing_docs)]

use crate::common;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, StatusCode};
use common::Ctx;
use common::http::{self, call, credential, example, list_url, post_json, repo, wall_clock as now};
use hocba_issuer::api::{self, ApiConfig, AppState, SchoolKeys};
use hocba_issuer::store::{Role, School, Store};
use hocba_verifier::danger::dev_authority;
use hocba_verifier::{
    Reason, StatusLists, Verdict, VerdictResult, VerifyOptions, verify_credential_with,
};
use serde_json::{Value, json};
use time::Duration;

both_databases!(issue_and_revoke, refusals);

const SCHOOL: &str = "25000731"; // primary-grade5.json
const OTHER: &str = "79000701";
const BASE: &str = "http://127.0.0.1:8080";

async fn token(store: &Store, school: &School, role: Role) -> String {
    http::token(store, Some(school), role, Duration::days(1), now()).await
}

async fn setup(ctx: &Ctx) -> (Router, Store) {
    let store = ctx.store.clone();
    let keys = SchoolKeys::load(&repo().join("keys/dev")).unwrap();
    keys.register_schools(&store, now()).await.unwrap();
    let state = AppState::new(store.clone(), keys, ApiConfig::default());
    (api::app(state), store)
}

/// The unsigned VC-API credential around the grade-5 example record.
fn unsigned() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/hocba/v1"],
        "type": ["VerifiableCredential", "HocBaCredential"],
        "issuer": format!("urn:hocba:school:{SCHOOL}"),
        "credentialSubject": example("primary-grade5.json"),
    })
}

fn verify(credential: &[u8], list: Option<(&str, Vec<u8>)>) -> Verdict {
    let trust = dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(repo().join("keys/dev/trust-list.json")).unwrap())
        .unwrap();
    let mut options = VerifyOptions::default();
    if let Some((url, bytes)) = list {
        let mut lists = StatusLists::new();
        lists.insert(url.to_owned(), bytes);
        options = options.with_status_lists(Arc::new(lists));
    }
    verify_credential_with(credential, &trust, now(), &options).unwrap()
}

async fn status_list(app: &Router, url: &str) -> Vec<u8> {
    let path = url.strip_prefix(BASE).unwrap();
    let answer = call(app, Method::GET, path, None, &[], Body::empty()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.body.to_vec()
}

async fn issue_and_revoke(ctx: Ctx) {
    let (app, store) = setup(&ctx).await;
    let school = store.school_by_code(SCHOOL).await.unwrap();
    let principal = token(&store, &school, Role::Principal).await;
    let issued = post_json(
        &app,
        "/credentials/issue",
        &principal,
        &json!({"credential": unsigned(), "options": {"acceptWarnings": true}}),
    )
    .await;
    let body = issued.ok(StatusCode::CREATED);
    let vc = &body["verifiableCredential"];
    assert_eq!(vc["issuer"]["id"], format!("urn:hocba:school:{SCHOOL}"));
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(vc["credentialStatus"]["type"], "BitstringStatusListEntry");
    let id = vc["id"].as_str().unwrap().to_owned();
    // Stored like any other: served byte for byte by the school API.
    let stored = credential(&app, &principal, &id).await;
    assert_eq!(serde_json::from_slice::<Value>(&stored).unwrap(), *vc);
    let url = list_url(&stored);
    let verdict = verify(&stored, Some((&url, status_list(&app, &url).await)));
    assert!(verdict.is_valid(), "{verdict:#?}");

    // The status endpoint: only revocation, with a reason; then the verifier says revoked.
    let active = post_json(
        &app,
        "/credentials/status",
        &principal,
        &json!({"credentialId": id, "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "active"}], "reason": "x"}),
    )
    .await;
    let problem = active.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["rule"], "status-update", "{problem}");
    let revoked = post_json(
        &app,
        "/credentials/status",
        &principal,
        &json!({"credentialId": id, "credentialStatus": [{"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "status": "revoked"}], "reason": "Nhập nhầm điểm"}),
    )
    .await;
    let summary = revoked.ok(StatusCode::OK);
    assert!(summary["revokedAt"].is_string(), "{summary}");
    let verdict = verify(&stored, Some((&url, status_list(&app, &url).await)));
    assert_eq!(verdict.result(), VerdictResult::Invalid);
    assert_eq!(verdict.reason(), Some(Reason::Revoked));
    // Twice: 409.
    let again = post_json(
        &app,
        "/credentials/status",
        &principal,
        &json!({"credentialId": id, "credentialStatus": [{"status": "revoked"}], "reason": "Nhập nhầm điểm"}),
    )
    .await;
    again.problem(StatusCode::CONFLICT);

    // Both operations are in the OpenAPI document.
    let doc = call(
        &app,
        Method::GET,
        "/api/v1/openapi.json",
        None,
        &[],
        Body::empty(),
    )
    .await
    .json();
    assert!(doc["paths"]["/credentials/issue"]["post"].is_object());
    assert!(doc["paths"]["/credentials/status"]["post"].is_object());
}

async fn refusals(ctx: Ctx) {
    let (app, store) = setup(&ctx).await;
    let school = store.school_by_code(SCHOOL).await.unwrap();
    let other = store.school_by_code(OTHER).await.unwrap();
    let body = json!({"credential": unsigned(), "options": {"acceptWarnings": true}});

    // No token: 401. A teacher: 403 (signing is the principal's).
    let anonymous = call(
        &app,
        Method::POST,
        "/credentials/issue",
        None,
        &[("content-type", "application/json")],
        Body::from(body.to_string()),
    )
    .await;
    anonymous.problem(StatusCode::UNAUTHORIZED);
    let teacher = token(&store, &school, Role::Teacher).await;
    post_json(&app, "/credentials/issue", &teacher, &body)
        .await
        .problem(StatusCode::FORBIDDEN);

    // A principal of another school: the record (and the issuer named) are not theirs.
    let stranger = token(&store, &other, Role::Principal).await;
    let answer = post_json(&app, "/credentials/issue", &stranger, &body).await;
    let problem = answer.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["rule"], "issuer-mismatch", "{problem}");
    let mut no_issuer = unsigned();
    no_issuer.as_object_mut().unwrap().remove("issuer");
    let answer = post_json(
        &app,
        "/credentials/issue",
        &stranger,
        &json!({"credential": no_issuer, "options": {"acceptWarnings": true}}),
    )
    .await;
    let problem = answer.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["rule"], "school-mismatch", "{problem}");
    assert_eq!(
        problem["errors"][0]["pointer"],
        "/credential/credentialSubject/school/code"
    );
    // Nothing was issued for that school.
    assert_eq!(
        store
            .list_class_credentials(&other.id, "2025-2026", "5A")
            .await
            .unwrap()
            .len(),
        0
    );

    // The caller may not bring a proof or a status entry, a foreign context, or no record.
    let principal = token(&store, &school, Role::Principal).await;
    // A principal's PIN where the keys are not on tokens: refused (it would be ignored),
    // named under options, nothing stored; the PIN is not echoed.
    let answer = post_json(
        &app,
        "/credentials/issue",
        &principal,
        &json!({"credential": unsigned(), "options": {"acceptWarnings": true, "principalPin": "246810"}}),
    )
    .await;
    let problem = answer.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["errors"][0]["pointer"], "/options/principalPin",
        "{problem}"
    );
    assert_eq!(
        problem["errors"][0]["rule"], "principal-pin-not-used",
        "{problem}"
    );
    assert!(!problem.to_string().contains("246810"), "{problem}");
    assert!(
        store
            .list_records(&school.id, &Default::default())
            .await
            .unwrap()
            .is_empty()
    );
    // The OpenAPI document names the PIN member of the options, write-only.
    let doc = call(
        &app,
        Method::GET,
        "/api/v1/openapi.json",
        None,
        &[],
        Body::empty(),
    )
    .await
    .json();
    let pin = &doc["components"]["schemas"]["IssueOptions"]["properties"]["principalPin"];
    assert_eq!(pin["writeOnly"], true, "{pin}");
    for (edit, rule) in [
        (
            json!({"proof": {"type": "DataIntegrityProof"}}),
            "issuer-sets",
        ),
        (
            json!({"credentialStatus": {"type": "BitstringStatusListEntry"}}),
            "issuer-sets",
        ),
        (
            json!({"@context": ["https://www.w3.org/ns/credentials/v2"]}),
            "context",
        ),
        (json!({"type": ["VerifiableCredential"]}), "type"),
        (json!({"credentialSubject": "nobody"}), "required"),
    ] {
        let mut credential = unsigned();
        for (k, v) in edit.as_object().unwrap() {
            credential[k] = v.clone();
        }
        let answer = post_json(
            &app,
            "/credentials/issue",
            &principal,
            &json!({"credential": credential}),
        )
        .await;
        let problem = answer.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["rule"], rule, "{edit}: {problem}");
    }
    // A record breaking a rule names the field under credentialSubject.
    let mut bad = unsigned();
    bad["credentialSubject"]["student"]["dateOfBirth"] = json!("31/02/2015");
    let answer = post_json(
        &app,
        "/credentials/issue",
        &principal,
        &json!({"credential": bad}),
    )
    .await;
    let problem = answer.problem(StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert!(
        pointers
            .iter()
            .any(|p| p.starts_with("/credential/credentialSubject/student")),
        "{problem}"
    );
    // Malformed JSON: 400.
    call(
        &app,
        Method::POST,
        "/credentials/issue",
        Some(&principal),
        &[("content-type", "application/json")],
        Body::from("{"),
    )
    .await
    .problem(StatusCode::BAD_REQUEST);
    // Another school's credential cannot be revoked through the status endpoint: 404.
    let answer = post_json(
        &app,
        "/credentials/status",
        &stranger,
        &json!({"credentialId": "urn:uuid:00000000-0000-4000-8000-000000000000", "credentialStatus": [{"status": "revoked"}], "reason": "Sai"}),
    )
    .await;
    answer.problem(StatusCode::NOT_FOUND);
}
