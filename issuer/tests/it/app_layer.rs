//! The application layer's rules as the API shows them: signing nothing is an error naming the
//! drafts that wait, a class is validated in one call, an `Idempotency-Key` reused after its
//! records changed is refused, and reports and lists name the pupils.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::common;

use axum::Router;
use axum::http::StatusCode;
use common::Ctx;
use common::http::{
    class_5a, import, post_json, post_raw, post_with, repo, token, wall_clock as now,
};
use hocba_issuer::api::{self, ApiConfig, AppState, SchoolKeys};
use hocba_issuer::store::{Role, Store};
use serde_json::{Value, json};
use time::Duration;

both_databases!(
    signing_nothing_names_the_drafts,
    a_class_is_validated_in_one_call,
    a_reused_key_after_changes_is_refused,
    reports_and_lists_name_pupils,
    a_browser_form_uploads_the_class_file,
);

const SCHOOL_A: &str = "25000731";

struct Env {
    app: Router,
    teacher: String,
    principal: String,
}

async fn env(ctx: &Ctx) -> Env {
    let store: Store = ctx.store.clone();
    let keys = SchoolKeys::load(&repo().join("keys/dev")).unwrap();
    keys.register_schools(&store, now()).await.unwrap();
    let a = store.school_by_code(SCHOOL_A).await.unwrap();
    let state = AppState::new(store.clone(), keys, ApiConfig::default());
    Env {
        app: api::app(state),
        teacher: token(&store, Some(&a), Role::Teacher, Duration::days(1), now()).await,
        principal: token(&store, Some(&a), Role::Principal, Duration::days(1), now()).await,
    }
}

async fn sign_class(env: &Env, key: &str) -> (StatusCode, Value) {
    let answer = post_with(
        &env.app,
        "/api/v1/batches",
        &env.principal,
        &[("idempotency-key", key)],
        &json!({"schoolYear": "2025-2026", "className": "5A"}),
    )
    .await;
    (answer.status, answer.json())
}

async fn validate_class(env: &Env) -> Value {
    post_json(
        &env.app,
        "/api/v1/records/validate",
        &env.principal,
        &json!({"schoolYear": "2025-2026", "className": "5A"}),
    )
    .await
    .ok(StatusCode::OK)
}

async fn signing_nothing_names_the_drafts(ctx: Ctx) {
    let env = env(&ctx).await;
    // An empty class: nothing at all.
    let (status, body) = sign_class(&env, "empty").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["rule"], "nothing-to-sign");
    assert_eq!(body["errors"][0]["value"], 0);

    // Three drafts, none validated: the answer says three wait, in both languages.
    import(&env.app, &env.teacher, &class_5a(0..3)).await;
    let (status, body) = sign_class(&env, "drafts").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["value"], 3, "{body}");
    let vi = body["errors"][0]["messageVi"].as_str().unwrap();
    assert!(vi.contains("3 hồ sơ nháp") && vi.contains("lớp 5A"), "{vi}");
    assert!(
        body["errors"][0]["messageEn"]
            .as_str()
            .unwrap()
            .contains("3 draft(s)")
    );

    // No empty batch was kept under that key: once validated, the same key signs the class.
    validate_class(&env).await;
    let (status, body) = sign_class(&env, "drafts").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["total"], 3);
    assert_eq!(body["succeeded"], 3);
}

