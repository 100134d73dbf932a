//! Signing and verification throughput for the grade-11 example, next to the raw Ed25519 rates
//! measured in the same run, on one core.
//!
//! Run: `cargo bench -p hocba-issuer --bench sign_verify`
//!
//! The five headline rates (raw sign, credential signed, credential signed from the stored
//! record, raw verify, credential verified) are measured in interleaved rounds, so that load from other processes falls on all of them alike.
//! Each is reported as the mean over the run and as the best batch (the rate of the fastest
//! batch of 20: what the code does when nothing else is running); the ratios are given both
//! ways, and the per-round ratios as min / median / max. "Credential signed" wraps the record's
//! JSON value (`UnsignedCredential::new`, what signing a record read from the database does
//! after validating it); "from the stored record" wraps its stored canonical text
//! (`CanonicalUnsigned`, what a batch does for a record the same run validated), including the
//! scan that proves the text canonical; both give the very same credential (checked).

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer as _, SigningKey};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::signing::Signer;
use hocba_schema::credential::{CanonicalUnsigned, IssuerRef, StatusEntry, UnsignedCredential};
use hocba_schema::validation::parse_and_validate;
use hocba_test_support::files::{dev_keys, dev_trust_list, example_path};
use hocba_verifier::TrustedAuthority;
use serde_json::Value;
use time::macros::datetime;

// The allocator the binaries use.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Operations per second over a run, and in its fastest batch.
#[derive(Debug, Clone, Copy, Default)]
struct Rate {
    ops: u64,
    time: Duration,
    best_batch: Option<Duration>,
}

/// Batch size for [`Rate::best`].
const BATCH: usize = 20;

impl Rate {
    fn mean(&self) -> f64 {
        self.ops as f64 / self.time.as_secs_f64()
    }

    fn best(&self) -> f64 {
        BATCH as f64 / self.best_batch.unwrap_or(Duration::MAX).as_secs_f64()
    }

