//! Crash safety and concurrency of `hocba-issuer issue`, with the real binary:
//!
//! * killed with SIGKILL in the middle of a batch, it leaves no half-issued record (every
//!   credential has a signed record and every signed record a credential), and running it
//!   again issues the rest, each record exactly once (SQLite, and PostgreSQL when
//!   `HOCBA_TEST_POSTGRES` is set);
//! * two processes issuing overlapping records on one PostgreSQL database never hand out a
//!   status index twice, never issue a record twice and lose nothing.

#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hocba_issuer::store::Store;
use hocba_issuer::synthetic;
use hocba_schema::record::SchoolLevel;
use sqlx::{AssertSqlSafe, Connection};

const CODE: &str = "25000731";

/// The dev key copied with mode 0600 (a fresh clone may not keep the mode).
fn key(dir: &Path) -> PathBuf {
    let from = format!(
        "{}/../keys/dev/school-{CODE}.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let to = dir.join("school.pem");
    std::fs::copy(from, &to).unwrap();
    std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).unwrap();
    to
}

/// A JSON file with the records `range` of a generated grade-3 class of `n` pupils.
fn class_file(dir: &Path, name: &str, n: usize, range: std::ops::Range<usize>) -> PathBuf {
    let school = synthetic::school(CODE, "Trường Tiểu học Hoa Ban", SchoolLevel::Primary);
    let records = synthetic::class(&school, 3, "3A", n, 11);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(&records[range]).unwrap()).unwrap();
    path
}

fn issue(
    input: &Path,
    out: &Path,
    key: &Path,
    url: &str,
    schema: Option<&str>,
    slow: bool,
) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hocba-issuer"));
    cmd.arg("issue")
        .arg("--input")
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--key")
        .arg(key)
        .arg("--trust-list")
        .arg(format!(
            "{}/../keys/dev/trust-list.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg("--database-url")
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(schema) = schema {
        cmd.arg("--database-schema").arg(schema);
    }
    if slow {
        cmd.env("HOCBA_TEST_SLOW_BATCH", "150");
    }
    cmd.spawn().unwrap()
}

fn credential_files(out: &Path) -> usize {
    files_ending(out, "json")
}

/// Files in `out` with this extension (`json`: credentials, `pdf`: their printed records).
fn files_ending(out: &Path, extension: &str) -> usize {
    std::fs::read_dir(out).map_or(0, |d| {
        d.filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == extension)
        })
        .count()
    })
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// The invariant: a credential exists exactly when its record is signed. Returns the number
/// of credentials.
async fn check_consistent(store: &Store) -> i64 {
    let orphans = count(
        store,
        "SELECT COUNT(*) FROM credentials c WHERE NOT EXISTS (SELECT 1 FROM year_records r \
         WHERE r.id = c.record_id AND r.state IN ('signed', 'revoked'))",
    )
    .await;
    let unsigned = count(
        store,
        "SELECT COUNT(*) FROM year_records r WHERE r.state IN ('signed', 'revoked') \
         AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.record_id = r.id)",
    )
    .await;
    assert_eq!(
        (orphans, unsigned),
        (0, 0),
        "credentials without signed records, signed records without credentials"
    );
    let twice = count(
        store,
        "SELECT COUNT(*) FROM (SELECT record_id FROM credentials GROUP BY record_id HAVING COUNT(*) > 1) t",
    )
    .await;
    assert_eq!(twice, 0, "a record issued twice");
    let index_twice = count(
        store,
        "SELECT COUNT(*) FROM (SELECT status_list, status_index FROM credentials \
         GROUP BY status_list, status_index HAVING COUNT(*) > 1) t",
    )
    .await;
    assert_eq!(index_twice, 0, "a status index handed out twice");
    count(store, "SELECT COUNT(*) FROM credentials").await
}

async fn kill_mid_batch_then_finish(url: &str, schema: Option<&str>, connect: &Store) {
    const N: usize = 2000;
    let dir = tempfile::tempdir().unwrap();
    let key = key(dir.path());
    let input = class_file(dir.path(), "class.json", N, 0..N);
    let out = dir.path().join("out");
    let mut child = issue(&input, &out, &key, url, schema, true);
    let start = Instant::now();
    while credential_files(&out) == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "no credential appeared"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("finished before it could be killed: {status}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let after_kill = check_consistent(connect).await;
    assert!(
        after_kill > 0 && after_kill < N as i64,
        "killed after {after_kill} of {N}"
    );

    let output = issue(&input, &out, &key, url, schema, false)
        .wait_with_output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(check_consistent(connect).await, N as i64);
    assert_eq!(credential_files(&out), N);
    // Every credential has its PDF beside it, also those written before the kill.
    assert_eq!(files_ending(&out, "pdf"), N);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_batch_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hocba.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    kill_mid_batch_then_finish(&url, None, &store).await;
    store.close().await;
}

/// A fresh schema on the test server, or `None` (and a note) without one.
async fn postgres_schema() -> Option<(String, String, Store)> {
    let Ok(url) = std::env::var("HOCBA_TEST_POSTGRES") else {
        println!("skipped: HOCBA_TEST_POSTGRES not set");
        return None;
    };
    let schema = hocba_test_support::db::unique_schema("hocba_crash");
    // Migrate once here, so the processes do not race to create the tables.
    let store = Store::connect_with_schema(&url, &schema).await.unwrap();
    Some((url, schema, store))
}

async fn drop_schema(url: &str, schema: &str, store: Store) {
    store.close().await;
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(format!("DROP SCHEMA \"{schema}\" CASCADE")))
        .execute(&mut conn)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_batch_postgres() {
    let Some((url, schema, store)) = postgres_schema().await else {
        return;
    };
    kill_mid_batch_then_finish(&url, Some(&schema), &store).await;
    drop_schema(&url, &schema, store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_postgres() {
    let Some((url, schema, store)) = postgres_schema().await else {
        return;
    };
    const N: usize = 1500;
    let dir = tempfile::tempdir().unwrap();
    let key = key(dir.path());
    // Overlapping halves: records 500..1000 are in both.
    let a = class_file(dir.path(), "a.json", N, 0..1000);
    let b = class_file(dir.path(), "b.json", N, 500..N);
    let (out_a, out_b) = (dir.path().join("out-a"), dir.path().join("out-b"));
    let first = issue(&a, &out_a, &key, &url, Some(&schema), false);
    let second = issue(&b, &out_b, &key, &url, Some(&schema), false);
    for child in [first, second] {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(check_consistent(&store).await, N as i64);
    assert_eq!(credential_files(&out_a), 1000);
    assert_eq!(credential_files(&out_b), 1000);
    assert_eq!(files_ending(&out_a, "pdf"), 1000);
    // The shared records carry the same credential in both directories.
    let shared: Vec<_> = std::fs::read_dir(&out_b)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name.to_string_lossy().ends_with(".json") && out_a.join(name).exists())
        .collect();
    assert_eq!(shared.len(), 500);
    for name in shared {
        assert_eq!(
            std::fs::read(out_a.join(&name)).unwrap(),
            std::fs::read(out_b.join(&name)).unwrap()
        );
    }
    drop_schema(&url, &schema, store).await;
}
