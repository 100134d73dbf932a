//! The issuing side of học bạ số: school keys, signing records into credentials, and the
//! authority's trust list. The command-line tool `hocba-issuer` is a thin layer over this
//! library.
//!
//! * [`keys`] — Ed25519 key pairs as PKCS#8 PEM files (mode 0600), generated from the OS.
//! * [`signing`] — `eddsa-jcs-2022` proofs over credentials and other documents.
//! * [`issue`] — a record in, a signed credential out (validation first).
//! * [`trust_list`] — builds and signs the trust list from a plain description of schools.
//! * [`authority`] — the trust-list life cycle: schools, key rotation and compromise, versions.
//! * [`api`] — the school HTTP API under `/api/v1` (`hocba-issuer serve`), with its OpenAPI document.
//! * [`web`] — the school web app at `/` (pages for teachers, principals, the Department, families).
//! * [`pdf`] — the printed record: A4 PDF with the signed QR summary and the embedded credential.
//! * [`status_lists`] — each school's signed Bitstring Status List, cached until a revocation.
//! * [`bundle`] — the offline trust bundle (trust list + every status list).
//! * [`ops`] — Prometheus metrics (`GET /metrics`) and the log format of `serve`.
//! * [`token`] — keys on a PKCS#11 token (RFC 7512 URIs, one session per batch, CKM_EDDSA).
//! * [`seal_key`] — the key behind a PDF signature (seal or principal), in a file or on a token.
//! * [`conformance`] — `hocba-conformance`: a loopback VC-API fixture for the W3C test suites.
//! * [`danger`] — the public development keys, recognised so they are never mistaken for real.
//!
//! Private keys never leave [`keys::KeyPair`]: it has no accessor for the secret, its `Debug`
//! prints only the public key, and nothing here logs.

pub mod api;
pub mod app;
pub mod authority;
pub mod batch;
pub mod bundle;
pub mod conformance;
pub mod danger;
pub mod error;
pub mod import;
pub mod issue;
pub mod keys;
pub mod ops;
pub mod pdf;
pub mod pki;
pub mod seal_key;
pub mod signing;
pub mod status_lists;
pub mod store;
pub mod synthetic;
pub mod token;
pub mod trust_list;
pub mod web;

pub use error::IssuerError;
