//! Admissions (issue #14): scheme files (the two examples read; mistakes named by line), the
//! scoring API with its exports and refusals, the `hocba-verify admissions` command and the
//! admissions officer's page in Chromium.
//!
//! * `schemes` — scheme files and their line-numbered errors.
//! * `share` — share codes redeemed at a stand-in issuer, once, then scored.
//! * `world` — signed grade 10–12 records of two pupils and an offline bundle.
//! * `cli` — `hocba-verify admissions` on folders of records with a bundle.
//! * `core` — the core alone: fail closed without status lists, wrong level, unknown area.
//! * `page` — the officer's page in Chromium: a ZIP of PDFs, the ranked table, the XLSX.
//! * `service` — `POST /api/v1/admissions/score` on loopback: JSON, CSV, XLSX, 422s.

mod cli;
mod core;
mod page;
mod schemes;
mod service;
mod share;
#[allow(dead_code)]
mod world;
