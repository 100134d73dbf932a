//! End-to-end throughput for a synthetic province: import + validate (JSON files on disk, one
//! per school, read on all cores and handed over school by school, a few schools ahead, so
//! that the province is never held whole), then store + sign as a pipeline, school after
//! school: a school's rows are stored (one transaction per 500 rows) and their status entries
//! taken, its records are signed on the cores while the credentials of the school before are
//! stored (one transaction per chunk of 500). On SQLite (a temporary file; one pipeline, as
//! SQLite has one writer) and on PostgreSQL when `HOCBA_TEST_POSTGRES` is set (a fresh schema,
//! dropped afterwards; four pipelines side by side, each taking the next school, as a
//! province's server signs for several schools at once). The records were validated by the
//! import of the same run, so signing does not validate them again (`ValidatedNow`). Prints
//! store + sign in records per second (the time the pipelines were at work, not the time all
//! of them waited for the import) and as a share of the raw Ed25519
//! signing rate measured in the same run on all cores, the import's thread time, the whole
//! run from the first file read to the last credential stored, the peak resident memory,
//! the CPU time of this process (all its threads), the bytes this process wrote to the disk and, on PostgreSQL, how much the server's log
//! grew (the server writes its own files; other clients of the same server count too).
//!
//! Each database is measured twice: with the import streamed as above, and "after the import"
//! (the goal of issue #10 reads "a 60 k province in ≤ 10 s after import"): the whole province
//! imported and held first, then stored and signed with the cores to itself; its line also
//! gives the import's time and the peak memory of holding the province.
//!
//! Run: `cargo bench -p hocba-issuer --bench province` (`HOCBA_BENCH_PUPILS=6000` for a
//! smaller province; `HOCBA_BENCH_DB=sqlite|postgres` and `HOCBA_BENCH_MODE=streamed|after`
//! for one database or one mode).

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer as _, SigningKey};
use hocba_issuer::app::import::{storage_row, store_rows};
use hocba_issuer::app::pupil::IdentityBook;
use hocba_issuer::app::validate::may_validate;
use hocba_issuer::batch::{BatchContext, Prepared, reserve, sign_reserved, store_prepared};
use hocba_issuer::import::{Format, ImportOptions, import};
use hocba_issuer::keys::KeyPair;
use hocba_issuer::signing::Signer;
use hocba_issuer::store::{Backend, ImportRow, NewSchool, School, Store};
use hocba_issuer::synthetic;
use hocba_schema::credential::IssuerRef;
use hocba_test_support::db::{SqliteFile, postgres_url, unique_schema};
use sqlx::{AssertSqlSafe, Connection};
use time::OffsetDateTime;
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

/// One school as the import leaves it: the school and its rows, ready to store.
struct ImportedSchool {
    school: NewSchool,
    rows: Vec<ImportRow>,
}

/// Schools imported ahead of the one being stored: enough to keep the writer busy, few enough
/// that the province is never held whole.
const AHEAD: usize = 2;

/// Reads, parses and validates the school files on all cores, in the background, handing
/// each school over as soon as it is imported; at most [`AHEAD`] wait. Returns the schools as
/// they come and the threads' busy time (sum over threads, import work only).
fn import_streaming(
    files: Arc<Vec<PathBuf>>,
) -> (
    tokio::sync::mpsc::Receiver<ImportedSchool>,
    std::thread::JoinHandle<Duration>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(AHEAD);
    let handle = std::thread::spawn(move || {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let (tx, next, files) = (tx.clone(), &next, &files);
                    s.spawn(move || {
                        let mut busy = Duration::ZERO;
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(path) = files.get(i) else { break };
                            let t = Instant::now();
                            let school = import_file(path);
                            busy += t.elapsed();
                            if tx.blocking_send(school).is_err() {
                                break;
                            }
                        }
                        busy
                    })
                })
                .collect();
            drop(tx);
            workers.into_iter().map(|w| w.join().unwrap()).sum()
        })
    });
    (rx, handle)
}

