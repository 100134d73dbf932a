//! What `hocba-issuer serve` writes to its log when the log is a file or a pipe: plain text
//! (no ANSI colour codes), and a request's path without its query string.

#![allow(clippy::unwrap_used, missing_docs)]

use std::process::Command;

use hocba_test_support::files::dev_keys;
use hocba_test_support::http::get;
use hocba_test_support::server::Server;

const BIN: &str = env!("CARGO_BIN_EXE_hocba-issuer");

#[test]
fn a_piped_log_is_plain_text_and_never_holds_a_query_string() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--keys"])
            .arg(dev_keys())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/hocba.db", dir.path().display()),
            )
            .env("RUST_LOG", "info"),
    );
    let addr = server.addr().to_owned();
    let answer = get(&addr, "/api/v1/health?code=HB-SECRET-1234&name=Nguyen");
    assert_eq!(answer.status, 200, "{}", answer.status_line);
    let answer = get(&addr, "/api/v1/credentials/nope?token=hb_leak");
    assert_eq!(answer.status, 401, "{}", answer.status_line);
    let (_, log) = server.terminate();
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
