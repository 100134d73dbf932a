//! What the trust benches share (`#[path]`-included by `trust.rs` and `federation.rs`): a
//! synthetic school (code, issuer id, key derived from a label), its trust-list entry, its
//! signed status list, a credential of it, and the timing helpers (rate, paired medians,
//! the raw `verify_strict` rate of the same run).

use std::hint::black_box;
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer as _, SigningKey};
use hocba_schema::credential::{IssuerRef, StatusEntry, UnsignedCredential};
use hocba_schema::multikey::encode_public_key;
use hocba_schema::status_list::{Bitstring, MIN_ENTRIES, RevocationNote, StatusListCredential};
use hocba_schema::trust_list::{KeyStatus, TrustedKey, TrustedSchool};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::macros::datetime;

use crate::support::*;

/// A synthetic school.
pub struct BenchSchool {
    pub code: String,
    pub id: String,
    pub name: String,
    pub key: SigningKey,
    /// Its status list's URL.
    pub list_url: String,
}

/// The key derived from `label` (SHA-256 of it as the seed).
pub fn seeded(label: &str) -> SigningKey {
    let seed: [u8; 32] = Sha256::digest(label).into();
    SigningKey::from_bytes(&seed)
}

/// School number `i` with `code`, its key derived from `label`.
pub fn bench_school(code: String, i: usize, label: &str) -> BenchSchool {
    let id = format!("urn:hocba:school:{code}");
    BenchSchool {
        list_url: format!("https://hocba.example/status/{code}/1"),
        name: format!("Trường số {i}"),
        key: seeded(label),
        code,
        id,
    }
}

/// The school's entry in a trust list (`province` is the place name shown).
pub fn trusted_school(s: &BenchSchool, province: &str) -> TrustedSchool {
    TrustedSchool {
        id: s.id.clone(),
        code: s.code.clone(),
        name: s.name.clone(),
        province: province.into(),
        seal_certificate_sha256: None,
        verification_methods: vec![TrustedKey {
            id: vm(&s.id, &s.key),
            kind: "Multikey".into(),
            controller: s.id.clone(),
            public_key_multibase: encode_public_key(&s.key.verifying_key()),
            valid_from: datetime!(2025-08-01 00:00 UTC),
            valid_until: None,
            status: KeyStatus::Active,
        }],
    }
}

/// The school's signed status list: [`MIN_ENTRIES`] entries, `revoked` set (with a note
/// each when `notes`).
pub fn signed_status_list(s: &BenchSchool, revoked: &[usize], notes: bool) -> Value {
    let mut bits = Bitstring::new(MIN_ENTRIES);
    let mut kept = Vec::new();
    for &index in revoked {
        if bits.set(index % MIN_ENTRIES, true) && notes {
            kept.push(RevocationNote::new(
                index % MIN_ENTRIES,
                datetime!(2026-05-20 10:00 UTC),
                "Sai điểm môn Toán; đã cấp lại",
            ));
        }
    }
    let from = datetime!(2026-05-31 00:00 UTC);
    let list = StatusListCredential::revocation_with_notes(
        &s.list_url,
        IssuerRef {
            id: s.id.clone(),
            name: s.name.clone(),
        },
        from,
        datetime!(2026-06-14 00:00 UTC),
        &bits,
        kept,
    );
    let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
        .unwrap()
        .into_document();
    sign(doc, &s.key, &vm(&s.id, &s.key), &time_text(from))
}

/// A credential of the school (number `n` in its id) at index 77 of its list (not revoked).
pub fn credential_of(s: &BenchSchool, n: usize) -> Vec<u8> {
    let issuer = IssuerRef {
        id: s.id.clone(),
        name: s.name.clone(),
    };
    let status = StatusEntry::revocation(&s.list_url, 77);
    let doc = UnsignedCredential::new(
        &format!("urn:uuid:22222222-2222-4222-8222-{n:012}"),
        &issuer,
        SIGNED_AT,
        subject(&s.code),
        Some(&status),
    )
    .unwrap()
    .into_document();
    bytes(&sign(
        doc,
        &s.key,
        &vm(&s.id, &s.key),
        &time_text(SIGNED_AT),
    ))
}

/// The time per measurement: `HOCBA_BENCH_MS`, default 2000 ms.
pub fn budget() -> Duration {
    Duration::from_millis(
        std::env::var("HOCBA_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000),
    )
}

/// Run `f` repeatedly for about `budget`; operations per second.
pub fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
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
pub fn paired(budget: Duration, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
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

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Ed25519 `verify_strict` of a 64-byte message (the size of hashData) per second.
pub fn raw_verify_rate(budget: Duration) -> f64 {
    let raw = SigningKey::from_bytes(&[7; 32]);
    let msg = [42u8; 64];
    let sig = raw.sign(&msg);
    let vk = raw.verifying_key();
    rate(budget, || {
        vk.verify_strict(black_box(&msg), black_box(&sig)).unwrap();
    })
}