fn import_file(path: &Path) -> ImportedSchool {
    let bytes = std::fs::read(path).unwrap();
    let report = import(&bytes, Format::Json, &ImportOptions::default()).unwrap();
    assert!(!report.has_errors());
    drop(bytes);
    let first = &report.drafts[0].1;
    let school = NewSchool {
        code: first.school.code.clone(),
        name: first.school.name.clone(),
        province: first.school.province.clone(),
        issuer_id: format!("urn:hocba:school:{}", first.school.code),
    };
    // The application layer's conversion and identity rule; validated in the same step, as
    // `hocba-issuer issue --accept-warnings` stores rows.
    let mut book = IdentityBook::default();
    let warned = report.rows_with_warnings();
    // Into a list of its own size: collected in place, the rows would keep the allocation of
    // the records they come from, several times larger, as long as they are held.
    let mut rows = Vec::with_capacity(report.drafts.len());
    rows.extend(report.drafts.into_iter().map(|(line, r)| {
        let key = book.key_of(&r.student).unwrap();
        let mut row = storage_row(&r, key).unwrap();
        row.validated = may_validate(false, warned.contains(&line), true);
        row
    }));
    ImportedSchool { school, rows }
}

/// The most memory this process has held since the last [`reset_peak_rss`], in MB (Linux).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Starts a new peak for [`peak_rss_mb`] (Linux 4.0 and later; elsewhere a no-op).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mb(v: Option<f64>) -> String {
    v.map_or_else(|| "unknown".into(), |v| format!("{v:.0} MB"))
}

/// A school whose records are being signed on a task of their own, not stored yet.
struct Signing {
    school: School,
    signer: Arc<Signer>,
    task: tokio::task::JoinHandle<Prepared>,
}

/// Stores what `signing` signed (waiting for it first) and returns the credentials issued.
async fn store_signed(store: &Store, signing: Signing, now: OffsetDateTime) -> usize {
    let prepared = signing.task.await.unwrap();
    let ctx = BatchContext {
        store,
        signer: &signing.signer,
        school: &signing.school,
        public_base_url: BASE_URL,
        actor: None,
        now,
    };
    let outcome = store_prepared(&ctx, prepared, &mut |_| {}).await.unwrap();
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed.first());
    outcome.issued.len()
}

const BASE_URL: &str = "https://hocba.example";

/// Bytes this process has had written to the disk so far (Linux; SQLite writes from the
/// process, PostgreSQL from its server, which this does not count).
fn written_mb() -> Option<f64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    let line = io.lines().find(|l| l.starts_with("write_bytes:"))?;
    let bytes: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(bytes / 1e6)
}

/// CPU time this process has used so far, user and system, in seconds (Linux; counts every
/// thread: the import, the signing, SQLite's work; not PostgreSQL's server).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses: state is field 3, utime
    // field 14 and stime field 15, in clock ticks of 1/100 s.
    let rest = stat.rsplit_once(") ")?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// Bytes PostgreSQL has written to its log so far (the whole server: other clients' writes
/// during the run count too), in MB; `None` on SQLite.
async fn server_wal_mb(store: &Store) -> Option<f64> {
    if store.backend() != Backend::Postgres {
        return None;
    }
    let bytes: i64 =
        sqlx::query_scalar("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::BIGINT")
            .fetch_one(store.pool())
            .await
            .ok()?;
    Some(bytes as f64 / 1e6)
}

/// How the import meets store + sign.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// School by school, a few ahead, on the same cores (the province never held whole).
    Streamed,
    /// The whole province imported first and held, then stored and signed: the goal's "after
    /// import", with the cores to store + sign alone (and the memory of the whole province).
    AfterImport,
}

/// What one pipeline did: its time storing records, its time signing and storing
/// credentials, the schools it took and the credentials it issued.
#[derive(Default)]
struct Done {
    store: Duration,
    sign: Duration,
    schools: usize,
    issued: usize,
}

/// The time during which every pipeline waited for the import at once (one pipeline waiting
/// while another works is not time lost).
struct WaitClock {
    writers: usize,
    state: std::sync::Mutex<(usize, Option<Instant>, Duration)>,
}

impl WaitClock {
    fn new(writers: usize) -> Self {
        Self {
            writers,
            state: std::sync::Mutex::new((0, None, Duration::ZERO)),
        }
    }

    fn start(&self) {
        let mut s = self.state.lock().unwrap();
        s.0 += 1;
        if s.0 == self.writers {
            s.1 = Some(Instant::now());
        }
    }

    fn stop(&self) {
        let mut s = self.state.lock().unwrap();
        if let Some(since) = s.1.take() {
            s.2 += since.elapsed();
        }
        s.0 -= 1;
    }

    fn all_waiting(&self) -> Duration {
        self.state.lock().unwrap().2
    }
}

