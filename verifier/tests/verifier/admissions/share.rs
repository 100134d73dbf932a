//! Share codes redeemed by the verifier (issue #14 item 3): a stand-in issuer on loopback
//! answers `POST /api/v1/shares/redeem` as the real one does (bearer token of a portal, each
//! code once, 404 / 410 problems naming the rule). The verifier redeems a candidate's code,
//! verifies what comes back and scores it; a code used twice, an unknown code and a wrong
//! portal token refuse the candidate with the reason; the token never appears in an answer.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use hocba_verifier::online::Clock;
use hocba_verifier::service::admissions::{Config, Redeemer};
use hocba_verifier::service::{AppState, Judging, Limits, TrustSource};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::world::*;
use crate::service::serve_on_loopback;
use crate::support::*;

const TOKEN: &str = "portal-token-7f3a9c";
const CODE: &str = "LAN1-2345-6789";

/// The stand-in issuer: one share (Lan's three records) under `CODE`, redeemable once.
async fn issuer(redeemed: Arc<Mutex<u32>>) -> SocketAddr {
    let shared: Vec<Value> = lan().into_iter().collect();
    let app = Router::new().route(
        "/api/v1/shares/redeem",
        post(move |headers: HeaderMap, body: Bytes| {
            let shared = shared.clone();
            let redeemed = Arc::clone(&redeemed);
            async move {
                let problem = |status: StatusCode, rule: &str| {
                    (
                        status,
                        [("content-type", "application/problem+json")],
                        json!({"type": "x", "title": rule, "status": status.as_u16(), "detail": rule,
                               "errors": [{"pointer": "/code", "rule": rule}]})
                        .to_string(),
                    )
                        .into_response()
                };
                if headers.get("authorization").and_then(|v| v.to_str().ok())
                    != Some(&format!("Bearer {TOKEN}"))
                {
                    return problem(StatusCode::FORBIDDEN, "not_a_portal");
                }
                let request: Value = serde_json::from_slice(&body).unwrap();
                if request["code"] != CODE {
                    return problem(StatusCode::NOT_FOUND, "share_code_unknown");
                }
                let mut n = redeemed.lock().unwrap();
                *n += 1;
                if *n > 1 {
                    return problem(StatusCode::GONE, "share_code_used");
                }
                let credentials: Vec<Value> = shared
                    .iter()
                    .map(|c| json!({"id": c["id"], "sha256": "", "revoked": false, "credential": c}))
                    .collect();
                (
                    StatusCode::OK,
                    [("content-type", "application/json")],
                    json!({"shareId": "s1", "purpose": "xét tuyển", "pupil": {"fullName": LAN.name},
                           "school": {"code": "79000701", "name": "x"}, "sharedAt": "", "expiresAt": "",
                           "redeemedAt": "", "credentials": credentials})
                    .to_string(),
                )
                    .into_response()
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn verifier(issuer: SocketAddr, token: &str) -> SocketAddr {
    let clock: Clock = Arc::new(|| NOW);
    let limits = Limits::default();
    let config = Config {
        redeemer: Some(Arc::new(Redeemer::new(&format!("http://{issuer}"), token))),
        ..Config::default()
    };
    let state = AppState::new(
        TrustSource::Offline(material()),
        clock,
        &Judging::default(),
        limits.clone(),
    )
    .with_admissions(config);
    serve_on_loopback(state, limits).await
}

async fn score(addr: SocketAddr, code: &str) -> Value {
    let body = json!({"scheme": "du-thao-2026-sau-hoc-ki",
                      "candidates": [{"id": "HS-LAN", "area": "KV3", "items": [{"shareCode": code}]}]});
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let req = hyper::Request::post(format!("http://{addr}/api/v1/admissions/score"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(bytes(&body))))
        .unwrap();
    let response = client.request(req).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    assert!(
        !text.contains(TOKEN),
        "the portal token leaked into an answer"
    );
    serde_json::from_str(&text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_share_code_is_redeemed_once_verified_and_scored() {
    let redeemed = Arc::new(Mutex::new(0));
    let issuer = issuer(Arc::clone(&redeemed)).await;
    let addr = verifier(issuer, TOKEN).await;
    let v = score(addr, CODE).await;
    let lan = &v["candidates"][0];
    assert_eq!(lan["result"], "scored", "{lan}");
    // Six semesters, each equal to its year: Toán (8.0 + 8.5 + 9.0)/3 = 8.5, Vật lí 7.5,
    // Hóa (7.5 + 8.0 + 8.5)/3 = 8.0 → A00 = 24.0; Tiếng Anh (9 + 9 + 9.5)/3 = 9.17,
    // Ngữ văn (8.5 + 8.5 + 8.0)/3 = 8.33 → D01 = 8.33 + 8.5 + 9.17 = 26.0 (best).
    assert_eq!(lan["best"], 26.0, "{lan}");
    assert_eq!(lan["items"].as_array().unwrap().len(), 3);
    assert!(
        lan["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["verdict"] == "valid")
    );
    assert_eq!(*redeemed.lock().unwrap(), 1);
    // The code works once.
    let v = score(addr, CODE).await;
    assert_eq!(v["candidates"][0]["refusal"]["code"], "share_code_refused");
    assert!(
        v["candidates"][0]["refusal"]["en"]
            .as_str()
            .unwrap()
            .contains("share_code_used")
    );
    // An unknown code.
    let v = score(addr, "ZZZZ-0000-0000").await;
    assert!(
        v["candidates"][0]["refusal"]["en"]
            .as_str()
            .unwrap()
            .contains("share_code_unknown")
    );
    // A verifier with the wrong portal token.
    let wrong = verifier(issuer, "not-the-token").await;
    let v = score(wrong, CODE).await;
    assert!(
        v["candidates"][0]["refusal"]["en"]
            .as_str()
            .unwrap()
            .contains("share_code_forbidden"),
        "{v}"
    );
}
