//! HTTP API tests. Each body drives the router with `tower::ServiceExt::oneshot` on SQLite (a
//! temporary file) and on PostgreSQL (its own schema) when `HOCBA_TEST_POSTGRES` is set, e.g.
//! `HOCBA_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test cargo test -p hocba-issuer --test it api::`.
//! `real_server_on_loopback` runs the same router on a TCP port and talks HTTP to it.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::common;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode, header};
use common::Ctx;
use common::http::{
    call, class_5a, example, get, import, import_validated, post_json, post_raw, post_with,
    put_json, repo, token, validate, wall_clock as now,
};
use hocba_issuer::api::{self, ApiConfig, AppState, SchoolKeys};
use hocba_issuer::store::{NewUser, Role, School, Scope, Store};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use time::Duration;

both_databases!(
    health_and_openapi,
    tokens_are_required_and_checked,
    import_edit_and_concurrent_edits,
    invalid_records_are_reported_by_pointer,
    schools_cannot_see_each_other,
    batch_sign_a_class_and_retry,
    bad_bodies_get_json_problems,
    authority_reads_across_the_province,
    long_batches_run_in_the_background,
    csv_import_saves_drafts,
    abandoned_batches_are_finished,
    pdfs_of_credentials_and_classes,
);

const SCHOOL_A: &str = "25000731"; // primary-grade5.json
const SCHOOL_B: &str = "01001205"; // primary-grade2.json

/// A router over `store` with the dev keys, and a token per role.
struct Env {
    app: Router,
    state: AppState,
    store: Store,
    a: School,
    b: School,
    teacher_a: String,
    principal_a: String,
    principal_b: String,
    authority: String,
}

async fn env(ctx: &Ctx) -> Env {
    env_with(ctx, ApiConfig::default()).await
}

async fn env_with(ctx: &Ctx, config: ApiConfig) -> Env {
    let store = ctx.store.clone();
    let keys = SchoolKeys::load(&repo().join("keys/dev")).unwrap();
    assert!(keys.uses_dev_keys());
    assert_eq!(keys.register_schools(&store, now()).await.unwrap(), 5);
    // Idempotent.
    assert_eq!(keys.register_schools(&store, now()).await.unwrap(), 0);
    let a = store.school_by_code(SCHOOL_A).await.unwrap();
    let b = store.school_by_code(SCHOOL_B).await.unwrap();
    let state = AppState::new(store.clone(), keys, config);
    let app = api::app(state.clone());
    Env {
        state,
        teacher_a: token(&store, Some(&a), Role::Teacher, Duration::days(1), now()).await,
        principal_a: token(&store, Some(&a), Role::Principal, Duration::days(1), now()).await,
        principal_b: token(&store, Some(&b), Role::Principal, Duration::days(1), now()).await,
        authority: token(&store, None, Role::Authority, Duration::days(1), now()).await,
        app,
        store,
        a,
        b,
    }
}

async fn health_and_openapi(ctx: Ctx) {
    let env = env(&ctx).await;
    let health = get(&env.app, "/api/v1/health", None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");

    let doc = get(&env.app, "/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    // What any request can get is documented: 400 everywhere, 401 where a token is needed,
    // 413 where there is a body; a problem's `value` may be any JSON value (not only an
    // object), as the service sends strings, numbers and null there.
    let mut authenticated = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("400"), "{method} {path}");
            if op
                .get("security")
                .is_some_and(|s| !s.as_array().unwrap().is_empty())
            {
                authenticated += 1;
                assert!(responses.contains_key("401"), "{method} {path}");
                assert!(responses.contains_key("429"), "{method} {path}");
            }
            if op.get("requestBody").is_some() {
                assert!(responses.contains_key("413"), "{method} {path}");
            }
        }
    }
    assert!(authenticated > 10);
    let value = &doc["components"]["schemas"]["FieldError"]["properties"]["value"];
    assert!(
        value.get("type").is_none(),
        "FieldError.value must allow any JSON: {value}"
    );
    let unauthorised = get(&env.app, "/api/v1/records", None).await;
    assert_eq!(unauthorised.status, StatusCode::UNAUTHORIZED);
    for path in [
        "/api/v1/health",
        "/api/v1/records",
        "/api/v1/records/{id}",
        "/api/v1/records/{id}/validate",
        "/api/v1/imports",
        "/api/v1/batches",
        "/api/v1/batches/{id}",
        "/api/v1/credentials/{id}",
        "/api/v1/classes/{schoolYear}/{className}/credentials",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(
        doc["paths"]["/api/v1/records"]["get"]["responses"]["401"]["content"]
            ["application/problem+json"]
            .is_object()
    );

    let docs = get(&env.app, "/api/v1/docs/", None).await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&docs.body).contains("swagger"));

    get(&env.app, "/nowhere", None)
        .await
        .problem(StatusCode::NOT_FOUND);
    call(
        &env.app,
        Method::DELETE,
        "/api/v1/health",
        None,
        &[],
        Body::empty(),
    )
    .await
    .problem(StatusCode::METHOD_NOT_ALLOWED);

    let template = get(&env.app, "/api/v1/templates/tieu-hoc.csv", None).await;
    assert_eq!(template.status, StatusCode::OK);
    assert!(template.content_type().starts_with("text/csv"));
}