    fn add(&mut self, other: Rate) {
        self.ops += other.ops;
        self.time += other.time;
        self.best_batch = match (self.best_batch, other.best_batch) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// Time `f` on inputs made by `make` (not timed), in batches of [`BATCH`], for about `budget`.
fn measure_consuming<T>(
    budget: Duration,
    mut make: impl FnMut() -> T,
    mut f: impl FnMut(T),
) -> Rate {
    let mut r = Rate::default();
    let start = Instant::now();
    while start.elapsed() < budget {
        let inputs: Vec<T> = (0..BATCH).map(|_| make()).collect();
        let t = Instant::now();
        for input in inputs {
            f(input);
        }
        let took = t.elapsed();
        r.add(Rate {
            ops: BATCH as u64,
            time: took,
            best_batch: Some(took),
        });
    }
    r
}

/// [`measure_consuming`] without inputs.
fn measure(budget: Duration, mut f: impl FnMut()) -> Rate {
    measure_consuming(budget, || (), |()| f())
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
    // HOCBA_BENCH_MS shortens the run (e.g. under a profiler).
    let budget = Duration::from_millis(
        std::env::var("HOCBA_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000),
    );
    let record_bytes = std::fs::read(example_path("secondary-grade11.json")).unwrap();
    let trust_bytes = std::fs::read(dev_trust_list()).unwrap();
    let authority = TrustedAuthority::from_pem(
        &std::fs::read_to_string(dev_keys().join("authority.pub.pem")).unwrap(),
    )
    .unwrap();
    let trust = authority.verify_trust_list(&trust_bytes).unwrap();
    let key = KeyPair::load(&dev_keys().join("school-79000701.pem")).unwrap();
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
    // The issuer's batch path for a record validated in the same run: the stored canonical
    // text copied in as the subject (`CanonicalUnsigned`), the very same credential.
    let record_text = hocba_schema::jcs::canonical_bytes(&subject).unwrap();
    let sign_stored = || {
        let text = hocba_schema::jcs::scan::scan_canonical(black_box(&record_text)).unwrap();
        let unsigned = CanonicalUnsigned::new(
            "urn:uuid:3f0c8a52-4a8e-4c57-9d43-2b1f0f6f7a10",
            signer.issuer(),
            now,
            &text,
            Some(&status),
            None,
        )
        .unwrap();
        signer.sign_canonical_record(&unsigned, now).unwrap()
    };
    assert_eq!(sign_stored(), credential);
    if std::env::var("HOCBA_BENCH_ONLY").is_ok_and(|v| v == "verify") {
        // For a profiler: verification alone.
        let r = rate(budget, || {
            black_box(hocba_verifier::verify_json(black_box(&credential), &trust, now).unwrap());
        });
        println!("verify only: {r:.0}/s");
        return;
    }
    if std::env::var("HOCBA_BENCH_ONLY").is_ok_and(|v| v == "sign") {
        // For a profiler: signing alone (the clone of the record is made in the loop).
        let r = rate(budget, || {
            black_box(sign_one());
        });
        println!("sign only (with a clone of the record): {r:.0}/s");
        return;
    }
    let verdict = hocba_verifier::verify_json(&credential, &trust, now).unwrap();
    assert!(verdict.is_valid(), "{verdict:?}");
    // Raw Ed25519 on a 64-byte message (the size of hashData).
    let raw = SigningKey::from_bytes(&[7; 32]);
    let msg = [42u8; 64];
    let sig = raw.sign(&msg);
    let vk = raw.verifying_key();
    // The headline rates, in interleaved rounds.
    let rounds: u32 = std::env::var("HOCBA_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let slice = budget / rounds;
    let (mut raw_sign, mut full_sign, mut raw_verify, mut full_verify) = (
        Rate::default(),
        Rate::default(),
        Rate::default(),
        Rate::default(),
    );
    let mut sign_ratios = Vec::new();
    let (mut stored_sign, mut stored_ratios) = (Rate::default(), Vec::new());
    let mut verify_ratios = Vec::new();
    for round in 0..=rounds {
        let rs = measure(slice, || {
            black_box(raw.sign(black_box(&msg)));
        });
        // The record's JSON is what the issuer holds when it signs; preparing it is not timed.
        let fs = measure_consuming(
            slice,
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
        let ss = measure(slice, || {
            black_box(sign_stored());
        });
        let rv = measure(slice, || {
            vk.verify_strict(black_box(&msg), black_box(&sig)).unwrap();
        });
        let fv = measure(slice, || {
            let v = hocba_verifier::verify_json(black_box(&credential), &trust, now).unwrap();
            assert!(v.is_valid());
        });
        if round == 0 {
            continue; // warm-up
        }
        sign_ratios.push(fs.mean() / rs.mean());
        stored_ratios.push(ss.mean() / rs.mean());
        stored_sign.add(ss);
        verify_ratios.push(fv.mean() / rv.mean());
        raw_sign.add(rs);
        full_sign.add(fs);
        raw_verify.add(rv);
        full_verify.add(fv);
    }
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
    let scan = rate(budget, || {
        black_box(hocba_schema::jcs::scan::scan_canonical(black_box(&credential)).unwrap());
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
    let spread = |ratios: &mut Vec<f64>| {
        ratios.sort_by(f64::total_cmp);
        format!(
            "rounds {:.0}/{:.0}/{:.0} %",
            100.0 * ratios[0],
            100.0 * ratios[ratios.len() / 2],
            100.0 * ratios[ratios.len() - 1]
        )
    };
    println!(
        "{:<44} {:>10} {:>10}",
        "operation (one core)", "per second", "best batch"
    );
    println!(
        "{:<44} {:>10.0} {:>10.0}",
        "raw ed25519-dalek sign (64 B)",
        raw_sign.mean(),
        raw_sign.best()
    );
    println!(
        "{:<44} {:>10.0} {:>10.0}",
        "raw ed25519-dalek verify_strict (64 B)",
        raw_verify.mean(),
        raw_verify.best()
    );
    println!(
        "{:<44} {:>10.0} {:>10.0}  ({:.0} % / best {:.0} % of raw sign; {})",
        "credential signed (envelope+JCS+sign, bytes)",
        full_sign.mean(),
        full_sign.best(),
        100.0 * full_sign.mean() / raw_sign.mean(),
        100.0 * full_sign.best() / raw_sign.best(),
        spread(&mut sign_ratios)
    );
    println!(
        "{:<44} {:>10.0} {:>10.0}  ({:.0} % / best {:.0} % of raw sign; {})",
        "credential signed from the stored record",
        stored_sign.mean(),
        stored_sign.best(),
        100.0 * stored_sign.mean() / raw_sign.mean(),
        100.0 * stored_sign.best() / raw_sign.best(),
        spread(&mut stored_ratios)
    );
    println!(
        "{:<44} {:>10.0}             ({:.0} % of raw sign)",
        "record parsed+validated+signed",
        validate_and_sign,
        100.0 * validate_and_sign / raw_sign.mean()
    );
    println!(
        "{:<44} {:>10.0} {:>10.0}  ({:.0} % / best {:.0} % of raw verify; {})",
        "credential verified (parse+checks+verify)",
        full_verify.mean(),
        full_verify.best(),
        100.0 * full_verify.mean() / raw_verify.mean(),
        100.0 * full_verify.best() / raw_verify.best(),
        spread(&mut verify_ratios)
    );
    println!(
        "parts, µs each: envelope {:.1}, hashData {:.1}, serialise {:.1}, parse {:.1}, raw sign {:.1}, raw verify {:.1}",
        us(envelope),
        us(hashing),
        us(serialize),
        us(parse),
        us(raw_sign.best()),
        us(raw_verify.best())
    );
    println!(
        "fast path of verification: canonical scan {:.1} µs",
        us(scan)
    );
}
