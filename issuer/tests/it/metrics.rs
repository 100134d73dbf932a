//! Operations: `GET /metrics` through the router (its series move with the API calls, who may
//! read it, no personal data in it) and the JSON log (`--log-format json`), in process with a
//! test writer and from the `serve` binary.
//!
//! The counters are the process's: other test modules running at the same time add to them,
//! so a counter is checked to have grown by at least what this test did, while the record
//! gauges, counted from this test's own store, are checked exactly.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use common::Ctx;
use common::http::{
    Answer, call, class_5a, get, import, repo, sign_class_5a, token, validate, wall_clock as now,
};
use hocba_issuer::api::metrics::MetricsToken;
use hocba_issuer::api::{self, ApiConfig, AppState, SchoolKeys};
use hocba_issuer::ops::logs::{LogFormat, subscriber};
use hocba_issuer::store::{Role, Store};
use hocba_test_support::files::dev_keys;
use hocba_test_support::http::{get as http_get, request};
use hocba_test_support::server::Server;
use http_body_util::BodyExt;
use serde_json::Value;
use time::Duration;
use tower::ServiceExt;
use tracing_subscriber::EnvFilter;

both_databases!(
    series_move_with_the_api_calls,
    a_metrics_token_is_asked_for_when_configured,
);

const SCHOOL: &str = "25000731"; // primary-grade5.json
const TOKEN: &str = "metrics-0123456789abcdefghijklmnopqrstuv";

/// The router over `store` with the dev keys' schools registered.
async fn app(store: &Store, config: ApiConfig) -> Router {
    let keys = SchoolKeys::load(&repo().join("keys/dev")).unwrap();
    keys.register_schools(store, now()).await.unwrap();
    api::app(AppState::new(store.clone(), keys, config))
}

/// `GET /metrics` from `peer` (none: a router without peer addresses) with `headers`.
async fn scrape_from(app: &Router, peer: Option<&str>, headers: &[(&str, &str)]) -> Answer {
    let mut request = Request::builder().uri("/metrics");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::empty()).unwrap();
    if let Some(peer) = peer {
        let peer: SocketAddr = peer.parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
    }
    let response = app.clone().oneshot(request).await.unwrap();
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.into_body().collect().await.unwrap().to_bytes(),
    }
}

/// A scrape from loopback, asserted 200 in the Prometheus text format: its text.
async fn scrape(app: &Router) -> String {
    let answer = scrape_from(app, Some("127.0.0.1:40000"), &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert!(
        answer
            .content_type()
            .starts_with("text/plain; version=0.0.4"),
        "{}",
        answer.content_type()
    );
    assert_eq!(answer.header(header::CACHE_CONTROL), "no-store");
    answer.text()
}

/// The samples of an exposition: `name{labels}` → value (labels as written).
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_owned(), value.parse().unwrap())
        })
        .collect()
}

/// The value of `series` (0 when absent).
fn value(samples: &BTreeMap<String, f64>, series: &str) -> f64 {
    samples.get(series).copied().unwrap_or(0.0)
}