async fn tokens_are_required_and_checked(ctx: Ctx) {
    let env = env(&ctx).await;
    let none = get(&env.app, "/api/v1/records", None).await;
    let body = none.problem(StatusCode::UNAUTHORIZED);
    assert_eq!(body["type"], "/problems/unauthorized");
    assert_eq!(none.headers[header::WWW_AUTHENTICATE], "Bearer");

    let wrong = format!("{}x", &env.teacher_a[..env.teacher_a.len() - 1]);
    get(&env.app, "/api/v1/records", Some(&wrong))
        .await
        .problem(StatusCode::UNAUTHORIZED);
    get(&env.app, "/api/v1/records", Some("not-a-token"))
        .await
        .problem(StatusCode::UNAUTHORIZED);
    call(
        &env.app,
        Method::GET,
        "/api/v1/records",
        None,
        &[("authorization", &format!("Basic {}", env.teacher_a))],
        Body::empty(),
    )
    .await
    .problem(StatusCode::UNAUTHORIZED);

    // Expired yesterday.
    let user = env
        .store
        .create_user(
            &NewUser {
                school_id: Some(env.a.id.clone()),
                display_name: "Cũ".into(),
                role: Role::Principal,
            },
            now(),
        )
        .await
        .unwrap();
    let expired = env
        .store
        .create_token(&user.id, Duration::days(1), now() - Duration::days(2))
        .await
        .unwrap();
    get(&env.app, "/api/v1/records", Some(expired.secret.expose()))
        .await
        .problem(StatusCode::UNAUTHORIZED);

    let ok = get(&env.app, "/api/v1/records", Some(&env.teacher_a)).await;
    assert_eq!(ok.status, StatusCode::OK);

    // A teacher validates (sends the class to the principal, as on the teacher's pages) but
    // may not sign.
    let ids = import(&env.app, &env.teacher_a, &example("primary-grade5.json")).await;
    let validated = validate(&env.app, &env.teacher_a, &ids[0]).await;
    assert_eq!(validated.status, StatusCode::OK, "{:?}", validated.body);
    post_with(
        &env.app,
        "/api/v1/batches",
        &env.teacher_a,
        &[("idempotency-key", "t-1")],
        &json!({"schoolYear": "2025-2026", "className": "5A"}),
    )
    .await
    .problem(StatusCode::FORBIDDEN);
    // The authority changes no school's records.
    post_json(
        &env.app,
        "/api/v1/records",
        &env.authority,
        &example("primary-grade5.json"),
    )
    .await
    .problem(StatusCode::FORBIDDEN);
}

