//! Hostile input, on the files themselves: PDFs whose object graphs loop or explode, PDFs with
//! two credentials, request bodies that must not be read before a verification slot is free,
//! and bounded property tests of the PDF and QR readers.
//!
//! * `craft` — the hostile PDFs, built by hand as bytes.
//! * `pdf` — `extract_credential` on each: an error, within a deadline; two credentials refused.
//! * `cli` — `hocba-verify` on them: exits with an error in seconds (killed otherwise).
//! * `service` — the HTTP verifier on loopback: ten hostile uploads at once are answered,
//!   `/health` answers during and after; bodies wait for their slot before they are read.
//! * `fuzz` — random bytes and mutations of a real issued PDF and of a QR payload.

pub mod cli;
pub mod craft;
pub mod fuzz;
pub mod pdf;
pub mod service;
