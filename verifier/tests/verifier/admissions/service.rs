//! `POST /api/v1/admissions/score` on a real server on loopback (offline bundle): candidates
//! scored with their breakdown; refusals (another pupil's record, a revoked record, a QR
//! summary, a share code on a verifier that cannot redeem); CSV and XLSX by `Accept`; bad
//! input a 422 naming the member; the route in the OpenAPI document.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use hocba_verifier::online::Clock;
use hocba_verifier::service::{AppState, Judging, Limits, TrustSource};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

use super::world::*;
use crate::service::serve_on_loopback;
use crate::support::*;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn start() -> SocketAddr {
    let clock: Clock = Arc::new(|| NOW);
    let limits = Limits::default();
    let state = AppState::new(
        TrustSource::Offline(material()),
        clock,
        &Judging::default(),
        limits.clone(),
    );
    serve_on_loopback(state, limits).await
}

async fn post(addr: SocketAddr, body: &Value, accept: &str) -> (u16, String, Vec<u8>) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let req = hyper::Request::post(format!("http://{addr}/api/v1/admissions/score"))
        .header("content-type", "application/json")
        .header("accept", accept)
        .body(Full::new(Bytes::from(bytes(body))))
        .unwrap();
    let response = client.request(req).await.unwrap();
    let status = response.status().as_u16();
    let ct = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, ct, body.to_vec())
}

fn items(credentials: &[&Value]) -> Value {
    Value::Array(
        credentials
            .iter()
            .map(|c| json!({"credential": c}))
            .collect(),
    )
}