/// School after school as the import hands them over: store its records and take their
/// status entries, start signing them on the cores, and meanwhile store the credentials of
/// the school before. One writer per pipeline; each school's rows and credentials are let go
/// of once stored.
async fn pipeline(
    store: &Store,
    schools: &tokio::sync::Mutex<tokio::sync::mpsc::Receiver<ImportedSchool>>,
    waits: &WaitClock,
    now: OffsetDateTime,
) -> Done {
    let mut done = Done::default();
    let mut previous: Option<Signing> = None;
    loop {
        waits.start();
        let next = schools.lock().await.recv().await;
        waits.stop();
        let Some(ImportedSchool { school, rows }) = next else {
            break;
        };
        done.schools += 1;
        let t = Instant::now();
        let school = store.create_school(&school, now).await.unwrap();
        let mut saved = Vec::with_capacity(rows.len());
        for outcome in store_rows(store, &school.id, &rows, None, now)
            .await
            .unwrap()
        {
            saved.push(outcome.unwrap());
        }
        drop(rows);
        done.store += t.elapsed();

        let t = Instant::now();
        let signer = Arc::new(Signer::new(
            KeyPair::from_seed(&[42u8; 32]),
            IssuerRef {
                id: school.issuer_id.clone(),
                name: school.name.clone(),
            },
        ));
        let ctx = BatchContext {
            store,
            signer: &signer,
            school: &school,
            public_base_url: BASE_URL,
            actor: None,
            now,
        };
        let reserved = reserve(&ctx, saved).await.unwrap();
        let task = tokio::task::spawn_blocking({
            let (store, school, signer) = (store.clone(), school.clone(), signer.clone());
            move || {
                let ctx = BatchContext {
                    store: &store,
                    signer: &signer,
                    school: &school,
                    public_base_url: BASE_URL,
                    actor: None,
                    now,
                };
                sign_reserved(&ctx, reserved)
            }
        });
        if let Some(signing) = previous.take() {
            done.issued += store_signed(store, signing, now).await;
        }
        previous = Some(Signing {
            school,
            signer,
            task,
        });
        done.sign += t.elapsed();
    }
    let t = Instant::now();
    if let Some(signing) = previous.take() {
        done.issued += store_signed(store, signing, now).await;
    }
    done.sign += t.elapsed();
    done
}

async fn run(
    label: &str,
    store: &Store,
    files: &Arc<Vec<PathBuf>>,
    pupils: usize,
    raw_sign: f64,
    mode: Mode,
    writers: usize,
) {
    reset_peak_rss();
    let now = datetime!(2026-05-29 08:00:00 UTC);
    let written = written_mb();
    let server_wal = server_wal_mb(store).await;
    let cpu = cpu_seconds();
    let t0 = Instant::now();
    let (mut schools, importer) = import_streaming(files.clone());
    let mut imported_first = String::new();
    if mode == Mode::AfterImport {
        // Take every school before storing any, then hand them over from memory.
        let mut all = Vec::with_capacity(files.len());
        while let Some(school) = schools.recv().await {
            all.push(school);
        }
        let text: usize = all
            .iter()
            .flat_map(|s| &s.rows)
            .map(|r| r.record_json.len())
            .sum();
        let (tx, rx) = tokio::sync::mpsc::channel(all.len().max(1));
        for school in all {
            let _ = tx.try_send(school);
        }
        schools = rx;
        imported_first = format!(
            "the whole province imported first in {:.2} s (peak RSS {}, of which {:.0} MB of \
             record text), then ",
            t0.elapsed().as_secs_f64(),
            mb(peak_rss_mb()),
            text as f64 / 1e6,
        );
    }

    // `writers` pipelines side by side, each taking the next school the import hands over.
    let schools = tokio::sync::Mutex::new(schools);
    let waits = WaitClock::new(writers);
    let t_phase = Instant::now();
    let done = futures_util::future::join_all(
        (0..writers).map(|_| pipeline(store, &schools, &waits, now)),
    )
    .await;
    let phase = t_phase.elapsed();
    let (mut t_store, mut t_sign, mut school_count, mut issued) =
        (Duration::ZERO, Duration::ZERO, 0, 0);
    for d in &done {
        t_store += d.store;
        t_sign += d.sign;
        school_count += d.schools;
        issued += d.issued;
    }
    let t_wait = waits.all_waiting();
    let total = t0.elapsed();
    let import_busy = importer.join().unwrap();
    assert_eq!(issued, pupils);
    // The time the pipelines were at work: the phase, less the time all of them waited.
    let store_sign = phase.saturating_sub(t_wait);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let written = written_mb()
        .zip(written)
        .map(|(after, before)| after - before);
    let server_wal = server_wal_mb(store)
        .await
        .zip(server_wal)
        .map(|(after, before)| format!("; PostgreSQL's log grew {:.0} MB", after - before))
        .unwrap_or_default();
    let cpu = cpu_seconds().zip(cpu).map_or_else(
        || "unknown".into(),
        |(after, before)| format!("{:.2} s", after - before),
    );
    let how = match mode {
        Mode::Streamed => format!("import streamed {AHEAD} schools ahead"),
        Mode::AfterImport => "after the import".to_owned(),
    };
    let how = match writers {
        1 => format!("{how}, one writer"),
        n => format!("{how}, {n} schools at a time"),
    };
    println!(
        "{label:<10} {pupils} records in {school_count} schools, {how}: {imported_first}\
         import+validate {:.2} s of thread time ({:.0}/s per thread); \
         store+sign {:.0}/s ({:.2} s; summed over the pipelines: storing records {:.2} s, signing and \
         storing credentials {:.2} s; \
         waiting for the import {:.2} s more), {:.1} % of the raw signing rate on {cores} cores; \
         import+store+sign {:.2} s = {:.0} records/s; peak RSS {}; CPU time of this process {cpu}; written by this process {}{server_wal}",
        import_busy.as_secs_f64(),
        per_sec(pupils, import_busy),
        per_sec(pupils, store_sign),
        store_sign.as_secs_f64(),
        t_store.as_secs_f64(),
        t_sign.as_secs_f64(),
        t_wait.as_secs_f64(),
        100.0 * per_sec(pupils, store_sign) / (raw_sign * cores as f64),
        total.as_secs_f64(),
        per_sec(pupils, total),
        mb(peak_rss_mb()),
        written.map_or_else(|| "unknown".into(), |w| format!("{w:.0} MB")),
    );
}

