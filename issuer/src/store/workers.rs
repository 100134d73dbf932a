//! Who works on a batch: leases, and knowing at once that a worker is gone.
//!
//! Decisions:
//!
//! * **A worker** is one issuer process (or, in tests, any name): [`process_worker_id`] is
//!   `{host}-{pid}-{random}`, new at every start, so a restarted process is a new worker and
//!   its previous incarnation is just another worker that is gone.
//! * **A lease.** A batch row names the worker working on it (`batches.worker_id`) and until
//!   when (`batches.lease_until`). The worker renews it while it works ([`Store::renew_lease`],
//!   every few seconds); done or failed batches hold no lease. [`Store::claim_batch`] takes a
//!   batch over in one conditional `UPDATE`: only when nobody holds a live lease on it, or
//!   when its worker is known to be gone. Of two stores racing for one batch exactly one
//!   changes the row (PostgreSQL re-checks the condition after the first commits; SQLite
//!   writers are serialised by `BEGIN IMMEDIATE`), so two workers never work on one batch at
//!   once unless one of them stalls beyond its lease — and even then the signing step issues
//!   no record twice and uses no status index twice (`credentials.rs`), because a record is
//!   signed only while it is `validated`, under its row lock.
//! * **Gone at once.** Waiting for a lease to run out would leave a batch idle for its whole
//!   length after a `kill -9` and an immediate restart. So every worker also holds a
//!   *liveness lock* that the operating system or the database frees the instant its process
//!   dies: on PostgreSQL a session advisory lock (`pg_try_advisory_lock` on a key derived
//!   from the worker id) on a connection kept for that purpose; on an SQLite file an exclusive
//!   lock (`flock`) on `<database>.workers/<hash of the id>.lock`; in an in-memory SQLite
//!   database (one process by definition) the workers of this store. [`Store::worker_gone`]
//!   tries to take that lock: if it can, nobody holds it and the worker is gone. A worker
//!   takes its lock before its first claim ([`Store::hold_worker`]), so a worker with a live
//!   claim always holds it (several stores of one process on one database share one: the
//!   first takes it). The lease stays the fallback (a network partition, a process
//!   that stalls without dying).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection};
use time::{Duration, OffsetDateTime};
use tokio::sync::Mutex;

use super::batches::{Batch, batch_from_row};
use super::timestamp::to_text;
use super::{Backend, Store, StoreError, hex};

/// How long a lease runs without being renewed.
pub const LEASE: Duration = Duration::seconds(30);

/// How often a working worker renews its lease (well inside [`LEASE`]).
pub const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// A batch with no lease at all (made before leases existed, or by a process that died
/// between creating and claiming it) that has not moved for this long is taken over.
pub const UNLEASED_STALE_AFTER: Duration = Duration::seconds(60);

/// This process's worker id: `{host}-{pid}-{8 random hex digits}`, the same for every call.
pub fn process_worker_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let host = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "host".to_owned());
        let random = uuid::Uuid::new_v4().simple().to_string();
        format!("{host}-{}-{}", std::process::id(), &random[..8])
    })
}

/// How a claim may take a batch.
#[derive(Clone, Copy, Debug)]
pub struct Claim<'a> {
    /// The worker claiming.
    pub worker: &'a str,
    /// The worker the caller found gone ([`Store::worker_gone`]): its live lease does not
    /// count.
    pub gone: Option<&'a str>,
    /// The claimer just created this batch, so its having no lease yet is no sign of age.
    pub created: bool,
    /// Sets the batch's report (the record ids to sign) with the claim; `None` keeps it.
    pub report_json: Option<&'a str>,
}

/// The liveness locks a store holds for its workers.
#[derive(Default)]
pub(super) struct Liveness {
    /// Directory of the SQLite lock files (`None`: PostgreSQL, or in-memory SQLite).
    dir: Option<PathBuf>,
    held: Mutex<HashMap<String, Held>>,
}

enum Held {
    /// The connection holding the advisory lock (its session is the lock).
    Postgres(AnyConnection),
    /// The locked file: holding it open holds the lock, nothing reads it.
    File(#[allow(dead_code)] std::fs::File),
    /// In-memory SQLite: being in the map is the lock.
    Memory,
    /// Another store of this process holds it (worker ids are random per process, so
    /// nobody else can): it is checked like anyone's.
    Elsewhere,
}

impl Liveness {
    /// Locks in files under `dir` (SQLite files), or none (PostgreSQL, in-memory SQLite).
    pub(super) fn new(dir: Option<PathBuf>) -> Self {
        Liveness {
            dir,
            held: Mutex::default(),
        }
    }

