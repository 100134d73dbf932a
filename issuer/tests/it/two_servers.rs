//! Several instances, one database: two real `hocba-issuer serve` processes on the same
//! PostgreSQL schema (and, as a bonus, the same SQLite file) sign overlapping batches at the
//! same time. No status index is handed out twice, no record is issued twice, nothing is
//! lost, and every credential verifies against the dev trust list.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::http::{repo, token, wall_clock as now};
use hocba_issuer::store::{Role, Store};
use hocba_issuer::synthetic;
use hocba_schema::record::SchoolLevel;
use hocba_test_support::server::Server;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection};

const BIN: &str = env!("CARGO_BIN_EXE_hocba-issuer");
const CODE: &str = "25000731";
const N: usize = 300;

/// A running `serve` process on `url` (and `schema`), killed when dropped (also when the test
/// panics, which prints its log).
fn serve(url: &str, schema: Option<&str>) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .arg("--keys")
        .arg(repo().join("keys/dev"))
        .current_dir(repo())
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn");
    if let Some(schema) = schema {
        cmd.arg("--database-schema").arg(schema);
    }
    Server::start(&mut cmd)
}

type Http = Client<HttpConnector, Full<axum::body::Bytes>>;

/// One request; returns the status code and the body.
async fn call(
    client: &Http,
    method: &str,
    url: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, Vec<u8>) {
    let mut request = axum::http::Request::builder().method(method).uri(url);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = match body {
        Some(v) => {
            request = request.header("content-type", "application/json");
            serde_json::to_vec(v).unwrap()
        }
        None => Vec::new(),
    };
    let response = client
        .request(request.body(Full::new(body.into())).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, bytes.to_vec())
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

/// Signs `ids` on `server` under `key`; waits for a background batch. Returns the batch.
async fn sign(client: &Http, server: &Server, token: &str, key: &str, ids: &[String]) -> Value {
    let (status, body) = call(
        client,
        "POST",
        &server.url("/api/v1/batches"),
        Some(token),
        &[("idempotency-key", key)],
        Some(&json!({ "recordIds": ids })),
    )
    .await;
    assert!(
        status == 201 || status == 202,
        "{status} {}",
        String::from_utf8_lossy(&body)
    );
    let mut batch = json(&body);
    let location = server.url(&format!(
        "/api/v1/batches/{}",
        batch["id"].as_str().unwrap()
    ));
    let start = Instant::now();
    while batch["state"] != "done" {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "batch not done: {batch}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (status, body) = call(client, "GET", &location, Some(token), &[], None).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        batch = json(&body);
    }
    batch
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn two_servers_sign_at_once(url: &str, schema: Option<&str>) {
    // Migrate once here, so the servers do not race to create the tables.
    let store = match schema {
        Some(schema) => Store::connect_with_schema(url, schema).await.unwrap(),
        None => Store::connect(url).await.unwrap(),
    };
    let (a, b) = (serve(url, schema), serve(url, schema));
    let client: Http = Client::builder(TokioExecutor::new()).build_http();
    for server in [&a, &b] {
        let (status, body) = call(
            &client,
            "GET",
            &server.url("/api/v1/health"),
            None,
            &[],
            None,
        )
        .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }

    // A principal of the school (registered by the servers from keys/dev).
    let school = store.school_by_code(CODE).await.unwrap();
    let token = token(
        &store,
        Some(&school),
        Role::Principal,
        time::Duration::days(1),
        now(),
    )
    .await;

    // Import and validate N records through server A.
    let generated = synthetic::school(CODE, "Trường Tiểu học Hoa Ban", SchoolLevel::Primary);
    let records = synthetic::class(&generated, 3, "3A", N, 7);
    let (status, body) = call(
        &client,
        "POST",
        &a.url("/api/v1/records"),
        Some(&token),
        &[],
        Some(&serde_json::to_value(&records).unwrap()),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let ids: Vec<String> = json(&body)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["saved"], true, "{i}");
            i["recordId"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), N);
    for (i, id) in ids.iter().enumerate() {
        // Alternate servers: both must see the same drafts.
        let server = if i % 2 == 0 { &a } else { &b };
        let (status, body) = call(
            &client,
            "POST",
            &server.url(&format!("/api/v1/records/{id}/validate")),
            Some(&token),
            &[],
            None,
        )
        .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }

    // Overlapping batches on both servers at the same time: 100..200 is in both.
    let (first, second) = tokio::join!(
        sign(&client, &a, &token, "server-a", &ids[..200]),
        sign(&client, &b, &token, "server-b", &ids[100..]),
    );
    for batch in [&first, &second] {
        assert_eq!(batch["total"], 200, "{batch}");
        assert_eq!(batch["failed"], 0, "{batch}");
        let items = batch["report"]["items"].as_array().unwrap();
        assert_eq!(items.len(), 200);
        assert!(
            items
                .iter()
                .all(|i| i["outcome"] == "signed" || i["outcome"] == "alreadySigned"),
            "{batch}"
        );
    }
    // Each shared record was signed by exactly one server, and both report the same
    // credential for it.
    let credential_of = |batch: &Value, id: &str| {
        batch["report"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["recordId"] == id)
            .map(|i| (i["outcome"].clone(), i["credentialId"].clone()))
            .unwrap()
    };
    for id in &ids[100..200] {
        let (outcome_a, credential_a) = credential_of(&first, id);
        let (outcome_b, credential_b) = credential_of(&second, id);
        assert!(
            (outcome_a == "signed") ^ (outcome_b == "signed"),
            "{id}: {outcome_a} / {outcome_b}"
        );
        if credential_a.is_string() && credential_b.is_string() {
            assert_eq!(credential_a, credential_b, "{id}");
        }
    }

    // The database: N credentials, one per record, no status index twice, every signed
    // record has its credential.
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM credentials").await,
        N as i64
    );
    assert_eq!(
        count(&store, "SELECT COUNT(DISTINCT record_id) FROM credentials").await,
        N as i64
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM (SELECT DISTINCT status_list, status_index FROM credentials) t"
        )
        .await,
        N as i64,
        "a status index handed out twice"
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM year_records WHERE state = 'signed'"
        )
        .await,
        N as i64
    );
    let credential_ids: Vec<String> = sqlx::query_scalar("SELECT id FROM credentials")
        .fetch_all(store.pool())
        .await
        .unwrap();

    // Every credential, fetched from either server, verifies.
    let trust = hocba_verifier::danger::dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(repo().join("keys/dev/trust-list.json")).unwrap())
        .unwrap();
    for (i, id) in credential_ids.iter().enumerate() {
        let server = if i % 2 == 0 { &a } else { &b };
        let (status, body) = call(
            &client,
            "GET",
            &server.url(&format!("/api/v1/credentials/{id}")),
            Some(&token),
            &[],
            None,
        )
        .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let verdict = hocba_verifier::verify_json(&body, &trust, now()).unwrap();
        assert!(
            verdict.is_valid(),
            "{}",
            serde_json::to_string(&verdict).unwrap()
        );
    }

    drop((a, b));
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres() {
    let Ok(url) = std::env::var("HOCBA_TEST_POSTGRES") else {
        println!("skipped: HOCBA_TEST_POSTGRES not set");
        return;
    };
    let schema = hocba_test_support::db::unique_schema("hocba_two");
    let outcome = tokio::spawn({
        let (url, schema) = (url.clone(), schema.clone());
        async move { two_servers_sign_at_once(&url, Some(&schema)).await }
    })
    .await;
    // Dropped also when the test failed (the servers are gone by then: their guards ran).
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hocba.db", dir.path().display());
    two_servers_sign_at_once(&url, None).await;
}
