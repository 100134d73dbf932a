//! Hardening of the store and the API (issue items 8 and 12), on SQLite and, when
//! `HOCBA_TEST_POSTGRES` is set, on PostgreSQL:
//!
//! * two stores (two pools, as two instances) race to claim one batch whose lease ran out:
//!   exactly one wins, the old holder's renewal fails, a live lease is not taken, and a
//!   worker whose store closed is seen gone at once;
//! * failed share-code redemptions and bad bearer tokens are limited per client address and
//!   per code: 429 with `Retry-After` and a problem body, other clients unaffected, allowed
//!   again after the lock (a pinned clock moved forward, no sleeping);
//! * repeated reads of one credential by one caller are one audit row (with a count), while
//!   another caller's read, signing and revocation each get their own.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use common::Ctx;
use common::http::{Answer, account, example, import_validated, post_with, repo};
use hocba_issuer::api::{self, ApiConfig, AppState, Clock, SchoolKeys};
use hocba_issuer::store::{
    AuditEvent, BatchProgress, BatchState, Claim, LEASE, NewBatch, READ_WINDOW, REDEEM_PER_CLIENT,
    REDEEM_PER_CODE, Role, SIGN_IN_PER_CLIENT, Scope, ShareCode, Store, StoreError,
};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;

both_databases!(
    two_stores_race_for_an_expired_lease,
    redemption_is_limited_per_client_and_per_code,
    bad_tokens_are_limited_per_client,
    repeated_reads_are_one_audit_row,
);

const SCHOOL: &str = "25000731"; // primary-grade5.json

/// A worker name no other test (or test binary on the same PostgreSQL) uses.
fn worker(name: &str) -> String {
    format!("{name}-{}", uuid::Uuid::new_v4().simple())
}

async fn new_batch(store: &Store, school_id: &str, key: &str, now: OffsetDateTime) -> String {
    let (batch, created) = store
        .create_or_get_batch(
            school_id,
            &NewBatch {
                idempotency_key: key.to_owned(),
                request_sha256: "0".repeat(64),
                total: 0,
            },
            None,
            now,
        )
        .await
        .unwrap();
    assert!(created);
    batch.id
}

fn claim<'a>(worker: &'a str, gone: Option<&'a str>, created: bool) -> Claim<'a> {
    Claim {
        worker,
        gone,
        created,
        report_json: None,
    }
}

