//! End-to-end tests across the crates, one binary (modules listed here).
//!
//! * `admissions_share` — a share code made at a real `hocba-issuer serve`, redeemed once by
//!   `hocba-verify serve --online --portal-token-file` and scored; the second use refused.
//! * `pades` — issuer-signed PDFs (PAdES) checked by `hocba-verify --pki-root`: valid, and each
//!   tampering refused with its own reason.

mod admissions;
mod admissions_share;
mod dev_keys;
mod examples;
mod federation;
mod landing_paper;
mod online;
mod pades;
mod paper;
