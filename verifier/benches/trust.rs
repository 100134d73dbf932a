//! Speed of trust material, on one core, with the raw Ed25519 rate measured in the same run:
//!
//! 1. a bundle for a province of 1,000 schools (each with its own key in the trust list and one
//!    status list of 131,072 entries, a few revoked, with revocation notes) opened with
//!    `TrustBundle::open`; then every list's first use (parse, decode, proof check);
//! 2. one credential verified without status, and with the status check against the cached
//!    list (the overhead in %);
//! 3. Ed25519 `verify_strict` on a 64-byte message (the size of hashData).
//!
//! Run: `cargo bench -p hocba-verifier --bench trust` (`HOCBA_BENCH_MS` sets the time per
//! measurement, default 2000).

#![allow(missing_docs, clippy::unwrap_used, unreachable_pub)]
// Timing is what a bench is for.
#![allow(clippy::disallowed_methods)]

#[allow(dead_code)]
#[path = "../tests/verifier/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "common/synthetic.rs"]
mod synthetic;

use std::hint::black_box;
use std::time::Instant;

use hocba_schema::status_list::MIN_ENTRIES;
use hocba_verifier::{TrustBundle, VerifyOptions, verify_credential_with};
use serde_json::{Value, json};

use support::*;
use synthetic::*;

const SCHOOLS: usize = 1_000;
const REVOKED_PER_LIST: usize = 5;

/// School number `i` of the province.
fn school(i: usize) -> BenchSchool {
    bench_school(
        format!("{:08}", 30_000_000 + i),
        i,
        &format!("bench school {i}"),
    )
}

/// The school's signed status list: 131,072 entries, a few revoked, with notes.
fn status_list_of(i: usize) -> Value {
    let revoked: Vec<usize> = (0..REVOKED_PER_LIST)
        .map(|k| k * 26_119 + i * 7_919 + 1)
        .collect();
    signed_status_list(&school(i), &revoked, true)
}

fn main() {
    let budget = budget();

    // The province: the fixture trust list (schools A and B) plus 1,000 schools.
    let setup = Instant::now();
    let mut list = trust_list();
    for i in 0..SCHOOLS {
        list.credential_subject
            .schools
            .push(trusted_school(&school(i), "Tỉnh thử nghiệm"));
    }
    let signed_list =
        signed_trust_list_with(&list, &authority_key(), &vm(AUTHORITY_ID, &authority_key()));
    let mut lists: Vec<Value> = (0..SCHOOLS).map(status_list_of).collect();
    // School A's list, for the fixture credential (index 4242, not revoked).
    lists.push(status_list_of_a());
    let bundle = bytes(&json!({
        "type": "HocBaTrustBundle",
        "createdAt": "2026-05-31T00:00:00Z",
        "trustList": signed_list,
        "statusLists": lists,
    }));
    let credentials: Vec<Vec<u8>> = (0..SCHOOLS).map(|i| credential_of(&school(i), i)).collect();
    eprintln!("(set-up {:.1} s)", setup.elapsed().as_secs_f64());
    let authority = authority();

    // 1. Open the bundle (the trust list's proof checked, every list taken in), then the first
    //    use of every list (parse, GZIP decode, proof check) by one credential of each school.
    let runs = 7;
    let (mut opens, mut colds, mut warms) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let opened = TrustBundle::open(black_box(&bundle), &authority).unwrap();
        opens.push(t.elapsed().as_secs_f64());
        let options = VerifyOptions::default().with_status_lists(opened.status_lists());
        let pass = || {
            let t = Instant::now();
            for c in &credentials {
                let v = verify_credential_with(c, opened.trust_list(), NOW, &options).unwrap();
                assert!(v.is_valid(), "{v:#?}");
            }
            t.elapsed().as_secs_f64()
        };
        colds.push(pass());
        warms.push(pass());
    }
    let (open, cold, warm) = (median(opens), median(colds), median(warms));
    let lists_cost = (cold - warm).max(0.0);
    println!(
        "bundle: {} schools, {} status lists of {MIN_ENTRIES} entries ({REVOKED_PER_LIST} revoked each), {:.1} MiB",
        SCHOOLS,
        SCHOOLS + 1,
        bundle.len() as f64 / (1024.0 * 1024.0)
    );
    println!(
        "  TrustBundle::open (trust list verified, lists taken in):   {:>8.1} ms (median of {runs})",
        open * 1e3
    );
    println!(
        "  {SCHOOLS} credentials, one per school: {:.1} ms on first use of the lists, {:.1} ms again",
        cold * 1e3,
        warm * 1e3
    );
    println!(
        "  first use of all {} lists (parse, decode, proof check):  {:>8.1} ms ({:.0} µs per list)",
        SCHOOLS,
        lists_cost * 1e3,
        lists_cost * 1e6 / SCHOOLS as f64
    );
    println!(
        "  open + every list verified:                                {:>8.1} ms",
        (open + lists_cost) * 1e3
    );

    // 2. One credential, with and without the status check against the cached list.
    let opened = TrustBundle::open(&bundle, &authority).unwrap();
    let trust = opened.trust_list();
    let credential = bytes(&valid_credential());
    let with = VerifyOptions::default().with_status_lists(opened.status_lists());
    let without = VerifyOptions::default();
    let checked = verify_credential_with(&credential, trust, NOW, &with).unwrap();
    assert!(checked.is_valid(), "{checked:#?}");
    assert_eq!(
        checked
            .check(hocba_verifier::CheckName::Status)
            .unwrap()
            .outcome,
        hocba_verifier::Outcome::Passed
    );
    let (plain, with_status) = paired(
        budget * 2,
        || {
            black_box(
                verify_credential_with(black_box(&credential), trust, NOW, &without).unwrap(),
            );
        },
        || {
            black_box(verify_credential_with(black_box(&credential), trust, NOW, &with).unwrap());
        },
    );
    println!(
        "verification of one credential ({} bytes): {:.1} µs without status, {:.1} µs with the status check (cached list): {:+.1} %",
        credential.len(),
        plain * 1e6,
        with_status * 1e6,
        (with_status / plain - 1.0) * 100.0
    );

    // 3. Raw Ed25519 verify_strict.
    let raw_verify = raw_verify_rate(budget);
    println!(
        "ed25519-dalek verify_strict (64-byte message): {raw_verify:.0}/s ({:.1} µs)",
        1e6 / raw_verify
    );
}

/// School A's list at the fixture URL (index 4242 clear), like the tests' `status_list(&[])`.
fn status_list_of_a() -> Value {
    let a = BenchSchool {
        code: "79000701".into(),
        id: SCHOOL_A.into(),
        name: school_a().name,
        key: school_a_key(),
        list_url: "https://hocba.example/status/79000701/1".into(),
    };
    signed_status_list(&a, &[], false)
}
