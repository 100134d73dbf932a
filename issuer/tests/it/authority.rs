//! The authority's trust-list life cycle through the API (and the CLI), on SQLite and on
//! PostgreSQL when `HOCBA_TEST_POSTGRES` is set: registering a school and its key and
//! publishing makes a new, authority-signed version at `/.well-known/hocba/trust-list.json`;
//! versions only grow, also when two processes publish at once; a key rotation in the middle of
//! the school year keeps old credentials valid and moves signing to the new key; a compromised
//! key invalidates all it signed and the school is told what to re-issue.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{Method, StatusCode, header};
use common::Ctx;
use common::http::{
    self, Answer, call_json, class_credential_ids, credential, get, list_url, post_json, repo,
    sign_class_5a,
};
use hocba_issuer::api::{self, ApiConfig, AppState, SchoolKeys};
use hocba_issuer::authority::{self as life, Actor, PublishOptions};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::signing::Signer;
use hocba_issuer::store::{Role, School, Store};
use hocba_schema::credential::{IssuerRef, UnsignedCredential};
use hocba_verifier::danger::dev_authority;
use hocba_verifier::{
    CheckName, Outcome, Reason, StatusLists, Verdict, VerifiedTrustList, VerifyOptions,
    verify_credential_with,
};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

both_databases!(
    register_add_key_and_publish,
    versions_only_grow_under_concurrent_publishers,
    rotation_in_the_middle_of_the_year,
    compromised_key_and_reissue,
    key_added_and_used_in_the_same_second,
);

const SCHOOL: &str = "25000731"; // schema/examples/primary-grade5.json
const BASE: &str = "http://127.0.0.1:8080";

/// A copy of keys/dev in a temporary directory (new key files can be added to it).
fn key_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo().join("keys/dev")).unwrap() {
        let entry = entry.unwrap();
        // Files only: keys/dev/softhsm/ (and keys/dev/pki/) are folders of their own.
        if !entry.path().is_file() {
            continue;
        }
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// The time, whole seconds (what proofs carry).
#[allow(clippy::disallowed_methods)]
fn real_now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap()
}

struct Env {
    app: Router,
    state: AppState,
    store: Store,
    clock: Arc<Mutex<OffsetDateTime>>,
    keys: tempfile::TempDir,
    authority: String,
    principal: String,
    teacher: String,
}

impl Env {
    fn set_time(&self, t: OffsetDateTime) {
        *self.clock.lock().unwrap() = t;
    }

    fn now(&self) -> OffsetDateTime {
        *self.clock.lock().unwrap()
    }

    /// A POST of `body` to `uri` as the authority.
    async fn as_authority(&self, uri: &str, body: &Value) -> Answer {
        post_json(&self.app, uri, &self.authority, body).await
    }

    /// `retire` or `compromise` (`action`) `key` of `school` now, as the authority.
    async fn key_action(&self, school: &str, key: &str, action: &str) -> Answer {
        let uri = format!("/api/v1/authority/schools/{school}/keys/{key}/{action}");
        self.as_authority(&uri, &json!({})).await
    }

    /// Publishes a new trust-list version as the authority.
    async fn publish(&self) -> Answer {
        self.as_authority("/api/v1/authority/trust-list", &json!({}))
            .await
    }
}

/// A token of a new user of `school` with `role`, valid for two days.
async fn token(store: &Store, school: Option<&School>, role: Role) -> String {
    http::token(store, school, role, Duration::days(2), real_now()).await
}

/// What `serve` does on start: import keys/dev's trust list, choose keys, register schools.
async fn env(ctx: &Ctx) -> Env {
    let store = ctx.store.clone();
    let keys_dir = key_dir();
    let now = real_now();
    assert!(life::seed(&store, keys_dir.path(), now).await.unwrap());
    // Only once.
    assert!(!life::seed(&store, keys_dir.path(), now).await.unwrap());
    let keys = SchoolKeys::load(keys_dir.path()).unwrap();
    let (version, _) = life::latest(&store).await.unwrap().unwrap();
    keys.select(version.list_json.as_bytes()).unwrap();
    keys.register_schools(&store, now).await.unwrap();
    let school = store.school_by_code(SCHOOL).await.unwrap();
    let clock = Arc::new(Mutex::new(now));
    let c = clock.clone();
    let state = AppState::with_clock(
        store.clone(),
        keys,
        ApiConfig::default(),
        Arc::new(move || *c.lock().unwrap()),
    );
    Env {
        app: api::app(state.clone()),
        state,
        authority: token(&store, None, Role::Authority).await,
        principal: token(&store, Some(&school), Role::Principal).await,
        teacher: token(&store, Some(&school), Role::Teacher).await,
        store,
        clock,
        keys: keys_dir,
    }
}

