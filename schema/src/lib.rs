//! The học bạ số format: what a school-year record is, what makes it valid, and how it is
//! wrapped in a W3C Verifiable Credential and hashed for an `eddsa-jcs-2022` proof.
//!
//! This crate does no I/O: it opens no files, makes no network calls and does not read the
//! clock. Times come in as arguments. It never signs (the issuer holds keys) and never decides
//! whether a credential is trustworthy (the verifier does); it gives both the same bytes to
//! sign and to check.
//!
//! * [`record`] — the record model (primary, Circular 27; secondary, Circular 22).
//! * [`rules`] — the Ministry's rules that derive results from marks.
//! * [`validation`] — every problem of a record at once, with JSON pointer, rule and value.
//! * [`credential`] — the VC 2.0 envelope around a record.
//! * [`jcs`] — RFC 8785 canonical bytes plus the project's limits on signed JSON.
//! * [`json`] — the strict JSON reader for untrusted bytes (size cap, depth, no duplicate keys).
//! * [`problem`] — RFC 9457 problem details, the HTTP error body of issuer and verifier.
//! * [`publication`] — where trust material is published, and the index of a school's lists.
//! * [`multikey`] / [`multibase`] — key and signature encodings.
//! * [`proof`] — Data Integrity proof configuration and `hashData` for `eddsa-jcs-2022`.
//! * [`status_list`] — W3C Bitstring Status List: the GZIP'd bitstring and its credential.
//! * [`trust_list`] — the authority's signed list of schools and their keys (data only).
//! * [`qr`] — the signed summary a printed record carries in its QR code, and its text form.
//! * [`paper`] — the printed page of a record, described once for the PDF and the verifier page.

pub mod credential;
pub mod error;
pub mod jcs;
pub mod json;
pub mod multibase;
pub mod multikey;
pub mod national_trust_list;
pub mod paper;
pub mod problem;
pub mod proof;
pub mod publication;
pub mod qr;
pub mod record;
pub mod rules;
pub mod status_list;
pub mod trust_list;
pub mod validation;

pub use error::SchemaError;
