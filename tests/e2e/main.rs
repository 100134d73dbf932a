//! End-to-end tests across the crates, one binary (modules listed here).
//!
//! * `pades` — issuer-signed PDFs (PAdES) checked by `hocba-verify --pki-root`: valid, and each
//!   tampering refused with its own reason.

mod admissions;
mod dev_keys;
mod examples;
mod federation;
mod landing_paper;
mod online;
mod pades;
mod paper;
