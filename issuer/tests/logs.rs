//! What `hocba-issuer serve` writes to its log when the log is a file or a pipe: plain text
//! (no ANSI colour codes), and a request's path without its query string.

#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_hocba-issuer");

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn a_piped_log_is_plain_text_and_never_holds_a_query_string() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../keys/dev"));
    let mut server = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--keys"])
        .arg(keys)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/hocba.db", dir.path().display()),
        )
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut log = String::new();
    let addr = loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            let _ = server.kill();
            panic!("server stopped before listening:\n{log}");
        }
        log.push_str(&line);
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let status = get(&addr, "/api/v1/health?code=HB-SECRET-1234&name=Nguyen");
    assert!(status.contains("200"), "{status}");
    let status = get(&addr, "/api/v1/credentials/nope?token=hb_leak");
    assert!(status.contains("401"), "{status}");
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    let _ = server.wait();
    log.push_str(&rest);
    assert!(
        log.contains("/api/v1/health"),
        "the request is logged:\n{log}"
    );
    assert!(
        !log.contains('\u{1b}'),
        "ANSI escape codes in a piped log:\n{log}"
    );
    for secret in ["HB-SECRET-1234", "Nguyen", "hb_leak", "code="] {
        assert!(!log.contains(secret), "{secret} reached the log:\n{log}");
    }
}
