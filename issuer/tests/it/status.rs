//! Status list publication, revocation and the offline trust bundle, end to end through the
//! router (`oneshot`) on SQLite and PostgreSQL: credentials signed by a batch verify with the
//! status lists the service publishes, a revocation (API or `hocba-issuer revoke`) flips the
//! verdict to `revoked` online and in the bundle, and caching headers behave.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::common;

use std::process::Command;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use common::Ctx;
use common::http::{
    self, Answer, call, class_credential_ids, credential, list_url, post_json, repo, sign_class_5a,
    wall_clock as now,
};
use hocba_issuer::api::{self, ApiConfig, AppState, SchoolKeys};
use hocba_issuer::store::{Role, School, Store};
use hocba_verifier::danger::dev_authority;
use hocba_verifier::{
    Reason, StatusLists, TrustBundle, Verdict, VerdictResult, VerifiedTrustList, VerifyOptions,
    verify_credential_with,
};
use serde_json::{Value, json};
use time::Duration;

both_databases!(publish_revoke_and_bundle);

const SCHOOL: &str = "25000731"; // primary-grade5.json
const BASE: &str = "http://127.0.0.1:8080";

async fn get(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Answer {
    call(app, Method::GET, uri, None, headers, Body::empty()).await
}

fn trust() -> VerifiedTrustList {
    let bytes = std::fs::read(repo().join("keys/dev/trust-list.json")).unwrap();
    dev_authority().unwrap().verify_trust_list(&bytes).unwrap()
}

fn verify(credential: &[u8], lists: Arc<StatusLists>) -> Verdict {
    verify_credential_with(
        credential,
        &trust(),
        now(),
        &VerifyOptions::default().with_status_lists(lists),
    )
    .unwrap()
}

/// Sign a class of `n` through the API; the credentials' JSON, by id.
async fn sign_class(
    app: &Router,
    store: &Store,
    school: &School,
    n: usize,
) -> Vec<(String, Vec<u8>)> {
    sign_pupils(app, store, school, 0..n, "status-test").await
}

/// Import, validate and sign pupils `codes` of class 5A (batch idempotency key `key`); every
/// credential of the class afterwards, by id.
async fn sign_pupils(
    app: &Router,
    store: &Store,
    school: &School,
    codes: std::ops::Range<usize>,
    key: &str,
) -> Vec<(String, Vec<u8>)> {
    let teacher = token(store, school, Role::Teacher).await;
    let principal = token(store, school, Role::Principal).await;
    sign_class_5a(app, &teacher, &principal, codes, key).await;
    let mut out = Vec::new();
    for id in class_credential_ids(app, &teacher).await {
        let json = credential(app, &principal, &id).await;
        out.push((id, json));
    }
    out
}

/// A token of a new user of `school` with `role`, valid for a day.
async fn token(store: &Store, school: &School, role: Role) -> String {
    http::token(store, Some(school), role, Duration::days(1), now()).await
}

async fn publish_revoke_and_bundle(ctx: Ctx) {
    let store = ctx.store.clone();
    let keys = SchoolKeys::load(&repo().join("keys/dev")).unwrap();
    keys.register_schools(&store, now()).await.unwrap();
    let school = store.school_by_code(SCHOOL).await.unwrap();
    let state = AppState::new(store.clone(), keys, ApiConfig::default());
    let app = api::app(state);
    let credentials = sign_class(&app, &store, &school, 2).await;
    let (id, credential) = &credentials[0];
    let url = list_url(credential);
    let path = url.strip_prefix(BASE).unwrap();
    assert!(path.starts_with(&format!("/status/{SCHOOL}/")), "{path}");

    // Published, public, cacheable.
    let first = get(&app, path, &[]).await;
    assert_eq!(
        first.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    assert_eq!(first.header(header::CONTENT_TYPE), "application/vc+json");
    assert!(first.header(header::CACHE_CONTROL).contains("max-age=300"));
    let etag = first.header(header::ETAG).to_owned();
    assert_eq!(etag.len(), 66);
    let list = first.json();
    assert_eq!(list["id"], url.as_str());
    assert_eq!(list["type"][1], "BitstringStatusListCredential");
    let bits = hocba_schema::status_list::Bitstring::decode(
        list["credentialSubject"]["encodedList"].as_str().unwrap(),
    )
    .unwrap();
    assert!(bits.len() >= 131_072);
    let not_modified = get(&app, path, &[("if-none-match", &etag)]).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert!(not_modified.body.is_empty());
    // Cached: the same bytes again.
    assert_eq!(get(&app, path, &[]).await.body, first.body);

    // The school's index of lists (how a verifier finds the list of a QR summary): public,
    // cacheable, naming this list; an unknown school is a 404 problem.
    let index = get(&app, &format!("/status/{SCHOOL}/index.json"), &[]).await;
    assert_eq!(index.status, StatusCode::OK, "{}", index.text());
    assert_eq!(index.header(header::CONTENT_TYPE), "application/json");
    assert!(index.header(header::CACHE_CONTROL).contains("max-age=300"));
    let index_etag = index.header(header::ETAG).to_owned();
    assert_eq!(index_etag.len(), 66);
    let index_doc = index.json();
    assert_eq!(index_doc["school"], format!("urn:hocba:school:{SCHOOL}"));
    assert_eq!(
        index_doc["statusLists"],
        json!([url.as_str()]),
        "{index_doc}"
    );
    let again = get(
        &app,
        &format!("/status/{SCHOOL}/index.json"),
        &[("if-none-match", &index_etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let unknown = get(&app, "/status/99999999/index.json", &[]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.content_type(), "application/problem+json");

    let mut lists = StatusLists::new();
    lists.insert(url.clone(), first.body.to_vec());
    let verdict = verify(credential, Arc::new(lists));
    assert!(verdict.is_valid(), "{verdict:#?}");

    // A reason longer than 200 characters (it is published) is refused, naming the field and
    // the rule; nothing is revoked.
    let principal = token(&store, &school, Role::Principal).await;
    let long = "Sai điểm ".repeat(23);
    assert!(long.chars().count() > 200);
    let refused = post_json(
        &app,
        &format!("/api/v1/credentials/{id}/revoke"),
        &principal,
        &json!({ "reason": long }),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = refused.json();
    assert_eq!(problem["errors"][0]["pointer"], "/reason");
    assert_eq!(problem["errors"][0]["rule"], "reason-too-long");
    assert_eq!(problem["errors"][0]["value"], long.as_str());
    assert_eq!(get(&app, path, &[]).await.body, first.body);

    // Revoke through the API: the list changes at once (new ETag), the verdict is `revoked`
    // and says when and why, from the signed list.
    let before = now().replace_nanosecond(0).unwrap();
    let revoked = post_json(
        &app,
        &format!("/api/v1/credentials/{id}/revoke"),
        &principal,
        &json!({"reason": "Sai điểm môn Toán"}),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.json());
    let after = get(&app, path, &[("if-none-match", &etag)]).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_ne!(after.header(header::ETAG), etag);
    let mut lists = StatusLists::new();
    lists.insert(url.clone(), after.body.to_vec());
    let lists = Arc::new(lists);
    let verdict = verify(credential, Arc::clone(&lists));
    assert_eq!(verdict.result(), VerdictResult::Invalid);
    assert_eq!(verdict.reason(), Some(Reason::Revoked));
    let note = verdict.revocation().expect("the list says when and why");
    assert_eq!(note.reason.as_deref(), Some("Sai điểm môn Toán"));
    let at = note.revoked_at.expect("a revocation date");
    assert!(
        before <= at && at <= now(),
        "{at} not between {before} and now"
    );
    assert_eq!(
        after.json()["credentialSubject"]["revocations"][0]["reason"],
        "Sai điểm môn Toán"
    );
    // Its classmate, on the same list, is still valid.
    let (_, other) = &credentials[1];
    assert_eq!(list_url(other), url);
    assert!(verify(other, lists).is_valid());

    // Unknown lists and schools: 404 problems.
    assert_eq!(
        get(&app, &format!("/status/{SCHOOL}/nope"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/status/99999999/nope", &[]).await.status,
        StatusCode::NOT_FOUND
    );

    // The trust list file.
    let tl = get(&app, "/.well-known/hocba/trust-list.json", &[]).await;
    assert_eq!(tl.status, StatusCode::OK);
    assert_eq!(
        tl.body.to_vec(),
        std::fs::read(repo().join("keys/dev/trust-list.json")).unwrap()
    );
    assert!(tl.header(header::CACHE_CONTROL).contains("max-age"));
    let tl_etag = tl.header(header::ETAG).to_owned();
    assert_eq!(
        get(
            &app,
            "/.well-known/hocba/trust-list.json",
            &[("if-none-match", &tl_etag)]
        )
        .await
        .status,
        StatusCode::NOT_MODIFIED
    );

    // The bundle: the same answers offline.
    let bundle = get(&app, "/api/v1/bundle", &[]).await;
    assert_eq!(
        bundle.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bundle.body)
    );
    assert!(bundle.header(header::ETAG).starts_with('"'));
    let opened = TrustBundle::open(&bundle.body, &dev_authority().unwrap()).unwrap();
    assert!(opened.status_lists().get(&url).is_some());
    assert!(opened.age(now()) < Duration::minutes(5));
    let offline = |bytes: &[u8]| {
        verify_credential_with(
            bytes,
            opened.trust_list(),
            now(),
            &VerifyOptions::default().with_status_lists(opened.status_lists()),
        )
        .unwrap()
    };
    assert_eq!(offline(credential).reason(), Some(Reason::Revoked));
    assert_eq!(
        offline(credential)
            .revocation()
            .and_then(|r| r.reason.clone())
            .as_deref(),
        Some("Sai điểm môn Toán")
    );
    assert!(offline(other).is_valid());

    // Correction: the pupil's record re-imported and signed again names what it replaces.
    let revoked_doc: Value = serde_json::from_slice(credential).unwrap();
    let code = revoked_doc["credentialSubject"]["student"]["studentCode"]
        .as_str()
        .unwrap();
    let n: usize = code.strip_prefix("17150424").unwrap().parse().unwrap();
    let all = sign_pupils(&app, &store, &school, n..n + 1, "correction").await;
    let (new_id, corrected) = all
        .iter()
        .find(|(i, _)| credentials.iter().all(|(old, _)| old != i))
        .unwrap();
    let doc: Value = serde_json::from_slice(corrected).unwrap();
    assert_eq!(doc["replaces"], id.as_str());
    let stored = store
        .credential(&hocba_issuer::store::Scope::Province, new_id)
        .await
        .unwrap();
    assert_eq!(stored.replaces.as_deref(), Some(id.as_str()));
    let fresh = get(&app, &list_url(corrected).replace(BASE, ""), &[]).await;
    let mut lists = StatusLists::new();
    lists.insert(list_url(corrected), fresh.body.to_vec());
    let verdict = verify(corrected, Arc::new(lists));
    assert!(verdict.is_valid(), "{verdict:#?}");
    assert_eq!(verdict.subject().replaces.as_deref(), Some(id.as_str()));

    // The revoked record's list now names its replacement (issue #12, item 8): signing the
    // correction changed the list at once (a new ETag, no waiting for the hourly re-signing),
    // its signed note links to the new credential's id, and the verdict on the revoked record
    // carries it; nothing else about the pupil is published.
    let linked = get(&app, path, &[("if-none-match", after.header(header::ETAG))]).await;
    assert_eq!(linked.status, StatusCode::OK);
    let note = &linked.json()["credentialSubject"]["revocations"][0];
    assert_eq!(note["replacedBy"], new_id.as_str(), "{note}");
    assert_eq!(
        note.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["reason", "replacedBy", "revokedAt", "statusListIndex"]
    );
    let mut lists = StatusLists::new();
    lists.insert(url.clone(), linked.body.to_vec());
    let verdict = verify(credential, Arc::new(lists));
    assert_eq!(verdict.reason(), Some(Reason::Revoked));
    let r = verdict.revocation().unwrap();
    assert_eq!(r.replaced_by.as_deref(), Some(new_id.as_str()));
    assert_eq!(r.reason.as_deref(), Some("Sai điểm môn Toán"));
    // The classmate's entry has no note.
    assert_eq!(
        linked.json()["credentialSubject"]["revocations"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// `hocba-issuer revoke` and `hocba-issuer bundle` on an SQLite file: exit codes, and the
/// bundle they produce says `revoked`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn revoke_and_bundle_commands() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hocba.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    let keys = SchoolKeys::load(&repo().join("keys/dev")).unwrap();
    keys.register_schools(&store, now()).await.unwrap();
    let school = store.school_by_code(SCHOOL).await.unwrap();
    let app = api::app(AppState::new(store.clone(), keys, ApiConfig::default()));
    let credentials = sign_class(&app, &store, &school, 2).await;
    store.close().await;
    let (id, credential) = &credentials[0];

    let bin = env!("CARGO_BIN_EXE_hocba-issuer");
    let run = |args: &[&str]| {
        Command::new(bin)
            .current_dir(repo())
            .env_remove("DATABASE_URL")
            .env_remove("HOCBA_PUBLIC_URL")
            .args(args)
            .output()
            .unwrap()
    };
    // A reason over 200 characters is refused before anything is written.
    let long = "x".repeat(201);
    let out = run(&["revoke", id, "--reason", &long, "--database-url", &url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reason-too-long"));
    let out = run(&[
        "revoke",
        id,
        "--reason",
        "Sai ngày sinh",
        "--database-url",
        &url,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Twice: refused.
    let out = run(&["revoke", id, "--reason", "again", "--database-url", &url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already revoked"));
    // Unknown credential; empty reason.
    assert_eq!(
        run(&[
            "revoke",
            "urn:uuid:nope",
            "--reason",
            "x",
            "--database-url",
            &url
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run(&[
            "revoke",
            &credentials[1].0,
            "--reason",
            " ",
            "--database-url",
            &url
        ])
        .status
        .code(),
        Some(2)
    );

    let file = dir.path().join("bundle.json");
    let out = run(&[
        "bundle",
        "--out",
        file.to_str().unwrap(),
        "--database-url",
        &url,
        "--keys",
        "keys/dev",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let opened =
        TrustBundle::open(&std::fs::read(&file).unwrap(), &dev_authority().unwrap()).unwrap();
    let verdict = verify_credential_with(
        credential,
        opened.trust_list(),
        now(),
        &VerifyOptions::default().with_status_lists(opened.status_lists()),
    )
    .unwrap();
    assert_eq!(verdict.reason(), Some(Reason::Revoked), "{verdict:#?}");
    assert_eq!(
        verdict.revocation().and_then(|r| r.reason.as_deref()),
        Some("Sai ngày sinh")
    );

    // The audit log names the command line as the channel.
    let store = Store::connect(&url).await.unwrap();
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT details_json FROM audit_log WHERE action = 'revoke'")
            .fetch_all(store.pool())
            .await
            .unwrap_or_default();
    assert!(audit.iter().any(|d| d.contains("\"cli\"")), "{audit:?}");
}
