//! PDFs rendered per second on one core (QR summary signed, QR drawn, credential embedded,
//! streams compressed) for the grade-5 and grade-11 examples, and their sizes.
//!
//! `cargo bench -p hocba-issuer --bench pdf` (goal: ≥ 500 PDFs/s per core, < 60 KB each).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use hocba_issuer::keys::KeyPair;
use hocba_issuer::pdf::{PdfOptions, render_pdf};
use hocba_schema::credential::StatusEntry;
use serde_json::Value;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/it/pades_fixture.rs"]
mod fixture;

fn signed(example: &str) -> (Value, KeyPair) {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let code = {
        let record = std::fs::read(repo.join("schema/examples").join(example)).unwrap();
        let value: Value = serde_json::from_slice(&record).unwrap();
        value["school"]["code"].as_str().unwrap().to_owned()
    };
    let status = StatusEntry::revocation(&format!("https://hocba.example/status/{code}/1"), 48_213);
    let (credential, key, _) = fixture::issue_example(&repo, example, None, Some(status));
    (credential, key)
}

/// CPU time of this thread (user + system) from /proc, in seconds; `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime is the 12th, stime 13th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let options = PdfOptions {
        verifier_url: "https://verify.hocba.example".into(),
    };
    for example in ["primary-grade5.json", "secondary-grade11.json"] {
        let (credential, key) = signed(example);
        // Warm-up: parses the fonts once.
        let first = render_pdf(&credential, &key, &options).unwrap();
        let start = Instant::now();
        let cpu_start = thread_cpu_seconds();
        let mut n = 0u32;
        while start.elapsed() < Duration::from_secs(4) {
            black_box(render_pdf(&credential, &key, &options).unwrap());
            n += 1;
        }
        let wall = start.elapsed().as_secs_f64();
        // CPU time is what one core spends; wall time also counts waiting for a busy machine.
        let secs = match (cpu_start, thread_cpu_seconds()) {
            (Some(a), Some(b)) if b > a => b - a,
            _ => wall,
        };
        println!(
            "{example}: {:.0} PDFs/s per core of CPU time ({:.0}/s wall clock; {:.2} ms CPU each, {n} rendered); {} bytes, {} page(s), QR version {}, summary {} bytes",
            f64::from(n) / secs,
            f64::from(n) / wall,
            secs * 1000.0 / f64::from(n),
            first.bytes.len(),
            first.pages,
            first.qr_version,
            first.summary_bytes
        );
    }
}
