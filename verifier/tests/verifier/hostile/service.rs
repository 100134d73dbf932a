//! The HTTP verifier on hostile input, as a real server on loopback (in its own thread and
//! runtime, so a stuck server makes these tests fail on their own timeouts rather than hang):
//! ten hostile PDFs uploaded at once are all answered and `/health` answers during and after;
//! past the work deadline the answer is 503; PDFs with two credentials are refused; and a
//! POST body is not read before the request has its heavy slot.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use hocba_schema::credential::UnsignedCredential;
use hocba_schema::status_list::{Bitstring, MIN_ENTRIES, StatusListCredential};
use hocba_verifier::TrustBundle;
use hocba_verifier::online::{Clock, Material};
use hocba_verifier::pdf::EMBEDDED_NAME;
use hocba_verifier::service::{AppState, Judging, Limits, TrustSource, router, serve};
use http_body_util::{BodyExt, Full};
use hyper::body::Frame;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use time::macros::datetime;
use tower::ServiceExt;

use super::craft::{self, Tree};
use super::pdf::{revoked_credential, two_credential_pdfs};
use crate::support::*;

const LIST_URL: &str = "https://hocba.example/status/79000701/1";

/// School A's status list with index 4243 revoked ([`revoked_credential`]'s), signed.
fn status_list() -> Value {
    let mut bits = Bitstring::new(MIN_ENTRIES);
    assert!(bits.set(4243, true));
    let from = datetime!(2026-05-31 00:00 UTC);
    let list = StatusListCredential::revocation(
        LIST_URL,
        school_a(),
        from,
        datetime!(2026-06-14 00:00 UTC),
        &bits,
    );
    let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
        .unwrap()
        .into_document();
    sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(from),
    )
}

fn material() -> Arc<Material> {
    let bundle = json!({
        "type": "HocBaTrustBundle",
        "createdAt": "2026-05-31T12:00:00Z",
        "trustList": signed_trust_list(),
        "statusLists": [status_list()],
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

fn state(limits: Limits) -> AppState {
    let clock: Clock = Arc::new(|| NOW);
    AppState::new(
        TrustSource::Offline(material()),
        clock,
        &Judging::default(),
        limits,
    )
}

/// The service on a loopback port, served by its own runtime on its own thread.
fn start(limits: Limits) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let _ = serve(listener, router(state(limits.clone())), &limits).await;
        });
    });
    rx.recv().unwrap()
}

struct Answer {
    status: StatusCode,
    content_type: String,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{}: not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request, or a panic when there is no whole answer within `within`.
async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
    within: Duration,
) -> Answer {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let exchange = async {
        let response = client
            .request(request.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            content_type,
            body,
        }
    };
    match tokio::time::timeout(within, exchange).await {
        Ok(answer) => answer,
        Err(_) => panic!("{method} {path}: no answer within {within:?}"),
    }
}

/// A multipart body with one file part per `(file name, bytes)`.
fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "hocbaHOSTILEboundary93";
    let mut body = Vec::new();
    for (name, data) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `/health` answers at once (well within a second) with its JSON.