async fn import_edit_and_concurrent_edits(ctx: Ctx) {
    let env = env(&ctx).await;
    let ids = import(&env.app, &env.teacher_a, &class_5a(0..2)).await;
    assert_eq!(ids.len(), 2);

    let list = get(
        &env.app,
        "/api/v1/records?schoolYear=2025-2026&className=5A&state=draft",
        Some(&env.teacher_a),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json().as_array().unwrap().len(), 2);
    let list = get(
        &env.app,
        "/api/v1/records?state=signed",
        Some(&env.teacher_a),
    )
    .await;
    assert_eq!(list.json().as_array().unwrap().len(), 0);
    get(
        &env.app,
        "/api/v1/records?state=bogus",
        Some(&env.teacher_a),
    )
    .await
    .problem(StatusCode::BAD_REQUEST);

    let uri = format!("/api/v1/records/{}", ids[0]);
    let read = get(&env.app, &uri, Some(&env.teacher_a)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.headers[header::ETAG], "\"1\"");
    let mut record = read.json()["record"].clone();
    assert_eq!(record["className"], "5A");
    record["teacherComment"] = json!("Em chăm ngoan, học tốt.");

    // Without If-Match: 428.
    put_json(&env.app, &uri, &env.teacher_a, None, &record)
        .await
        .problem(StatusCode::PRECONDITION_REQUIRED);

    let first = put_json(&env.app, &uri, &env.teacher_a, Some("\"1\""), &record).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json());
    assert_eq!(first.headers[header::ETAG], "\"2\"");
    assert_eq!(
        first.json()["record"]["teacherComment"],
        "Em chăm ngoan, học tốt."
    );

    // A second editor who also read version 1 loses.
    let stale = put_json(&env.app, &uri, &env.principal_a, Some("\"1\""), &record).await;
    let body = stale.problem(StatusCode::PRECONDITION_FAILED);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("changed by someone else")
    );

    // Invalid content is refused with every problem by pointer.
    let mut bad = record.clone();
    bad["primary"]["subjects"][1]["testScores"]["endYear"] = json!(11);
    let refused = put_json(&env.app, &uri, &env.teacher_a, Some("\"2\""), &bad).await;
    let body = refused.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"].as_array().unwrap().iter().any(|e| {
        e["pointer"] == "/primary/subjects/1/testScores/endYear" && e["rule"] == "score-range"
    }));

    // Audit: the import and the edit.
    let audit = env
        .store
        .list_audit(&Scope::School(env.a.id.clone()), 100)
        .await
        .unwrap();
    assert!(audit.iter().any(|e| e.action == "import"));
    assert!(
        audit
            .iter()
            .any(|e| e.action == "edit" && e.subject == ids[0])
    );
}

