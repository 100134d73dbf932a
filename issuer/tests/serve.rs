//! The `hocba-issuer serve` and `token create` commands as a user runs them: a fresh SQLite
//! file created on first start, the dev-key warning, a token printed once, HTTP on a loopback
//! port, and a clean exit on SIGTERM.

#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_hocba-issuer");

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// One HTTP/1.1 request; returns the status line and the body.
fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

#[test]
fn serve_creates_the_database_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/data/hocba.db", dir.path().display());
    let keys = repo().join("keys/dev");
    let mut server = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--keys"])
        .arg(&keys)
        .env("DATABASE_URL", &database_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut seen = String::new();
    let addr = loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            let _ = server.kill();
            panic!("server stopped before listening:\n{seen}");
        }
        seen.push_str(&line);
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    assert!(seen.contains("PUBLIC DEVELOPMENT keys"), "{seen}");
    assert!(dir.path().join("data/hocba.db").exists());
    // Keep draining stderr so the server never blocks on a full pipe.
    let drain = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest);
        rest
    });

    let (status, body) = http(&addr, "GET", "/api/v1/health", None, "");
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

    let record =
        std::fs::read_to_string(repo().join("schema/examples/primary-grade5.json")).unwrap();
    let (status, body) = http(&addr, "POST", "/api/v1/records", Some(&token), &record);
    assert!(status.contains("200"), "{status} {body}");
    assert!(body.contains("\"saved\":1"), "{body}");
    let (status, _) = http(&addr, "GET", "/api/v1/records", Some("hb_wrong"), "");
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

    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = server.wait().unwrap();
    let rest = drain.join().unwrap();
    assert!(status.success(), "exit {status:?}\n{rest}");
    // The token never reaches the log.
    assert!(!seen.contains(&token) && !rest.contains(&token));
}
