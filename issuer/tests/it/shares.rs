//! Consent-based sharing (issue #6 item 4): guardian tokens, share codes, one-time redemption
//! by an admissions portal, the audit trail. Each body drives the router with
//! `tower::ServiceExt::oneshot` (or spawned requests, for the race) on SQLite and, when
//! `HOCBA_TEST_POSTGRES` is set, on PostgreSQL, with a pinned clock the tests move forward.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use common::Ctx;
use common::http::{
    self, Answer, account, call, example, import_validated, post_json, post_with, repo,
};
use hocba_issuer::api::{self, ApiConfig, AppState, Clock, SchoolKeys};
use hocba_issuer::store::{AuditEvent, NewUser, Role, School, Scope, ShareCode, Store};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use sqlx::Row;
use time::{Duration, OffsetDateTime};

both_databases!(
    share_two_credentials_and_redeem_once,
    expired_codes_are_gone,
    foreign_ids_and_portals_get_404,
    roles_are_enforced,
    withdrawn_and_revoked,
    concurrent_redemptions_exactly_once,
);

const SCHOOL_A: &str = "25000731"; // primary-grade5.json
const SCHOOL_B: &str = "01001205"; // primary-grade2.json
const CODE_X: &str = "1715042389"; // the grade-5 example's pupil
const CODE_Y: &str = "1715042390"; // another pupil of school A

async fn get(app: &Router, uri: &str, token: &str) -> Answer {
    http::get(app, uri, Some(token)).await
}

async fn delete(app: &Router, uri: &str, token: &str) -> Answer {
    call(app, Method::DELETE, uri, Some(token), &[], Body::empty()).await
}

/// Everything a test needs: a router with a clock the test moves, two schools, tokens, and
/// signed credentials: pupil X of school A has two (grade 4 and grade 5), pupil Y of A one,
/// school B one.
struct Env {
    app: Router,
    store: Store,
    clock: Arc<Mutex<OffsetDateTime>>,
    a: School,
    teacher_a: String,
    principal_a: String,
    principal_b: String,
    authority: String,
    portal_1: (String, String),
    portal_2: (String, String),
    /// Pupil X's id and guardian token.
    pupil_x: String,
    guardian_x: String,
    /// Pupil Y's guardian token.
    guardian_y: String,
    /// Pupil X's credentials: grade 4 (2024-2025), grade 5 (2025-2026).
    x_credentials: Vec<String>,
    y_credential: String,
    b_credential: String,
}

impl Env {
    fn now(&self) -> OffsetDateTime {
        *self.clock.lock().unwrap()
    }

    /// School A's audit log (the last 1000 events).
    async fn audit(&self) -> Vec<AuditEvent> {
        self.store
            .list_audit(&Scope::School(self.a.id.clone()), 1000)
            .await
            .unwrap()
    }

    fn advance(&self, by: Duration) {
        *self.clock.lock().unwrap() += by;
    }

    async fn share(&self, token: &str, request: &Value) -> Answer {
        post_json(&self.app, "/api/v1/shares", token, request).await
    }

    /// A share of pupil X's credentials by X's guardian: (share id, code).
    async fn share_ok(&self, request: Value) -> (String, String) {
        let answer = self.share(&self.guardian_x, &request).await;
        let body = answer.ok(StatusCode::CREATED);
        assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
        (
            body["id"].as_str().unwrap().to_owned(),
            body["code"].as_str().unwrap().to_owned(),
        )
    }

    async fn redeem(&self, token: &str, code: &str) -> Answer {
        post_json(
            &self.app,
            "/api/v1/shares/redeem",
            token,
            &json!({ "code": code }),
        )
        .await
    }
}

/// Imports and validates `records` as `principal` and signs them (batch idempotency key
/// `key`); the credential ids.
async fn import_sign(app: &Router, principal: &str, records: Value, key: &str) -> Vec<String> {
    let ids = import_validated(app, principal, principal, &records).await;
    let body = post_with(
        app,
        "/api/v1/batches",
        principal,
        &[("idempotency-key", key)],
        &json!({ "recordIds": ids }),
    )
    .await
    .ok(StatusCode::CREATED);
    body["report"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["credentialId"].as_str().unwrap().to_owned())
        .collect()
}