async fn invalid_records_are_reported_by_pointer(ctx: Ctx) {
    let env = env(&ctx).await;
    let dir = repo().join("schema/examples/invalid");
    let name = "primary-score-out-of-range";
    let invalid: Value =
        serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.json"))).unwrap()).unwrap();
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.expected.json"))).unwrap())
            .unwrap();
    let mut invalid_for_a = invalid.clone();
    invalid_for_a["school"] = example("primary-grade5.json")["school"].clone();
    let answer = post_json(
        &env.app,
        "/api/v1/records",
        &env.teacher_a,
        &json!([example("primary-grade5.json"), invalid_for_a]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    assert_eq!(body["saved"], 1);
    assert_eq!(body["rejected"], 1);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items[0]["saved"], true);
    assert!(items[0]["recordId"].is_string());
    assert_eq!(items[1]["saved"], false);
    for want in expected["problems"].as_array().unwrap() {
        assert!(
            items[1]["problems"].as_array().unwrap().iter().any(|p| {
                p["pointer"] == want["pointer"]
                    && p["rule"] == want["rule"]
                    && p["severity"] == want["severity"]
                    && p["messageVi"].is_string()
                    && p["messageEn"].is_string()
            }),
            "{want} not in {}",
            items[1]
        );
    }

    // Another school's record: refused, by pointer.
    let answer = post_json(
        &env.app,
        "/api/v1/records",
        &env.teacher_a,
        &example("primary-grade2.json"),
    )
    .await;
    let body = answer.json();
    assert_eq!(body["saved"], 0);
    assert!(
        body["items"][0]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["pointer"] == "/school/code" && p["rule"] == "school-mismatch")
    );

    // A CSV that is not one: a problem naming the file, not a 5xx.
    let csv = post_raw(
        &env.app,
        "/api/v1/imports",
        &env.teacher_a,
        "text/csv",
        "a,b\n1,2\n",
    )
    .await;
    csv.problem(StatusCode::UNPROCESSABLE_ENTITY);
    post_raw(
        &env.app,
        "/api/v1/imports",
        &env.teacher_a,
        "application/pdf",
        "%PDF",
    )
    .await
    .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

async fn schools_cannot_see_each_other(ctx: Ctx) {
    let env = env(&ctx).await;
    let a_ids = import(&env.app, &env.principal_a, &class_5a(0..1)).await;
    let a_id = &a_ids[0];
    let b_ids = import(&env.app, &env.principal_b, &example("primary-grade2.json")).await;
    assert_eq!(b_ids.len(), 1);

    let uri = format!("/api/v1/records/{a_id}");
    get(&env.app, &uri, Some(&env.principal_b))
        .await
        .problem(StatusCode::NOT_FOUND);
    // Naming school A explicitly does not help.
    get(
        &env.app,
        &format!("{uri}?school={SCHOOL_A}"),
        Some(&env.principal_b),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    let record = example("primary-grade5.json");
    put_json(&env.app, &uri, &env.principal_b, Some("1"), &record)
        .await
        .problem(StatusCode::NOT_FOUND);
    validate(&env.app, &env.principal_b, a_id)
        .await
        .problem(StatusCode::NOT_FOUND);
    post_with(
        &env.app,
        "/api/v1/batches",
        &env.principal_b,
        &[("idempotency-key", "b-1")],
        &json!({"recordIds": [a_id]}),
    )
    .await
    .problem(StatusCode::NOT_FOUND);

    // B's list does not show A's record.
    let list = get(&env.app, "/api/v1/records", Some(&env.principal_b)).await;
    let ids: Vec<String> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, b_ids);

    // A signs; B cannot read the credential.
    assert_eq!(
        validate(&env.app, &env.principal_a, a_id).await.status,
        StatusCode::OK
    );
    let batch = post_with(
        &env.app,
        "/api/v1/batches",
        &env.principal_a,
        &[("idempotency-key", "a-1")],
        &json!({"recordIds": [a_id]}),
    )
    .await;
    assert_eq!(batch.status, StatusCode::CREATED, "{}", batch.json());
    let credential_id = batch.json()["report"]["items"][0]["credentialId"]
        .as_str()
        .unwrap()
        .to_owned();
    let uri = format!("/api/v1/credentials/{credential_id}");
    assert_eq!(
        get(&env.app, &uri, Some(&env.principal_a)).await.status,
        StatusCode::OK
    );
    get(&env.app, &uri, Some(&env.principal_b))
        .await
        .problem(StatusCode::NOT_FOUND);
    let batch_id = batch.json()["id"].as_str().unwrap().to_owned();
    get(
        &env.app,
        &format!("/api/v1/batches/{batch_id}"),
        Some(&env.principal_b),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    let class = get(
        &env.app,
        "/api/v1/classes/2025-2026/5A/credentials",
        Some(&env.principal_b),
    )
    .await;
    assert_eq!(class.json().as_array().unwrap().len(), 0);
    // B cannot revoke it either.
    post_json(
        &env.app,
        &format!("{uri}/revoke"),
        &env.principal_b,
        &json!({"reason": "thử"}),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    let _ = &env.b;
}

async fn batch_sign_a_class_and_retry(ctx: Ctx) {
    let env = env(&ctx).await;
    let ids = import(&env.app, &env.teacher_a, &class_5a(0..3)).await;
    for id in &ids {
        let answer = validate(&env.app, &env.principal_a, id).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
        assert_eq!(answer.json()["record"]["state"], "validated");
    }

    // Without an idempotency key: refused.
    let request = json!({"schoolYear": "2025-2026", "className": "5A"});
    post_json(&env.app, "/api/v1/batches", &env.principal_a, &request)
        .await
        .problem(StatusCode::BAD_REQUEST);

    let key = [("idempotency-key", "lop-5a-2026")];
    let first = post_with(
        &env.app,
        "/api/v1/batches",
        &env.principal_a,
        &key,
        &request,
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json());
    let batch = first.json();
    assert_eq!(batch["state"], "done");
    assert_eq!(batch["total"], 3);
    assert_eq!(batch["succeeded"], 3);
    assert_eq!(batch["failed"], 0);
    let items = batch["report"]["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["outcome"] == "signed"));

    // Retried: the same batch, nothing new.
    let again = post_with(
        &env.app,
        "/api/v1/batches",
        &env.principal_a,
        &key,
        &request,
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["id"], batch["id"]);
    // The same key for another request: 409.
    post_with(
        &env.app,
        "/api/v1/batches",
        &env.principal_a,
        &key,
        &json!({"schoolYear": "2025-2026"}),
    )
    .await
    .problem(StatusCode::CONFLICT);
    // A new key for the same class signs nothing again.
    let other = post_with(
        &env.app,
        "/api/v1/batches",
        &env.principal_a,
        &[("idempotency-key", "lop-5a-2026-b")],
        &json!({"recordIds": ids}),
    )
    .await;
    assert_eq!(other.status, StatusCode::CREATED);
    assert!(
        other.json()["report"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["outcome"] == "alreadySigned")
    );

    let status = get(
        &env.app,
        &format!("/api/v1/batches/{}", batch["id"].as_str().unwrap()),
        Some(&env.teacher_a),
    )
    .await;
    assert_eq!(status.json()["state"], "done");

    let class = get(
        &env.app,
        "/api/v1/classes/2025-2026/5A/credentials",
        Some(&env.teacher_a),
    )
    .await;
    let list = class.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);

    // Each credential verifies against the dev trust list.
    let trust = hocba_verifier::danger::dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(repo().join("keys/dev/trust-list.json")).unwrap())
        .unwrap();
    for summary in list {
        let id = summary["id"].as_str().unwrap();
        let answer = get(
            &env.app,
            &format!("/api/v1/credentials/{id}"),
            Some(&env.principal_a),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.content_type(), "application/vc+json");
        let stored = env
            .store
            .credential(&Scope::School(env.a.id.clone()), id)
            .await
            .unwrap();
        assert_eq!(answer.body.as_ref(), stored.credential_json.as_bytes());
        let verdict = hocba_verifier::verify_json(&answer.body, &trust, now()).unwrap();
        assert!(
            verdict.is_valid(),
            "{}",
            serde_json::to_string(&verdict).unwrap()
        );
        let status_url = answer.json()["credentialStatus"]["statusListCredential"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            status_url.starts_with(&format!("http://127.0.0.1:8080/status/{SCHOOL_A}/")),
            "{status_url}"
        );
    }
    let json_copy = call(
        &env.app,
        Method::GET,
        &format!("/api/v1/credentials/{}", list[0]["id"].as_str().unwrap()),
        Some(&env.teacher_a),
        &[("accept", "application/json")],
        Body::empty(),
    )
    .await;
    assert_eq!(json_copy.content_type(), "application/json");

    let audit = env
        .store
        .list_audit(&Scope::School(env.a.id.clone()), 1000)
        .await
        .unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "sign").count(), 3);
    assert_eq!(audit.iter().filter(|e| e.action == "copy").count(), 4);
    assert_eq!(audit.iter().filter(|e| e.action == "validate").count(), 3);

    // Revocation (principal only).
    let first_id = list[0]["id"].as_str().unwrap();
    post_json(
        &env.app,
        &format!("/api/v1/credentials/{first_id}/revoke"),
        &env.teacher_a,
        &json!({"reason": "sai điểm"}),
    )
    .await
    .problem(StatusCode::FORBIDDEN);
    let revoked = post_json(
        &env.app,
        &format!("/api/v1/credentials/{first_id}/revoke"),
        &env.principal_a,
        &json!({"reason": "sai điểm"}),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert!(revoked.json()["revokedAt"].is_string());
    post_json(
        &env.app,
        &format!("/api/v1/credentials/{first_id}/revoke"),
        &env.principal_a,
        &json!({"reason": "sai điểm"}),
    )
    .await
    .problem(StatusCode::CONFLICT);
}

async fn bad_bodies_get_json_problems(ctx: Ctx) {
    let env = env(&ctx).await;
    let big = vec![b' '; 50 << 20];
    let answer = post_raw(
        &env.app,
        "/api/v1/records",
        &env.teacher_a,
        "application/json",
        big,
    )
    .await;
    answer.problem(StatusCode::PAYLOAD_TOO_LARGE);

    let answer = post_raw(
        &env.app,
        "/api/v1/records",
        &env.teacher_a,
        "application/json",
        "{\n  \"student\": }",
    )
    .await;
    let body = answer.problem(StatusCode::BAD_REQUEST);
    assert_eq!(body["type"], "/problems/malformed-json");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("line 2"), "{detail}");
    assert!(detail.contains("column"), "{detail}");

    // Not an object or array of records: a report, not a 5xx.
    let answer = post_raw(
        &env.app,
        "/api/v1/records",
        &env.teacher_a,
        "application/json",
        "42",
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["rejected"], 1);

    let answer = call(
        &env.app,
        Method::POST,
        "/api/v1/batches",
        Some(&env.principal_a),
        &[
            ("content-type", "application/json"),
            ("idempotency-key", "x"),
        ],
        "{\"schoolYear\": 2025}",
    )
    .await;
    answer.problem(StatusCode::UNPROCESSABLE_ENTITY);
    let answer = call(
        &env.app,
        Method::POST,
        "/api/v1/batches",
        Some(&env.principal_a),
        &[
            ("content-type", "application/json"),
            ("idempotency-key", "x"),
        ],
        "{}",
    )
    .await;
    answer.problem(StatusCode::BAD_REQUEST);
    post_raw(
        &env.app,
        "/api/v1/records",
        &env.teacher_a,
        "text/plain",
        "{}",
    )
    .await
    .problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

async fn authority_reads_across_the_province(ctx: Ctx) {
    let env = env(&ctx).await;
    import(&env.app, &env.teacher_a, &class_5a(0..1)).await;
    get(&env.app, "/api/v1/records", Some(&env.authority))
        .await
        .problem(StatusCode::BAD_REQUEST);
    get(
        &env.app,
        "/api/v1/records?school=99999999",
        Some(&env.authority),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    let list = get(
        &env.app,
        &format!("/api/v1/records?school={SCHOOL_A}"),
        Some(&env.authority),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    let list = get(
        &env.app,
        &format!("/api/v1/records?school={SCHOOL_B}"),
        Some(&env.authority),
    )
    .await;
    assert_eq!(list.json().as_array().unwrap().len(), 0);
}

async fn long_batches_run_in_the_background(ctx: Ctx) {
    let env = env_with(
        &ctx,
        ApiConfig {
            background_threshold: 2,
            public_base: "https://hocba.example/".to_owned(),
            ..ApiConfig::default()
        },
    )
    .await;
    let ids = import(&env.app, &env.teacher_a, &class_5a(0..5)).await;
    for id in &ids[..4] {
        assert_eq!(
            validate(&env.app, &env.principal_a, id).await.status,
            StatusCode::OK
        );
    }
    // The fifth stays a draft: reported as failed, does not stop the others.
    let accepted = post_with(
        &env.app,
        "/api/v1/batches",
        &env.principal_a,
        &[("idempotency-key", "nen")],
        &json!({"recordIds": ids}),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.json());
    let location = accepted.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let mut batch = Value::Null;
    for _ in 0..200 {
        batch = get(&env.app, &location, Some(&env.principal_a))
            .await
            .json();
        if batch["state"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(batch["state"], "done", "{batch}");
    assert_eq!(batch["succeeded"], 4);
    assert_eq!(batch["failed"], 1);
    let items = batch["report"]["items"].as_array().unwrap();
    assert_eq!(items[4]["recordId"], ids[4].as_str());
    assert_eq!(items[4]["outcome"], "failed");
    let id = items[0]["credentialId"].as_str().unwrap();
    let credential = get(
        &env.app,
        &format!("/api/v1/credentials/{id}"),
        Some(&env.authority),
    )
    .await;
    assert_eq!(credential.status, StatusCode::OK);
    assert!(
        credential.json()["credentialStatus"]["statusListCredential"]
            .as_str()
            .unwrap()
            .starts_with(&format!("https://hocba.example/status/{SCHOOL_A}/"))
    );
}

/// A CSV made with the template layout from the grade-5 example, one row per student code.
fn csv_of_class(codes: &[&str]) -> String {
    use hocba_issuer::import::{Layout, LayoutLevel};
    let quote = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    };
    let layout = Layout::new(LayoutLevel::Primary);
    let mut csv = quote(layout.headers().into_iter().map(str::to_owned).collect());
    csv.push('\n');
    for code in codes {
        let mut record = example("primary-grade5.json");
        record["student"]["studentCode"] = json!(code);
        record["student"]["personalIdNumber"] =
            json!(format!("0173150{}", &code[code.len() - 5..]));
        let record: hocba_schema::record::YearRecord = serde_json::from_value(record).unwrap();
        csv.push_str(&quote(layout.to_row(&record)));
        csv.push('\n');
    }
    csv
}

async fn csv_import_saves_drafts(ctx: Ctx) {
    let env = env(&ctx).await;
    let csv = csv_of_class(&["1715042501", "1715042502"]);
    let answer = post_raw(
        &env.app,
        "/api/v1/imports",
        &env.teacher_a,
        "text/csv; charset=utf-8",
        csv,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    let body = answer.json();
    assert_eq!(body["saved"].as_array().unwrap().len(), 2, "{body}");
    assert_eq!(body["saved"][0]["row"], 2);
    assert_eq!(body["rejectedRows"].as_array().unwrap().len(), 0);
    let list = get(
        &env.app,
        "/api/v1/records?className=5A",
        Some(&env.teacher_a),
    )
    .await;
    assert_eq!(list.json().as_array().unwrap().len(), 2);
}

/// A batch left `running` by a process that died: a retry with the same key finishes it, and
/// so does a restarted server.
async fn abandoned_batches_are_finished(ctx: Ctx) {
    use hocba_issuer::store::{BatchProgress, BatchState, NewBatch};
    use sha2::{Digest, Sha256};

    let env = env(&ctx).await;
    let ids = import_validated(&env.app, &env.teacher_a, &env.principal_a, &class_5a(0..4)).await;
    let principal = env
        .store
        .authenticate(&env.principal_a, now())
        .await
        .unwrap()
        .unwrap();
    let long_ago = now() - Duration::minutes(5);
    let abandon = |key: &'static str, ids: Vec<String>| {
        let store = env.store.clone();
        let (school, user) = (env.a.id.clone(), principal.user_id.clone());
        async move {
            let request = json!({ "recordIds": ids }).to_string();
            let hash: String = Sha256::digest(request.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let (batch, created) = store
                .create_or_get_batch(
                    &school,
                    &NewBatch {
                        idempotency_key: key.to_owned(),
                        request_sha256: hash,
                        total: ids.len() as i64,
                    },
                    Some(&user),
                    long_ago,
                )
                .await
                .unwrap();
            assert!(created);
            let progress = BatchProgress {
                state: BatchState::Running,
                succeeded: 0,
                failed: 0,
                report_json: Some(json!({ "recordIds": ids }).to_string()),
            };
            store
                .update_batch(&school, &batch.id, &progress, long_ago)
                .await
                .unwrap();
            batch.id
        }
    };

    // Retried by the client.
    let first = abandon("crash-1", ids[..2].to_vec()).await;
    let retry = post_with(
        &env.app,
        "/api/v1/batches",
        &env.principal_a,
        &[("idempotency-key", "crash-1")],
        &json!({ "recordIds": &ids[..2] }),
    )
    .await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.json());
    assert_eq!(retry.json()["id"], first.as_str());
    assert_eq!(retry.json()["state"], "done");
    assert_eq!(retry.json()["succeeded"], 2);

    // Resumed by a restarted server.
    let second = abandon("crash-2", ids[2..].to_vec()).await;
    assert_eq!(api::batches::resume_abandoned(&env.state).await.unwrap(), 1);
    let mut batch = Value::Null;
    for _ in 0..200 {
        batch = get(
            &env.app,
            &format!("/api/v1/batches/{second}"),
            Some(&env.principal_a),
        )
        .await
        .json();
        if batch["state"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(batch["succeeded"], 2, "{batch}");
    let class = get(
        &env.app,
        "/api/v1/classes/2025-2026/5A/credentials",
        Some(&env.teacher_a),
    )
    .await;
    assert_eq!(class.json().as_array().unwrap().len(), 4);
    // Nothing left to resume.
    assert_eq!(api::batches::resume_abandoned(&env.state).await.unwrap(), 0);
}

/// The router on a real TCP port, spoken to over HTTP/1.1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_on_loopback() {
    use http_body_util::Full;
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hocba.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    let keys = SchoolKeys::load(&repo().join("keys/dev")).unwrap();
    keys.register_schools(&store, now()).await.unwrap();
    let a = store.school_by_code(SCHOOL_A).await.unwrap();
    let teacher = token(&store, Some(&a), Role::Teacher, Duration::days(1), now()).await;
    let app = api::app(AppState::new(store.clone(), keys, ApiConfig::default()));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });

    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let health = client
        .get(format!("http://{addr}/api/v1/health").parse().unwrap())
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let body = health.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["status"],
        "ok"
    );

    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("http://{addr}/api/v1/records"))
        .header(header::AUTHORIZATION, format!("Bearer {teacher}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(
            example("primary-grade5.json").to_string(),
        )))
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["saved"], 1);

    let unauthorized = client
        .get(format!("http://{addr}/api/v1/records").parse().unwrap())
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        unauthorized.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );

    stop.send(()).unwrap();
    server.await.unwrap();
    store.close().await;
}

