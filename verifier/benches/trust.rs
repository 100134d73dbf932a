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

use std::hint::black_box;
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer as _, SigningKey};
use hocba_schema::credential::{IssuerRef, StatusEntry, UnsignedCredential};
use hocba_schema::multikey::encode_public_key;
use hocba_schema::status_list::{Bitstring, MIN_ENTRIES, RevocationNote, StatusListCredential};
use hocba_schema::trust_list::{KeyStatus, TrustedKey, TrustedSchool};
use hocba_verifier::{TrustBundle, VerifyOptions, verify_credential_with};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::macros::datetime;

use support::*;

const SCHOOLS: usize = 1_000;
const REVOKED_PER_LIST: usize = 5;

/// Run `f` repeatedly for about `budget`; operations per second.
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

/// Time `a` and `b` in alternating rounds of 100 for about `budget` in all (so that clock
/// changes and other load hit both alike); the median over rounds of seconds per operation of
/// each (robust to rounds disturbed by other processes).
fn paired(budget: Duration, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    for _ in 0..200 {
        a();
        b();
    }
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    let start = Instant::now();
    while start.elapsed() < budget || ta.len() < 5 {
        let t = Instant::now();
        for _ in 0..100 {
            a();
        }
        ta.push(t.elapsed().as_secs_f64() / 100.0);
        let t = Instant::now();
        for _ in 0..100 {
            b();
        }
        tb.push(t.elapsed().as_secs_f64() / 100.0);
    }
    (median(ta), median(tb))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// School number `i` of the province: code, issuer id, key.
fn school(i: usize) -> (String, String, SigningKey) {
    let code = format!("{:08}", 30_000_000 + i);
    let id = format!("urn:hocba:school:{code}");
    let seed: [u8; 32] = Sha256::digest(format!("bench school {i}")).into();
    (code, id, SigningKey::from_bytes(&seed))
}

fn list_url(code: &str) -> String {
    format!("https://hocba.example/status/{code}/1")
}

/// The school's signed status list: 131,072 entries, a few revoked, with notes.
fn status_list_of(i: usize) -> Value {
    let (code, id, key) = school(i);
    let mut bits = Bitstring::new(MIN_ENTRIES);
    let mut notes = Vec::new();
    for k in 0..REVOKED_PER_LIST {
        let index = (k * 26_119 + i * 7_919 + 1) % MIN_ENTRIES;
        if bits.set(index, true) {
            notes.push(RevocationNote::new(
                index,
                datetime!(2026-05-20 10:00 UTC),
                "Sai điểm môn Toán; đã cấp lại",
            ));
        }
    }
    let from = datetime!(2026-05-31 00:00 UTC);
    let list = StatusListCredential::revocation_with_notes(
        &list_url(&code),
        IssuerRef {
            id: id.clone(),
            name: format!("Trường số {i}"),
        },
        from,
        datetime!(2026-06-14 00:00 UTC),
        &bits,
        notes,
    );
    let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
        .unwrap()
        .into_document();
    sign(doc, &key, &vm(&id, &key), &time_text(from))
}

/// A credential of school `i` at index 77 of its list (not revoked).
fn credential_of(i: usize) -> Vec<u8> {
    let (code, id, key) = school(i);
    let issuer = IssuerRef {
        id: id.clone(),
        name: format!("Trường số {i}"),
    };
    let status = StatusEntry::revocation(&list_url(&code), 77);
    let doc = UnsignedCredential::new(
        &format!("urn:uuid:22222222-2222-4222-8222-{i:012}"),
        &issuer,
        SIGNED_AT,
        subject(&code),
        Some(&status),
    )
    .unwrap()
    .into_document();
    bytes(&sign(doc, &key, &vm(&id, &key), &time_text(SIGNED_AT)))
}

fn main() {
    let budget = Duration::from_millis(
        std::env::var("HOCBA_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000),
    );

    // The province: the fixture trust list (schools A and B) plus 1,000 schools.
    let setup = Instant::now();
    let mut list = trust_list();
    for i in 0..SCHOOLS {
        let (code, id, key) = school(i);
        list.credential_subject.schools.push(TrustedSchool {
            id: id.clone(),
            code,
            name: format!("Trường số {i}"),
            province: "Tỉnh thử nghiệm".into(),
            seal_certificate_sha256: None,
            verification_methods: vec![TrustedKey {
                id: vm(&id, &key),
                kind: "Multikey".into(),
                controller: id,
                public_key_multibase: encode_public_key(&key.verifying_key()),
                valid_from: datetime!(2025-08-01 00:00 UTC),
                valid_until: None,
                status: KeyStatus::Active,
            }],
        });
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
    let credentials: Vec<Vec<u8>> = (0..SCHOOLS).map(credential_of).collect();
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
    let raw = SigningKey::from_bytes(&[7; 32]);
    let msg = [42u8; 64];
    let sig = raw.sign(&msg);
    let vk = raw.verifying_key();
    let raw_verify = rate(budget, || {
        vk.verify_strict(black_box(&msg), black_box(&sig)).unwrap();
    });
    println!(
        "ed25519-dalek verify_strict (64-byte message): {raw_verify:.0}/s ({:.1} µs)",
        1e6 / raw_verify
    );
}

/// School A's list at the fixture URL (index 4242 clear), like the tests' `status_list(&[])`.
fn status_list_of_a() -> Value {
    let from = datetime!(2026-05-31 00:00 UTC);
    let list = StatusListCredential::revocation(
        "https://hocba.example/status/79000701/1",
        school_a(),
        from,
        datetime!(2026-06-14 00:00 UTC),
        &Bitstring::new(MIN_ENTRIES),
    );
    let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
        .unwrap()
        .into_document();
    sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(from),
    )
}
