//! Integration tests of hocba-verifier: one test binary, one module per concern (run one module
//! with `cargo test -p hocba-verifier --test verifier MODULE::`, e.g. `--test verifier service::`).
//!
//! * `admissions` — admission schemes (files, line-numbered errors), candidate checks, scores.
//! * `vectors` — RFC 8032 §7.1, Wycheproof-style Ed25519 edge cases (data file), the W3C
//!   eddsa-jcs-2022 vector.
//! * `credential` — a valid credential and what its verdict reports.
//! * `cases` — the verdict cases of `tests/data/cases/`, one file each, run by one table.
//! * `keys` — unknown keys, another school's key, retired and compromised keys.
//! * `federation` — root → province → school: the national list, provincial lists, national
//!   bundles, and the four federation rejections.
//! * `federation_service` — the federation through `serve --online ROOT` (only the root pinned,
//!   only the provinces needed fetched, each refusal's reason), the QR path and status lists
//!   after a province's compromise.
//! * `trust_list` — the authority's signature over the trust list, freshness, key files.
//! * `qr` — the school-signed QR summary: offline verification, key rules, binding, bad payloads.
//! * `pdf` — the embedded credential of a printed record's PDF, with its limits.
//! * `status_replacement` — a revoked record's note naming the record that replaces it.
//! * `status_proof` — a status list's proof: optional `created`, `expires`, malformed times.
//! * `status` — revocation: a status list decoded by hand, revoked, wrong key, another
//!   school's list, stale and missing lists (status unknown).
//! * `bundle` — the offline trust bundle, and `hocba-verify --bundle` with `--max-age`.
//! * `scans` — QR codes from 100–300 dpi scans of a real record and a phone photo at an angle.
//! * `replay` — old genuine trust material replayed: duplicate list ids, older copies,
//!   expired and rolled-back trust lists (offline and online), no "valid" without revocation.
//! * `batch` — bulk verification: batched signatures, the same verdicts as one at a time.
//! * `bulk_answer` — the bulk API's answer writer gives `serde_json`'s bytes for every item.
//! * `core_alone` — without default features: no HTTP or command-line crates.
//! * `cli` — the `hocba-verify` binary: exit codes, `--json`, the development-key warning.
//! * `pipeline` — one input pipeline: the same verdict through the library, the CLI and the
//!   bulk API; a PDF read once; the online layer's failures returned as values.
//! * `service` — the HTTP verifier: routes, limits, online trust material, on loopback.
//! * `pages` — the HTML pages rendered from real verdicts (`pages_support` builds the world).
//! * `pages_replacement` — a revoked record's pages link to the record that replaces it.
//! * `browser` — the QR landing page in a real Chromium through ChromeDriver.
//! * `hostile` — hostile PDFs and request bodies, and bounded property tests of the readers.
//! * `proof_spec` — the Data Integrity rules of the W3C suites: `expires`, optional `created`,
//!   the proof `@context` prefix, a proof set of one.
#![allow(clippy::unwrap_used, missing_docs, unreachable_pub)]

#[allow(dead_code)]
mod pages_support;
#[allow(dead_code)]
mod support;

mod admissions;
mod batch;
mod browser;
mod bulk_answer;
mod bundle;
mod cases;
mod cli;
mod core_alone;
mod credential;
mod federation;
mod federation_service;
mod hostile;
mod keys;
mod pages;
mod pages_replacement;
mod pdf;
mod pipeline;
mod proof_spec;
mod qr;
mod replay;
mod scans;
mod service;
mod status;
mod status_proof;
mod status_replacement;
mod trust_list;
mod vectors;
