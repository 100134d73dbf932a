//! One pupil identity rule for every entry point: the same pupil imported through
//! `hocba-issuer issue` and through the API (JSON and CSV) is one pupil, recognised by the
//! personal identification number, so the API cannot add a second draft for a year the CLI
//! already signed.

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
    drop(server.terminate());
    assert_eq!(saved, 0, "{status} {body}");
    assert!(
        body.contains("already") || body.contains("signed") || status.contains("409"),
        "{status} {body}"
    );
    assert_eq!(json_answer["saved"], 0, "{json_status} {json_body}");
}
