//! Admissions speed, on one core, next to the raw Ed25519 rate of the same run:
//!
//! 1. raw `verify_strict` on a 64-byte message (the size of hashData), per second;
//! 2. 10,000 candidates × 3 records (30,000 credentials) verified in batches of 100
//!    candidates with `verify_credentials_batch` (status checked against the bundle's list):
//!    credentials per second;
//! 3. the same candidates verified *and* assessed (one pupil, grades, every combination of the
//!    six-semester scheme scored) with `assess_credentials`: candidates per second, and what
//!    scoring adds to the verification time (goal: < 10 %).
//!
//! The three are measured in turns, chunk by chunk of 100 candidates (raw 300 signatures,
//! then verification and assessment of the chunk, in alternating order), so that a shared
//! machine's changing load falls on all of them alike.
//!
//! Run: `cargo bench -p hocba-verifier --bench admissions` (`HOCBA_BENCH_CANDIDATES` sets the
//! number of candidates, default 10,000).

#![allow(missing_docs, clippy::unwrap_used, unreachable_pub, dead_code)]
// Timing is what a bench is for.
#![allow(clippy::disallowed_methods)]

#[path = "../tests/verifier/support.rs"]
mod support;
#[path = "../tests/verifier/admissions/world.rs"]
mod world;

use std::hint::black_box;
use std::time::Instant;

use ed25519_dalek::{Signer as _, SigningKey};
use hocba_verifier::VerifyOptions;
use hocba_verifier::admissions::{CredentialCandidate, Extras, Scheme, assess_credentials};
use hocba_verifier::verify_credentials_batch;
use serde_json::json;

use support::*;
use world::*;

/// Candidates verified and scored together (the API's batch: 100 candidates, 300 items).
const BATCH: usize = 100;

fn main() {
    let n: usize = std::env::var("HOCBA_BENCH_CANDIDATES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let scheme = Scheme::from_toml(
        &std::fs::read_to_string(format!(
            "{}/schemes/du-thao-2026-sau-hoc-ki.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let material = material();
    let options = VerifyOptions::default().with_status_lists(material.status_lists.clone());
    let trust = material.trust.clone();

    // The candidates: three records each, one pupil, different personal ids and marks.
    let start = Instant::now();
    let records: Vec<[Vec<u8>; 3]> = (0..n)
        .map(|i| {
            [10u8, 11, 12].map(|g| {
                let mut r = record(&LAN, g);
                r["student"]["personalIdNumber"] = json!(format!("0793080{i:05}"));
                r["student"]["fullName"] = json!(format!("Học Sinh {i}"));
                let toan = 5.0 + (i % 50) as f64 / 10.0;
                for s in r["secondary"]["subjects"].as_array_mut().unwrap() {
                    if s["code"] == "toan" {
                        s["semester1Average"] = json!(toan);
                        s["semester2Average"] = json!(toan);
                        s["yearAverage"] = json!(toan);
                    }
                }
                // Indexes apart from the revoked one.
                let index = 1_000 + (i as u64) * 3 + u64::from(g - 10);
                bytes(&sign_record(r, index))
            })
        })
        .collect();
    println!(
        "made {} candidates × 3 records in {:.1} s",
        n,
        start.elapsed().as_secs_f64()
    );

    // Raw verify_strict, verification alone and verification with scoring, measured chunk by
    // chunk in turns (the order alternating), so that all three see the same background load
    // on a shared machine.
    let key = SigningKey::from_bytes(&[7; 32]);
    let message = [0x5a_u8; 64];
    let signature = key.sign(&message);
    let public = key.verifying_key();
    let raw_per_chunk = BATCH * 3;
    let (mut raw_secs, mut raw_count) = (0.0, 0usize);
    let (mut verify_secs, mut assess_secs) = (0.0, 0.0);
    let (mut valid, mut scored) = (0usize, 0usize);
    for (c, chunk) in records.chunks(BATCH).enumerate() {
        let start = Instant::now();
        for _ in 0..raw_per_chunk {
            assert!(
                black_box(&public)
                    .verify_strict(black_box(&message), &signature)
                    .is_ok()
            );
        }
        raw_secs += start.elapsed().as_secs_f64();
        raw_count += raw_per_chunk;
        let verify = |valid: &mut usize| {
            let start = Instant::now();
            let items: Vec<&[u8]> = chunk.iter().flatten().map(Vec::as_slice).collect();
            for v in verify_credentials_batch(&items, &trust, &options, support::NOW) {
                if v.unwrap().is_valid() {
                    *valid += 1;
                }
            }
            start.elapsed().as_secs_f64()
        };
        let assess = |scored: &mut usize| {
            let start = Instant::now();
            let candidates: Vec<CredentialCandidate<'_>> = chunk
                .iter()
                .enumerate()
                .map(|(i, r)| CredentialCandidate {
                    id: format!("TS-{c}-{i}"),
                    extras: Extras {
                        area: Some("KV1".into()),
                        group: None,
                        bonus: 0.5,
                    },
                    credentials: r.iter().map(Vec::as_slice).collect(),
                })
                .collect();
            for a in assess_credentials(&scheme, &candidates, &trust, &options, support::NOW) {
                if a.result == "scored" {
                    *scored += 1;
                }
                black_box(&a);
            }
            start.elapsed().as_secs_f64()
        };
        if c % 2 == 0 {
            verify_secs += verify(&mut valid);
            assess_secs += assess(&mut scored);
        } else {
            assess_secs += assess(&mut scored);
            verify_secs += verify(&mut valid);
        }
    }
    assert_eq!(valid, n * 3, "every record verifies");
    assert_eq!(scored, n, "every candidate is scored");
    let raw = raw_count as f64 / raw_secs;

    let credentials = (n * 3) as f64;
    println!("raw verify_strict, 1 thread:                 {raw:>9.0} /s");
    println!(
        "verify in batches, 1 thread:                 {:>9.0} credentials/s  ({:.0} % of raw)",
        credentials / verify_secs,
        100.0 * credentials / verify_secs / raw
    );
    println!(
        "verify + score, 1 thread:                    {:>9.0} candidates/s   ({:>9.0} credentials/s)",
        n as f64 / assess_secs,
        credentials / assess_secs
    );
    println!(
        "scoring adds {:.1} % to the verification time ({:.2} s vs {:.2} s for {n} candidates)",
        100.0 * (assess_secs - verify_secs) / verify_secs,
        assess_secs,
        verify_secs
    );
}
