//! Speed of one credential verification against the raw Ed25519 rate of the same run: the
//! grade-11 example (`schema/examples/secondary-grade11.json`) signed as school A of the test
//! trust list, its canonical bytes as the issuer hands them out, verified with
//! `verify_credential` (every check, no status lists); and `verify_strict` on a 64-byte message
//! (the size of hashData). The two run in alternating rounds so other load hits both alike.
//!
//! Run: `cargo bench -p hocba-verifier --bench single` (`HOCBA_BENCH_MS` sets the time, default
//! 3000). For an instruction profile that other processes cannot disturb:
//! `HOCBA_BENCH_PROFILE=20000 valgrind --tool=callgrind target/release/deps/single-…` runs
//! only that many verifications, and `HOCBA_BENCH_PROFILE_RAW=20000` that many raw
//! `verify_strict` calls (the same setup runs before both, so the difference of two runs with
//! different counts is the cost per operation).
//!
//! Each round is timed twice: wall clock, and the time the thread was on a CPU
//! (`CLOCK_THREAD_CPUTIME_ID`), which leaves out the time other processes held the cores; on a
//! loaded machine the second pair of rates is the one to compare.

#![allow(missing_docs, clippy::unwrap_used, unreachable_pub)]
// Timing is what a bench is for.
#![allow(clippy::disallowed_methods)]

#[allow(dead_code)]
#[path = "../tests/verifier/support.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use ed25519_dalek::Signer as _;
use hocba_schema::credential::{StatusEntry, UnsignedCredential};
use hocba_verifier::verify_credential;
use serde_json::{Value, json};

use support::*;

/// The allocator of the project's benches, as in the load bench.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn grade11_credential() -> Vec<u8> {
    let mut record: Value =
        serde_json::from_str(include_str!("../../schema/examples/secondary-grade11.json")).unwrap();
    record["school"]["code"] = json!("79000701");
    let status = StatusEntry::revocation("https://hocba.example/status/79000701/1", 4242);
    let doc = UnsignedCredential::new(
        "urn:uuid:44444444-4444-4444-8444-444444444444",
        &school_a(),
        SIGNED_AT,
        record,
        Some(&status),
    )
    .unwrap()
    .into_document();
    let signed = sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(SIGNED_AT),
    );
    hocba_schema::jcs::canonical_bytes(&signed).unwrap()
}

/// Nanoseconds this thread has been on a CPU (exact at the call, unlike
/// `/proc/thread-self/schedstat`, which moves by scheduler ticks).
fn on_cpu_ns() -> Option<u64> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    u64::try_from(t.tv_sec)
        .ok()?
        .checked_mul(1_000_000_000)?
        .checked_add(u64::try_from(t.tv_nsec).ok()?)
}

/// Wall-clock and on-CPU seconds per call of `f` over `n` calls.
fn round(n: u32, mut f: impl FnMut()) -> (f64, Option<f64>) {
    let (t, cpu) = (Instant::now(), on_cpu_ns());
    for _ in 0..n {
        f();
    }
    let wall = t.elapsed().as_secs_f64() / f64::from(n);
    let cpu = match (cpu, on_cpu_ns()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a) as f64 * 1e-9 / f64::from(n)),
        _ => None,
    };
    (wall, cpu)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let bytes = grade11_credential();
    let trust = verified_trust();
    assert!(verify_credential(&bytes, &trust, NOW).unwrap().is_valid());
    let key = school_a_key();
    let public = key.verifying_key();
    let message = [7u8; 64];
    let signature = key.sign(&message);
    let profile = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
    };
    if let Some(n) = profile("HOCBA_BENCH_PROFILE") {
        for _ in 0..n {
            black_box(verify_credential(black_box(&bytes), &trust, NOW).unwrap());
        }
        return;
    }
    if let Some(n) = profile("HOCBA_BENCH_PROFILE_RAW") {
        for _ in 0..n {
            black_box(public.verify_strict(black_box(&message), &signature)).unwrap();
        }
        return;
    }
    let budget = Duration::from_millis(
        std::env::var("HOCBA_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3000),
    );
    let raw = || {
        black_box(public.verify_strict(black_box(&message), &signature)).unwrap();
    };
    let single = || {
        black_box(verify_credential(black_box(&bytes), &trust, NOW).unwrap());
    };
    for _ in 0..200 {
        raw();
        single();
    }
    let (mut t_raw, mut t_single) = (Vec::new(), Vec::new());
    let (mut cpu_raw, mut cpu_single) = (Vec::new(), Vec::new());
    let start = Instant::now();
    while start.elapsed() < budget || t_raw.len() < 5 {
        let (wall, cpu) = round(100, raw);
        t_raw.push(wall);
        cpu_raw.extend(cpu);
        let (wall, cpu) = round(100, single);
        t_single.push(wall);
        cpu_single.extend(cpu);
    }
    let rounds = t_single.len();
    let (raw_rate, single_rate) = (1.0 / median(t_raw), 1.0 / median(t_single));
    println!("grade-11 credential: {} bytes (canonical)", bytes.len());
    println!("raw verify_strict, 64-byte message: {raw_rate:>9.0}/s");
    println!(
        "credential verified (every check):  {single_rate:>9.0}/s = {:.1} % of raw (goal >= 85 %)",
        100.0 * single_rate / raw_rate
    );
    if cpu_raw.len() == rounds && cpu_single.len() == rounds {
        let (raw_rate, single_rate) = (1.0 / median(cpu_raw), 1.0 / median(cpu_single));
        println!(
            "on-CPU time only (other load left out): raw {raw_rate:.0}/s, credential \
             {single_rate:.0}/s = {:.1} % of raw",
            100.0 * single_rate / raw_rate
        );
    }
}
