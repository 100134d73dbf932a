//! One pupil identity rule for every entry point: the same pupil imported through
//! `hocba-issuer issue` and through the API (JSON, CSV and XLSX) is one pupil, recognised by the
//! personal identification number, so the API cannot add a second draft for a year the CLI
//! already signed; a row whose two numbers disagree with the stored pupil is refused naming
//! both.

#![allow(clippy::unwrap_used, missing_docs)]

use std::process::Command;

use hocba_test_support::files::repo;
use hocba_test_support::http;
use hocba_test_support::server::Server;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hocba-issuer");

fn post(addr: &str, path: &str, token: &str, content_type: &str, body: &[u8]) -> (String, String) {
    let auth = format!("Bearer {token}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", content_type),
    ];
    let answer = http::request(addr, "POST", path, &headers, body);
    (answer.status_line.clone(), answer.text())
}

#[test]
fn the_same_pupil_through_the_cli_and_the_api_is_one_pupil() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("hocba.db").display());
    // The CLI signs the template's example pupil (with a personal identification number).
    let template = repo().join("issuer/templates/tieu-hoc.csv");
    let out = Command::new(BIN)
        .current_dir(repo())
        .args(["issue", "--input"])
        .arg(&template)
        .arg("--out")
        .arg(dir.path().join("out"))
        .args(["--database-url", &db, "--no-pdf"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The API on the same database.
    let server = Server::start(
        Command::new(BIN)
            .current_dir(repo())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", &db)
            .env("RUST_LOG", "warn"),
    );
    let addr = server.addr().to_owned();
    let token = Command::new(BIN)
        .args([
            "token",
            "create",
            "--school",
            "25000731",
            "--role",
            "teacher",
            "--database-url",
            &db,
        ])
        .output()
        .unwrap();
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    // The same file through the API import: the pupil is found, the signed year refused.
    let csv = std::fs::read(&template).unwrap();
    let (status, body) = post(&addr, "/api/v1/imports", &token, "text/csv", &csv);
    let answer: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let saved = answer["saved"].as_array().map_or(0, Vec::len);
    // The same pupil as one JSON record.
    let record = {
        let credential_file = std::fs::read_dir(dir.path().join("out"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let credential: Value =
            serde_json::from_slice(&std::fs::read(credential_file).unwrap()).unwrap();
        credential["credentialSubject"].clone()
    };
    let (json_status, json_body) = post(
        &addr,
        "/api/v1/records",
        &token,
        "application/json",
        &serde_json::to_vec(&record).unwrap(),
    );
    let json_answer: Value = serde_json::from_str(&json_body).unwrap_or(Value::Null);
    // The same pupil in the XLSX template.
    let xlsx = std::fs::read(repo().join("issuer/templates/tieu-hoc.xlsx")).unwrap();
    let (xlsx_status, xlsx_body) = post(
        &addr,
        "/api/v1/imports",
        &token,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &xlsx,
    );
    let xlsx_answer: Value = serde_json::from_str(&xlsx_body).unwrap_or(Value::Null);
    // The pupil's personal identification number with another student code: the two numbers
    // disagree with what is stored; refused naming both, nothing stored.
    let mut other = record.clone();
    other["student"]["studentCode"] = Value::from("9999999999");
    let (mismatch_status, mismatch_body) = post(
        &addr,
        "/api/v1/records",
        &token,
        "application/json",
        &serde_json::to_vec(&other).unwrap(),
    );
    let mismatch: Value = serde_json::from_str(&mismatch_body).unwrap_or(Value::Null);
    drop(server.terminate());
    assert_eq!(saved, 0, "{status} {body}");
    assert!(
        body.contains("already") || body.contains("signed") || status.contains("409"),
        "{status} {body}"
    );
    assert_eq!(json_answer["saved"], 0, "{json_status} {json_body}");
    assert_eq!(
        xlsx_answer["saved"].as_array().map(Vec::len),
        Some(0),
        "{xlsx_status} {xlsx_body}"
    );
    assert!(
        xlsx_body.contains("already") || xlsx_body.contains("signed"),
        "{xlsx_status} {xlsx_body}"
    );
    assert_eq!(mismatch["saved"], 0, "{mismatch_status} {mismatch_body}");
    let problem = mismatch["items"][0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["rule"] == "pupil-identity-mismatch")
        .unwrap_or_else(|| panic!("{mismatch_body}"));
    let pin = record["student"]["personalIdNumber"].as_str().unwrap();
    let code = record["student"]["studentCode"].as_str().unwrap();
    let message = problem["messageVi"].as_str().unwrap();
    assert!(
        message.contains(pin) && message.contains(code) && message.contains("9999999999"),
        "{message}"
    );
}
