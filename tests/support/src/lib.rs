//! Fixtures shared by the tests and benches of every hocba crate, so each is written once:
//!
//! * [`files`] — the repository's files: the workspace root, the schema examples, the dev keys.
//! * [`server`] — a real `hocba-issuer serve` / `hocba-verify serve` started on a loopback port,
//!   its address read from its log, stopped (SIGTERM or SIGKILL) with its whole log.
//! * [`http`] — one HTTP/1.1 request over a plain TCP socket, for talking to such a server.
//! * `browser` (feature `browser`) — a headless Chromium through ChromeDriver, driven with
//!   `fantoccini` behind a blocking API.
//! * [`db`] — a database per test: a SQLite file in a temporary directory, or a PostgreSQL
//!   schema of its own on the server `HOCBA_TEST_POSTGRES` names.
//!
//! It depends on no hocba crate, so the verifier's tests can use it without a second copy of
//! the verifier (nor ever the issuer). Test code: it panics with a message instead of
//! returning errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "browser")]
pub mod browser;
pub mod db;
pub mod files;
pub mod http;
pub mod server;
