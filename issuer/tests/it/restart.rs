//! `kill -9` in the middle of a signing batch of the real `hocba-issuer serve`, and an
//! immediate restart on the same database (SQLite, and PostgreSQL when
//! `HOCBA_TEST_POSTGRES` is set):
//!
//! * at the kill, every credential stored so far already has its `sign` audit row;
//! * the restarted server takes the batch over by itself, at once (its dead worker's
//!   liveness lock is free), not after the lease runs out, and finishes it;
//! * in the end every record has exactly one credential, no status index is used twice,
//!   and every credential has exactly one `sign` audit row, naming the batch.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::http::{repo, token, wall_clock};
use hocba_issuer::store::{ImportRow, LEASE, NewPupil, Role, Store};
use hocba_issuer::synthetic;
use hocba_schema::record::{SchoolLevel, parse_date};
use hocba_test_support::server::Server;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection};

const BIN: &str = env!("CARGO_BIN_EXE_hocba-issuer");
const CODE: &str = "25000731";
const N: usize = 3000;

/// A running `serve` process on `url` (and `schema`), killed when dropped (also when the test
/// panics, which prints its log).
fn serve(url: &str, schema: Option<&str>) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .arg("--keys")
        .arg(repo().join("keys/dev"))
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "info,sqlx=warn,tower_http=warn");
    if let Some(schema) = schema {
        cmd.arg("--database-schema").arg(schema);
    }
    Server::start(&mut cmd)
}

type Http = Client<HttpConnector, Full<axum::body::Bytes>>;