fn request() -> Value {
    let [l10, l11, l12] = lan();
    let [m10, m11, m12] = minh();
    json!({
        "scheme": "thong-tu-06-2025-ca-nam-lop-12",
        "candidates": [
            {"id": "HS-LAN", "area": "KV2", "items": items(&[&l10, &l11, &l12])},
            {"id": "HS-MINH", "area": "KV1", "policyGroup": "UT2", "bonus": 0.5,
             "items": items(&[&m10, &m11, &m12])},
            {"id": "HS-MIX", "items": items(&[&l10, &m11, &l12])},
            {"id": "HS-REVOKED", "items": items(&[&l10, &l11, &lan_12_revoked()])},
            {"id": "HS-SHARE", "items": [{"shareCode": "ABCD-EFGH-JKLM"}]},
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn candidates_are_scored_or_refused_with_the_reason() {
    let addr = start().await;
    let (status, ct, body) = post(addr, &request(), "application/json").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(ct, "application/json");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["scheme"]["name"], "thong-tu-06-2025-ca-nam-lop-12");
    assert_eq!(
        (v["count"].as_u64(), v["scored"].as_u64()),
        (Some(5), Some(2))
    );
    let c = &v["candidates"];
    // Lan, grade 12, KV2 (0.25): A00 = 9.0 + 8.0 + 8.5 = 25.5 ≥ 22.5 → priority
    // (30 − 25.5)/7.5 × 0.25 = 0.15 → 25.65. D01 = 8.0 + 9.0 + 9.5 = 26.5 → (3.5/7.5) × 0.25
    // = 0.1167 → 0.12 → 26.62; A01 = 9.0 + 8.0 + 9.5 = 26.5 → 26.62 too: equal totals keep
    // the scheme's order, so A01 comes first.
    assert_eq!(c[0]["result"], "scored");
    assert_eq!(c[0]["best"], 26.62);
    assert_eq!(c[0]["scores"][0]["combination"], "A01");
    assert_eq!(c[0]["scores"][1]["combination"], "D01");
    let a00 = c[0]["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["combination"] == "A00")
        .unwrap();
    assert_eq!(a00["total"], 25.65);
    assert_eq!(a00["priority"]["reduced"], true);
    assert_eq!(a00["subjects"][0]["terms"][0]["period"], "year");
    assert_eq!(a00["subjects"][0]["average"], 9.0);
    // Minh, KV1 0.75 + UT2 1.0 = 1.75, bonus 0.5: A00 = 21 + 0.5 = 21.5 < 22.5 → 23.25;
    // B00 = 7 + 7 + 8 = 22 + 0.5 = 22.5, just at the threshold: (30 − 22.5)/7.5 × 1.75 = 1.75
    // → 24.25 (best).
    assert_eq!(c[1]["best"], 24.25, "{}", c[1]);
    let minh_a00 = c[1]["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["combination"] == "A00")
        .unwrap();
    assert_eq!(minh_a00["total"], 23.25);
    // Refused, with reasons in both languages.
    assert_eq!(c[2]["result"], "refused");
    assert_eq!(c[2]["refusal"]["code"], "pupil_mismatch");
    assert!(
        c[2]["refusal"]["vi"]
            .as_str()
            .unwrap()
            .contains("Đỗ Ngọc Lan")
    );
    assert!(c[2].get("scores").unwrap().as_array().unwrap().is_empty());
    assert_eq!(c[3]["refusal"]["code"], "item_revoked");
    assert_eq!(c[3]["items"][2]["verdict"], "revoked");
    assert_eq!(c[4]["refusal"]["code"], "share_code_refused");
    assert!(
        c[4]["refusal"]["en"]
            .as_str()
            .unwrap()
            .contains("--portal-token-file"),
        "{}",
        c[4]["refusal"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_answer_as_csv_and_xlsx() {
    let addr = start().await;
    let (status, ct, body) = post(addr, &request(), "text/csv").await;
    assert_eq!(status, 200);
    assert_eq!(ct, "text/csv; charset=utf-8");
    let csv = String::from_utf8(body).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].contains("Điểm xét tuyển"));
    // Two scored candidates × 5 combinations (C00 cannot be scored: no Địa lí) = 8 rows,
    // best first; then 3 refused.
    assert_eq!(lines.len(), 1 + 8 + 3, "{csv}");
    assert!(lines[1].starts_with("1,HS-LAN,Đỗ Ngọc Lan"), "{}", lines[1]);
    assert!(lines[1].contains(",26.62,Hợp lệ"), "{}", lines[1]);
    assert!(lines[9].contains("HS-MIX") && lines[9].contains("pupil_mismatch"));

    let (status, ct, body) = post(addr, &request(), XLSX).await;
    assert_eq!(status, 200);
    assert_eq!(ct, XLSX);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body)).unwrap();
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    for expected in [
        "Điểm xét tuyển",
        "Kết quả kiểm tra",
        "Đỗ Ngọc Lan",
        "HS-MIX",
        "Hợp lệ",
    ] {
        assert!(
            strings.contains(expected),
            "{expected} missing from the workbook"
        );
    }
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(
        sheet.contains("<v>26.62</v>"),
        "the best total is a number cell"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_422_naming_the_member() {
    let addr = start().await;
    let [l10, l11, l12] = lan();
    let cases = [
        (
            json!({"scheme": "khong-co", "candidates": [{"id": "A", "items": items(&[&l12])}]}),
            "unknown-scheme",
            "/scheme",
        ),
        (
            json!({"scheme": "thong-tu-06-2025-ca-nam-lop-12",
                   "candidates": [{"id": "A", "area": "KV9", "items": items(&[&l10, &l11, &l12])}]}),
            "candidate-priority",
            "/candidates/0/area",
        ),
        (
            json!({"scheme": "thong-tu-06-2025-ca-nam-lop-12",
                   "candidates": [{"id": "A", "items": items(&[&l12])}, {"id": "A", "items": items(&[&l12])}]}),
            "duplicate-candidate",
            "/candidates/1/id",
        ),
        (
            json!({"scheme": "thong-tu-06-2025-ca-nam-lop-12",
                   "candidates": [{"id": "A", "items": [{"qr": "x", "shareCode": "y"}]}]}),
            "item-form",
            "/candidates/0/items/0",
        ),
        (
            json!({"scheme": {"toml": "name = \"x\"\nscale_max = 30\n"},
                   "candidates": [{"id": "A", "items": items(&[&l12])}]}),
            "invalid-scheme",
            "/scheme",
        ),
    ];
    for (body, rule, field) in cases {
        let (status, ct, answer) = post(addr, &body, "application/json").await;
        let p: Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(status, 422, "{p}");
        assert_eq!(ct, "application/problem+json");
        assert_eq!(p["rule"], rule, "{p}");
        assert_eq!(p["field"], field, "{p}");
    }
    // An inline scheme with an unknown subject: the line is named.
    let text = std::fs::read_to_string(format!(
        "{}/schemes/thong-tu-06-2025-ca-nam-lop-12.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace("\"sinh_hoc\"]", "\"sinh_hocc\"]");
    let body =
        json!({"scheme": {"toml": text}, "candidates": [{"id": "A", "items": items(&[&l12])}]});
    let (status, _, answer) = post(addr, &body, "application/json").await;
    let p: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(status, 422);
    assert!(p["detail"].as_str().unwrap().contains("line "), "{p}");
    assert_eq!(p["value"], "sinh_hocc");
    // Garbage is a 400, never a 5xx.
    let (status, _, _) = post(addr, &json!([1, 2, 3]), "application/json").await;
    assert_eq!(status, 400);
}

#[test]
fn the_route_is_in_the_openapi_document() {
    let doc = hocba_verifier::service::openapi_document();
    let op = &doc["paths"]["/api/v1/admissions/score"]["post"];
    assert!(op["responses"]["200"]["content"]["text/csv"].is_object());
    assert!(op["responses"]["200"]["content"][XLSX].is_object());
    assert!(op["responses"]["422"].is_object());
    assert!(doc["paths"]["/admissions"]["get"].is_object());
}
