//! The `hocba-issuer serve` and `token create` commands as a user runs them: a fresh SQLite
//! file created on first start, the dev-key warning, a token printed once, HTTP on a loopback
//! port, and a clean exit on SIGTERM.

#![allow(clippy::unwrap_used, missing_docs)]

use std::process::Command;

use hocba_test_support::files::{dev_keys, example_path};
use hocba_test_support::http;
use hocba_test_support::server::Server;

const BIN: &str = env!("CARGO_BIN_EXE_hocba-issuer");

/// One request with an optional bearer token; the status line and the body.
fn call(addr: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> (String, String) {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth));
    }
    let answer = http::request(addr, method, path, &headers, body.as_bytes());
    (answer.status_line.clone(), answer.text())
}

#[test]
fn serve_creates_the_database_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/data/hocba.db", dir.path().display());
    let server = Server::start(
        Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--keys"])
            .arg(dev_keys())
            .env("DATABASE_URL", &database_url)
            .env("RUST_LOG", "warn"),
    );
    let addr = server.addr().to_owned();
    let seen = server.startup_log().to_owned();
    assert!(seen.contains("PUBLIC DEVELOPMENT keys"), "{seen}");
    assert!(dir.path().join("data/hocba.db").exists());

    let (status, body) = call(&addr, "GET", "/api/v1/health", None, "");
    assert!(status.contains("200"), "{status} {body}");

    let out = Command::new(BIN)
        .args([
            "token",
            "create",
            "--school",
            "25000731",
            "--role",
            "teacher",
            "--name",
            "Cô Lan",
            "--ttl-days",
            "7",
            "--database-url",
            &database_url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("hb_"));

    let record = std::fs::read_to_string(example_path("primary-grade5.json")).unwrap();
    let (status, body) = call(&addr, "POST", "/api/v1/records", Some(&token), &record);
    assert!(status.contains("200"), "{status} {body}");
    assert!(body.contains("\"saved\":1"), "{body}");
    let (status, _) = call(&addr, "GET", "/api/v1/records", Some("hb_wrong"), "");
    assert!(status.contains("401"), "{status}");

    // A teacher token for an unknown school is refused with a hint.
    let out = Command::new(BIN)
        .args([
            "token", "create", "--school", "99999999", "--role", "teacher",
        ])
        .env("DATABASE_URL", &database_url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("99999999"));

    let (status, rest) = server.terminate();
    assert!(status.success(), "exit {status:?}\n{rest}");
    // The token never reaches the log.
    assert!(!seen.contains(&token) && !rest.contains(&token));
}
