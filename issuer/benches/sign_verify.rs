//! Signing and verification throughput for the grade-11 example, next to the raw Ed25519 rates
//! measured in the same run, on one core.
//!
//! Run: `cargo bench -p hocba-issuer --bench sign_verify`

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer as _, SigningKey};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::signing::Signer;
use hocba_schema::credential::{IssuerRef, StatusEntry, UnsignedCredential};
use hocba_schema::validation::parse_and_validate;
use hocba_verifier::TrustedAuthority;
use serde_json::Value;
use time::macros::datetime;

// The allocator the binaries use.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Like [`rate`], for work that consumes an input: `make` prepares 100 inputs outside the
/// timed part (e.g. the record the issuer already holds), `f` is timed on each.
fn rate_consuming<T>(budget: Duration, mut make: impl FnMut() -> T, mut f: impl FnMut(T)) -> f64 {
    let mut timed = Duration::ZERO;
    let mut n = 0u64;
    let start = Instant::now();
    while start.elapsed() < budget + budget / 2 && timed < budget {
        let inputs: Vec<T> = (0..100).map(|_| make()).collect();
        let t = Instant::now();
        for input in inputs {
            f(input);
        }
        timed += t.elapsed();
        n += 100;
    }
    n as f64 / timed.as_secs_f64()
}

