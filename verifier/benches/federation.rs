//! A synthetic nation through the federation, on one core, with the raw Ed25519 rate measured
//! in the same run:
//!
//! 1. 34 provinces and 54,000 schools (each with its own key, in its province's signed trust
//!    list, and one status list of 131,072 entries with a few revoked): the national bundle's
//!    size, plain and gzip-compressed, and `TrustBundle::open` (national list verified, 34
//!    provincial lists verified against it, 54,000 schools assembled, lists taken in);
//! 2. one credential verified with the single-authority trust list and with the assembled
//!    federated one (the trust chain's cost), each without and with the status check;
//! 3. Ed25519 `verify_strict` on a 64-byte message.
//!
//! The bundle is measured as JSON and gzip-compressed (what `hocba-issuer bundle --out
//! FILE.json.gz` writes); both open with `TrustBundle::open`.
//!
//! Run: `cargo bench -p hocba-verifier --bench federation` (`HOCBA_BENCH_MS` sets the time
//! per measurement, default 2000). With `HOCBA_NATION_BUNDLE=FILE HOCBA_NATION_ROOT=root.pub`
//! it also opens a bundle made by `hocba-issuer gen-nation` + `bundle --national` (the
//! issuer's generator; see the README's federation section).

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
use std::io::Write as _;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use hocba_schema::credential::IssuerRef;
use hocba_schema::national_trust_list::{
    NationalTrustList, NationalTrustListBody, TrustedProvince, province_id,
};
use hocba_schema::status_list::MIN_ENTRIES;
use hocba_schema::trust_list::{KeyStatus, TrustList, TrustListBody, TrustedKey};
use hocba_verifier::{TrustBundle, TrustedAuthority, VerifyOptions, verify_credential_with};
use serde_json::{Value, json};
use time::macros::datetime;

use support::*;
use synthetic::*;

const PROVINCES: usize = 34;
const SCHOOLS: usize = 54_000;
const REVOKED_PER_LIST: usize = 5;

fn province_code(p: usize) -> String {
    format!("{:02}", 10 + p)
}

/// School `s` and its province.
fn school(s: usize) -> (usize, BenchSchool) {
    let p = s % PROVINCES;
    let code = format!("{}{:06}", province_code(p), s);
    (p, bench_school(code, s, &format!("nation school {s}")))
}

fn province_key_entry(controller: &str, key: &SigningKey) -> TrustedKey {
    TrustedKey {
        id: vm(controller, key),
        kind: "Multikey".into(),
        controller: controller.into(),
        public_key_multibase: hocba_schema::multikey::encode_public_key(&key.verifying_key()),
        valid_from: datetime!(2025-08-01 00:00 UTC),
        valid_until: None,
        status: KeyStatus::Active,
    }
}

fn status_list_of(s: usize) -> Value {
    let revoked: Vec<usize> = (0..REVOKED_PER_LIST)
        .map(|k| k * 26_119 + s * 7_919 + 1)
        .collect();
    signed_status_list(&school(s).1, &revoked, false)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Median seconds of `TrustBundle::open` over `runs`.
fn open_time(bundle: &[u8], root: &TrustedAuthority, runs: usize) -> f64 {
    let mut opens = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let opened = TrustBundle::open(black_box(bundle), root).unwrap();
        opens.push(t.elapsed().as_secs_f64());
        black_box(opened);
    }
    median(opens)
}

const MIB: f64 = 1024.0 * 1024.0;

/// `HOCBA_NATION_BUNDLE` / `HOCBA_NATION_ROOT`: a bundle made by the issuer's generator.
fn issuer_made(runs: usize) {
    let (Ok(path), Ok(root)) = (
        std::env::var("HOCBA_NATION_BUNDLE"),
        std::env::var("HOCBA_NATION_ROOT"),
    ) else {
        return;
    };
    let bundle = std::fs::read(&path).unwrap();
    let root =
        TrustedAuthority::from_key_file_text(&std::fs::read_to_string(root).unwrap()).unwrap();
    let opened = TrustBundle::open(&bundle, &root).unwrap();
    println!(
        "issuer-made bundle {path}: {:.1} MiB, {} status lists, {} schools; TrustBundle::open: {:.0} ms (median of {runs})",
        bundle.len() as f64 / MIB,
        opened.status_lists().len(),
        opened.trust_list().list().credential_subject.schools.len(),
        open_time(&bundle, &root, runs) * 1e3
    );
}