async fn a_class_is_validated_in_one_call(ctx: Ctx) {
    let env = env(&ctx).await;
    let mut class = class_5a(0..3);
    // One pupil with a warning a person must confirm: an ID number that disagrees with her gender.
    class[2]["student"]["fullName"] = json!("Lê Văn Cảnh");
    let warned = warning_record(class[2].clone());
    class[2] = warned;
    import(&env.app, &env.teacher, &class).await;

    // Nobody without a token validates (teachers and principals do: the pages' "send the
    // class to the principal" is this call).
    let refused = post_json(
        &env.app,
        "/api/v1/records/validate",
        "hb_not-a-token",
        &json!({"schoolYear": "2025-2026", "className": "5A"}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    let done = validate_class(&env).await;
    assert_eq!(done["validated"].as_array().unwrap().len(), 2, "{done}");
    let left = done["refused"].as_array().unwrap();
    assert_eq!(left.len(), 1, "{done}");
    assert_eq!(left[0]["pupilName"], "Lê Văn Cảnh");
    assert_eq!(left[0]["className"], "5A");
    assert_eq!(left[0]["problems"][0]["severity"], "warning", "{done}");
    assert!(
        done["validated"][0]["pupilName"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );

    // Again with the warnings accepted: the last one passes, the others count as done.
    let again = post_json(
        &env.app,
        "/api/v1/records/validate",
        &env.principal,
        &json!({"schoolYear": "2025-2026", "className": "5A", "acceptWarnings": true}),
    )
    .await
    .ok(StatusCode::OK);
    assert_eq!(again["validated"].as_array().unwrap().len(), 1, "{again}");
    assert_eq!(again["already"], 2);
    let records = common::http::get(
        &env.app,
        "/api/v1/records?state=validated",
        Some(&env.teacher),
    )
    .await
    .ok(StatusCode::OK);
    assert_eq!(records.as_array().unwrap().len(), 3);
}

async fn a_reused_key_after_changes_is_refused(ctx: Ctx) {
    let env = env(&ctx).await;
    import(&env.app, &env.teacher, &class_5a(0..2)).await;
    validate_class(&env).await;
    let (status, first) = sign_class(&env, "may").await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    // The same request again: the batch it made, nothing signed twice.
    let (status, retry) = sign_class(&env, "may").await;
    assert_eq!(status, StatusCode::OK, "{retry}");
    assert_eq!(retry["id"], first["id"]);

    // A pupil joins the class and is validated: the old key no longer covers the class.
    import(&env.app, &env.teacher, &class_5a(2..3)).await;
    validate_class(&env).await;
    let (status, body) = sign_class(&env, "may").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("changed since"), "{detail}");
    assert!(detail.contains("1 record(s)"), "{detail}");
    // With a new key, only the new pupil is signed.
    let (status, body) = sign_class(&env, "may-2").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["total"], 1);
    // The same key for another request is refused too.
    let other = post_with(
        &env.app,
        "/api/v1/batches",
        &env.principal,
        &[("idempotency-key", "may-2")],
        &json!({"schoolYear": "2025-2026"}),
    )
    .await;
    assert_eq!(other.status, StatusCode::CONFLICT);
}

async fn reports_and_lists_name_pupils(ctx: Ctx) {
    let env = env(&ctx).await;
    let mut class = class_5a(0..2);
    class[0]["student"]["fullName"] = json!("Nguyễn Thị Ánh");
    class[1]["student"]["fullName"] = json!("Trần Văn Bình");
    let answer = post_json(&env.app, "/api/v1/records", &env.teacher, &class)
        .await
        .ok(StatusCode::OK);
    assert_eq!(answer["items"][0]["pupilName"], "Nguyễn Thị Ánh");
    validate_class(&env).await;
    let (_, batch) = sign_class(&env, "names").await;
    let items = batch["report"]["items"].as_array().unwrap();
    let names: Vec<&str> = items
        .iter()
        .map(|i| i["pupilName"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Nguyễn Thị Ánh") && names.contains(&"Trần Văn Bình"));
    assert!(items.iter().all(|i| i["className"] == "5A"));
    let records = common::http::get(&env.app, "/api/v1/records", Some(&env.teacher))
        .await
        .ok(StatusCode::OK);
    let listed: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["pupilName"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&"Trần Văn Bình"), "{records}");
    let credentials = common::http::get(
        &env.app,
        "/api/v1/classes/2025-2026/5A/credentials",
        Some(&env.teacher),
    )
    .await
    .ok(StatusCode::OK);
    let signed: Vec<&str> = credentials
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["pupilName"].as_str().unwrap())
        .collect();
    assert!(signed.contains(&"Nguyễn Thị Ánh"), "{credentials}");
    assert!(
        credentials
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["className"] == "5A")
    );
}

/// `record` without its personal identification number (a warning, not an error).
fn warning_record(mut record: Value) -> Value {
    // The 4th digit 2 says a boy born in the 2000s; the pupil is a girl. A warning the school
    // must confirm (a personal identification number that may belong to someone else).
    record["student"]["personalIdNumber"] = json!("017215004899");
    record
}

/// A `multipart/form-data` body with one field: a file `name` of `media_type`, or a text field.
fn form(boundary: &str, field: &str, file: Option<(&str, &str)>, content: &[u8]) -> Vec<u8> {
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"");
    if let Some((name, media_type)) = file {
        body.push_str(&format!(
            "; filename=\"{name}\"\r\nContent-Type: {media_type}"
        ));
    }
    body.push_str("\r\n\r\n");
    let mut bytes = body.into_bytes();
    bytes.extend_from_slice(content);
    bytes.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    bytes
}

async fn a_browser_form_uploads_the_class_file(ctx: Ctx) {
    let env = env(&ctx).await;
    let csv = std::fs::read(repo().join("issuer/templates/tieu-hoc.csv")).unwrap();
    let kind = "multipart/form-data; boundary=hocba-form-1";
    // As Excel on Windows labels a CSV: the file's name decides.
    let body = form(
        "hocba-form-1",
        "file",
        Some(("Lớp 5A.csv", "application/vnd.ms-excel")),
        &csv,
    );
    let answer = post_raw(&env.app, "/api/v1/imports", &env.teacher, kind, body).await;
    let report = answer.ok(StatusCode::OK);
    let saved = report["saved"].as_array().unwrap();
    assert_eq!(saved.len(), 1, "{report}");
    assert!(!saved[0]["pupilName"].as_str().unwrap().is_empty());

    // A form without a file: 400 saying what to do.
    let body = form("hocba-form-1", "note", None, b"no file");
    let answer = post_raw(&env.app, "/api/v1/imports", &env.teacher, kind, body).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
    assert!(answer.text().contains("no file"));
    // A file that is not a class's: 415.
    let body = form(
        "hocba-form-1",
        "file",
        Some(("setup.exe", "application/octet-stream")),
        b"MZ",
    );
    let answer = post_raw(&env.app, "/api/v1/imports", &env.teacher, kind, body).await;
    assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