async fn call(
    client: &Http,
    method: &str,
    url: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(url)
        .header("authorization", format!("Bearer {token}"));
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
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Credentials, and credentials without exactly one `sign` audit row.
async fn credentials_and_unaudited(store: &Store) -> (i64, i64) {
    let credentials = count(store, "SELECT COUNT(*) FROM credentials").await;
    let unaudited = count(
        store,
        "SELECT COUNT(*) FROM credentials c WHERE (SELECT COUNT(*) FROM audit_log a \
         WHERE a.action = 'sign' AND a.subject = c.id) <> 1",
    )
    .await;
    (credentials, unaudited)
}

/// The batch's worker id and state, read from the database.
async fn batch_row(store: &Store, id: &str) -> (Option<String>, String) {
    let row: (Option<String>, String) =
        sqlx::query_as("SELECT worker_id, state FROM batches WHERE id = $1")
            .bind(id)
            .fetch_one(store.pool())
            .await
            .unwrap();
    row
}

async fn kill_and_restart(url: &str, schema: Option<&str>) {
    // Migrate once here, so the server and this test do not race to create the tables.
    let store = match schema {
        Some(schema) => Store::connect_with_schema(url, schema).await.unwrap(),
        None => Store::connect(url).await.unwrap(),
    };
    let first = serve(url, schema);
    let school = store.school_by_code(CODE).await.unwrap();
    let principal = token(
        &store,
        Some(&school),
        Role::Principal,
        time::Duration::days(1),
        wall_clock(),
    )
    .await;
    // A class of N validated records, imported straight into the database.
    let generated = synthetic::school(CODE, "Trường Tiểu học Hoa Ban", SchoolLevel::Primary);
    let rows: Vec<ImportRow> = synthetic::class(&generated, 3, "3A", N, 21)
        .iter()
        .map(|r| ImportRow {
            pupil: NewPupil {
                pupil_key: r.student.personal_id_number.clone().unwrap(),
                full_name: r.student.full_name.clone(),
                date_of_birth: parse_date(&r.student.date_of_birth).unwrap(),
            },
            school_year: r.school_year.clone(),
            grade: i64::from(r.grade),
            class_name: r.class_name.clone(),
            record_json: serde_json::to_string(r).unwrap(),
            validated: true,
        })
        .collect();
    let year = rows[0].school_year.clone();
    for result in store
        .import_records(&school.id, &rows, None, wall_clock())
        .await
        .unwrap()
    {
        result.unwrap();
    }

    let client: Http = Client::builder(TokioExecutor::new()).build_http();
    let (status, batch) = call(
        &client,
        "POST",
        &first.url("/api/v1/batches"),
        &principal,
        &[("idempotency-key", "class-3a")],
        Some(&json!({ "schoolYear": year, "className": "3A" })),
    )
    .await;
    assert_eq!(status, 202, "{batch}");
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    let (first_worker, _) = batch_row(&store, &batch_id).await;
    let first_worker = first_worker.expect("the batch is claimed by the server that took it");

    // Kill -9 once some chunks are stored.
    let start = Instant::now();
    loop {
        let issued = count(&store, "SELECT COUNT(*) FROM credentials").await;
        if issued > 0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "nothing signed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let first_log = first.kill();
    let (at_kill, unaudited) = credentials_and_unaudited(&store).await;
    assert!(
        at_kill > 0 && at_kill < N as i64,
        "killed after {at_kill} of {N}\n{first_log}"
    );
    assert_eq!(
        unaudited, 0,
        "credentials without their sign row at the kill"
    );
    let (_, state) = batch_row(&store, &batch_id).await;
    assert_eq!(state, "running");

    // Restart at once: the batch is taken over well before its lease would run out.
    let restarted = Instant::now();
    let second = serve(url, schema);
    let taken_after = loop {
        let (worker, _) = batch_row(&store, &batch_id).await;
        if worker.as_deref() != Some(first_worker.as_str()) {
            break restarted.elapsed();
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(120),
            "the batch was never taken over"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let lease = Duration::from_secs(LEASE.whole_seconds().unsigned_abs());
    assert!(
        taken_after < lease / 2,
        "taken over after {taken_after:?}, not at once (lease {lease:?})"
    );
    // …and finished without anyone asking.
    let location = second.url(&format!("/api/v1/batches/{batch_id}"));
    let done = loop {
        let (status, batch) = call(&client, "GET", &location, &principal, &[], None).await;
        assert_eq!(status, 200, "{batch}");
        if batch["state"] == "done" {
            break batch;
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(300),
            "not done: {batch}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "killed after {at_kill} of {N} credentials; taken over {taken_after:?} after the \
         restart; done {:?} after it",
        restarted.elapsed()
    );
    assert_eq!(done["succeeded"], N, "{}", done["failed"]);
    assert_eq!(done["failed"], 0);
    let items = done["report"]["items"].as_array().unwrap();
    assert_eq!(items.len(), N);
    let before = items
        .iter()
        .filter(|i| i["outcome"] == "alreadySigned")
        .count();
    assert_eq!(before as i64, at_kill, "the records signed before the kill");

    // One credential per record, no status index twice, one sign row each, naming the batch.
    let (credentials, unaudited) = credentials_and_unaudited(&store).await;
    assert_eq!((credentials, unaudited), (N as i64, 0));
    assert_eq!(
        count(&store, "SELECT COUNT(DISTINCT record_id) FROM credentials").await,
        N as i64,
        "a record issued twice"
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
            "SELECT COUNT(*) FROM audit_log WHERE action = 'sign'"
        )
        .await,
        N as i64
    );
    let naming: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'sign' AND details_json LIKE $1",
    )
    .bind(format!("%\"batch\":\"{batch_id}\"%"))
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(naming, N as i64);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM year_records WHERE state = 'signed'"
        )
        .await,
        N as i64
    );
    drop(second);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_batch_and_restart_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hocba.db", dir.path().display());
    kill_and_restart(&url, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_batch_and_restart_postgres() {
    let Ok(url) = std::env::var(common::POSTGRES_ENV) else {
        println!("skipped: {} not set", common::POSTGRES_ENV);
        return;
    };
    let schema = hocba_test_support::db::unique_schema("hocba_restart");
    let outcome = tokio::spawn({
        let (url, schema) = (url.clone(), schema.clone());
        async move { kill_and_restart(&url, Some(&schema)).await }
    })
    .await;
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
