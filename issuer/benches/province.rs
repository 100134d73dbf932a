//! End-to-end throughput for a synthetic province: import + validate (JSON files, one per
//! school), store (one transaction per 500 rows), sign (batch engine: status allocation,
//! parallel signing, one transaction per chunk of 200), on SQLite (a temporary file) and on
//! PostgreSQL when `HOCBA_TEST_POSTGRES` is set (a fresh schema, dropped afterwards). Prints
//! records per second per phase and the total, next to the raw Ed25519 signing rate measured
//! in the same run.
//!
//! Run: `cargo bench -p hocba-issuer --bench province` (`HOCBA_BENCH_PUPILS=6000` for a
//! smaller province).

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer as _, SigningKey};
use hocba_issuer::batch::{BatchContext, sign_records};
use hocba_issuer::import::{Format, ImportOptions, import};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::signing::Signer;
use hocba_issuer::store::{ImportRow, NewPupil, NewSchool, Store};
use hocba_issuer::synthetic;
use hocba_schema::credential::IssuerRef;
use hocba_schema::record::{YearRecord, parse_date};
use hocba_test_support::db::{SqliteFile, postgres_url, unique_schema};
use sqlx::{AssertSqlSafe, Connection};
use time::macros::datetime;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn raw_sign_rate() -> f64 {
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let msg = [1u8; 64];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        for _ in 0..1000 {
            black_box(key.sign(black_box(&msg)));
        }
        n += 1000;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// Parse and validate every school file, on all cores.
fn import_all(files: &[Vec<u8>]) -> Vec<Vec<YearRecord>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = files.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(per)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|bytes| {
                            let report =
                                import(bytes, Format::Json, &ImportOptions::default()).unwrap();
                            assert!(!report.has_errors());
                            report
                                .drafts
                                .into_iter()
                                .map(|(_, r)| r)
                                .collect::<Vec<_>>()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

async fn run(label: &str, store: &Store, files: &[Vec<u8>], pupils: usize) {
    let now = datetime!(2026-05-29 08:00:00 UTC);
    let t0 = Instant::now();
    let schools = import_all(files);
    let t_import = t0.elapsed();

    let t1 = Instant::now();
    let mut stored = Vec::new();
    for records in &schools {
        let first = &records[0];
        let school = store
            .create_school(
                &NewSchool {
                    code: first.school.code.clone(),
                    name: first.school.name.clone(),
                    province: first.school.province.clone(),
                    issuer_id: format!("urn:hocba:school:{}", first.school.code),
                },
                now,
            )
            .await
            .unwrap();
        let rows: Vec<ImportRow> = records
            .iter()
            .map(|r| ImportRow {
                pupil: NewPupil {
                    pupil_key: r.student.personal_id_number.clone().unwrap(),
                    full_name: r.student.full_name.clone(),
                    date_of_birth: parse_date(&r.student.date_of_birth).unwrap(),
                },
                school_year: r.school_year.clone(),
                grade: i64::from(r.grade),
                class_name: r.class_name.clone(),
                record_json: serde_json::to_string(r).unwrap(),
                validated: true,
            })
            .collect();
        let mut saved = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(500) {
            for outcome in store
                .import_records(&school.id, chunk, None, now)
                .await
                .unwrap()
            {
                saved.push(outcome.unwrap());
            }
        }
        stored.push((school, saved));
    }
    let t_store = t1.elapsed();

    let t2 = Instant::now();
    let key = KeyPair::from_seed(&[42u8; 32]);
    let mut issued = 0;
    for (school, records) in &stored {
        let signer = Signer::new(
            KeyPair::from_seed(&[42u8; 32]),
            IssuerRef {
                id: school.issuer_id.clone(),
                name: school.name.clone(),
            },
        );
        let ctx = BatchContext {
            store,
            signer: &signer,
            school,
            public_base_url: "https://hocba.example",
            actor: None,
            now,
        };
        let outcome = sign_records(&ctx, records, &mut |_| {}).await.unwrap();
        assert!(outcome.failed.is_empty(), "{:?}", outcome.failed.first());
        issued += outcome.issued.len();
    }
    let t_sign = t2.elapsed();
    drop(key);
    assert_eq!(issued, pupils);
    let total = t0.elapsed();
    println!(
        "{label:<10} {pupils} records in {} schools: import+validate {:>8.0}/s ({:.2} s), store {:>8.0}/s ({:.2} s), sign {:>8.0}/s ({:.2} s); total {:.2} s = {:.0} records/s",
        schools.len(),
        per_sec(pupils, t_import),
        t_import.as_secs_f64(),
        per_sec(pupils, t_store),
        t_store.as_secs_f64(),
        per_sec(pupils, t_sign),
        t_sign.as_secs_f64(),
        total.as_secs_f64(),
        per_sec(pupils, total),
    );
}

fn main() {
    let pupils: usize = std::env::var("HOCBA_BENCH_PUPILS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60_000);
    let t = Instant::now();
    let province = synthetic::province(pupils, 1);
    let files: Vec<Vec<u8>> = province
        .iter()
        .map(|s| serde_json::to_vec(&s.records).unwrap())
        .collect();
    drop(province);
    println!(
        "generated {pupils} pupils in {} school files ({:.1} MB) in {:.2} s; {} cores",
        files.len(),
        files.iter().map(Vec::len).sum::<usize>() as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    println!(
        "raw ed25519-dalek sign: {:.0}/s on one core",
        raw_sign_rate()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = SqliteFile::new();
        let store = Store::connect(&db.url()).await.unwrap();
        run("sqlite", &store, &files, pupils).await;
        store.close().await;
        match postgres_url() {
            Some(url) => {
                let schema = unique_schema("hocba_bench");
                let store = Store::connect_with_schema(&url, &schema).await.unwrap();
                run("postgres", &store, &files, pupils).await;
                store.close().await;
                let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(AssertSqlSafe(format!("DROP SCHEMA \"{schema}\" CASCADE")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            None => println!("postgres   skipped: HOCBA_TEST_POSTGRES not set"),
        }
    });
}
