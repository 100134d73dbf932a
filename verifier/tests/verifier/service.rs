//! `hocba-verify serve` as a real HTTP server on a loopback port, in-process: the bulk API
//! (JSON and multipart), QR summaries checked against their school's status list(s), the W3C
//! VC-API endpoint, the pages, the OpenAPI document, the limits (over-limit body streamed, too
//! many items, garbage input, slow clients: never a 5xx), and online trust
//! material from a fake issuer (ETag → 304, disk cache through an outage, stale list →
//! status unknown, no fetching outside the issuer).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hocba_schema::credential::{StatusEntry, UnsignedCredential};
use hocba_schema::status_list::{Bitstring, MIN_ENTRIES, StatusListCredential};
use hocba_verifier::TrustBundle;
use hocba_verifier::online::{Clock, Material, OnlineConfig, OnlineTrust};
use hocba_verifier::service::{AppState, Judging, Limits, TrustSource, router, serve};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::*;

const LIST_URL: &str = "https://hocba.example/status/79000701/1";

/// A status list at `url` with `revoked` set, valid 2026-05-31 .. 2026-06-14, by school A.
fn status_list(url: &str, revoked: &[usize]) -> Value {
    crate::status::status_list_with(
        url,
        school_a(),
        revoked,
        datetime!(2026-05-31 00:00 UTC),
        datetime!(2026-06-14 00:00 UTC),
        &school_a_key(),
        SCHOOL_A,
    )
}

fn grade11() -> Value {
    let path = format!(
        "{}/../schema/examples/secondary-grade11.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// School A's grade 11 record with status entry (`url`, `index`), signed by `key`.
fn credential(id: &str, url: &str, index: u64, key: &ed25519_dalek::SigningKey) -> Value {
    let status = StatusEntry::revocation(url, index);
    let doc = UnsignedCredential::new(id, &school_a(), SIGNED_AT, grade11(), Some(&status))
        .unwrap()
        .into_document();
    sign(doc, key, &vm(SCHOOL_A, key), &time_text(SIGNED_AT))
}

fn valid() -> Value {
    credential(
        "urn:uuid:33333333-3333-4333-8333-333333333333",
        LIST_URL,
        7,
        &school_a_key(),
    )
}

fn revoked() -> Value {
    credential(
        "urn:uuid:44444444-4444-4444-8444-444444444444",
        LIST_URL,
        4242,
        &school_a_key(),
    )
}

fn tampered() -> Value {
    let mut v = valid();
    v["credentialSubject"]["secondary"]["subjects"][1]["yearAverage"] = json!(10);
    v
}

fn unknown_key() -> Value {
    credential(
        "urn:uuid:55555555-5555-4555-8555-555555555555",
        LIST_URL,
        8,
        &unregistered_key(),
    )
}

fn fixed(t: OffsetDateTime) -> Clock {
    Arc::new(move || t)
}

/// The offline material, through a real bundle file's bytes.
fn bundle_material() -> Arc<Material> {
    let bundle = json!({
        "type": "HocBaTrustBundle",
        "createdAt": "2026-05-31T12:00:00Z",
        "trustList": signed_trust_list(),
        "statusLists": [status_list(LIST_URL, &[4242])],
    });
    let opened = TrustBundle::open(&bytes(&bundle), &authority()).unwrap();
    let as_of = opened.created_at();
    let status_lists = opened.status_lists();
    Arc::new(Material {
        trust: Arc::new(opened.into_trust_list()),
        status_lists,
        as_of,
    })
}

/// Start the service on an ephemeral loopback port.
async fn start(source: TrustSource, clock: Clock) -> SocketAddr {
    start_with(source, clock, Limits::default()).await
}

async fn start_with(source: TrustSource, clock: Clock, limits: Limits) -> SocketAddr {
    let state = AppState::new(source, clock, &Judging::default(), limits.clone());
    serve_on_loopback(state, limits).await
}

/// Serve `state` with `limits` on an ephemeral loopback port, as `hocba-verify serve` does
/// (one server start for every test module that needs a real server: here and `admissions`).
pub(crate) async fn serve_on_loopback(state: AppState, limits: Limits) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { serve(listener, router(state), &limits).await });
    addr
}

