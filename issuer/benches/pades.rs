//! PAdES-signed PDFs per second on one core (rendered, then signed by the principal and the
//! school seal as two incremental updates) next to unsigned PDFs and the raw signing rate of
//! the same keys measured in the same run, and the bytes the two signatures add.
//!
//! `cargo bench -p hocba-issuer --bench pades` (goal: the two signatures add < 30 KB). Keys:
//! the development PKI's PEM files (ECDSA P-256); the PKCS#11 token variant comes with the
//! token keys.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, render_pdf, render_signed_pdf};
use hocba_issuer::pki::load_school;
use hocba_issuer::signing::Signer;
use hocba_schema::credential::IssuerRef;
use hocba_schema::trust_list::TrustList;
use hocba_test_support::files::{dev_keys, dev_trust_list, example_path};
use serde_json::Value;
use time::macros::datetime;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn signed(example: &str) -> (Value, KeyPair, String) {
    let record = std::fs::read(example_path(example)).unwrap();
    let value: Value = serde_json::from_slice(&record).unwrap();
    let code = value["school"]["code"].as_str().unwrap().to_owned();
    let list: TrustList =
        serde_json::from_slice(&std::fs::read(dev_trust_list()).unwrap()).unwrap();
    let school = list
        .credential_subject
        .schools
        .iter()
        .find(|s| s.code == code)
        .unwrap();
    let key_path = dev_keys().join(format!("school-{code}.pem"));
    let signer = Signer::new(
        KeyPair::load(&key_path).unwrap(),
        IssuerRef {
            id: school.id.clone(),
            name: school.name.clone(),
        },
    );
    let issued = issue_record(
        &record,
        &signer,
        &code,
        &IssueOptions {
            accept_warnings: true,
            status: None,
            now: datetime!(2026-05-29 09:30 UTC),
            id: None,
        },
    )
    .unwrap();
    (
        Value::Object(issued.credential),
        KeyPair::load(&key_path).unwrap(),
        code,
    )
}

/// Runs `f` for about `budget`, returns calls per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < budget {
        f();
        n += 1;
    }
    f64::from(n) / start.elapsed().as_secs_f64()
}

fn main() {
    let options = PdfOptions::default();
    let budget = Duration::from_secs(3);
    for example in ["primary-grade5.json", "secondary-grade11.json"] {
        let (credential, key, code) = signed(example);
        let pki = load_school(&dev_keys().join("pki"), &code)
            .unwrap()
            .expect("keys/dev/pki has the school's seal");
        let plain = render_pdf(&credential, &key, &options).unwrap();
        let pades = render_signed_pdf(&credential, &key, &options, Some(&pki)).unwrap();
        let raw = rate(budget, || {
            black_box(pki.seal.key.sign(black_box(b"signed attributes")).unwrap());
        });
        let unsigned = rate(budget, || {
            black_box(render_pdf(&credential, &key, &options).unwrap());
        });
        let signed = rate(budget, || {
            black_box(render_signed_pdf(&credential, &key, &options, Some(&pki)).unwrap());
        });
        let per_pdf_ms = 1000.0 / signed;
        let signing_ms = per_pdf_ms - 1000.0 / unsigned;
        println!(
            "{example}: {signed:.0} PAdES PDFs/s per core ({unsigned:.0}/s unsigned; the two \
             signatures cost {signing_ms:.2} ms of {per_pdf_ms:.2} ms, raw key {raw:.0} \
             signatures/s = {:.2} ms for two); {} bytes signed, {} unsigned, {} added (goal \
             < 30000)",
            2000.0 / raw,
            pades.bytes.len(),
            plain.bytes.len(),
            pades.bytes.len() - plain.bytes.len()
        );
    }
}