/// `GET /api/v1/credentials/{id}/pdf` and the class ZIP: the stored credential embedded byte
/// for byte, another school's id is 404, one PDF per credential, each copy audited.
async fn pdfs_of_credentials_and_classes(ctx: Ctx) {
    let env = env(&ctx).await;
    import_validated(&env.app, &env.teacher_a, &env.principal_a, &class_5a(0..3)).await;
    let signed = post_with(
        &env.app,
        "/api/v1/batches",
        &env.principal_a,
        &[("idempotency-key", "pdf-5a")],
        &json!({"schoolYear": "2025-2026", "className": "5A"}),
    )
    .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{}", signed.json());
    let list = get(
        &env.app,
        "/api/v1/classes/2025-2026/5A/credentials",
        Some(&env.teacher_a),
    )
    .await
    .json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    let id = list[0]["id"].as_str().unwrap();

    let stored = get(
        &env.app,
        &format!("/api/v1/credentials/{id}"),
        Some(&env.teacher_a),
    )
    .await;
    let pdf = get(
        &env.app,
        &format!("/api/v1/credentials/{id}/pdf"),
        Some(&env.teacher_a),
    )
    .await;
    assert_eq!(
        pdf.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&pdf.body)
    );
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF"));
    let embedded = hocba_verifier::pdf::extract_credential(&pdf.body).unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&embedded).unwrap(),
        serde_json::from_slice::<Value>(&stored.body).unwrap()
    );
    // The authority reads it too; another school does not see it.
    let by_authority = get(
        &env.app,
        &format!("/api/v1/credentials/{id}/pdf"),
        Some(&env.authority),
    )
    .await;
    assert_eq!(by_authority.status, StatusCode::OK);
    get(
        &env.app,
        &format!("/api/v1/credentials/{id}/pdf"),
        Some(&env.principal_b),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    get(&env.app, &format!("/api/v1/credentials/{id}/pdf"), None)
        .await
        .problem(StatusCode::UNAUTHORIZED);

    let zip = get(
        &env.app,
        "/api/v1/classes/2025-2026/5A/pdfs.zip",
        Some(&env.principal_a),
    )
    .await;
    assert_eq!(
        zip.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&zip.body)
    );
    assert_eq!(zip.content_type(), "application/zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body.to_vec())).unwrap();
    assert_eq!(archive.len(), 3);
    let mut embedded_ids = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        assert!(name.ends_with(".pdf"), "{name}");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
        let credential: Value =
            serde_json::from_slice(&hocba_verifier::pdf::extract_credential(&bytes).unwrap())
                .unwrap();
        // Named by class and pupil (ASCII), never by a personal identification number.
        let class = credential["credentialSubject"]["className"]
            .as_str()
            .unwrap();
        assert!(name.starts_with(&format!("{class}-")), "{name}");
        assert!(name.is_ascii(), "{name}");
        if let Some(pin) = credential["credentialSubject"]["student"]["personalIdNumber"].as_str() {
            assert!(!name.contains(pin), "{name}");
        }
        embedded_ids.push(credential["id"].as_str().unwrap().to_owned());
    }
    let mut listed: Vec<String> = list
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    embedded_ids.sort();
    assert_eq!(embedded_ids, listed);
    // School B's class of that name is empty: an empty ZIP, not school A's PDFs.
    let other = get(
        &env.app,
        "/api/v1/classes/2025-2026/5A/pdfs.zip",
        Some(&env.principal_b),
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    let archive = zip::ZipArchive::new(std::io::Cursor::new(other.body.to_vec())).unwrap();
    assert_eq!(archive.len(), 0);

    // One audited copy per PDF handed out: 2 single PDFs and 3 in the ZIP.
    let audited = env
        .store
        .list_audit(&Scope::School(env.a.id.clone()), 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "pdf")
        .count();
    assert_eq!(audited, 5);

    // Both paths are in the OpenAPI document.
    let doc = get(&env.app, "/api/v1/openapi.json", None).await.json();
    assert!(doc["paths"]["/api/v1/credentials/{id}/pdf"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/classes/{schoolYear}/{className}/pdfs.zip"]["get"].is_object());
}