fn main() {
    let pupils: usize = std::env::var("HOCBA_BENCH_PUPILS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60_000);
    let t = Instant::now();
    // One JSON file per school, as a school management system exports them, written as the
    // generator makes each school so that the province is never held whole.
    let input = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut bytes = 0;
    synthetic::province_each(pupils, 1, |s| {
        let path = input.path().join(format!("{}.json", s.school.code));
        let json = serde_json::to_vec(&s.records).unwrap();
        bytes += json.len();
        std::fs::write(&path, json).unwrap();
        files.push(path);
    });
    println!(
        "generated {pupils} pupils in {} school files ({:.1} MB) in {:.2} s; {} cores; peak RSS {}",
        files.len(),
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        mb(peak_rss_mb()),
    );
    let files = Arc::new(files);
    let raw_sign = raw_sign_rate();
    println!("raw ed25519-dalek sign: {raw_sign:.0}/s on one core");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // `HOCBA_BENCH_DB=sqlite|postgres` and `HOCBA_BENCH_MODE=streamed|after` run one of each.
    // On PostgreSQL, `HOCBA_BENCH_WRITERS` schools are stored and signed at a time (each its
    // own pipeline and connection, as a province's server signs for several schools at once):
    // one pipeline leaves a core idle while it waits for the server (measured: 2, 3 and 4 at a
    // time gave 5,800, 5,900–6,050 and 6,200/s streamed). SQLite has one writer.
    let pg_writers: usize = std::env::var("HOCBA_BENCH_WRITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let only = |var: &str, name: &str| std::env::var(var).map_or(true, |v| v == name);
    rt.block_on(async {
        for (mode, mode_name) in [(Mode::Streamed, "streamed"), (Mode::AfterImport, "after")] {
            if !only("HOCBA_BENCH_MODE", mode_name) {
                continue;
            }
            if only("HOCBA_BENCH_DB", "sqlite") {
                let db = SqliteFile::new();
                let store = Store::connect(&db.url()).await.unwrap();
                run("sqlite", &store, &files, pupils, raw_sign, mode, 1).await;
                store.close().await;
            }
            match postgres_url().filter(|_| only("HOCBA_BENCH_DB", "postgres")) {
                Some(url) => {
                    let schema = unique_schema("hocba_bench");
                    let store = Store::connect_with_schema(&url, &schema).await.unwrap();
                    run(
                        "postgres", &store, &files, pupils, raw_sign, mode, pg_writers,
                    )
                    .await;
                    store.close().await;
                    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
                    sqlx::raw_sql(AssertSqlSafe(format!("DROP SCHEMA \"{schema}\" CASCADE")))
                        .execute(&mut conn)
                        .await
                        .unwrap();
                }
                None if only("HOCBA_BENCH_DB", "postgres") => {
                    println!("postgres   skipped: HOCBA_TEST_POSTGRES not set");
                }
                None => {}
            }
        }
    });
}