async fn env(ctx: &Ctx) -> Env {
    env_on(ctx.store.clone()).await
}

async fn env_on(store: Store) -> Env {
    #[allow(clippy::disallowed_methods)]
    let start = OffsetDateTime::now_utc();
    let clock = Arc::new(Mutex::new(start));
    let pinned = clock.clone();
    let read: Clock = Arc::new(move || *pinned.lock().unwrap());
    let keys = SchoolKeys::load(&repo().join("keys/dev")).unwrap();
    keys.register_schools(&store, start).await.unwrap();
    let a = store.school_by_code(SCHOOL_A).await.unwrap();
    let b = store.school_by_code(SCHOOL_B).await.unwrap();
    let state = AppState::with_clock(store.clone(), keys, ApiConfig::default(), read);
    let app = api::app(state);
    let principal_a = account(
        &store,
        Some(&a),
        Role::Principal,
        Duration::days(365),
        start,
    )
    .await
    .1;
    let principal_b = account(
        &store,
        Some(&b),
        Role::Principal,
        Duration::days(365),
        start,
    )
    .await
    .1;

    let grade5 = example("primary-grade5.json");
    let mut grade4 = grade5.clone();
    grade4["schoolYear"] = json!("2024-2025");
    grade4["grade"] = json!(4);
    grade4["className"] = json!("4A");
    grade4["approvalDate"] = json!("2025-05-29");
    grade4["primary"]
        .as_object_mut()
        .unwrap()
        .remove("completedPrimaryProgramme");
    // Grades 1–4 complete the grade's programme (Circular 27, Art. 11(1); issue #12).
    grade4["primary"]["promotion"] = json!("hoan_thanh_chuong_trinh_lop_hoc");
    let mut other = grade5.clone();
    other["student"]["studentCode"] = json!(CODE_Y);
    other["student"]["personalIdNumber"] = json!("017315004828");
    other["student"]["fullName"] = json!("Bùi Văn Nam");
    let x_credentials = import_sign(&app, &principal_a, json!([grade4, grade5]), "x").await;
    let y_credential = import_sign(&app, &principal_a, json!([other]), "y").await[0].clone();
    let b_credential =
        import_sign(&app, &principal_b, example("primary-grade2.json"), "b").await[0].clone();

    let pupil_x = store.pupil_by_student_code(&a.id, CODE_X).await.unwrap().id;
    let pupil_y = store.pupil_by_student_code(&a.id, CODE_Y).await.unwrap().id;
    let mut guardians = Vec::new();
    for pupil in [&pupil_x, &pupil_y] {
        let answer = post_json(
            &app,
            &format!("/api/v1/pupils/{pupil}/guardian-tokens"),
            &principal_a,
            &json!({ "name": "Đinh Văn Hùng", "ttlDays": 365 }),
        )
        .await;
        let body = answer.ok(StatusCode::CREATED);
        assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(body["pupilId"], pupil.as_str());
        guardians.push(body["token"].as_str().unwrap().to_owned());
    }
    let guardian_y = guardians.pop().unwrap();
    let guardian_x = guardians.pop().unwrap();
    Env {
        teacher_a: account(&store, Some(&a), Role::Teacher, Duration::days(365), start)
            .await
            .1,
        authority: account(&store, None, Role::Authority, Duration::days(365), start)
            .await
            .1,
        portal_1: account(&store, None, Role::Portal, Duration::days(365), start).await,
        portal_2: account(&store, None, Role::Portal, Duration::days(365), start).await,
        app,
        store,
        clock,
        a,
        principal_a,
        principal_b,
        pupil_x,
        guardian_x,
        guardian_y,
        x_credentials,
        y_credential,
        b_credential,
    }
}

#[derive(Deserialize)]
struct Redeemed<'a> {
    #[serde(borrow)]
    credentials: Vec<SharedCredential<'a>>,
}

#[derive(Deserialize)]
struct SharedCredential<'a> {
    id: String,
    revoked: bool,
    #[serde(borrow)]
    credential: &'a RawValue,
}