async fn two_stores_race_for_an_expired_lease(ctx: Ctx) {
    let store_a = ctx.store.clone();
    let store_b = ctx.another_pool().await;
    let school = common::school(&store_a, "HB001").await;
    let t0 = common::now();
    let (old, a, b) = (worker("old"), worker("a"), worker("b"));
    // The old worker's store: it holds `old`'s liveness lock while open.
    let old_store = ctx.another_pool().await;
    let mut wins = (0, 0);
    for round in 0..12 {
        let id = new_batch(&store_a, &school.id, &format!("race-{round}"), t0).await;
        let first = old_store
            .claim_batch(&id, &claim(&old, None, true), t0)
            .await
            .unwrap()
            .expect("the creator claims its new batch");
        assert_eq!(first.worker_id.as_deref(), Some(old.as_str()));
        assert_eq!(first.lease_until, Some(t0 + LEASE));
        // A live lease of a live worker is not taken.
        let early = t0 + LEASE - Duration::seconds(1);
        assert!(!store_a.worker_gone(&old).await.unwrap());
        assert!(
            store_a
                .claim_batch(&id, &claim(&a, None, false), early)
                .await
                .unwrap()
                .is_none()
        );
        // The lease ran out: both race for it, exactly one wins.
        let late = t0 + LEASE + Duration::seconds(1);
        let (ca, cb) = (claim(&a, None, false), claim(&b, None, false));
        let (got_a, got_b) = tokio::join!(
            store_a.claim_batch(&id, &ca, late),
            store_b.claim_batch(&id, &cb, late)
        );
        let (got_a, got_b) = (got_a.unwrap(), got_b.unwrap());
        assert!(
            got_a.is_some() != got_b.is_some(),
            "round {round}: a {got_a:?}, b {got_b:?}"
        );
        let (winner, loser_store, loser) = match &got_a {
            Some(_) => {
                wins.0 += 1;
                (&a, &store_b, &b)
            }
            None => {
                wins.1 += 1;
                (&b, &store_a, &a)
            }
        };
        let stored = store_a.batch(&school.id, &id).await.unwrap();
        assert_eq!(stored.worker_id.as_deref(), Some(winner.as_str()));
        // The old holder learns it lost the batch; the winner keeps it.
        assert!(!old_store.renew_lease(&id, &old, late).await.unwrap());
        assert!(!loser_store.renew_lease(&id, loser, late).await.unwrap());
        let winner_store = if winner == &a { &store_a } else { &store_b };
        assert!(winner_store.renew_lease(&id, winner, late).await.unwrap());
    }
    assert_eq!(wins.0 + wins.1, 12);

    // A worker whose process (here: store) is gone is seen at once, and its live lease is
    // taken over by naming it gone; naming a live worker gone changes nothing.
    let id = new_batch(&store_a, &school.id, "gone", t0).await;
    assert!(
        old_store
            .claim_batch(&id, &claim(&old, None, true), t0)
            .await
            .unwrap()
            .is_some()
    );
    let soon = t0 + Duration::seconds(1);
    assert!(!store_b.worker_gone(&old).await.unwrap());
    assert!(
        store_b
            .claim_batch(&id, &claim(&b, Some(&a), false), soon)
            .await
            .unwrap()
            .is_none()
    );
    old_store.close().await;
    // The server ends the closed session's locks as it goes (at once, or nearly).
    let mut gone = false;
    for _ in 0..100 {
        gone = store_b.worker_gone(&old).await.unwrap();
        if gone {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(gone, "a closed store's worker is gone");
    let taken = store_b
        .claim_batch(&id, &claim(&b, Some(&old), false), soon)
        .await
        .unwrap()
        .expect("a gone worker's batch is taken over at once");
    assert_eq!(taken.worker_id.as_deref(), Some(b.as_str()));
    // A store's own workers are never gone.
    assert!(!store_b.worker_gone(&b).await.unwrap());

    // Done is final: it gives up the lease, a late progress report of a worker that lost the
    // batch does not make it run again, and nobody can claim it.
    let progress = |state| BatchProgress {
        state,
        succeeded: 0,
        failed: 0,
        report_json: None,
    };
    let done = store_b
        .update_batch(&school.id, &id, &progress(BatchState::Done), soon)
        .await
        .unwrap();
    assert_eq!((done.state, done.lease_until), (BatchState::Done, None));
    assert!(matches!(
        store_a
            .update_batch(&school.id, &id, &progress(BatchState::Running), soon)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let late = soon + LEASE + Duration::minutes(5);
    assert!(
        store_a
            .claim_batch(&id, &claim(&a, Some(&b), false), late)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store_a.batch(&school.id, &id).await.unwrap().state,
        BatchState::Done
    );
    store_b.close().await;
}

/// A router with a clock the test moves, a school with signed credentials, and tokens.
struct Env {
    app: Router,
    store: Store,
    clock: Arc<Mutex<OffsetDateTime>>,
    principal: (String, String),
    teacher: (String, String),
    portal_1: (String, String),
    portal_2: (String, String),
    credentials: Vec<String>,
    guardian: String,
}

impl Env {
    fn advance(&self, by: Duration) {
        *self.clock.lock().unwrap() += by;
    }

    /// Every audit event, oldest first.
    async fn audit(&self) -> Vec<AuditEvent> {
        let mut all = self
            .store
            .list_audit(&Scope::Province, 10_000)
            .await
            .unwrap();
        all.reverse();
        all
    }

    /// A share of the first credential by the pupil's guardian, for `recipient` if named:
    /// its code.
    async fn share(&self, recipient: Option<&str>) -> String {
        let mut request = json!({ "credentials": [self.credentials[0]], "purpose": "tuyển sinh" });
        if let Some(recipient) = recipient {
            request["recipient"] = json!(recipient);
        }
        let answer = from(
            &self.app,
            "192.0.2.200",
            Method::POST,
            "/api/v1/shares",
            &self.guardian,
            Some(&request),
        )
        .await;
        answer.ok(StatusCode::CREATED)["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn redeem(&self, client: &str, token: &str, code: &str) -> Answer {
        from(
            &self.app,
            client,
            Method::POST,
            "/api/v1/shares/redeem",
            token,
            Some(&json!({ "code": code })),
        )
        .await
    }
}

/// One request through `app` as if from `client` (an IP address), with a bearer token.
async fn from(
    app: &Router,
    client: &str,
    method: Method,
    uri: &str,
    token: &str,
    body: Option<&Value>,
) -> Answer {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(v) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let mut request = request.body(body).unwrap();
    let peer = SocketAddr::new(client.parse().unwrap(), 40000);
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = app.clone().oneshot(request).await.unwrap();
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.into_body().collect().await.unwrap().to_bytes(),
    }
}

async fn env(ctx: &Ctx) -> Env {
    let store = ctx.store.clone();
    #[allow(clippy::disallowed_methods)]
    let start = OffsetDateTime::now_utc();
    let clock = Arc::new(Mutex::new(start));
    let pinned = clock.clone();
    let read: Clock = Arc::new(move || *pinned.lock().unwrap());
    let keys = SchoolKeys::load(&repo().join("keys/dev")).unwrap();
    keys.register_schools(&store, start).await.unwrap();
    let school = store.school_by_code(SCHOOL).await.unwrap();
    let state = AppState::with_clock(store.clone(), keys, ApiConfig::default(), read);
    let app = api::app(state);
    let year = Duration::days(365);
    let principal = account(&store, Some(&school), Role::Principal, year, start).await;
    let grade5 = example("primary-grade5.json");
    let mut other = grade5.clone();
    other["student"]["studentCode"] = json!("1715042390");
    other["student"]["personalIdNumber"] = json!("017315004828");
    other["student"]["fullName"] = json!("Bùi Văn Nam");
    let ids = import_validated(&app, &principal.1, &principal.1, &json!([grade5, other])).await;
    let batch = post_with(
        &app,
        "/api/v1/batches",
        &principal.1,
        &[("idempotency-key", "class")],
        &json!({ "recordIds": ids }),
    )
    .await
    .ok(StatusCode::CREATED);
    let credentials: Vec<String> = batch["report"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["credentialId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(credentials.len(), 2);
    let pupil = store
        .pupil_by_student_code(&school.id, "1715042389")
        .await
        .unwrap()
        .id;
    let guardian = post_with(
        &app,
        &format!("/api/v1/pupils/{pupil}/guardian-tokens"),
        &principal.1,
        &[],
        &json!({ "name": "Đinh Văn Hùng", "ttlDays": 365 }),
    )
    .await
    .ok(StatusCode::CREATED)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    Env {
        teacher: account(&store, Some(&school), Role::Teacher, year, start).await,
        portal_1: account(&store, None, Role::Portal, year, start).await,
        portal_2: account(&store, None, Role::Portal, year, start).await,
        app,
        store,
        clock,
        principal,
        credentials,
        guardian,
    }
}

/// Asserts a 429 problem with a `Retry-After` of `secs` (±1 s); the body.
fn assert_limited(answer: &Answer, secs: i64) -> Value {
    let body = answer.problem(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["type"], "/problems/too-many-attempts", "{body}");
    let retry: i64 = answer.header(header::RETRY_AFTER).parse().unwrap();
    assert!(
        (retry - secs).abs() <= 1,
        "Retry-After {retry}, expected {secs}"
    );
    body
}

fn unknown_code() -> String {
    ShareCode::generate().unwrap().expose()
}

async fn redemption_is_limited_per_client_and_per_code(ctx: Ctx) {
    let env = env(&ctx).await;
    let portal = env.portal_1.1.clone();
    let lock_secs = REDEEM_PER_CLIENT.lock.whole_seconds();

    // Per client: N unknown codes are 404, the next attempt is 429, even with a good code.
    for _ in 0..REDEEM_PER_CLIENT.failures {
        let code = unknown_code();
        let answer = env.redeem("198.51.100.1", &portal, &code).await;
        answer.code_refused(StatusCode::NOT_FOUND, "share_code_unknown", &code);
    }
    let good = env.share(None).await;
    let answer = env.redeem("198.51.100.1", &portal, &good).await;
    let body = assert_limited(&answer, lock_secs);
    assert!(!answer.text().contains(&good[3..]), "the code is echoed");
    assert!(body["detail"].as_str().unwrap().contains("redeem.client"));
    // Garbled input from the locked client is refused the same way.
    assert_limited(
        &env.redeem("198.51.100.1", &portal, "nonsense").await,
        lock_secs,
    );
    // Another client is not locked; the good code was not used up by the refused attempt.
    let unknown = unknown_code();
    let answer = env.redeem("198.51.100.2", &portal, &unknown).await;
    answer.code_refused(StatusCode::NOT_FOUND, "share_code_unknown", &unknown);
    // Part of the lock later, still locked, with a shorter Retry-After.
    env.advance(Duration::seconds(100));
    assert_limited(
        &env.redeem("198.51.100.1", &portal, &good).await,
        lock_secs - 100,
    );
    // After the lock, allowed again: the good code is redeemed.
    env.advance(Duration::seconds(lock_secs - 100 + 1));
    env.redeem("198.51.100.1", &portal, &good)
        .await
        .ok(StatusCode::OK);

    // Per code, across clients: a share for portal 2, tried by portal 1 from N addresses (each
    // a 404 for it), is then locked for everyone, its recipient too.
    let code = env.share(Some(&env.portal_2.0)).await;
    for i in 0..REDEEM_PER_CODE.failures {
        let answer = env.redeem(&format!("203.0.113.{i}"), &portal, &code).await;
        answer.code_refused(StatusCode::NOT_FOUND, "share_code_unknown", &code);
    }
    let answer = env.redeem("203.0.113.99", &env.portal_2.1, &code).await;
    let body = assert_limited(&answer, REDEEM_PER_CODE.lock.whole_seconds());
    assert!(body["detail"].as_str().unwrap().contains("redeem.code"));
    // Other codes are unaffected for a fresh client.
    let unknown = unknown_code();
    let answer = env.redeem("203.0.113.100", &portal, &unknown).await;
    answer.code_refused(StatusCode::NOT_FOUND, "share_code_unknown", &unknown);
    env.advance(REDEEM_PER_CODE.lock + Duration::seconds(1));
    env.redeem("203.0.113.99", &env.portal_2.1, &code)
        .await
        .ok(StatusCode::OK);

    // A second lockout of the same client lasts twice as long.
    for _ in 0..REDEEM_PER_CLIENT.failures {
        env.redeem("198.51.100.1", &portal, &unknown_code()).await;
    }
    assert_limited(
        &env.redeem("198.51.100.1", &portal, &unknown_code()).await,
        2 * lock_secs,
    );

    // Each lock is one audit row, naming neither the address nor the code.
    let audit = env.audit().await;
    let locks: Vec<&AuditEvent> = audit.iter().filter(|e| e.action == "limit.lock").collect();
    let scopes: Vec<Value> = locks
        .iter()
        .map(|e| serde_json::from_str::<Value>(&e.details_json).unwrap()["scope"].clone())
        .collect();
    assert_eq!(
        scopes,
        [
            json!("redeem.client"),
            json!("redeem.code"),
            json!("redeem.client")
        ]
    );
    for e in &locks {
        assert!(!e.subject.contains("198.51.100.1") && !e.details_json.contains("198.51"));
        assert!(!e.subject.contains(&code[3..]));
    }
}

async fn bad_tokens_are_limited_per_client(ctx: Ctx) {
    let env = env(&ctx).await;
    let path = "/api/v1/records";
    let good = env.teacher.1.clone();
    for i in 0..SIGN_IN_PER_CLIENT.failures {
        let answer = from(
            &env.app,
            "198.51.100.7",
            Method::GET,
            path,
            &format!("hb_x{i}"),
            None,
        )
        .await;
        answer.problem(StatusCode::UNAUTHORIZED);
    }
    // Locked: even a valid token from that client is refused, until the lock ends.
    let lock_secs = SIGN_IN_PER_CLIENT.lock.whole_seconds();
    let answer = from(&env.app, "198.51.100.7", Method::GET, path, &good, None).await;
    assert_limited(&answer, lock_secs);
    // Another client (IPv6, counted by its /64) is served.
    let v6 = "2001:db8:1:2::7";
    from(&env.app, v6, Method::GET, path, &good, None)
        .await
        .ok(StatusCode::OK);
    env.advance(SIGN_IN_PER_CLIENT.lock + Duration::seconds(1));
    from(&env.app, "198.51.100.7", Method::GET, path, &good, None)
        .await
        .ok(StatusCode::OK);
    // One /64 is one client: failures from two addresses in it add up.
    for i in 0..SIGN_IN_PER_CLIENT.failures {
        let client = format!("2001:db8:1:2::{:x}", i + 100);
        from(&env.app, &client, Method::GET, path, "hb_wrong", None).await;
    }
    assert_limited(
        &from(&env.app, v6, Method::GET, path, &good, None).await,
        lock_secs,
    );
}

async fn repeated_reads_are_one_audit_row(ctx: Ctx) {
    let env = env(&ctx).await;
    let (credential, other) = (&env.credentials[0], &env.credentials[1]);
    let read = |token: &str, id: &str| {
        let (app, token, uri) = (
            env.app.clone(),
            token.to_owned(),
            format!("/api/v1/credentials/{id}"),
        );
        async move {
            from(&app, "192.0.2.1", Method::GET, &uri, &token, None)
                .await
                .expect(StatusCode::OK);
        }
    };
    let copies = |audit: &[AuditEvent], user: &str, subject: &str| {
        audit
            .iter()
            .filter(|e| e.action == "copy" && e.user_id.as_deref() == Some(user))
            .filter(|e| e.subject == subject)
            .count()
    };
    let before = env.audit().await.len();
    // 50 reads by the principal within the window, some of them at the same time.
    for _ in 0..40 {
        read(&env.principal.1, credential).await;
        env.advance(Duration::seconds(5));
    }
    let at_once: Vec<_> = (0..10)
        .map(|_| tokio::spawn(read(&env.principal.1, credential)))
        .collect();
    for task in at_once {
        task.await.unwrap();
    }
    let audit = env.audit().await;
    assert_eq!(copies(&audit, &env.principal.0, credential), 1);
    assert_eq!(audit.len(), before + 1, "one row for 50 reads");
    let (row, reads) = env
        .store
        .collapsed_reads(&env.principal.0, "copy", credential)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reads, 50);
    let first = audit.iter().find(|e| e.action == "copy").unwrap();
    assert_eq!(row, Some(first.id));
    // Another caller, and another credential, get their own rows.
    read(&env.teacher.1, credential).await;
    read(&env.principal.1, other).await;
    let audit = env.audit().await;
    assert_eq!(copies(&audit, &env.teacher.0, credential), 1);
    assert_eq!(copies(&audit, &env.principal.0, other), 1);
    assert_eq!(copies(&audit, &env.principal.0, credential), 1);
    // After the window (counted from the first read), a read is a new row.
    env.advance(READ_WINDOW);
    read(&env.principal.1, credential).await;
    read(&env.principal.1, credential).await;
    let audit = env.audit().await;
    assert_eq!(copies(&audit, &env.principal.0, credential), 2);
    // Signing and revocation are always recorded: one `sign` row per credential, and the
    // revocation's own row, even right after a read.
    for id in [credential, other] {
        let signs = audit
            .iter()
            .filter(|e| e.action == "sign" && &e.subject == id)
            .count();
        assert_eq!(signs, 1, "{id}");
    }
    from(
        &env.app,
        "192.0.2.1",
        Method::POST,
        &format!("/api/v1/credentials/{credential}/revoke"),
        &env.principal.1,
        Some(&json!({ "reason": "Sai điểm môn Toán" })),
    )
    .await
    .expect(StatusCode::OK);
    read(&env.principal.1, credential).await;
    let audit = env.audit().await;
    let revokes = audit
        .iter()
        .filter(|e| e.action == "revoke" && &e.subject == credential)
        .count();
    assert_eq!(revokes, 1);
    assert_eq!(copies(&audit, &env.principal.0, credential), 2);
}