async fn offline() -> SocketAddr {
    start(TrustSource::Offline(bundle_material()), fixed(NOW)).await
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn request(
    method: &str,
    addr: SocketAddr,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Answer {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let response = client
        .request(req.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body,
    }
}

async fn get(addr: SocketAddr, path: &str) -> Answer {
    request("GET", addr, path, None, Vec::new()).await
}

async fn post_json(addr: SocketAddr, path: &str, body: &Value) -> Answer {
    request("POST", addr, path, Some("application/json"), bytes(body)).await
}

/// A multipart body with `(field, file name, bytes)` parts (file name empty: a text field).
fn multipart(parts: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "hocbaTESTboundary7d1e";
    let mut body = Vec::new();
    for (field, file, data) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if file.is_empty() {
            body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{field}\"\r\n\r\n").as_bytes(),
            );
        } else {
            body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn assert_problem(a: &Answer, status: u16, rule: &str) -> Value {
    assert_eq!(a.status.as_u16(), status, "{}", a.text());
    assert_eq!(a.content_type(), "application/problem+json");
    let p = a.json();
    assert_eq!(p["status"], status);
    assert_eq!(p["rule"], rule, "{p}");
    assert!(p["type"].as_str().unwrap().ends_with(rule));
    assert!(!p["detail"].as_str().unwrap().is_empty());
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_json_answers_each_item_with_its_verdict_and_the_record() {
    let addr = offline().await;
    let body = json!({"items": [
        {"credential": valid()},
        {"credential": tampered()},
        {"credential": revoked()},
        {"credential": unknown_key()},
        {"qr": "HTTPS://VERIFY.EXAMPLE/V/12345nonsense"},
        {"qr": "HTTPS://VERIFY.EXAMPLE/V/123456789012345678901234567890"},
        {"neither": 1},
        {"credential": "not an object"},
    ]});
    let a = post_json(addr, "/api/v1/verify", &body).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let r = a.json();
    assert_eq!(r["count"], 8);
    let items = r["items"].as_array().unwrap();
    let verdicts: Vec<&str> = items
        .iter()
        .map(|i| i["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        [
            "valid", "invalid", "revoked", "invalid", "error", "error", "error", "error"
        ]
    );
    let reason = |i: usize| items[i]["reason"]["code"].as_str().unwrap();
    assert_eq!(reason(1), "signature_mismatch");
    assert_eq!(reason(2), "revoked");
    assert_eq!(reason(3), "unknown_key");
    assert_eq!(reason(4), "qr_unreadable");
    assert_eq!(reason(6), "item_malformed");
    assert_eq!(reason(7), "not_an_object");
    assert!(items[1]["reason"]["message"]["vi"].as_str().unwrap().len() > 5);
    // The valid one: school, dates and the normalised record.
    let v = &items[0];
    assert_eq!(v["school"]["code"], "79000701");
    assert_eq!(v["school"]["trusted"], true);
    assert_eq!(
        v["credentialId"],
        "urn:uuid:33333333-3333-4333-8333-333333333333"
    );
    assert_eq!(v["dates"]["validFrom"], "2026-05-25T08:00:00Z");
    // Every item with a record names the pupil and class, valid or not, and says when the
    // revocation status is known as of.
    for (i, verified) in [(0, true), (1, false), (2, false), (3, false)] {
        let pupil = &items[i]["pupil"];
        assert!(
            pupil["fullName"].as_str().is_some_and(|n| !n.is_empty()),
            "item {i}: {pupil}"
        );
        assert!(pupil["className"].as_str().is_some(), "item {i}: {pupil}");
        assert_eq!(pupil["verified"], verified, "item {i}");
    }
    assert!(items[4].get("pupil").is_none());
    assert!(
        v["statusAsOf"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{v}"
    );
    assert_eq!(items[2]["statusAsOf"], v["statusAsOf"]);
    let record = &v["record"];
    assert_eq!(record["grade"], 11);
    assert_eq!(record["level"], "secondary");
    assert_eq!(record["learningResult"]["year"], "T");
    assert_eq!(record["conductResult"]["year"], "T");
    let toan = record["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "toan")
        .unwrap();
    assert_eq!(toan["yearAverage"], 9.4);
    assert_eq!(v["checks"].as_array().unwrap().len(), 7);
    // Not valid: no record is handed out.
    for (i, item) in items.iter().enumerate().skip(1) {
        assert!(item.get("record").is_none(), "item {i}");
    }
    assert_eq!(r["counts"]["valid"], 1);
    assert_eq!(r["counts"]["error"], 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_files_and_qr_text() {
    let addr = offline().await;
    let good = bytes(&valid());
    let (ct, body) = multipart(&[
        ("file", "record.json", &good),
        ("file", "scan.pdf", b"this is not a PDF at all"),
        ("file", "photo.png", b"\x89PNG\r\n\x1a\nbroken"),
        ("qr", "", b"garbage QR text"),
        ("file", "bad.json", b"{\"unterminated\": "),
    ]);
    let a = request("POST", addr, "/api/v1/verify", Some(&ct), body).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let r = a.json();
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["verdict"], "valid");
    assert_eq!(items[0]["name"], "record.json");
    assert_eq!(items[1]["reason"]["code"], "not_a_pdf");
    assert_eq!(items[1]["name"], "scan.pdf");
    assert_eq!(items[2]["reason"]["code"], "qr_unreadable");
    assert_eq!(items[3]["reason"]["code"], "qr_unreadable");
    assert_eq!(items[4]["reason"]["code"], "not_json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_problems_never_5xx() {
    let addr = offline().await;
    let a = request(
        "POST",
        addr,
        "/api/v1/verify",
        Some("application/json"),
        b"{\"items\": [".to_vec(),
    )
    .await;
    assert_problem(&a, 400, "malformed-json");
    let a = request(
        "POST",
        addr,
        "/api/v1/verify",
        Some("text/plain"),
        b"x".to_vec(),
    )
    .await;
    assert_problem(&a, 415, "unsupported-media-type");
    let a = post_json(addr, "/api/v1/verify", &json!({"items": []})).await;
    assert_problem(&a, 422, "no-items");
    let a = get(addr, "/no/such/path").await;
    assert_problem(&a, 404, "not-found");
    // JSON nested deeper than the parser allows.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let a = request(
        "POST",
        addr,
        "/api/v1/verify",
        Some("application/json"),
        format!("{{\"items\": [{{\"credential\": {deep}}}]}}").into_bytes(),
    )
    .await;
    // The envelope is read; the credential in it is too deep: a per-item error.
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["items"][0]["reason"]["code"], "not_json");
    let deep_envelope = format!("{{\"items\": {deep}}}");
    let a = request(
        "POST",
        addr,
        "/api/v1/verify",
        Some("application/json"),
        deep_envelope.into_bytes(),
    )
    .await;
    // Never a 5xx: the item is refused on its own (it cannot be a credential).
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert_eq!(a.json()["items"][0]["verdict"], "error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_items_is_413_naming_the_limit() {
    let addr = offline().await;
    for n in [1_001, 10_000] {
        let items: Vec<Value> = (0..n).map(|_| json!({"qr": "1"})).collect();
        let a = post_json(addr, "/api/v1/verify", &json!({ "items": items })).await;
        let p = assert_problem(&a, 413, "too-many-items");
        assert_eq!(p["limit"], 1_000);
        assert_eq!(p["value"], n);
        assert_eq!(p["field"], "items");
    }
    // 1,000 is fine (each garbage QR answered on its own).
    let items: Vec<Value> = (0..1_000).map(|_| json!({"qr": "1"})).collect();
    let a = post_json(addr, "/api/v1/verify", &json!({ "items": items })).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["counts"]["error"], 1_000);
}

/// Send raw HTTP and read the answer's status line and body.
async fn raw_exchange(addr: SocketAddr, head: &str, chunks: usize) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'a'; 1 << 20];
    let header = format!("{:x}\r\n", chunk.len());
    for _ in 0..chunks {
        // The server may answer and close early: stop sending then.
        if stream.write_all(header.as_bytes()).await.is_err()
            || stream.write_all(&chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        stream.read_to_end(&mut answer),
    )
    .await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_100_mib_are_413_declared_or_streamed() {
    let addr = offline().await;
    // Declared: refused before reading.
    let head = format!(
        "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        (100 << 20) + 1
    );
    let (status, text) = raw_exchange(addr, &head, 0).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
    assert!(text.contains("body-too-large"));
    // Streamed (chunked, no length): 101 chunks of 1 MiB, one reused buffer.
    for path in ["/api/v1/verify", "/credentials/verify"] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        let (status, text) = raw_exchange(addr, &head, 101).await;
        assert_eq!(status, 413, "{path}: {text}");
        // JSON bodies have their own, lower limit (Limits::max_json_body_bytes, 16 MiB).
        assert!(text.contains("\"limit\":16777216"), "{text}");
    }
    // Multipart, streamed.
    let head = "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\n\
                Content-Type: multipart/form-data; boundary=XyZ\r\n\
                Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
                4a\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\r\n\r\n"
        .to_owned();
    let (status, text) = raw_exchange(addr, &head, 101).await;
    assert_eq!(status, 413, "multipart over the limit: {text}");
    assert!(text.contains("body-too-large"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vc_api_verify_follows_the_spec_shape() {
    let addr = offline().await;
    let a = post_json(
        addr,
        "/credentials/verify",
        &json!({"verifiableCredential": valid(), "options": {}}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let r = a.json();
    assert_eq!(r["verified"], true);
    assert!(r["checks"].as_array().unwrap().contains(&json!("proof")));
    assert_eq!(r["errors"], json!([]));
    assert!(r["warnings"].is_array());

    let a = post_json(
        addr,
        "/credentials/verify",
        &json!({"verifiableCredential": tampered()}),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let r = a.json();
    assert_eq!(r["verified"], false);
    assert!(
        r["errors"][0]["type"]
            .as_str()
            .unwrap()
            .ends_with("signature_mismatch"),
        "{r}"
    );
    let a = post_json(
        addr,
        "/credentials/verify",
        &json!({"verifiableCredential": revoked()}),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.json()["errors"].to_string().contains("revoked"));
    let a = post_json(addr, "/credentials/verify", &json!({"options": {}})).await;
    assert_problem(&a, 400, "missing-field");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_docs_pages_and_health() {
    let addr = offline().await;
    let a = get(addr, "/api/v1/openapi.json").await;
    assert_eq!(a.status, StatusCode::OK);
    let doc = a.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/verify",
        "/credentials/verify",
        "/V/{digits}",
        "/upload",
        "/health",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    let a = get(addr, "/api/v1/docs/").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text().contains("swagger"), "{}", a.text());
    let a = get(addr, "/api/v1/docs/swagger-ui.css").await;
    assert_eq!(a.status, StatusCode::OK, "docs assets are served locally");

    let a = get(addr, "/health").await;
    assert_eq!(a.json()["trustList"]["version"], 3);

    for path in ["/", "/upload", "/upload?lang=en"] {
        let a = get(addr, path).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        assert!(a.content_type().starts_with("text/html"));
        let csp = a.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{csp}");
    }
    // A damaged QR on the landing page: a 400 page, not a crash.
    let a = get(addr, "/V/1234567").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.content_type().starts_with("text/html"));
    let a = get(addr, "/v/99999999999999999999?lang=en").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // Upload of a credential file → its page; a non-PDF → the form with an error.
    let good = bytes(&valid());
    let (ct, body) = multipart(&[("file", "record.json", &good)]);
    let a = request("POST", addr, "/upload", Some(&ct), body).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text().contains("data-verdict=\"valid\""), "{}", a.text());
    let (ct, body) = multipart(&[("file", "x.pdf", b"nope")]);
    let a = request("POST", addr, "/upload?lang=en", Some(&ct), body).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.text().contains("upload-error"));
}

// ---------------------------------------------------------------------------------------
// Online: a fake issuer.

#[derive(Default)]
struct IssuerLog {
    requests: AtomicUsize,
    conditional: AtomicUsize,
    not_modified: AtomicUsize,
}

/// A fake issuer serving the test trust list, one status list (4242 revoked) at
/// `/status/79000701/1` and the school's index of lists naming it at
/// `/status/79000701/index.json`, with ETag and `Cache-Control: max-age=60`.
async fn fake_issuer(log: Arc<IssuerLog>) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    use axum::extract::State;
    use axum::http::header;
    use axum::response::IntoResponse;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let trust = bytes(&signed_trust_list());
    let list = bytes(&status_list(&format!("{base}/status/79000701/1"), &[4242]));
    let index = bytes(&json!({
        "school": "urn:hocba:school:79000701",
        "statusLists": [format!("{base}/status/79000701/1")],
    }));
    let serve_doc = move |bytes: Vec<u8>, tag: &'static str| {
        move |State(log): State<Arc<IssuerLog>>, headers: HeaderMap| {
            let bytes = bytes.clone();
            async move {
                log.requests.fetch_add(1, Ordering::SeqCst);
                let etag = format!("\"{tag}\"");
                if let Some(v) = headers.get(header::IF_NONE_MATCH) {
                    log.conditional.fetch_add(1, Ordering::SeqCst);
                    if v.to_str().unwrap() == etag {
                        log.not_modified.fetch_add(1, Ordering::SeqCst);
                        return (
                            StatusCode::NOT_MODIFIED,
                            [
                                (header::ETAG, etag),
                                (header::CACHE_CONTROL, "public, max-age=60".into()),
                            ],
                        )
                            .into_response();
                    }
                }
                (
                    StatusCode::OK,
                    [
                        (header::ETAG, etag),
                        (header::CACHE_CONTROL, "public, max-age=60".into()),
                    ],
                    bytes,
                )
                    .into_response()
            }
        }
    };
    let app = axum::Router::new()
        .route(
            "/.well-known/hocba/trust-list.json",
            axum::routing::get(serve_doc(trust, "trust-v3")),
        )
        .route(
            "/status/79000701/1",
            axum::routing::get(serve_doc(list, "list-1")),
        )
        .route(
            "/status/79000701/index.json",
            axum::routing::get(serve_doc(index, "index-1")),
        )
        .with_state(log);
    let handle = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (addr, handle)
}

/// A clock that tests move forward.
fn movable(start: OffsetDateTime) -> (Clock, Arc<AtomicI64>) {
    let offset = Arc::new(AtomicI64::new(0));
    let o = Arc::clone(&offset);
    let clock: Clock = Arc::new(move || start + time::Duration::seconds(o.load(Ordering::SeqCst)));
    (clock, offset)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_fetches_with_etag_caches_on_disk_and_fails_closed() {
    let log = Arc::new(IssuerLog::default());
    let (issuer, issuer_task) = fake_issuer(Arc::clone(&log)).await;
    let base = format!("http://{issuer}");
    let list_url = format!("{base}/status/79000701/1");
    let cache = tempfile::tempdir().unwrap();
    let (clock, offset) = movable(NOW);
    let config = OnlineConfig {
        cache_dir: cache.path().to_owned(),
        ..OnlineConfig::new(base.as_str())
    };
    let online =
        Arc::new(OnlineTrust::new(config.clone(), authority(), Arc::clone(&clock)).unwrap());
    online.refresh().await.unwrap();
    assert_eq!(log.requests.load(Ordering::SeqCst), 1, "the trust list");
    let addr = start(TrustSource::Online(Arc::clone(&online)), Arc::clone(&clock)).await;

    let ok = credential(
        "urn:uuid:66666666-6666-4666-8666-666666666666",
        &list_url,
        7,
        &school_a_key(),
    );
    let gone = credential(
        "urn:uuid:77777777-7777-4777-8777-777777777777",
        &list_url,
        4242,
        &school_a_key(),
    );
    // A credential naming a list on another host: never fetched, status unknown.
    let elsewhere = credential(
        "urn:uuid:88888888-8888-4888-8888-888888888888",
        "http://169.254.169.254/status/79000701/1",
        7,
        &school_a_key(),
    );
    let sneaky = credential(
        "urn:uuid:99999999-9999-4999-8999-999999999999",
        &format!("{base}/status/../admin"),
        7,
        &school_a_key(),
    );
    let body = json!({"items": [
        {"credential": ok}, {"credential": gone}, {"credential": elsewhere}, {"credential": sneaky}
    ]});
    let a = post_json(addr, "/api/v1/verify", &body).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let verdicts: Vec<String> = a.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["verdict"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        verdicts,
        ["valid", "revoked", "status_unknown", "status_unknown"]
    );
    assert_eq!(
        log.requests.load(Ordering::SeqCst),
        2,
        "trust list + one status list"
    );

    // Within max-age: no request at all.
    online.refresh().await.unwrap();
    assert_eq!(log.requests.load(Ordering::SeqCst), 2);
    // Past max-age: conditional requests, answered 304.
    offset.store(120, Ordering::SeqCst);
    online.refresh().await.unwrap();
    assert_eq!(log.requests.load(Ordering::SeqCst), 4);
    assert_eq!(log.conditional.load(Ordering::SeqCst), 2);
    assert_eq!(log.not_modified.load(Ordering::SeqCst), 2);

    // The issuer goes away; a restarted verifier answers from the disk cache.
    issuer_task.abort();
    let _ = issuer_task.await;
    offset.store(600, Ordering::SeqCst);
    let restarted = Arc::new(OnlineTrust::new(config, authority(), Arc::clone(&clock)).unwrap());
    assert!(restarted.refresh().await.is_err(), "the issuer is down");
    let addr2 = start(
        TrustSource::Online(Arc::clone(&restarted)),
        Arc::clone(&clock),
    )
    .await;
    let body = json!({"items": [{"credential": credential(
        "urn:uuid:66666666-6666-4666-8666-666666666666", &list_url, 7, &school_a_key())},
        {"credential": credential(
        "urn:uuid:77777777-7777-4777-8777-777777777777", &list_url, 4242, &school_a_key())}]});
    let a = post_json(addr2, "/api/v1/verify", &body).await;
    let items = a.json()["items"].clone();
    assert_eq!(items[0]["verdict"], "valid", "{items}");
    assert_eq!(items[1]["verdict"], "revoked");

    // Past the list's signed validUntil: status unknown, never "not revoked".
    offset.store(15 * 86_400, Ordering::SeqCst);
    let a = post_json(addr2, "/api/v1/verify", &body).await;
    let items = a.json()["items"].clone();
    assert_eq!(items[0]["verdict"], "status_unknown", "{items}");
    assert_eq!(items[0]["reason"]["code"], "status_list_stale");
    assert_eq!(
        log.requests.load(Ordering::SeqCst),
        4,
        "nothing reached the stopped issuer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_refuses_a_forged_trust_list_and_serves_503_without_material() {
    // An "issuer" whose trust list is signed by another key.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let forged = bytes(&signed_trust_list_with(
        &trust_list(),
        &unregistered_key(),
        &vm(AUTHORITY_ID, &unregistered_key()),
    ));
    let app = axum::Router::new().route(
        "/.well-known/hocba/trust-list.json",
        axum::routing::get(move || {
            let f = forged.clone();
            async move { f }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let cache = tempfile::tempdir().unwrap();
    let config = OnlineConfig {
        cache_dir: cache.path().to_owned(),
        ..OnlineConfig::new(format!("http://{addr}"))
    };
    let online = Arc::new(OnlineTrust::new(config, authority(), fixed(NOW)).unwrap());
    assert!(online.refresh().await.is_err());
    assert!(online.material().is_none());
    assert_eq!(
        std::fs::read_dir(cache.path())
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "nothing cached"
    );
    let service = start(TrustSource::Online(online), fixed(NOW)).await;
    let a = post_json(
        service,
        "/api/v1/verify",
        &json!({"items": [{"credential": valid()}]}),
    )
    .await;
    assert_problem(&a, 503, "trust-material-unavailable");
}

/// The QR text of `credential`, signed by school A's key.
fn qr_of(credential: &Value) -> String {
    use ed25519_dalek::Signer;
    use hocba_schema::qr::{Summary, qr_text};
    let key = school_a_key();
    let summary = Summary::from_credential(credential, &key.verifying_key()).unwrap();
    let signature = key.sign(&summary.signing_input().unwrap()).to_bytes();
    let signed = summary.with_signature(signature).unwrap();
    qr_text("https://verify.example", &signed).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_summaries_are_checked_for_revocation_with_the_schools_list() {
    let addr = offline().await;
    let (ok, gone) = (qr_of(&valid()), qr_of(&revoked()));
    let a = post_json(
        addr,
        "/api/v1/verify",
        &json!({"items": [{"qr": ok}, {"qr": gone}]}),
    )
    .await;
    let items = a.json()["items"].clone();
    assert_eq!(items[0]["kind"], "qr_summary");
    assert_eq!(items[0]["verdict"], "valid", "{items}");
    assert_eq!(items[0]["summary"]["grade"], 11);
    assert_eq!(items[1]["verdict"], "revoked", "{items}");
    // The landing page the QR opens.
    let path = &gone[gone.find("/V/").unwrap()..];
    let a = get(addr, path).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text().contains("data-verdict=\"revoked\""));
    let path = &ok[ok.find("/V/").unwrap()..].replace("/V/", "/v/");
    let a = get(addr, &format!("{path}?lang=en")).await;
    assert!(a.text().contains("data-verdict=\"valid\""));
    // Without the school's status list (another school's list only), the QR alone cannot
    // say: not checked, as `schema/docs/qr.md` describes.
    let material = bundle_material();
    let mut other = hocba_verifier::StatusLists::new();
    let b_list = "https://hocba.example/status/01000502/1";
    let mut bits = Bitstring::new(MIN_ENTRIES);
    bits.set(4242, true);
    let list = StatusListCredential::revocation(
        b_list,
        hocba_schema::credential::IssuerRef {
            id: SCHOOL_B.into(),
            name: "B".into(),
        },
        datetime!(2026-05-31 00:00 UTC),
        datetime!(2026-06-14 00:00 UTC),
        &bits,
    );
    let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
        .unwrap()
        .into_document();
    other.insert(
        b_list,
        bytes(&sign(
            doc,
            &school_b_key(),
            &vm(SCHOOL_B, &school_b_key()),
            "2026-05-31T00:00:00Z",
        )),
    );
    let no_list = Arc::new(Material {
        status_lists: Arc::new(other),
        ..(*material).clone()
    });
    let addr = start(TrustSource::Offline(no_list), fixed(NOW)).await;
    let a = post_json(addr, "/api/v1/verify", &json!({"items": [{"qr": gone}]})).await;
    let item = a.json()["items"][0].clone();
    assert_eq!(item["verdict"], "valid", "{item}");
    let status = item["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "status")
        .unwrap()
        .clone();
    assert_eq!(status["outcome"], "not_checked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_refresher_revalidates_when_max_age_runs_out() {
    let log = Arc::new(IssuerLog::default());
    let (issuer, _task) = fake_issuer(Arc::clone(&log)).await;
    let cache = tempfile::tempdir().unwrap();
    let (clock, offset) = movable(NOW);
    let config = OnlineConfig {
        cache_dir: cache.path().to_owned(),
        ..OnlineConfig::new(format!("http://{issuer}"))
    };
    let online = Arc::new(OnlineTrust::new(config, authority(), clock).unwrap());
    online.refresh().await.unwrap();
    assert_eq!(log.requests.load(Ordering::SeqCst), 1);
    // max-age (60 s) has run out: the refresher revalidates by itself (after at most
    // MIN_REFRESH, 5 s), with If-None-Match.
    offset.store(120, Ordering::SeqCst);
    let refresher = online.spawn_refresher();
    let mut waited = 0;
    while log.not_modified.load(Ordering::SeqCst) == 0 {
        assert!(waited < 150, "no revalidation within 15 s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    refresher.abort();
    assert_eq!(log.conditional.load(Ordering::SeqCst), 1);
    assert!(online.material().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_get_a_bounded_wait() {
    let limits = Limits {
        header_timeout: std::time::Duration::from_millis(500),
        request_timeout: std::time::Duration::from_secs(1),
        ..Limits::default()
    };
    let addr = start_with(TrustSource::Offline(bundle_material()), fixed(NOW), limits).await;
    let read_all = |mut stream: tokio::net::TcpStream| async move {
        let mut answer = Vec::new();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_end(&mut answer),
        )
        .await;
        assert!(
            read.is_ok(),
            "the server did not give up on the slow client"
        );
        String::from_utf8_lossy(&answer).into_owned()
    };
    // Headers that never end: the connection is closed after the header timeout.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let answer = read_all(stream).await;
    assert!(!answer.contains(" 200 "), "{answer}");
    // A body that never comes: 408 problem JSON after the request timeout.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 1000\r\n\r\n{\"items\": [",
        )
        .await
        .unwrap();
    let answer = read_all(stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request-timeout"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qr_index_set_in_one_of_several_lists_of_its_school_is_status_unknown() {
    let material = bundle_material();
    let mut lists = hocba_verifier::StatusLists::new();
    let second = "https://hocba.example/status/79000701/2";
    lists.insert(LIST_URL, bytes(&status_list(LIST_URL, &[4242])));
    lists.insert(second, bytes(&status_list(second, &[])));
    let two = Arc::new(Material {
        status_lists: Arc::new(lists),
        ..(*material).clone()
    });
    let addr = start(TrustSource::Offline(two), fixed(NOW)).await;
    let body = json!({"items": [{"qr": qr_of(&valid())}, {"qr": qr_of(&revoked())}]});
    let items = post_json(addr, "/api/v1/verify", &body).await.json()["items"].clone();
    assert_eq!(items[0]["verdict"], "valid", "clear in every list: {items}");
    assert_eq!(items[1]["verdict"], "status_unknown", "{items}");
    assert_eq!(items[1]["reason"]["code"], "status_list_unavailable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_qr_landing_pages_find_the_schools_lists_through_its_index() {
    let log = Arc::new(IssuerLog::default());
    let (issuer, _task) = fake_issuer(Arc::clone(&log)).await;
    let base = format!("http://{issuer}");
    let cache = tempfile::tempdir().unwrap();
    let clock = fixed(NOW);
    let config = OnlineConfig {
        cache_dir: cache.path().to_owned(),
        ..OnlineConfig::new(base.as_str())
    };
    let online = Arc::new(OnlineTrust::new(config, authority(), Arc::clone(&clock)).unwrap());
    online.refresh().await.unwrap();
    let addr = start(TrustSource::Online(Arc::clone(&online)), clock).await;
    // No list of the school is held yet: the landing page reads the school's index, then the
    // list it names, and checks the status.
    let (ok, gone) = (qr_of(&valid()), qr_of(&revoked()));
    let page = get(
        addr,
        &format!("{}?lang=en", &gone[gone.find("/V/").unwrap()..]),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("data-verdict=\"revoked\""),
        "{}",
        page.text()
    );
    let page = get(addr, &format!("{}?lang=en", &ok[ok.find("/V/").unwrap()..])).await;
    assert!(page.text().contains("data-verdict=\"valid\""));
    assert!(
        page.text()
            .contains("data-check=\"status\" data-outcome=\"passed\""),
        "{}",
        page.text()
    );
    // Trust list, index and list: three requests; the second page used what was held.
    assert_eq!(log.requests.load(Ordering::SeqCst), 3);
    // The index is in the disk cache with the rest.
    let index_url = online.status_index_url("79000701").unwrap();
    assert_eq!(index_url, format!("{base}/status/79000701/index.json"));
    let cached = std::fs::read_dir(cache.path())
        .unwrap()
        .filter_map(|e| std::fs::read(e.unwrap().path()).ok())
        .any(|b| String::from_utf8_lossy(&b).contains(&index_url));
    assert!(cached, "the index's meta names its URL");
}

#[tokio::test]
async fn online_bulk_qr_items_find_the_schools_lists_through_its_index() {
    let log = Arc::new(IssuerLog::default());
    let (issuer, _task) = fake_issuer(Arc::clone(&log)).await;
    let base = format!("http://{issuer}");
    let cache = tempfile::tempdir().unwrap();
    let clock = fixed(NOW);
    let config = OnlineConfig {
        cache_dir: cache.path().to_owned(),
        ..OnlineConfig::new(base.as_str())
    };
    let online = Arc::new(OnlineTrust::new(config, authority(), Arc::clone(&clock)).unwrap());
    online.refresh().await.unwrap();
    let addr = start(TrustSource::Online(Arc::clone(&online)), clock).await;
    // No list of the school is held yet: the bulk API reads the school's index once for both
    // QR items, then the list it names, and checks each summary's status.
    let body = json!({"items": [{"qr": qr_of(&revoked())}, {"qr": qr_of(&valid())}]});
    let answer = post_json(addr, "/api/v1/verify", &body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let report = answer.json();
    let items = report["items"].as_array().unwrap();
    assert_eq!(items[0]["verdict"], "revoked", "{}", items[0]);
    assert_eq!(items[1]["verdict"], "valid", "{}", items[1]);
    let status = items[1]["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", items[1]))
        .iter()
        .find(|c| c["name"] == "status")
        .unwrap_or_else(|| panic!("{}", items[1]));
    assert_eq!(status["outcome"], "passed", "{status}");
    // Trust list, index and list: three requests for the two items.
    assert_eq!(log.requests.load(Ordering::SeqCst), 3);
}

/// The OpenAPI document lists the status codes the service really answers (as schemathesis
/// checks): a malformed QR path is 400 on both spellings, an empty upload is refused, a bulk
/// request needs at least one item.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_what_the_service_answers() {
    let addr = offline().await;
    let doc = get(addr, "/api/v1/openapi.json").await.json();
    let responses = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} has no responses"))
            .keys()
            .cloned()
            .collect()
    };
    for path in ["/V/{digits}", "/v/{digits}"] {
        let codes = responses(path, "get");
        assert!(codes.contains(&"400".to_owned()), "{path}: {codes:?}");
        let shown = path.replace("{digits}", "0");
        let a = get(addr, &shown).await;
        assert!(
            codes.contains(&a.status.as_u16().to_string()),
            "{shown} answered {} but the document lists {codes:?}",
            a.status
        );
    }
    let upload = responses("/upload", "post");
    for code in ["200", "400", "408", "413", "422", "503"] {
        assert!(upload.contains(&code.to_owned()), "/upload: {upload:?}");
    }
    assert_eq!(
        doc["components"]["schemas"]["VerifyRequest"]["properties"]["items"]["minItems"],
        1
    );
    let a = post_json(addr, "/api/v1/verify", &serde_json::json!({"items": []})).await;
    assert!(
        responses("/api/v1/verify", "post").contains(&a.status.as_u16().to_string()),
        "{}",
        a.status
    );
}
