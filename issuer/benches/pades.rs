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

use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, render_pdf, render_signed_pdf};
use hocba_issuer::pki::load_school;
use hocba_test_support::files::dev_keys;
use serde_json::Value;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/it/pades_fixture.rs"]
mod fixture;

fn signed(example: &str) -> (Value, KeyPair, String) {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    fixture::issue_example(&repo, example, None, None)
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