async fn series_move_with_the_api_calls(ctx: Ctx) {
    let store = ctx.store.clone();
    let app = app(&store, ApiConfig::default()).await;
    let school = store.school_by_code(SCHOOL).await.unwrap();
    let teacher = token(
        &store,
        Some(&school),
        Role::Teacher,
        Duration::days(1),
        now(),
    )
    .await;
    let principal = token(
        &store,
        Some(&school),
        Role::Principal,
        Duration::days(1),
        now(),
    )
    .await;

    let before = samples(&scrape(&app).await);
    assert_eq!(
        value(
            &before,
            &format!("hocba_records{{school=\"{SCHOOL}\",state=\"signed\"}}")
        ),
        0.0
    );

    // Three pupils signed, one more imported as a draft, one record read, one bad token,
    // one path no route knows.
    sign_class_5a(&app, &teacher, &principal, 0..3, "metrics-batch-1").await;
    let ids = import(&app, &teacher, &class_5a(3..4)).await;
    let record = get(&app, &format!("/api/v1/records/{}", ids[0]), Some(&teacher)).await;
    assert_eq!(record.status, StatusCode::OK);
    let bogus = "hb_00000000000000000000000000000000_bm90LWEtcmVhbC10b2tlbg";
    let refused = get(&app, "/api/v1/records", Some(bogus)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let lost = get(&app, "/api/v1/pupils-by-id/017315004803", None).await;
    assert_eq!(lost.status, StatusCode::NOT_FOUND);

    let text = scrape(&app).await;
    let after = samples(&text);
    // Records: exact, from this store.
    for (state, n) in [("draft", 1.0), ("validated", 0.0), ("signed", 3.0)] {
        let series = format!("hocba_records{{school=\"{SCHOOL}\",state=\"{state}\"}}");
        assert_eq!(value(&after, &series), n, "{series}\n{text}");
    }
    assert_eq!(
        value(&after, "hocba_records{school=\"01001205\",state=\"draft\"}"),
        0.0
    );
    assert!(after.contains_key("hocba_records{school=\"01001205\",state=\"draft\"}"));
    // Counters: grown by at least this test's calls.
    let grew = |series: &str, by: f64| {
        let (was, is) = (value(&before, series), value(&after, series));
        assert!(is >= was + by, "{series}: {was} → {is}\n{text}");
    };
    grew(
        &format!("hocba_credentials_signed_total{{school=\"{SCHOOL}\"}}"),
        3.0,
    );
    grew("hocba_batch_duration_seconds_count", 1.0);
    grew("hocba_sign_in_failures_total", 1.0);
    for (route, method, status) in [
        ("/api/v1/batches", "POST", 201),
        ("/api/v1/records", "POST", 200),
        ("/api/v1/records/{id}", "GET", 200),
        ("/api/v1/records/{id}/validate", "POST", 200),
        ("/api/v1/records", "GET", 401),
        ("unmatched", "GET", 404),
        ("/metrics", "GET", 200),
    ] {
        grew(
            &format!(
                "hocba_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}"
            ),
            1.0,
        );
    }
    grew(
        "hocba_http_request_duration_seconds_count{route=\"/api/v1/records/{id}\",method=\"GET\"}",
        1.0,
    );
    assert!(
        text.contains("hocba_http_request_duration_seconds_bucket{le=\"0.005\",route=\"/api/v1/records/{id}\",method=\"GET\"}")
            || text.contains("hocba_http_request_duration_seconds_bucket{route=\"/api/v1/records/{id}\",method=\"GET\",le=\"0.005\"}"),
        "{text}"
    );
    // Nothing personal and no secret: names, personal id numbers, student codes, record ids
    // and raw paths, tokens.
    let student = &class_5a(0..1)[0]["student"];
    for secret in [
        student["fullName"].as_str().unwrap(),
        student["fatherName"].as_str().unwrap(),
        "017315004800",
        "017315004803",
        "1715042400",
        &ids[0],
        bogus,
        &teacher,
        "pupils-by-id",
    ] {
        assert!(!text.contains(secret), "{secret} in the scrape:\n{text}");
    }
}

async fn a_metrics_token_is_asked_for_when_configured(ctx: Ctx) {
    let open = app(&ctx.store, ApiConfig::default()).await;
    // Without a token: loopback only; anyone else, and a router without peers, gets 404.
    for peer in [Some("203.0.113.5:5000"), None] {
        let answer = scrape_from(&open, peer, &[]).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{peer:?}");
        assert!(!answer.text().contains("hocba_"));
    }
    assert!(scrape(&open).await.contains("hocba_records{"));

    let config = ApiConfig {
        metrics_token: MetricsToken::new(TOKEN),
        ..ApiConfig::default()
    };
    let guarded = app(&ctx.store, config).await;
    let right = format!("Bearer {TOKEN}");
    let wrong = format!("Bearer {TOKEN}x");
    for (peer, auth) in [
        (Some("127.0.0.1:5000"), None),
        (Some("203.0.113.5:5000"), Some(wrong.as_str())),
        (None, Some("Basic bWV0cmljczpzZWNyZXQ=")),
    ] {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", *a)).collect();
        let answer = scrape_from(&guarded, peer, &headers).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{peer:?} {auth:?}");
        assert!(!answer.text().contains("hocba_"));
    }
    let answer = scrape_from(
        &guarded,
        Some("203.0.113.5:5000"),
        &[("authorization", &right)],
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer
            .text()
            .contains("# TYPE hocba_sign_in_failures_total counter")
    );
    assert!(!answer.text().contains(TOKEN));
}

/// A `MakeWriter` into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Every line of a JSON log parses, with the expected fields; the request lines name method,
/// path and status. Returns the parsed lines.
fn json_lines(log: &str) -> Vec<Value> {
    let lines: Vec<Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for line in &lines {
        for field in ["timestamp", "level", "target"] {
            assert!(line[field].is_string(), "no {field}: {line}");
        }
        time::OffsetDateTime::parse(
            line["timestamp"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
    }
    lines
}

/// Whether `lines` hold the answer to `method path` with `status`.
fn answered(lines: &[Value], method: &str, path: &str, status: u16) -> bool {
    lines.iter().any(|l| {
        l["span"]["method"] == method && l["span"]["path"] == path && l["status"] == status
    })
}

#[tokio::test]
async fn json_log_lines_hold_requests_and_nothing_personal() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}/hocba.db", dir.path().display()))
        .await
        .unwrap();
    let app = app(&store, ApiConfig::default()).await;
    let school = store.school_by_code(SCHOOL).await.unwrap();
    let teacher = token(
        &store,
        Some(&school),
        Role::Teacher,
        Duration::days(1),
        now(),
    )
    .await;
    let principal = token(
        &store,
        Some(&school),
        Role::Principal,
        Duration::days(1),
        now(),
    )
    .await;
    let bogus = "hb_11111111111111111111111111111111_c2VjcmV0LXRva2Vu";

    let log = Captured::default();
    let guard = tracing::subscriber::set_default(subscriber(
        LogFormat::Json,
        EnvFilter::new("info,sqlx=warn"),
        log.clone(),
        true,
    ));
    // Other tests of this process may be registering the same callsites right now, seeing
    // no subscriber: once those registrations are over, the interest of every callsite is
    // worked out again with this thread's subscriber in the picture.
    std::thread::sleep(std::time::Duration::from_millis(50));
    tracing::callsite::rebuild_interest_cache();
    // This test's runtime has one thread: the handlers log on it, to `log`.
    let ids = import(&app, &teacher, &class_5a(0..2)).await;
    assert_eq!(
        validate(&app, &principal, &ids[0]).await.status,
        StatusCode::OK
    );
    let refused = get(&app, "/api/v1/records?name=Nguyen", Some(bogus)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let health = call(
        &app,
        Method::GET,
        "/api/v1/health?code=HB-7K2M-9QXP",
        None,
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(health.status, StatusCode::OK);
    drop(guard);

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let lines = json_lines(&text);
    assert!(answered(&lines, "POST", "/api/v1/records", 200), "{text}");
    assert!(answered(&lines, "GET", "/api/v1/records", 401), "{text}");
    assert!(answered(&lines, "GET", "/api/v1/health", 200), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l["level"] == "INFO" && l["latency"].is_string()),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "colour codes in JSON:\n{text}");
    let student = &class_5a(0..1)[0]["student"];
    for secret in [
        student["fullName"].as_str().unwrap(),
        student["motherName"].as_str().unwrap(),
        "017315004800",
        "017315004801",
        "1715042400",
        "Nguyen",
        "HB-7K2M-9QXP",
        bogus,
        &teacher,
        &principal,
    ] {
        assert!(!text.contains(secret), "{secret} in the log:\n{text}");
    }
}

#[test]
fn serve_logs_json_and_guards_metrics_with_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        Command::new(env!("CARGO_BIN_EXE_hocba-issuer"))
            .args(["serve", "--listen", "127.0.0.1:0", "--keys"])
            .arg(dev_keys())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/hocba.db", dir.path().display()),
            )
            .env("RUST_LOG", "info")
            .env("HOCBA_LOG_FORMAT", "json")
            .env("HOCBA_METRICS_TOKEN", TOKEN),
    );
    let addr = server.addr().to_owned();
    assert_eq!(http_get(&addr, "/api/v1/health?code=HB-SECRET").status, 200);
    assert_eq!(http_get(&addr, "/metrics").status, 401);
    let bearer = format!("Bearer {TOKEN}");
    let scrape = request(&addr, "GET", "/metrics", &[("authorization", &bearer)], b"");
    assert_eq!(scrape.status, 200, "{}", scrape.status_line);
    assert!(
        scrape
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = scrape.text();
    assert!(
        text.contains(
            "hocba_http_requests_total{route=\"/api/v1/health\",method=\"GET\",status=\"200\"} 1\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "hocba_http_requests_total{route=\"/metrics\",method=\"GET\",status=\"401\"} 1\n"
        ),
        "{text}"
    );
    let (_, log) = server.terminate();
    // The log's JSON lines (the binary also prints its address and a warning about the
    // development keys as plain lines, outside the log).
    let json: String = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| format!("{l}\n"))
        .collect();
    let lines = json_lines(&json);
    assert!(answered(&lines, "GET", "/api/v1/health", 200), "{log}");
    assert!(answered(&lines, "GET", "/metrics", 401), "{log}");
    for secret in ["HB-SECRET", TOKEN, "code="] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}