async fn share_two_credentials_and_redeem_once(ctx: Ctx) {
    let env = env(&ctx).await;
    let (x4, x5) = (&env.x_credentials[0], &env.x_credentials[1]);

    // The guardian sees the pupil's two credentials, and only those.
    let mine = get(&env.app, "/api/v1/me/credentials", &env.guardian_x)
        .await
        .ok(StatusCode::OK);
    let ids: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [x4.as_str(), x5.as_str()]);
    assert_eq!(mine[0]["schoolYear"], "2024-2025");

    // Shared in the order chosen (grade 5 first), default expiry 14 days.
    let purpose = "Tuyển sinh lớp 10 năm học 2026-2027, Sở GD&ĐT Phú Thọ";
    let (share_id, code) = env
        .share_ok(json!({ "credentials": [x5, x4], "purpose": purpose }))
        .await;
    assert!(ShareCode::parse(&code).is_some(), "{code}");
    let listed = get(&env.app, "/api/v1/shares", &env.guardian_x)
        .await
        .ok(StatusCode::OK);
    assert_eq!(listed[0]["id"], share_id.as_str());
    assert_eq!(listed[0]["state"], "active");
    assert!(!listed.to_string().contains(&code[3..]));
    let expires = OffsetDateTime::parse(
        listed[0]["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    // Stored to the microsecond.
    assert!(((expires - env.now()) - Duration::days(14)).abs() < Duration::milliseconds(1));

    // The code is stored only as a hash: no column of any share row, nor the audit log,
    // holds it in any form.
    let canonical: String = code.chars().filter(|c| *c != '-').skip(2).collect();
    let rows = sqlx::query(
        "SELECT id, code_sha256, school_id, pupil_id, created_by, purpose, created_at, \
         expires_at FROM shares",
    )
    .fetch_all(env.store.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    for i in 0..8 {
        let value: String = rows[0].try_get(i).unwrap();
        assert!(
            !value.contains(&canonical) && !value.contains(&code[3..]),
            "{value}"
        );
    }
    let hash: String = rows[0].try_get("code_sha256").unwrap();
    assert_eq!(hash.len(), 64);

    // Redeemed by a portal: byte-identical credentials that verify, purpose, pupil's name.
    let first = env.redeem(&env.portal_1.1, &code.to_lowercase()).await;
    let body = first.ok(StatusCode::OK);
    assert_eq!(first.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(body["purpose"], purpose);
    assert_eq!(body["pupil"]["fullName"], "Đinh Thị Ngọc Ánh");
    assert_eq!(body["school"]["code"], SCHOOL_A);
    let redeemed: Redeemed = serde_json::from_slice(&first.body).unwrap();
    let trust = hocba_verifier::danger::dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(repo().join("keys/dev/trust-list.json")).unwrap())
        .unwrap();
    let got: Vec<&str> = redeemed.credentials.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(got, [x5.as_str(), x4.as_str()]);
    for shared in &redeemed.credentials {
        assert!(!shared.revoked);
        let stored = env
            .store
            .credential(&Scope::School(env.a.id.clone()), &shared.id)
            .await
            .unwrap();
        assert_eq!(shared.credential.get(), stored.credential_json);
        let verdict =
            hocba_verifier::verify_json(shared.credential.get().as_bytes(), &trust, env.now())
                .unwrap();
        assert!(
            verdict.is_valid(),
            "{}",
            serde_json::to_string(&verdict).unwrap()
        );
    }

    // Once only: the same portal and another one both get 410 share_code_used.
    env.redeem(&env.portal_1.1, &code).await.code_refused(
        StatusCode::GONE,
        "share_code_used",
        &code,
    );
    env.redeem(&env.portal_2.1, &code).await.code_refused(
        StatusCode::GONE,
        "share_code_used",
        &code,
    );
    let listed = get(&env.app, "/api/v1/shares", &env.guardian_x)
        .await
        .ok(StatusCode::OK);
    assert_eq!(listed[0]["state"], "redeemed");
    assert_eq!(listed[0]["redeemedBy"], env.portal_1.0.as_str());

    // Garbled and unknown codes: 404 share_code_unknown, and nothing in the audit log.
    let unknown = ShareCode::generate().unwrap().expose();
    for bad in ["HB-1234", "not a code", unknown.as_str()] {
        env.redeem(&env.portal_1.1, bad).await.code_refused(
            StatusCode::NOT_FOUND,
            "share_code_unknown",
            &code,
        );
    }

    // The audit log: creation, the redemption (who, which credentials) and both refusals;
    // the code in no form.
    let audit = env.audit().await;
    let share_events: Vec<_> = audit.iter().filter(|e| e.subject == share_id).collect();
    let created = share_events
        .iter()
        .find(|e| e.action == "share.create")
        .unwrap();
    assert!(created.user_id.is_some());
    assert!(created.details_json.contains(purpose));
    let redeemed: Vec<_> = share_events
        .iter()
        .filter(|e| e.action == "share.redeem")
        .collect();
    assert_eq!(redeemed.len(), 1);
    assert_eq!(
        redeemed[0].user_id.as_deref(),
        Some(env.portal_1.0.as_str())
    );
    let details: Value = serde_json::from_str(&redeemed[0].details_json).unwrap();
    assert_eq!(details["credentials"], json!([x5, x4]));
    assert_eq!(details["outcome"], "redeemed");
    let refused: Vec<Value> = share_events
        .iter()
        .filter(|e| e.action == "share.redeem_refused")
        .map(|e| serde_json::from_str(&e.details_json).unwrap())
        .collect();
    assert_eq!(refused.len(), 2);
    assert!(refused.iter().all(|d| d["outcome"] == "used"));
    assert_eq!(
        share_events.len(),
        4,
        "garbled and unknown codes are not share events"
    );
    for event in &audit {
        assert!(
            !event.details_json.contains(&canonical) && !event.subject.contains(&canonical),
            "code in the audit log: {event:?}"
        );
    }
}

async fn expired_codes_are_gone(ctx: Ctx) {
    let env = env(&ctx).await;
    let request = json!({
        "credentials": [env.x_credentials[0]],
        "purpose": "Hồ sơ chuyển trường",
        "expiresInDays": 1,
    });
    let (_, early) = env.share_ok(request.clone()).await;
    let (late_id, late) = env.share_ok(request).await;

    // Just before the expiry it works; just after, 410 share_code_expired.
    env.advance(Duration::days(1) - Duration::seconds(1));
    env.redeem(&env.portal_1.1, &early).await.ok(StatusCode::OK);
    env.advance(Duration::seconds(1));
    env.redeem(&env.portal_1.1, &late).await.code_refused(
        StatusCode::GONE,
        "share_code_expired",
        &late,
    );
    let listed = get(&env.app, "/api/v1/shares", &env.guardian_x)
        .await
        .ok(StatusCode::OK);
    let late_view = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == late_id.as_str())
        .unwrap();
    assert_eq!(late_view["state"], "expired");
    let audit = env.audit().await;
    assert!(audit.iter().any(|e| e.subject == late_id
        && e.action == "share.redeem_refused"
        && e.details_json.contains("\"expired\"")));

    // Expiry out of range: 422 naming the field.
    for days in [0, 91, -3] {
        let body = env
            .share(
                &env.guardian_x,
                &json!({
                    "credentials": [env.x_credentials[0]],
                    "purpose": "x",
                    "expiresInDays": days,
                }),
            )
            .await
            .problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["pointer"], "/expiresInDays");
        assert_eq!(body["errors"][0]["rule"], "expires_in_days_range");
        assert_eq!(body["errors"][0]["value"], days);
    }
}