async fn health_at_once(addr: SocketAddr) {
    let a = send(
        addr,
        "GET",
        "/health",
        None,
        Vec::new(),
        Duration::from_secs(1),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_hostile_uploads_at_once_are_answered_and_health_stays_up() {
    let limits = Limits {
        work_timeout: Duration::from_secs(5),
        ..Limits::default()
    };
    let addr = start(limits);
    health_at_once(addr).await;
    let hostile = craft::hostile();
    let within = Duration::from_secs(15);
    let mut uploads = Vec::new();
    for i in 0..10 {
        let (name, pdf) = hostile[i % hostile.len()].clone();
        // The upload form: an HTML page saying the PDF cannot be read.
        let (ct, body) = multipart(&[(&format!("{name}.pdf"), &pdf)]);
        uploads.push(tokio::spawn(async move {
            let a = send(addr, "POST", "/upload", Some(&ct), body, within).await;
            assert!(
                a.status.is_client_error() || a.status.is_server_error(),
                "{name}: {}",
                a.status
            );
            assert!(a.content_type.starts_with("text/html"), "{name}");
            assert!(a.text().contains("PDF"), "{name}: {}", a.text());
        }));
        // The bulk API: JSON naming the item's error (or a problem, past the deadline).
        let (ct, body) = multipart(&[(&format!("{name}.pdf"), &pdf)]);
        uploads.push(tokio::spawn(async move {
            let a = send(addr, "POST", "/api/v1/verify", Some(&ct), body, within).await;
            let v = a.json();
            if a.status == StatusCode::OK {
                assert_eq!(v["items"][0]["verdict"], "error", "{name}: {v}");
                assert_eq!(v["items"][0]["reason"]["code"], "pdf_unreadable", "{name}");
            } else {
                assert!(a.status.is_server_error() || a.status.is_client_error());
                assert_eq!(a.content_type, "application/problem+json", "{name}");
                assert!(v["detail"].is_string(), "{name}: {v}");
            }
        }));
    }
    // /health, many times while the uploads are in flight, and once after.
    while uploads.iter().any(|u| !u.is_finished()) {
        health_at_once(addr).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for u in uploads {
        u.await.unwrap();
    }
    health_at_once(addr).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_work_deadline_the_answer_is_503_and_health_stays_up() {
    // A deadline nothing meets: the answer is the timeout, as JSON and as a page.
    let limits = Limits {
        work_timeout: Duration::from_millis(1),
        ..Limits::default()
    };
    let addr = start(limits);
    let slow = craft::hostile()
        .into_iter()
        .find(|(name, _)| *name == "streams-inside-streams")
        .unwrap()
        .1;
    let copies: Vec<(&str, &[u8])> = (0..8).map(|_| ("slow.pdf", &slow[..])).collect();
    let (ct, body) = multipart(&copies);
    let a = send(
        addr,
        "POST",
        "/api/v1/verify",
        Some(&ct),
        body,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.text());
    assert_eq!(a.content_type, "application/problem+json");
    assert_eq!(a.json()["rule"], "verification-timeout");
    health_at_once(addr).await;
    let (ct, body) = multipart(&[("slow.pdf", &slow)]);
    let a = send(
        addr,
        "POST",
        "/upload",
        Some(&ct),
        body,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.text());
    assert!(a.content_type.starts_with("text/html"));
    assert!(a.text().contains("could not be checked in time") || a.text().contains("thời gian"));
    health_at_once(addr).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pdfs_with_two_credentials_are_refused_by_the_bulk_api_and_the_upload_page() {
    let addr = start(Limits::default());
    let valid = bytes(&valid_credential());
    let revoked = revoked_credential();
    let alone_valid = craft::with_files(&[(EMBEDDED_NAME, &valid)], Tree::OneNode);
    let alone_revoked = craft::with_files(&[(EMBEDDED_NAME, &revoked)], Tree::OneNode);
    let twos = two_credential_pdfs();
    let mut files: Vec<(&str, &[u8])> =
        vec![("valid.pdf", &alone_valid), ("revoked.pdf", &alone_revoked)];
    files.extend(twos.iter().map(|(name, pdf)| (*name, &pdf[..])));
    let (ct, body) = multipart(&files);
    let a = send(
        addr,
        "POST",
        "/api/v1/verify",
        Some(&ct),
        body,
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let v = a.json();
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2 + twos.len());
    // Each credential alone gets its own verdict…
    assert_eq!(items[0]["verdict"], "valid", "{}", items[0]);
    assert_eq!(items[1]["verdict"], "revoked", "{}", items[1]);
    // …and together they are refused, whichever comes first.
    for item in &items[2..] {
        assert_eq!(item["verdict"], "error", "{item}");
        assert_eq!(item["reason"]["code"], "pdf_many_credentials", "{item}");
        let detail = item["detail"].as_str().unwrap();
        assert!(detail.contains("2 embedded credentials"), "{detail}");
    }
    for (name, pdf) in &twos {
        let (ct, body) = multipart(&[(name, pdf)]);
        let a = send(
            addr,
            "POST",
            "/upload",
            Some(&ct),
            body,
            Duration::from_secs(20),
        )
        .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            a.text().contains("nhiều hơn một hồ sơ"),
            "{name}: {}",
            a.text()
        );
    }
}

/// A request body that records whether it was ever polled, and then gives `chunks` MiB of
/// spaces (or, with `chunks == None`, never anything: a client still sending).
struct Watched {
    polled: Arc<AtomicBool>,
    chunks: Option<usize>,
}

impl hyper::body::Body for Watched {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.polled.store(true, Ordering::SeqCst);
        match &mut self.chunks {
            None => Poll::Pending,
            Some(0) => Poll::Ready(None),
            Some(n) => {
                *n -= 1;
                Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b' '; 1 << 20])))))
            }
        }
    }
}

fn watched_request(
    path: &str,
    content_type: &str,
    chunks: Option<usize>,
) -> (Request<Body>, Arc<AtomicBool>) {
    let polled = Arc::new(AtomicBool::new(false));
    let body = Body::new(Watched {
        polled: Arc::clone(&polled),
        chunks,
    });
    let request = Request::post(path)
        .header("content-type", content_type)
        .body(body)
        .unwrap();
    (request, polled)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_wait_for_their_slot_before_they_are_read() {
    let limits = Limits {
        max_heavy: 1,
        queue_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let app = router(state(limits));
    let endpoints = [
        ("/api/v1/verify", "application/json"),
        ("/api/v1/verify", "multipart/form-data; boundary=x"),
        ("/credentials/verify", "application/json"),
        ("/upload", "multipart/form-data; boundary=x"),
    ];
    // One request holds the only slot, its client still sending its body.
    let (holder, holder_polled) = watched_request("/api/v1/verify", "application/json", None);
    let holding = tokio::spawn(app.clone().oneshot(holder));
    while !holder_polled.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for (path, ct) in endpoints {
        // 60 MiB bodies that must not be touched while they wait: they get 503 unread.
        let (request, polled) = watched_request(path, ct, Some(60));
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{path} {ct}"
        );
        assert!(
            !polled.load(Ordering::SeqCst),
            "{path} {ct}: body read before the slot"
        );
    }
    // A JSON body declared larger than the JSON limit is refused at once, unread, slot or not.
    for path in ["/api/v1/verify", "/credentials/verify"] {
        let (mut request, polled) = watched_request(path, "application/json", Some(60));
        request
            .headers_mut()
            .insert("content-length", (60u64 << 20).into());
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert!(!polled.load(Ordering::SeqCst), "{path}: body read");
    }
    // Once the slot is free, the same requests are read (and refused for their content).
    holding.abort();
    let _ = holding.await;
    for (path, ct) in endpoints {
        let (request, polled) = watched_request(path, ct, Some(2));
        let response = app.clone().oneshot(request).await.unwrap();
        assert!(polled.load(Ordering::SeqCst), "{path} {ct}: never read");
        assert!(
            response.status().is_client_error(),
            "{path} {ct}: {}",
            response.status()
        );
    }
}