    fn file_for(&self, worker: &str) -> Option<PathBuf> {
        let name = hex(&Sha256::digest(worker.as_bytes())[..16]);
        self.dir.as_ref().map(|d| d.join(format!("{name}.lock")))
    }
}

/// The advisory lock key of a worker in a schema (advisory locks are database-wide): the
/// first 8 bytes of SHA-256 of both.
fn advisory_key(schema: &str, worker: &str) -> i64 {
    let digest = Sha256::digest(format!("hocba-worker:{schema}:{worker}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

fn lock_error(path: &std::path::Path, e: &std::io::Error) -> StoreError {
    StoreError::Database(format!("worker lock file {}: {e}", path.display()))
}

/// The schema the connection's tables are in.
async fn current_schema(conn: &mut AnyConnection) -> Result<String, StoreError> {
    Ok(sqlx::query_scalar("SELECT CAST(current_schema() AS TEXT)")
        .fetch_one(conn)
        .await?)
}

impl Store {
    /// Takes the liveness lock of `worker` in this store (once; later calls do nothing). Held
    /// until the store is closed or the process dies.
    pub async fn hold_worker(&self, worker: &str) -> Result<(), StoreError> {
        let mut held = self.liveness.held.lock().await;
        if held.contains_key(worker) {
            return Ok(());
        }
        let lock = match (self.backend, self.liveness.file_for(worker)) {
            (Backend::Postgres, _) => {
                let mut conn = self.pool.acquire().await?.detach();
                let key = advisory_key(&current_schema(&mut conn).await?, worker);
                let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(key)
                    .fetch_one(&mut conn)
                    .await?;
                if got {
                    Held::Postgres(conn)
                } else {
                    let _ = conn.close().await;
                    Held::Elsewhere
                }
            }
            (Backend::Sqlite, Some(path)) => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| lock_error(dir, &e))?;
                }
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .map_err(|e| lock_error(&path, &e))?;
                match file.try_lock() {
                    Ok(()) => Held::File(file),
                    Err(std::fs::TryLockError::WouldBlock) => Held::Elsewhere,
                    Err(std::fs::TryLockError::Error(e)) => return Err(lock_error(&path, &e)),
                }
            }
            (Backend::Sqlite, None) => Held::Memory,
        };
        held.insert(worker.to_owned(), lock);
        Ok(())
    }

    /// Whether no process holds `worker`'s liveness lock: it died (or never claimed
    /// anything). A worker of this store is never gone.
    pub async fn worker_gone(&self, worker: &str) -> Result<bool, StoreError> {
        if let Some(held) = self.liveness.held.lock().await.get(worker)
            && !matches!(held, Held::Elsewhere)
        {
            return Ok(false);
        }
        match (self.backend, self.liveness.file_for(worker)) {
            (Backend::Postgres, _) => {
                let mut conn = self.pool.acquire().await?;
                let key = advisory_key(&current_schema(&mut conn).await?, worker);
                let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(key)
                    .fetch_one(&mut *conn)
                    .await?;
                if got {
                    let _: bool = sqlx::query_scalar("SELECT pg_advisory_unlock($1)")
                        .bind(key)
                        .fetch_one(&mut *conn)
                        .await?;
                }
                Ok(got)
            }
            (Backend::Sqlite, Some(path)) => {
                let file = match std::fs::OpenOptions::new().write(true).open(&path) {
                    Ok(file) => file,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
                    Err(e) => return Err(lock_error(&path, &e)),
                };
                match file.try_lock() {
                    Ok(()) => {
                        // Nobody holds it: the worker is gone for good; tidy its file.
                        let _ = std::fs::remove_file(&path);
                        Ok(true)
                    }
                    Err(std::fs::TryLockError::WouldBlock) => Ok(false),
                    Err(std::fs::TryLockError::Error(e)) => Err(lock_error(&path, &e)),
                }
            }
            (Backend::Sqlite, None) => Ok(true),
        }
    }

    /// Gives up every liveness lock of this store (on close).
    pub(super) async fn release_workers(&self) {
        let held: Vec<Held> = self
            .liveness
            .held
            .lock()
            .await
            .drain()
            .map(|(_, h)| h)
            .collect();
        for lock in held {
            if let Held::Postgres(conn) = lock {
                let _ = conn.close().await;
            }
        }
    }

    /// Takes batch `batch_id` for `claim.worker` until `now + LEASE`, and marks it running.
    /// It succeeds (returns the batch) only if the batch is not done, not already this
    /// worker's, and nobody holds a live lease on it — or its lease holder is `claim.gone`.
    /// A batch without a lease is taken when it failed, when it was created by the claimer,
    /// or when it has not moved for [`UNLEASED_STALE_AFTER`]. `None`: someone else has it.
    pub async fn claim_batch(
        &self,
        batch_id: &str,
        claim: &Claim<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<Batch>, StoreError> {
        // The lock first: a worker with a claim must never look gone.
        self.hold_worker(claim.worker).await?;
        let row = sqlx::query(concat!(
            "UPDATE batches SET worker_id = $2, lease_until = $3, state = 'running', ",
            "report_json = COALESCE($7, report_json), updated_at = $4 ",
            "WHERE id = $1 AND state <> 'done' AND (worker_id IS NULL OR worker_id <> $2) AND (",
            "(lease_until IS NULL AND (state = 'failed' OR $6 = 1 OR updated_at <= $5)) ",
            "OR lease_until <= $4 ",
            "OR (worker_id = $8 AND lease_until IS NOT NULL)) ",
            "RETURNING ",
            batch_columns!()
        ))
        .bind(batch_id)
        .bind(claim.worker)
        .bind(to_text(now + LEASE)?)
        .bind(to_text(now)?)
        .bind(to_text(now - UNLEASED_STALE_AFTER)?)
        .bind(i64::from(claim.created))
        .bind(claim.report_json)
        .bind(claim.gone.unwrap_or(""))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(batch_from_row).transpose()
    }

    /// Renews `worker`'s lease on a running batch until `now + LEASE`. `false`: the batch is
    /// no longer this worker's (taken over, or finished): stop working on it.
    pub async fn renew_lease(
        &self,
        batch_id: &str,
        worker: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE batches SET lease_until = $3 \
             WHERE id = $1 AND worker_id = $2 AND state = 'running'",
        )
        .bind(batch_id)
        .bind(worker)
        .bind(to_text(now + LEASE)?)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }
}