async fn foreign_ids_and_portals_get_404(ctx: Ctx) {
    let env = env(&ctx).await;
    // Another pupil's credential, another school's, and one that does not exist: the same
    // 404, so nothing tells the guardian that the first two exist.
    let mut details = Vec::new();
    for foreign in [
        env.y_credential.as_str(),
        env.b_credential.as_str(),
        "urn:uuid:00000000-0000-4000-8000-000000000000",
    ] {
        let body = env
            .share(
                &env.guardian_x,
                &json!({ "credentials": [env.x_credentials[0], foreign], "purpose": "x" }),
            )
            .await
            .problem(StatusCode::NOT_FOUND);
        assert_eq!(body["type"], "/problems/not-found");
        details.push(body["detail"].as_str().unwrap().replace(foreign, "ID"));
    }
    assert!(details.windows(2).all(|w| w[0] == w[1]), "{details:?}");
    let listed = get(&env.app, "/api/v1/shares", &env.guardian_x)
        .await
        .ok(StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 0, "nothing half-written");

    // Pupil Y's guardian cannot see X's credentials or shares either.
    let mine_y = get(&env.app, "/api/v1/me/credentials", &env.guardian_y)
        .await
        .ok(StatusCode::OK);
    assert_eq!(mine_y.as_array().unwrap().len(), 1);
    assert_eq!(mine_y[0]["id"], env.y_credential.as_str());

    // A named recipient: another portal gets 404 (as for an unknown code) and the attempt
    // does not use the code up; the recipient then redeems it.
    let (share_id, code) = env
        .share_ok(json!({
            "credentials": [env.x_credentials[1]],
            "purpose": "Tuyển sinh đại học",
            "recipient": env.portal_1.0,
        }))
        .await;
    env.redeem(&env.portal_2.1, &code).await.code_refused(
        StatusCode::NOT_FOUND,
        "share_code_unknown",
        &code,
    );
    env.redeem(&env.portal_1.1, &code).await.ok(StatusCode::OK);
    let audit = env.audit().await;
    let foreign = audit
        .iter()
        .find(|e| e.subject == share_id && e.action == "share.redeem_refused")
        .unwrap();
    assert_eq!(foreign.user_id.as_deref(), Some(env.portal_2.0.as_str()));
    assert!(foreign.details_json.contains("\"foreign\""));

    // A recipient that is not a portal: 422 naming the field.
    for recipient in [env.portal_1.0.replace('-', ""), env.pupil_x.clone()] {
        let body = env
            .share(
                &env.guardian_x,
                &json!({
                    "credentials": [env.x_credentials[1]],
                    "purpose": "x",
                    "recipient": recipient,
                }),
            )
            .await
            .problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["rule"], "recipient_not_portal");
    }

    // Another pupil's guardian cannot withdraw X's share; a principal of another school
    // cannot make a guardian token for X.
    delete(
        &env.app,
        &format!("/api/v1/shares/{share_id}"),
        &env.guardian_y,
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    post_json(
        &env.app,
        &format!("/api/v1/pupils/{}/guardian-tokens", env.pupil_x),
        &env.principal_b,
        &json!({}),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
}

async fn roles_are_enforced(ctx: Ctx) {
    let env = env(&ctx).await;
    let request = json!({ "credentials": [env.x_credentials[0]], "purpose": "x" });
    // Only a guardian makes shares.
    for token in [
        &env.teacher_a,
        &env.principal_a,
        &env.authority,
        &env.portal_1.1,
    ] {
        env.share(token, &request)
            .await
            .problem(StatusCode::FORBIDDEN);
        get(&env.app, "/api/v1/me/credentials", token)
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    // Only a portal redeems.
    let (_, code) = env.share_ok(request).await;
    for token in [
        &env.guardian_x,
        &env.teacher_a,
        &env.principal_a,
        &env.authority,
    ] {
        env.redeem(token, &code)
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    env.redeem(&env.portal_1.1, &code).await.ok(StatusCode::OK);
    // Only a principal makes guardian tokens.
    let uri = format!("/api/v1/pupils/{}/guardian-tokens", env.pupil_x);
    for token in [
        &env.teacher_a,
        &env.authority,
        &env.guardian_x,
        &env.portal_1.1,
    ] {
        post_json(&env.app, &uri, token, &json!({}))
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    // Guardians and portals cannot use the school endpoints, even for the pupil's own
    // credential.
    let own = format!("/api/v1/credentials/{}", env.x_credentials[0]);
    get(&env.app, &own, &env.guardian_x)
        .await
        .problem(StatusCode::NOT_FOUND);
    get(&env.app, &own, &env.portal_1.1)
        .await
        .problem(StatusCode::NOT_FOUND);
    for token in [&env.guardian_x, &env.portal_1.1] {
        get(&env.app, "/api/v1/records", token)
            .await
            .problem(StatusCode::FORBIDDEN);
        get(
            &env.app,
            &format!("/api/v1/records?school={SCHOOL_A}"),
            token,
        )
        .await
        .problem(StatusCode::FORBIDDEN);
        get(&env.app, "/api/v1/classes/2025-2026/5A/credentials", token)
            .await
            .problem(StatusCode::FORBIDDEN);
        post_json(
            &env.app,
            "/api/v1/records",
            token,
            &example("primary-grade5.json"),
        )
        .await
        .problem(StatusCode::FORBIDDEN);
    }
    // A guardian needs a pupil: the plain user constructor refuses the role.
    assert!(
        env.store
            .create_user(
                &NewUser {
                    school_id: Some(env.a.id.clone()),
                    display_name: "x".into(),
                    role: Role::Guardian,
                },
                env.now(),
            )
            .await
            .is_err()
    );
    // The API document lists the sharing endpoints under their tag.
    let doc = get(&env.app, "/api/v1/openapi.json", &env.teacher_a)
        .await
        .ok(StatusCode::OK);
    for path in [
        "/api/v1/shares",
        "/api/v1/shares/redeem",
        "/api/v1/shares/{id}",
        "/api/v1/me/credentials",
        "/api/v1/pupils/{id}/guardian-tokens",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert_eq!(
        doc["paths"]["/api/v1/shares/redeem"]["post"]["tags"][0],
        "sharing"
    );
}

async fn withdrawn_and_revoked(ctx: Ctx) {
    let env = env(&ctx).await;
    let (x4, x5) = (&env.x_credentials[0], &env.x_credentials[1]);

    // Withdrawn before use: 410 share_code_withdrawn; withdrawing twice is harmless.
    let (share_id, code) = env
        .share_ok(json!({ "credentials": [x4], "purpose": "x" }))
        .await;
    let uri = format!("/api/v1/shares/{share_id}");
    for _ in 0..2 {
        let body = delete(&env.app, &uri, &env.guardian_x)
            .await
            .ok(StatusCode::OK);
        assert_eq!(body["state"], "withdrawn");
    }
    env.redeem(&env.portal_1.1, &code).await.code_refused(
        StatusCode::GONE,
        "share_code_withdrawn",
        &code,
    );
    let audit = env.audit().await;
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.subject == share_id && e.action == "share.withdraw")
            .count(),
        1
    );

    // A redeemed share cannot be withdrawn.
    let (used_id, used) = env
        .share_ok(json!({ "credentials": [x4], "purpose": "x" }))
        .await;
    env.redeem(&env.portal_1.1, &used).await.ok(StatusCode::OK);
    delete(
        &env.app,
        &format!("/api/v1/shares/{used_id}"),
        &env.guardian_x,
    )
    .await
    .problem(StatusCode::CONFLICT);

    // Shared, then revoked: still delivered, flagged revoked.
    let (_, before) = env
        .share_ok(json!({ "credentials": [x4, x5], "purpose": "x" }))
        .await;
    post_json(
        &env.app,
        &format!("/api/v1/credentials/{x5}/revoke"),
        &env.principal_a,
        &json!({ "reason": "sai điểm môn Toán" }),
    )
    .await
    .ok(StatusCode::OK);
    let answer = env.redeem(&env.portal_1.1, &before).await;
    answer.ok(StatusCode::OK);
    let redeemed: Redeemed = serde_json::from_slice(&answer.body).unwrap();
    let flags: Vec<(&str, bool)> = redeemed
        .credentials
        .iter()
        .map(|c| (c.id.as_str(), c.revoked))
        .collect();
    assert_eq!(flags, [(x4.as_str(), false), (x5.as_str(), true)]);

    // A revoked credential cannot be shared: 422 naming it.
    let body = env
        .share(
            &env.guardian_x,
            &json!({ "credentials": [x4, x5], "purpose": "x" }),
        )
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "/credentials/1");
    assert_eq!(body["errors"][0]["rule"], "credential_revoked");
    assert_eq!(body["errors"][0]["value"], x5.as_str());

    // Other bad requests: 4xx naming the field, never a 5xx.
    for (request, pointer, rule) in [
        (
            json!({ "credentials": [], "purpose": "x" }),
            "/credentials",
            "credentials_required",
        ),
        (
            json!({ "credentials": [x4, x4], "purpose": "x" }),
            "/credentials/1",
            "credential_repeated",
        ),
        (
            json!({ "credentials": [x4], "purpose": "  " }),
            "/purpose",
            "purpose_required",
        ),
        (
            json!({ "credentials": [x4], "purpose": "x".repeat(501) }),
            "/purpose",
            "purpose_too_long",
        ),
    ] {
        let body = env
            .share(&env.guardian_x, &request)
            .await
            .problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["pointer"], pointer, "{body}");
        assert_eq!(body["errors"][0]["rule"], rule, "{body}");
    }
    env.share(
        &env.guardian_x,
        &json!({ "credentials": [x4], "purpose": "x", "extra": 1 }),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    env.redeem(&env.portal_1.1, "").await.code_refused(
        StatusCode::NOT_FOUND,
        "share_code_unknown",
        "HB-XXXXXXX",
    );
    post_json(
        &env.app,
        "/api/v1/shares/redeem",
        &env.portal_1.1,
        &json!({ "code": 5 }),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
}

async fn concurrent_redemptions_exactly_once(ctx: Ctx) {
    let env = env(&ctx).await;
    for round in 0..5 {
        let (share_id, code) = env
            .share_ok(json!({ "credentials": [env.x_credentials[0]], "purpose": "x" }))
            .await;
        // Four portals' requests at once (two portals, twice each), on separate tasks.
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let app = env.app.clone();
                let token = if i % 2 == 0 {
                    env.portal_1.1.clone()
                } else {
                    env.portal_2.1.clone()
                };
                let code = code.clone();
                tokio::spawn(async move {
                    post_json(
                        &app,
                        "/api/v1/shares/redeem",
                        &token,
                        &json!({ "code": code }),
                    )
                    .await
                })
            })
            .collect();
        let mut won = 0;
        for task in tasks {
            let answer = task.await.unwrap();
            if answer.status == StatusCode::OK {
                won += 1;
            } else {
                answer.code_refused(StatusCode::GONE, "share_code_used", &code);
            }
        }
        assert_eq!(won, 1, "round {round}");
        let audit = env.audit().await;
        let events: Vec<_> = audit.iter().filter(|e| e.subject == share_id).collect();
        assert_eq!(
            events.iter().filter(|e| e.action == "share.redeem").count(),
            1
        );
        assert_eq!(
            events
                .iter()
                .filter(|e| e.action == "share.redeem_refused")
                .count(),
            3
        );
    }
}

/// Runs `hocba-issuer token create` with `args`: (success, stdout, stderr).
fn token_create(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hocba-issuer"))
        .args(["token", "create", "--database-url", url])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap().trim().to_owned(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_creates_guardian_and_portal_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hocba.db", dir.path().display());
    let env = env_on(Store::connect(&url).await.unwrap()).await;

    // A guardian of pupil X, named by student code (or id): sees X's two credentials.
    for pupil in [CODE_X, env.pupil_x.as_str()] {
        let (ok, token, err) = token_create(
            &url,
            &["--school", SCHOOL_A, "--role", "guardian", "--pupil", pupil],
        );
        assert!(ok, "{err}");
        assert!(!err.contains(&token), "the token is printed on stdout only");
        let mine = get(&env.app, "/api/v1/me/credentials", &token)
            .await
            .ok(StatusCode::OK);
        assert_eq!(mine.as_array().unwrap().len(), 2);
    }
    // A portal, bound to no school, redeems.
    let (ok, portal, err) = token_create(
        &url,
        &[
            "--role",
            "portal",
            "--name",
            "Cổng tuyển sinh lớp 10 Phú Thọ",
        ],
    );
    assert!(ok, "{err}");
    let (_, code) = env
        .share_ok(json!({ "credentials": [env.x_credentials[0]], "purpose": "x" }))
        .await;
    env.redeem(&portal, &code).await.ok(StatusCode::OK);

    // Refused: a guardian without a pupil, a pupil of another school, a portal with a
    // school, a pupil for another role.
    for args in [
        &["--school", SCHOOL_A, "--role", "guardian"][..],
        &[
            "--school", SCHOOL_B, "--role", "guardian", "--pupil", CODE_X,
        ],
        &["--school", SCHOOL_A, "--role", "portal"],
        &["--school", SCHOOL_A, "--role", "teacher", "--pupil", CODE_X],
    ] {
        let (ok, out, _) = token_create(&url, args);
        assert!(!ok && out.is_empty(), "{args:?}");
    }
}

/// Migrations 1 and 2 as they were before `0003_shares`, to upgrade a database with data.
fn migrations_before_shares(dir: &str) -> sqlx::migrate::Migrator {
    use sqlx::SqlSafeStr;
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    let read = |name: &str| -> &'static str {
        let path = repo().join("issuer/migrations").join(dir).join(name);
        Box::leak(std::fs::read_to_string(path).unwrap().into_boxed_str())
    };
    Migrator::with_migrations(
        [(1, "0001_init.sql"), (2, "0002_trust.sql")]
            .into_iter()
            .map(|(v, name)| {
                Migration::new(
                    v,
                    std::borrow::Cow::Borrowed(name),
                    MigrationType::Simple,
                    read(name).into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

const OLD_DATA: &str = "\
    INSERT INTO schools VALUES ('s1', 'C1', 'Trường', 'Phú Thọ', 'did:web:x', '2025-01-01T00:00:00.000000Z');\
    INSERT INTO users VALUES ('u1', 's1', 'Hiệu trưởng', 'principal', '2025-01-01T00:00:00.000000Z');\
    INSERT INTO users VALUES ('u2', NULL, 'Sở', 'authority', '2025-01-01T00:00:00.000000Z');\
    INSERT INTO api_tokens VALUES ('t1', 'u1', 'h', '2025-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', NULL);\
    INSERT INTO audit_log (at, school_id, user_id, action, subject, details_json) \
        VALUES ('2025-01-01T00:00:00.000000Z', 's1', 'u1', 'import', 'r1', '{}');";

/// After the upgrade: every user and what refers to them is intact, foreign keys still hold,
/// and the new roles are accepted.
async fn check_upgraded(store: &Store) {
    let principal = store.user("u1").await.unwrap();
    assert_eq!(principal.role, Role::Principal);
    assert_eq!(principal.school_id.as_deref(), Some("s1"));
    assert_eq!(store.user("u2").await.unwrap().role, Role::Authority);
    let tokens: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE user_id = 'u1'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(tokens, 1);
    let audit = store.list_audit(&Scope::Province, 10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert!(
        sqlx::query("INSERT INTO api_tokens VALUES ('t2', 'nobody', 'h', 'x', 'x', NULL)")
            .execute(store.pool())
            .await
            .is_err(),
        "foreign keys no longer enforced"
    );
    let portal = store
        .create_user(
            &NewUser {
                school_id: None,
                display_name: "Cổng".into(),
                role: Role::Portal,
            },
            common::now(),
        )
        .await
        .unwrap();
    assert_eq!(portal.role, Role::Portal);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(store.pool())
        .await
        .unwrap();
    // Every migration of the backend ran (the same number of files for both).
    let files = std::fs::read_dir(repo().join("issuer/migrations/sqlite"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count();
    assert!(files >= 4);
    assert_eq!(count, files as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrading_a_database_with_users_keeps_them() {
    sqlx::any::install_default_drivers();
    // SQLite: the users table is rebuilt.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/old.db?mode=rwc", dir.path().display());
    {
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::raw_sql("PRAGMA foreign_keys = ON")
                        .execute(conn)
                        .await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .unwrap();
        migrations_before_shares("sqlite").run(&pool).await.unwrap();
        sqlx::raw_sql(OLD_DATA).execute(&pool).await.unwrap();
        pool.close().await;
    }
    let store = Store::connect(&url).await.unwrap();
    check_upgraded(&store).await;
    store.close().await;

    // PostgreSQL: constraints are replaced in place.
    let Ok(pg) = std::env::var(common::POSTGRES_ENV) else {
        println!("skipped on PostgreSQL: {} not set", common::POSTGRES_ENV);
        return;
    };
    let schema = hocba_test_support::db::unique_schema("hocba_test");
    let set_path = format!("SET search_path TO \"{schema}\"");
    {
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&pg)
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
            .execute(&pool)
            .await
            .unwrap();
        let mut conn = pool.acquire().await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(set_path.clone()))
            .execute(&mut *conn)
            .await
            .unwrap();
        migrations_before_shares("postgres")
            .run(&mut *conn)
            .await
            .unwrap();
        sqlx::raw_sql(OLD_DATA).execute(&mut *conn).await.unwrap();
        drop(conn);
        pool.close().await;
    }
    let store = Store::connect_with_schema(&pg, &schema).await.unwrap();
    let outcome = tokio::spawn({
        let store = store.clone();
        async move { check_upgraded(&store).await }
    })
    .await;
    store.close().await;
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&pg)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA \"{schema}\" CASCADE"
    )))
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    outcome.unwrap();
}