/// Run `f` repeatedly for about `budget` and return operations per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..200 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // HOCBA_BENCH_MS shortens the run (e.g. under a profiler).
    let budget = Duration::from_millis(
        std::env::var("HOCBA_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000),
    );
    let record_bytes = std::fs::read(root.join("schema/examples/secondary-grade11.json")).unwrap();
    let trust_bytes = std::fs::read(root.join("keys/dev/trust-list.json")).unwrap();
    let authority = TrustedAuthority::from_pem(
        &std::fs::read_to_string(root.join("keys/dev/authority.pub.pem")).unwrap(),
    )
    .unwrap();
    let trust = authority.verify_trust_list(&trust_bytes).unwrap();
    let key = KeyPair::load(&root.join("keys/dev/school-79000701.pem")).unwrap();
    let school = trust
        .list()
        .school_with_key(&key.public_key_multibase())
        .unwrap()
        .clone();
    let signer = Signer::new(
        key,
        IssuerRef {
            id: school.id.clone(),
            name: school.name.clone(),
        },
    );
    let now = datetime!(2026-05-25 08:00 UTC);
    let (record, _) = parse_and_validate(&record_bytes).unwrap();
    let subject = serde_json::to_value(&record).unwrap();
    let status = StatusEntry::revocation("https://hocba.example/status/79000701/1", 94_567);

    let sign_one = || {
        let unsigned = UnsignedCredential::new(
            "urn:uuid:3f0c8a52-4a8e-4c57-9d43-2b1f0f6f7a10",
            signer.issuer(),
            now,
            subject.clone(),
            Some(&status),
        )
        .unwrap();
        signer.sign_canonical(&unsigned, now).unwrap()
    };
    let credential = sign_one();
    if std::env::var("HOCBA_BENCH_ONLY").is_ok_and(|v| v == "verify") {
        // For a profiler: verification alone.
        let r = rate(budget, || {
            black_box(hocba_verifier::verify_json(black_box(&credential), &trust, now).unwrap());
        });
        println!("verify only: {r:.0}/s");
        return;
    }
    // The record's JSON is what the issuer holds when it signs; preparing it is not timed.
    let full_sign = rate_consuming(
        budget,
        || subject.clone(),
        |subject| {
            let unsigned = UnsignedCredential::new(
                "urn:uuid:3f0c8a52-4a8e-4c57-9d43-2b1f0f6f7a10",
                signer.issuer(),
                now,
                subject,
                Some(&status),
            )
            .unwrap();
            black_box(signer.sign_canonical(&unsigned, now).unwrap());
        },
    );
    let validate_and_sign = rate(budget, || {
        let (record, report) = parse_and_validate(black_box(&record_bytes)).unwrap();
        assert!(!report.has_errors());
        let unsigned = UnsignedCredential::new(
            "urn:uuid:3f0c8a52-4a8e-4c57-9d43-2b1f0f6f7a10",
            signer.issuer(),
            now,
            serde_json::to_value(&record).unwrap(),
            Some(&status),
        )
        .unwrap();
        black_box(signer.sign_canonical(&unsigned, now).unwrap());
    });
    // Raw Ed25519 on a 64-byte message (the size of hashData).
    let raw = SigningKey::from_bytes(&[7; 32]);
    let msg = [42u8; 64];
    let sig = raw.sign(&msg);
    let vk = raw.verifying_key();
    let raw_sign = rate(budget, || {
        black_box(raw.sign(black_box(&msg)));
    });
    let raw_verify = rate(budget, || {
        vk.verify_strict(black_box(&msg), black_box(&sig)).unwrap();
    });

    let verdict = hocba_verifier::verify_json(&credential, &trust, now).unwrap();
    assert!(verdict.is_valid(), "{verdict:?}");
    let full_verify = rate(budget, || {
        let v = hocba_verifier::verify_json(black_box(&credential), &trust, now).unwrap();
        assert!(v.is_valid());
    });
    // Where the time goes.
    let envelope = rate(budget, || {
        black_box(
            UnsignedCredential::new(
                "urn:uuid:x",
                signer.issuer(),
                now,
                subject.clone(),
                Some(&status),
            )
            .unwrap(),
        );
    });
    let unsigned = UnsignedCredential::new(
        "urn:uuid:x",
        signer.issuer(),
        now,
        subject.clone(),
        Some(&status),
    )
    .unwrap();
    let config =
        hocba_schema::proof::proof_config(unsigned.document(), "urn:x#z", "2026-05-25T08:00:00Z");
    let hashing = rate(budget, || {
        black_box(hocba_schema::proof::hash_data(&config, black_box(unsigned.document())).unwrap());
    });
    let signed_doc: Value = serde_json::from_slice(&credential).unwrap();
    let serialize = rate(budget, || {
        black_box(serde_json::to_vec(black_box(&signed_doc)).unwrap());
    });
    let parse = rate(budget, || {
        black_box(serde_json::from_slice::<Value>(black_box(&credential)).unwrap());
    });
    let canonical =
        hocba_schema::jcs::canonical_bytes(&Value::Object(unsigned.document().clone())).unwrap();
    let jcs_only = rate(budget, || {
        black_box(
            hocba_schema::jcs::canonical_bytes(black_box(&Value::Object(
                unsigned.document().clone(),
            )))
            .unwrap(),
        );
    });
    let sha_only = rate(budget, || {
        use sha2::Digest;
        black_box(sha2::Sha256::digest(black_box(&canonical)));
    });
    let us = |r: f64| 1e6 / r;
    println!(
        "jcs+clone {:.1} µs, sha256 of {} B {:.1} µs",
        us(jcs_only),
        canonical.len(),
        us(sha_only)
    );

    println!(
        "credential: grade-11 example, {} bytes signed JSON",
        credential.len()
    );
    println!("{:<44} {:>10}", "operation (one core)", "per second");
    println!("{:<44} {:>10.0}", "raw ed25519-dalek sign (64 B)", raw_sign);
    println!(
        "{:<44} {:>10.0}",
        "raw ed25519-dalek verify_strict (64 B)", raw_verify
    );
    println!(
        "{:<44} {:>10.0}  ({:.0} % of raw sign)",
        "credential signed (envelope+JCS+sign, bytes)",
        full_sign,
        100.0 * full_sign / raw_sign
    );
    println!(
        "{:<44} {:>10.0}  ({:.0} % of raw sign)",
        "record parsed+validated+signed",
        validate_and_sign,
        100.0 * validate_and_sign / raw_sign
    );
    println!(
        "{:<44} {:>10.0}  ({:.0} % of raw verify)",
        "credential verified (parse+checks+verify)",
        full_verify,
        100.0 * full_verify / raw_verify
    );
    println!(
        "parts, µs each: envelope {:.1}, hashData {:.1}, serialise {:.1}, parse {:.1}, raw sign {:.1}, raw verify {:.1}",
        us(envelope),
        us(hashing),
        us(serialize),
        us(parse),
        us(raw_sign),
        us(raw_verify)
    );
}