fn main() {
    let budget: Duration = budget();
    let setup = Instant::now();
    let root_key = seeded("nation root");
    let root_id = "urn:hocba:root:bench";
    let province_keys: Vec<SigningKey> = (0..PROVINCES)
        .map(|p| seeded(&format!("nation province {p}")))
        .collect();
    let mut provincial: Vec<TrustList> = (0..PROVINCES)
        .map(|p| {
            let mut l = trust_list();
            l.issuer = IssuerRef {
                id: province_id(&province_code(p)),
                name: format!("Sở GD&ĐT {}", province_code(p)),
            };
            l.credential_subject = TrustListBody {
                version: 1,
                schools: Vec::new(),
            };
            l
        })
        .collect();
    for s in 0..SCHOOLS {
        let (p, school) = school(s);
        provincial[p]
            .credential_subject
            .schools
            .push(trusted_school(
                &school,
                &format!("Tỉnh {}", province_code(p)),
            ));
    }
    let provinces: Vec<TrustedProvince> = (0..PROVINCES)
        .map(|p| {
            let code = province_code(p);
            TrustedProvince {
                id: province_id(&code),
                code: code.clone(),
                name: format!("Sở GD&ĐT {code}"),
                school_code_prefixes: Vec::new(),
                trust_list: format!(
                    "https://{code}.hocba.example/.well-known/hocba/trust-list.json"
                ),
                verification_methods: vec![province_key_entry(
                    &province_id(&code),
                    &province_keys[p],
                )],
            }
        })
        .collect();
    let national = NationalTrustList::new(
        "urn:uuid:44444444-4444-4444-8444-444444444444".into(),
        IssuerRef {
            id: root_id.into(),
            name: "Bộ GD&ĐT".into(),
        },
        datetime!(2026-05-01 00:00 UTC),
        datetime!(2026-06-30 00:00 UTC),
        NationalTrustListBody {
            version: 1,
            provinces,
        },
    );
    let national_signed = sign(
        object(serde_json::to_value(&national).unwrap()),
        &root_key,
        &vm(root_id, &root_key),
        "2026-05-01T00:00:00Z",
    );
    let provincial_signed: Vec<Value> = provincial
        .iter()
        .enumerate()
        .map(|(p, l)| {
            signed_trust_list_with(l, &province_keys[p], &vm(&l.issuer.id, &province_keys[p]))
        })
        .collect();
    let lists: Vec<Value> = (0..SCHOOLS).map(status_list_of).collect();
    let bundle = bytes(&json!({
        "type": "HocBaTrustBundle",
        "createdAt": "2026-05-31T00:00:00Z",
        "nationalTrustList": national_signed,
        "provincialTrustLists": provincial_signed,
        "statusLists": lists,
    }));
    // One province with the same schools, as a single-authority list (the comparison).
    let single = {
        let mut l = provincial[7].clone();
        l.issuer = IssuerRef {
            id: AUTHORITY_ID.into(),
            name: "Sở".into(),
        };
        signed_trust_list_with(&l, &authority_key(), &vm(AUTHORITY_ID, &authority_key()))
    };
    eprintln!("(set-up {:.1} s)", setup.elapsed().as_secs_f64());
    let root = TrustedAuthority::new(root_key.verifying_key()).unwrap();

    let runs = 5;
    let packed = gzip(&bundle);
    let open = open_time(&bundle, &root, runs);
    let open_packed = open_time(&packed, &root, runs);
    println!(
        "national bundle: {PROVINCES} provinces, {SCHOOLS} schools, {SCHOOLS} status lists of {MIN_ENTRIES} entries ({REVOKED_PER_LIST} revoked each): {:.1} MiB as JSON, {:.1} MiB gzip-compressed",
        bundle.len() as f64 / MIB,
        packed.len() as f64 / MIB
    );
    println!(
        "  TrustBundle::open (national list + {PROVINCES} provincial lists verified, schools assembled, lists taken in): {:.0} ms as JSON, {:.0} ms gzip-compressed (median of {runs})",
        open * 1e3,
        open_packed * 1e3
    );
    issuer_made(runs);

    // 2. One credential of a school of province 7 (school 7 is in province 7).
    let opened = TrustBundle::open(&bundle, &root).unwrap();
    let federated = opened.trust_list();
    let single = authority().verify_trust_list(&bytes(&single)).unwrap();
    let credential = credential_of(&school(7).1, 7);
    let with = VerifyOptions::default().with_status_lists(opened.status_lists());
    let without = VerifyOptions::default();
    for trust in [federated, &single] {
        let v = verify_credential_with(&credential, trust, NOW, &with).unwrap();
        assert!(v.is_valid(), "{v:#?}");
    }
    let (plain, chained) = paired(
        budget * 2,
        || {
            black_box(
                verify_credential_with(black_box(&credential), &single, NOW, &without).unwrap(),
            );
        },
        || {
            black_box(
                verify_credential_with(black_box(&credential), federated, NOW, &without).unwrap(),
            );
        },
    );
    let (no_status, with_status) = paired(
        budget * 2,
        || {
            black_box(
                verify_credential_with(black_box(&credential), federated, NOW, &without).unwrap(),
            );
        },
        || {
            black_box(
                verify_credential_with(black_box(&credential), federated, NOW, &with).unwrap(),
            );
        },
    );
    println!(
        "one credential ({} bytes): {:.1} µs with a single-authority list, {:.1} µs through the national chain: {:+.1} %",
        credential.len(),
        plain * 1e6,
        chained * 1e6,
        (chained / plain - 1.0) * 100.0
    );
    println!(
        "  through the chain: {:.1} µs without status, {:.1} µs with the status check (cached list, 54,000 held): {:+.1} %",
        no_status * 1e6,
        with_status * 1e6,
        (with_status / no_status - 1.0) * 100.0
    );

    let raw_rate = raw_verify_rate(budget);
    println!(
        "ed25519-dalek verify_strict (64-byte message): {raw_rate:.0}/s ({:.1} µs); one credential through the chain: {:.0}/s = {:.0} % of it",
        1e6 / raw_rate,
        1.0 / chained,
        (1.0 / chained) / raw_rate * 100.0
    );
}
