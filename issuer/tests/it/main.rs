//! Integration tests of hocba-issuer: one test binary, one module per concern (run one module
//! with `cargo test -p hocba-issuer --test it MODULE::`, e.g. `--test it store::`).
//!
//! Shared pieces: `common` (a store on SQLite and on PostgreSQL per test, the
//! `both_databases!` macro, the router helpers in `common::http`) and `xlsx` (a minimal XLSX
//! writer and the hostile workbooks). Fixtures that the verifier's tests use too (example
//! records, dev keys, a real server on loopback) live in the `hocba-test-support` crate.
//!
//! Every test is safe to share the process with the others: none sets environment variables
//! or the working directory, servers listen on port 0, and each PostgreSQL test has its own
//! schema.
//!
//! * `app_layer` — the application layer's rules through the API (nothing to sign, a class
//!   validated at once, idempotency after changes, people named).
//! * `api`, `hardening`, `shares`, `status`, `authority` — the HTTP API through the router.
//! * `multi_row` — the store's multi-row statements give the outcomes of one row at a time.
//! * `store`, `batch`, `crash`, `restart`, `two_servers` — storage, batch signing, crashes;
//!   `store_upgrade` — a database of an older release upgraded with its data.
//! * `import`, `import_limits`, `import_serve` — CSV / XLSX / JSON import and its limits.
//! * `cli`, `keyring`, `identity`, `serve`, `logs` — the `hocba-issuer` binary as users run it.
//! * `metrics` — `GET /metrics` and its access rule, JSON log lines (in process and from `serve`).
//! * `pdf` — the printed record, its QR code read back from a raster.
//! * `pades` — the development PKI's profile; PDFs signed by the principal then the seal, checked by `pdfsig`.
//! * `paper_fit` — the printed page fits the paper form: one page, continuation headers, marks.
//! * `token` — keys on a PKCS#11 token (SoftHSM2): same bytes as PEM, wrong PIN, token pulled.
//! * `web` — the web app in a real Chromium and over HTTP with session cookies.
//! * `conformance` — `hocba-conformance`: the W3C vector, VC-API issue/verify/revoke, loopback only.
//! * `conformance_rdfc` — its eddsa-rdfc-2022 proofs (feature `rdfc`): the W3C vector, presentations.
//! * `vc_api` — W3C VC-API `POST /credentials/issue` and `/credentials/status`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

#[macro_use]
mod common;
mod xlsx;

mod api;
mod app_layer;
mod authority;
mod batch;
mod cli;
mod conformance;
mod conformance_rdfc;
mod crash;
mod hardening;
mod identity;
mod import;
mod import_limits;
mod import_serve;
mod keyring;
mod logs;
mod metrics;
mod multi_row;
mod pades;
mod paper_fields;
mod paper_fit;
mod pdf;
mod restart;
mod serve;
mod shares;
mod status;
mod store;
mod store_upgrade;
mod token;
mod two_servers;
mod vc_api;
mod web;