/// The published trust list, verified with the pinned development authority key.
async fn published(env: &Env) -> (VerifiedTrustList, Answer) {
    let answer = get(&env.app, "/.well-known/hocba/trust-list.json", None).await;
    answer.expect(StatusCode::OK);
    let trust = dev_authority()
        .unwrap()
        .verify_trust_list(&answer.body)
        .unwrap();
    (trust, answer)
}

/// Import, validate and sign pupils `codes` of class 5A; the new credentials' JSON by id.
async fn sign_pupils(
    env: &Env,
    codes: std::ops::Range<usize>,
    key: &str,
) -> Vec<(String, Vec<u8>)> {
    let before = class_credential_ids(&env.app, &env.teacher).await;
    sign_class_5a(&env.app, &env.teacher, &env.principal, codes, key).await;
    let mut out = Vec::new();
    for id in class_credential_ids(&env.app, &env.teacher).await {
        if before.contains(&id) {
            continue;
        }
        let json = credential(&env.app, &env.principal, &id).await;
        out.push((id, json));
    }
    out
}

fn vm_of(credential: &[u8]) -> String {
    let v: Value = serde_json::from_slice(credential).unwrap();
    v["proof"]["verificationMethod"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Verify `credential` against `trust` at `at`, with its status list fetched from the service.
async fn verify(
    env: &Env,
    trust: &VerifiedTrustList,
    credential: &[u8],
    at: OffsetDateTime,
) -> Verdict {
    let url = list_url(credential);
    let list = get(&env.app, url.strip_prefix(BASE).unwrap(), None).await;
    list.expect(StatusCode::OK);
    let mut lists = StatusLists::new();
    lists.insert(url, list.body.to_vec());
    verify_credential_with(
        credential,
        trust,
        at,
        &VerifyOptions::default().with_status_lists(Arc::new(lists)),
    )
    .unwrap()
}

/// A new key for `SCHOOL` in the key directory (`school-<code>-<suffix>.pem`, mode 0600).
fn new_school_key(env: &Env, suffix: &str) -> (KeyPair, PathBuf) {
    let key = KeyPair::generate().unwrap();
    let path = env
        .keys
        .path()
        .join(format!("school-{SCHOOL}-{suffix}.pem"));
    key.write_new(&path).unwrap();
    let public = env
        .keys
        .path()
        .join(format!("school-{SCHOOL}-{suffix}.pub.pem"));
    std::fs::write(&public, key.public_key_pem()).unwrap();
    (key, public)
}

fn dev_school_multibase() -> String {
    KeyPair::load(&repo().join(format!("keys/dev/school-{SCHOOL}.pem")))
        .unwrap()
        .public_key_multibase()
}

async fn register_add_key_and_publish(ctx: Ctx) {
    let env = env(&ctx).await;
    let (first, first_answer) = published(&env).await;
    assert_eq!(first.version(), 1, "the key directory's list is version 1");
    assert!(
        first_answer
            .header(header::CACHE_CONTROL)
            .contains("max-age=300")
    );
    let etag = first_answer.header(header::ETAG).to_owned();
    assert_eq!(etag.len(), 66);
    let again = call_json(
        &env.app,
        Method::GET,
        "/.well-known/hocba/trust-list.json",
        None,
        &[("if-none-match", &etag)],
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // Authority only.
    let school =
        json!({"code": "26000111", "name": "Trường Tiểu học Sông Đà", "province": "Hòa Bình"});
    for token in [&env.principal, &env.teacher] {
        let refused = post_json(&env.app, "/api/v1/authority/schools", token, &school).await;
        assert_eq!(refused.expect(StatusCode::FORBIDDEN)["status"], 403);
        let refused = post_json(&env.app, "/api/v1/authority/trust-list", token, &json!({})).await;
        refused.expect(StatusCode::FORBIDDEN);
    }
    let reissue = get(&env.app, "/api/v1/reissue", Some(&env.authority)).await;
    reissue.expect(StatusCode::FORBIDDEN);
    let bad_code = env
        .as_authority(
            "/api/v1/authority/schools",
            &json!({"code": "26 000", "name": "x", "province": "y"}),
        )
        .await;
    let problem = bad_code.expect(StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["pointer"], "/code");

    let created = env.as_authority("/api/v1/authority/schools", &school).await;
    let created = created.expect(StatusCode::CREATED);
    assert_eq!(created["issuerId"], "urn:hocba:school:26000111");
    let dup = env.as_authority("/api/v1/authority/schools", &school).await;
    dup.expect(StatusCode::CONFLICT);

    let key = KeyPair::generate().unwrap();
    // Unknown school: 404.
    let unknown = env
        .as_authority(
            "/api/v1/authority/schools/99999999/keys",
            &json!({"publicKey": key.public_key_pem()}),
        )
        .await;
    unknown.expect(StatusCode::NOT_FOUND);
    // Not a key, a private key, or not Ed25519: 400 naming the field, rule and value.
    let p256_spki = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9\nq9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==\n-----END PUBLIC KEY-----\n";
    let private_pem = std::fs::read_to_string(repo().join("keys/dev/authority.pem")).unwrap();
    for bad in ["z6MkNOTAKEY", p256_spki, private_pem.as_str()] {
        let answer = env
            .as_authority(
                "/api/v1/authority/schools/26000111/keys",
                &json!({"publicKey": bad}),
            )
            .await;
        let problem = answer.expect(StatusCode::BAD_REQUEST);
        assert_eq!(problem["errors"][0]["pointer"], "/publicKey", "{problem}");
        assert!(
            problem["errors"][0]["rule"]
                .as_str()
                .unwrap()
                .contains("key")
        );
        assert!(problem["errors"][0]["value"].is_string());
    }
    let added = env
        .as_authority(
            "/api/v1/authority/schools/26000111/keys",
            &json!({"publicKey": key.public_key_pem()}),
        )
        .await;
    let added = added.expect(StatusCode::CREATED);
    assert_eq!(added["publicKeyMultibase"], key.public_key_multibase());
    assert_eq!(added["status"], "active");
    // The same key again, or another school's key: 409.
    for (code, k) in [
        ("26000111", key.public_key_multibase()),
        ("26000111", dev_school_multibase()),
    ] {
        let answer = env
            .as_authority(
                &format!("/api/v1/authority/schools/{code}/keys"),
                &json!({"publicKey": k}),
            )
            .await;
        answer.expect(StatusCode::CONFLICT);
    }

    // Publish: version 2, served at once, signed by the authority, with the new school.
    let answer = env.publish().await;
    let v2 = answer.expect(StatusCode::CREATED);
    assert_eq!(v2["version"], 2);
    let made = OffsetDateTime::parse(
        v2["made"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let due = OffsetDateTime::parse(
        v2["nextDue"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(due - made, Duration::days(30));
    let (second, second_answer) = published(&env).await;
    assert_eq!(second.version(), first.version() + 1);
    assert_ne!(second_answer.header(header::ETAG), etag);
    assert_eq!(second.valid_from(), made);
    assert_eq!(second.valid_until(), due);
    let new = second.school("urn:hocba:school:26000111").unwrap();
    assert_eq!(new.province, "Hòa Bình");
    assert_eq!(new.verification_methods.len(), 1);
    assert_eq!(
        new.verification_methods[0].public_key_multibase,
        key.public_key_multibase()
    );
    // Every school of version 1 is still there, with its keys.
    for school in &first.list().credential_subject.schools {
        let kept = second.school(&school.id).unwrap();
        assert_eq!(
            kept.verification_methods.len(),
            school.verification_methods.len()
        );
    }

    // Again, due in 7 days: version 3. The list of versions says so, newest first.
    let answer = env
        .as_authority("/api/v1/authority/trust-list", &json!({"nextDueDays": 7}))
        .await;
    assert_eq!(answer.expect(StatusCode::CREATED)["version"], 3);
    let bad = env
        .as_authority("/api/v1/authority/trust-list", &json!({"nextDueDays": 0}))
        .await;
    assert_eq!(
        bad.expect(StatusCode::BAD_REQUEST)["errors"][0]["pointer"],
        "/nextDueDays"
    );
    let versions = get(
        &env.app,
        "/api/v1/authority/trust-list/versions",
        Some(&env.authority),
    )
    .await;
    let versions = versions.expect(StatusCode::OK);
    let numbers: Vec<u64> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    assert_eq!(versions[2]["source"], "import");
    assert_eq!(published(&env).await.0.version(), 3);

    // The school list shows the new school with its key.
    let schools = get(&env.app, "/api/v1/authority/schools", Some(&env.authority)).await;
    let schools = schools.expect(StatusCode::OK);
    let listed = schools
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "26000111")
        .unwrap();
    assert_eq!(listed["keys"][0]["status"], "active");

    // Audited, and described in the OpenAPI document.
    let audit = env
        .store
        .list_audit(&hocba_issuer::store::Scope::Province, 100)
        .await
        .unwrap();
    for action in [
        "authority.register-school",
        "authority.add-key",
        "authority.publish",
    ] {
        assert!(
            audit.iter().any(|e| e.action == action),
            "{action} not audited"
        );
    }
    let doc = get(&env.app, "/api/v1/openapi.json", None).await;
    let doc = doc.expect(StatusCode::OK);
    for path in [
        "/api/v1/authority/schools",
        "/api/v1/authority/schools/{code}/keys",
        "/api/v1/authority/schools/{code}/keys/{keyId}/retire",
        "/api/v1/authority/schools/{code}/keys/{keyId}/compromise",
        "/api/v1/authority/trust-list",
        "/api/v1/authority/trust-list/versions",
        "/api/v1/reissue",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} not in the OpenAPI document"
        );
    }
}

async fn versions_only_grow_under_concurrent_publishers(ctx: Ctx) {
    let store = ctx.store.clone();
    let now = real_now();
    life::seed(&store, &repo().join("keys/dev"), now)
        .await
        .unwrap();
    // Two pools: two issuer processes on one database.
    let other = ctx.another_pool().await;
    let mut tasks = Vec::new();
    for (i, s) in [store.clone(), other.clone()]
        .into_iter()
        .cycle()
        .take(8)
        .enumerate()
    {
        tasks.push(tokio::spawn(async move {
            let key = life::load_authority_key(&repo().join("keys/dev")).unwrap();
            life::publish(
                &s,
                &PublishOptions {
                    key: &key,
                    next_due_days: 30,
                    authority: None,
                },
                Actor {
                    user_id: None,
                    channel: "test",
                    now: now + Duration::seconds(i64::try_from(i).unwrap()),
                },
            )
            .await
            .unwrap()
            .version
        }));
    }
    let mut versions = Vec::new();
    for t in tasks {
        versions.push(t.await.unwrap());
    }
    versions.sort_unstable();
    assert_eq!(
        versions,
        (2..=9).collect::<Vec<u64>>(),
        "each publish has its own number"
    );
    let latest = store.latest_trust_version().await.unwrap().unwrap();
    assert_eq!(latest.version, 9);
    let trust = dev_authority()
        .unwrap()
        .verify_trust_list(latest.list_json.as_bytes())
        .unwrap();
    assert_eq!(trust.version(), 9);
    // A version cannot be changed.
    let changed = sqlx::query("UPDATE trust_list_versions SET list_json = '{}' WHERE version = 9")
        .execute(store.pool())
        .await;
    assert!(changed.is_err());
    // Another authority key is refused: verifiers pin the one that signed so far.
    let stranger = KeyPair::from_seed(&[7; 32]);
    let refused = life::publish(
        &store,
        &PublishOptions {
            key: &stranger,
            next_due_days: 30,
            authority: None,
        },
        Actor {
            user_id: None,
            channel: "test",
            now,
        },
    )
    .await;
    assert!(
        matches!(refused, Err(life::AuthorityError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(
        store.latest_trust_version().await.unwrap().unwrap().version,
        9
    );
    other.close().await;
}

async fn rotation_in_the_middle_of_the_year(ctx: Ctx) {
    let env = env(&ctx).await;
    let t0 = env.now();
    let key1 = dev_school_multibase();
    let old = sign_pupils(&env, 0..2, "before-rotation").await;
    assert_eq!(old.len(), 2);
    for (_, c) in &old {
        assert!(vm_of(c).ends_with(&key1));
    }

    // An hour later the school rotates: its new key is in the key directory, the authority
    // adds it, retires the old one and publishes.
    let t1 = t0 + Duration::hours(1);
    env.set_time(t1);
    let (key2, public2) = new_school_key(&env, "2026");
    let added = env
        .as_authority(
            &format!("/api/v1/authority/schools/{SCHOOL}/keys"),
            &json!({"publicKey": std::fs::read_to_string(&public2).unwrap()}),
        )
        .await;
    added.expect(StatusCode::CREATED);
    // Not yet published: still signing with key 1.
    assert!(
        env.state
            .signer(SCHOOL)
            .unwrap()
            .verification_method()
            .ends_with(&key1)
    );
    let retired = env.key_action(SCHOOL, &key1, "retire").await;
    assert_eq!(retired.expect(StatusCode::OK)["status"], "retired");
    let twice = env.key_action(SCHOOL, &key1, "retire").await;
    twice.expect(StatusCode::CONFLICT);
    let other_school = env.key_action("01001205", &key1, "retire").await;
    other_school.expect(StatusCode::NOT_FOUND);
    let published_v = env.publish().await;
    published_v.expect(StatusCode::CREATED);
    // The running service switched keys without a restart.
    assert!(
        env.state
            .signer(SCHOOL)
            .unwrap()
            .verification_method()
            .ends_with(&key2.public_key_multibase())
    );

    let t2 = t1 + Duration::hours(1);
    env.set_time(t2);
    let new = sign_pupils(&env, 2..4, "after-rotation").await;
    assert_eq!(new.len(), 2);
    for (_, c) in &new {
        assert!(
            vm_of(c).ends_with(&key2.public_key_multibase()),
            "{}",
            vm_of(c)
        );
    }

    let (trust, _) = published(&env).await;
    let at = t2 + Duration::hours(1);
    let school = trust.school("urn:hocba:school:25000731").unwrap();
    assert_eq!(school.verification_methods.len(), 2);
    for (_, c) in old.iter().chain(&new) {
        let verdict = verify(&env, &trust, c, at).await;
        assert!(verdict.is_valid(), "{verdict:#?}");
    }
    // Key 1 used after its retirement (a copy of an old record signed again at t2): refused.
    let mut doc: serde_json::Map<String, Value> = serde_json::from_slice(&old[0].1).unwrap();
    doc.remove("proof");
    let signer = Signer::new(
        KeyPair::load(&repo().join(format!("keys/dev/school-{SCHOOL}.pem"))).unwrap(),
        IssuerRef {
            id: "urn:hocba:school:25000731".into(),
            name: school.name.clone(),
        },
    );
    let late = signer
        .sign_canonical(&UnsignedCredential::from_document(doc).unwrap(), t2)
        .unwrap();
    let verdict = verify(&env, &trust, &late, at).await;
    assert!(!verdict.is_valid());
    assert_eq!(
        verdict.reason(),
        Some(Reason::RetiredKeyAfterRetirement),
        "{verdict:#?}"
    );

    // The offline bundle carries the latest version, and status lists signed by key 2.
    let bundle = get(&env.app, "/api/v1/bundle", None).await;
    let bundle = bundle.expect(StatusCode::OK);
    assert_eq!(
        bundle["trustList"]["credentialSubject"]["version"],
        trust.version()
    );
    let lists = bundle["statusLists"].as_array().unwrap();
    assert!(!lists.is_empty());
    for list in lists {
        if list["issuer"]["id"] == "urn:hocba:school:25000731" {
            let vm = list["proof"]["verificationMethod"].as_str().unwrap();
            assert!(vm.ends_with(&key2.public_key_multibase()), "{vm}");
        }
    }

    // After a restart the same key is chosen from the stored list.
    let keys = SchoolKeys::load(env.keys.path()).unwrap();
    let (version, _) = life::latest(&env.store).await.unwrap().unwrap();
    keys.select(version.list_json.as_bytes()).unwrap();
    assert!(
        keys.signer(SCHOOL, at)
            .unwrap()
            .verification_method()
            .ends_with(&key2.public_key_multibase())
    );
}

/// `GET path` (a status list of `SCHOOL`) answers 503 with a problem naming the school and
/// `Retry-After`, not a list.
async fn assert_no_active_key(env: &Env, path: &str) {
    let answer = get(&env.app, path, None).await;
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.text()
    );
    assert_eq!(answer.content_type(), "application/problem+json");
    assert!(!answer.header(header::RETRY_AFTER).is_empty());
    let problem = answer.json();
    assert_eq!(problem["type"], "/problems/no-active-key", "{problem}");
    assert_eq!(problem["status"], 503);
    assert!(problem["title"].as_str().unwrap().contains("No active key"));
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains(SCHOOL), "{detail}");
    assert!(detail.contains("no active key"), "{detail}");
    assert!(!answer.text().contains("proofValue"), "no list: {problem}");
}

/// A key added and published, then used at once: the record and the status list are signed in
/// the same second as the key became valid (the clock has a fraction of a second; proofs carry
/// whole seconds) and are valid; a record the retired key signed earlier in the second of its
/// retirement stays valid too.
async fn key_added_and_used_in_the_same_second(ctx: Ctx) {
    let env = env(&ctx).await;
    let t = env.now() + Duration::hours(1);
    env.set_time(t + Duration::milliseconds(100));
    let old = sign_pupils(&env, 0..1, "same-second-old").await;
    assert_eq!(old.len(), 1);
    env.set_time(t + Duration::milliseconds(600));
    let (key2, public2) = new_school_key(&env, "same-second");
    let added = env
        .as_authority(
            &format!("/api/v1/authority/schools/{SCHOOL}/keys"),
            &json!({"publicKey": std::fs::read_to_string(&public2).unwrap()}),
        )
        .await;
    let added = added.expect(StatusCode::CREATED);
    let whole = |field: &str, v: &Value| {
        let text = v.as_str().unwrap();
        assert!(!text.contains('.'), "{field} in whole seconds: {text}");
        OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
    };
    assert_eq!(whole("validFrom", &added["validFrom"]), t);
    let key1 = dev_school_multibase();
    let retired = env.key_action(SCHOOL, &key1, "retire").await;
    let retired = retired.expect(StatusCode::OK);
    assert_eq!(
        whole("retiredAt", &retired["retiredAt"]),
        t + Duration::seconds(1)
    );
    env.publish().await.expect(StatusCode::CREATED);

    let (trust, answer) = published(&env).await;
    let doc = answer.json();
    let school = doc["credentialSubject"]["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == SCHOOL)
        .unwrap();
    for key in school["verificationMethods"].as_array().unwrap() {
        whole("validFrom", &key["validFrom"]);
        if key["publicKeyMultibase"] == key1.as_str() {
            // Retired 0.6 s into the second: published as the next whole second.
            assert_eq!(
                whole("validUntil", &key["validUntil"]),
                t + Duration::seconds(1),
                "{retired}"
            );
        }
        if key["publicKeyMultibase"] == key2.public_key_multibase().as_str() {
            assert_eq!(whole("validFrom", &key["validFrom"]), t);
        }
    }

    // Signed at once, in the same second (the clock still 0.6 s into it).
    let new = sign_pupils(&env, 1..2, "same-second-new").await;
    assert_eq!(new.len(), 1);
    assert!(vm_of(&new[0].1).ends_with(&key2.public_key_multibase()));
    let created: Value = serde_json::from_slice(&new[0].1).unwrap();
    assert_eq!(whole("created", &created["proof"]["created"]), t);
    let now = env.now();
    for (_, c) in old.iter().chain(&new) {
        let verdict = verify(&env, &trust, c, now).await;
        assert!(verdict.is_valid(), "{verdict:#?}");
    }
}

async fn compromised_key_and_reissue(ctx: Ctx) {
    let env = env(&ctx).await;
    let t0 = env.now();
    let key1 = dev_school_multibase();
    let signed = sign_pupils(&env, 0..3, "before-loss").await;
    assert_eq!(signed.len(), 3);
    // The status list is served and cached, signed by key 1.
    let list = get(
        &env.app,
        list_url(&signed[0].1).strip_prefix(BASE).unwrap(),
        None,
    )
    .await;
    let vm = list.expect(StatusCode::OK)["proof"]["verificationMethod"].clone();
    assert!(vm.as_str().unwrap().ends_with(&key1), "{vm}");
    assert!(
        get(&env.app, "/api/v1/reissue", Some(&env.principal))
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The key is lost: marked compromised and published at once.
    let t1 = t0 + Duration::hours(1);
    env.set_time(t1);
    let marked = env.key_action(SCHOOL, &key1, "compromise").await;
    let marked = marked.expect(StatusCode::OK);
    assert_eq!(marked["key"]["status"], "compromised");
    let mut told: Vec<&str> = marked["credentialsToReissue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["credentialId"].as_str().unwrap())
        .collect();
    told.sort_unstable();
    let mut expected: Vec<&str> = signed.iter().map(|(id, _)| id.as_str()).collect();
    expected.sort_unstable();
    assert_eq!(told, expected);
    let again = env.key_action(SCHOOL, &key1, "compromise").await;
    again.expect(StatusCode::CONFLICT);
    // The school's status list, served (and cached) before, is no longer served: no list
    // signed by the lost key, and no 500 either — 503 naming the school, with Retry-After.
    let list_path = list_url(&signed[0].1)
        .strip_prefix(BASE)
        .unwrap()
        .to_owned();
    assert_no_active_key(&env, &list_path).await;
    // The offline bundle is still made, without this school's lists (never signed by the
    // lost key): verifiers then say "status unknown" for its records, not "not revoked".
    let bundle = get(&env.app, "/api/v1/bundle", None).await;
    let bundle = bundle.expect(StatusCode::OK);
    let school_id = format!("urn:hocba:school:{SCHOOL}");
    assert!(
        bundle["statusLists"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["issuer"] != school_id.as_str() && l["issuer"]["id"] != school_id.as_str()),
        "a status list of the school with the compromised key is in the bundle"
    );
    let published_v = env.publish().await;
    published_v.expect(StatusCode::CREATED);
    // No active key here: signing is refused with a problem, not done with the lost key.
    assert!(env.state.signer(SCHOOL).is_none());
    assert_no_active_key(&env, &list_path).await;
    let refused = call_json(
        &env.app,
        Method::POST,
        "/api/v1/batches",
        Some(&env.principal),
        &[("idempotency-key", "no-key")],
        Some(&json!({"schoolYear": "2025-2026", "className": "5A"})),
    )
    .await;
    assert_eq!(refused.expect(StatusCode::CONFLICT)["status"], 409);

    // The school's new key is put in the key directory, added and published.
    let (key2, public2) = new_school_key(&env, "new");
    let added = env
        .as_authority(
            &format!("/api/v1/authority/schools/{SCHOOL}/keys"),
            &json!({"publicKey": std::fs::read_to_string(&public2).unwrap()}),
        )
        .await;
    added.expect(StatusCode::CREATED);
    let published_v = env.publish().await;
    assert_eq!(published_v.expect(StatusCode::CREATED)["version"], 3);
    // The list is served again, signed by the new key.
    let list = get(&env.app, &list_path, None).await;
    let list = list.expect(StatusCode::OK);
    let vm = list["proof"]["verificationMethod"].as_str().unwrap();
    assert!(vm.ends_with(&key2.public_key_multibase()), "{vm}");

    let (trust, _) = published(&env).await;
    let at = t1 + Duration::minutes(30);
    for (_, c) in &signed {
        let verdict = verify(&env, &trust, c, at).await;
        assert!(!verdict.is_valid());
        assert_eq!(
            verdict.reason(),
            Some(Reason::CompromisedKey),
            "{verdict:#?}"
        );
        assert_eq!(
            verdict.check(CheckName::KeyValidity).unwrap().outcome,
            Outcome::Failed
        );
    }

    // The school is told exactly which records to re-issue.
    let list = get(&env.app, "/api/v1/reissue", Some(&env.principal)).await;
    let list = list.expect(StatusCode::OK);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        let (id, c) = signed
            .iter()
            .find(|(id, _)| item["credentialId"] == id.as_str())
            .unwrap();
        let doc: Value = serde_json::from_slice(c).unwrap();
        let stored = env
            .store
            .credential(&hocba_issuer::store::Scope::Province, id)
            .await
            .unwrap();
        assert_eq!(item["recordId"], stored.record_id.as_str());
        assert_eq!(item["className"], "5A");
        // The pupil's key by the one identity rule: the personal identification number.
        assert_eq!(
            item["pupilKey"],
            doc["credentialSubject"]["student"]["personalIdNumber"]
        );
        assert!(item["pupilName"].as_str().is_some_and(|n| !n.is_empty()));
    }
    // Other schools have nothing to re-issue; the authority is no principal.
    let other = env.store.school_by_code("01001205").await.unwrap();
    let other_principal = token(&env.store, Some(&other), Role::Principal).await;
    let other_list = get(&env.app, "/api/v1/reissue", Some(&other_principal)).await;
    assert!(
        other_list
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Re-issue: revoke each, sign again (now with key 2); the list empties.
    let t2 = t1 + Duration::hours(1);
    env.set_time(t2);
    for (id, _) in &signed {
        let revoked = post_json(
            &env.app,
            &format!("/api/v1/credentials/{id}/revoke"),
            &env.principal,
            &json!({"reason": "Khóa ký bị lộ, cấp lại"}),
        )
        .await;
        revoked.expect(StatusCode::OK);
    }
    // Revoked but not yet re-issued: still on the list.
    let pending = get(&env.app, "/api/v1/reissue", Some(&env.principal)).await;
    assert_eq!(pending.expect(StatusCode::OK).as_array().unwrap().len(), 3);
    let reissued = sign_pupils(&env, 0..3, "reissue").await;
    assert_eq!(reissued.len(), 3);
    for (_, c) in &reissued {
        assert!(vm_of(c).ends_with(&key2.public_key_multibase()));
        let doc: Value = serde_json::from_slice(c).unwrap();
        assert!(expected.contains(&doc["replaces"].as_str().unwrap()));
        let verdict = verify(&env, &trust, c, t2 + Duration::minutes(5)).await;
        assert!(verdict.is_valid(), "{verdict:#?}");
    }
    let after = get(&env.app, "/api/v1/reissue", Some(&env.principal)).await;
    assert!(after.expect(StatusCode::OK).as_array().unwrap().is_empty());
    let audit = env
        .store
        .list_audit(&hocba_issuer::store::Scope::Province, 200)
        .await
        .unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "authority.compromise-key")
        .unwrap();
    assert!(entry.details_json.contains("\"credentialsToReissue\":3"));
}

/// `hocba-issuer authority register-school / add-key / publish` on an SQLite file: the
/// published list is a new version signed by the authority with the new school and key.
#[test]
fn cli_register_add_key_publish() {
    let dir = tempfile::tempdir().unwrap();
    let keys = key_dir();
    let db = format!("sqlite://{}/hocba.db", dir.path().display());
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hocba-issuer"))
            .args(["authority"])
            .args(args)
            .args(["--database-url", &db, "--keys"])
            .arg(keys.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let issuer_id = run(&[
        "register-school",
        "--code",
        "26000222",
        "--name",
        "Trường THCS Đà Bắc",
        "--province",
        "Hòa Bình",
    ]);
    assert_eq!(issuer_id.trim(), "urn:hocba:school:26000222");
    let key = KeyPair::generate().unwrap();
    let public = dir.path().join("new.pub.pem");
    std::fs::write(&public, key.public_key_pem()).unwrap();
    let added = run(&[
        "add-key",
        "--school",
        "26000222",
        "--public-key",
        public.to_str().unwrap(),
    ]);
    assert_eq!(added.trim(), key.public_key_multibase());
    let out = dir.path().join("published.json");
    let version = run(&[
        "publish",
        "--next-due-days",
        "14",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(version.trim(), "2");
    let trust = dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(&out).unwrap())
        .unwrap();
    assert_eq!(trust.version(), 2);
    assert_eq!(trust.valid_until() - trust.valid_from(), Duration::days(14));
    let school = trust.school("urn:hocba:school:26000222").unwrap();
    assert_eq!(
        school.verification_methods[0].public_key_multibase,
        key.public_key_multibase()
    );
    // Retiring a key from the command line, then publishing again: version 3.
    run(&[
        "retire-key",
        "--school",
        "26000222",
        "--key",
        &key.public_key_multibase(),
        "--at",
        "2026-01-15T00:00:00Z",
    ]);
    let version = run(&["publish", "--out", out.to_str().unwrap()]);
    assert_eq!(version.trim(), "3");
    let trust = dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(&out).unwrap())
        .unwrap();
    let k = &trust
        .school("urn:hocba:school:26000222")
        .unwrap()
        .verification_methods[0];
    assert_eq!(k.status, hocba_schema::trust_list::KeyStatus::Retired);
    assert_eq!(
        k.valid_until,
        Some(time::macros::datetime!(2026-01-15 00:00 UTC))
    );
    // A bad key file is refused with exit code 2.
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_hocba-issuer"))
        .args([
            "authority",
            "add-key",
            "--school",
            "26000222",
            "--public-key",
        ])
        .arg(repo().join("keys/dev/authority.pem"))
        .args(["--database-url", &db, "--keys"])
        .arg(keys.path())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("publicKey"));
}
