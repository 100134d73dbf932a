//! Opening the database: the URL picks the backend, the pool gets its per-connection
//! settings, and the embedded migrations run (idempotently) before the store is handed out.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, SqlSafeStr};

use super::{Backend, Store, StoreError};

/// How long a caller waits for a free connection before getting `StoreError::Unavailable`.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

const SQLITE_INIT: &str = include_str!("../../migrations/sqlite/0001_init.sql");
const POSTGRES_INIT: &str = include_str!("../../migrations/postgres/0001_init.sql");

/// Every embedded migration in order: (version, description, SQLite text, PostgreSQL text).
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (1, "init", SQLITE_INIT, POSTGRES_INIT),
    (
        2,
        "trust",
        include_str!("../../migrations/sqlite/0002_trust.sql"),
        include_str!("../../migrations/postgres/0002_trust.sql"),
    ),
    (
        3,
        "shares",
        include_str!("../../migrations/sqlite/0003_shares.sql"),
        include_str!("../../migrations/postgres/0003_shares.sql"),
    ),
    (
        4,
        "hardening",
        include_str!("../../migrations/sqlite/0004_hardening.sql"),
        include_str!("../../migrations/postgres/0004_hardening.sql"),
    ),
    (
        5,
        "accounts",
        include_str!("../../migrations/sqlite/0005_accounts.sql"),
        include_str!("../../migrations/postgres/0005_accounts.sql"),
    ),
    (
        6,
        "speed",
        include_str!("../../migrations/sqlite/0006_speed.sql"),
        include_str!("../../migrations/postgres/0006_speed.sql"),
    ),
    (
        7,
        "coverage",
        include_str!("../../migrations/sqlite/0007_coverage.sql"),
        include_str!("../../migrations/postgres/0007_coverage.sql"),
    ),
    (
        9,
        "counts",
        include_str!("../../migrations/sqlite/0009_counts.sql"),
        include_str!("../../migrations/postgres/0009_counts.sql"),
    ),
    (
        10,
        "counts per statement",
        include_str!("../../migrations/sqlite/0010_counts_per_statement.sql"),
        include_str!("../../migrations/postgres/0010_counts_per_statement.sql"),
    ),
    (
        11,
        "signed pdfs",
        include_str!("../../migrations/sqlite/0011_signed_pdfs.sql"),
        include_str!("../../migrations/postgres/0011_signed_pdfs.sql"),
    ),
    (
        12,
        "lighter writes",
        include_str!("../../migrations/sqlite/0012_lighter_writes.sql"),
        include_str!("../../migrations/postgres/0012_lighter_writes.sql"),
    ),
];

/// Settings run on every new SQLite connection. WAL lets readers work while one process
/// writes; the busy timeout (10 s) makes a writer wait for another instead of failing;
/// foreign keys are off by default in SQLite. A page cache of 16 MB per connection (SQLite's
/// default is 2 MB) keeps the indexes a batch inserts into in memory.
///
/// `synchronous = FULL` (SQLite's default, said here because it is a choice): every commit
/// waits until the log is on the disk, so what was committed survives a power cut, not only
/// a crash of the process. Only an import's transaction relaxes it ([`RELAXED`]).
///
/// The log is copied back into the database (a checkpoint, which waits for the disk twice)
/// once it holds 8,192 pages (32 MB) rather than SQLite's 1,000: a province signed school
/// by school then waits for checkpoints a few dozen times instead of a few hundred, and a
/// record written by its import and again by its signing is copied once. The log file keeps
/// its largest size (a few tens of MB) between checkpoints.
const SQLITE_FILE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384; \
     PRAGMA wal_autocheckpoint = 8192;";

/// Run before an import's transaction on SQLite: its commit does not wait for the disk. In
/// WAL mode that is still safe against a crash of the process, and the database is never
/// corrupted; a power cut may lose the last imports (drafts, made again by importing the
/// file again) but nothing signed: the next commit at `FULL` (every signing chunk's) puts
/// the whole log on the disk, the imports before it included. Every connection goes back to
/// `FULL` when it returns to the pool ([`RESTORE`]), whatever happened.
pub(super) const RELAXED: &str = "PRAGMA synchronous = NORMAL";

/// Run inside an import's transaction on PostgreSQL: its commit does not wait for the server
/// to flush its log (asynchronous commit, for this transaction only). A crash of the issuer
/// loses nothing the server acknowledged; a crash of the server may lose the last imports
/// (drafts, made again by importing the file again) but nothing signed: a signing commit
/// waits for the log to be flushed, and the log is flushed in order, so the imports before
/// it are flushed with it. This is [`RELAXED`]'s rule on SQLite.
pub(super) const RELAXED_POSTGRES: &str = "SET LOCAL synchronous_commit = off";

/// Run on every SQLite file connection returned to the pool.
const RESTORE: &str = "PRAGMA synchronous = FULL";
const SQLITE_MEMORY_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;";

impl Store {
    /// Opens the database at `url` and brings its tables up to date.
    ///
    /// * `sqlite://path/to/file.db` (or `sqlite:path`) — the file and its parent directory are
    ///   created if missing (`mode=rwc` is added when the URL names no mode); WAL journal,
    ///   a busy timeout of 10 s, foreign keys on. `sqlite::memory:` gives a private in-memory
    ///   database on a single connection.
    /// * `postgres://…` or `postgresql://…` — tables in the connection's default schema.
    ///
    /// Every pool waits at most 5 s for a connection. Running this twice on the same database
    /// is harmless: applied migrations are recorded and skipped.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Self::open(url, None).await
    }

    /// Like [`Store::connect`] for PostgreSQL, but every table lives in `schema`, which is
    /// created if missing, and every pooled connection gets `search_path` set to it. This is
    /// how tests run in parallel on one server, and how one server could hold several
    /// independent issuers.
    ///
    /// `schema` must be 1–63 characters of `a-z`, `0-9` and `_`, starting with a letter or `_`.
    /// SQLite has no schemas: a SQLite URL is refused.
    pub async fn connect_with_schema(url: &str, schema: &str) -> Result<Store, StoreError> {
        check_schema_name(schema)?;
        if Backend::from_url(url)? != Backend::Postgres {
            return Err(StoreError::InvalidInput {
                field: "schema",
                reason: "only PostgreSQL has schemas; use a separate SQLite file instead".into(),
            });
        }
        Self::open(url, Some(schema)).await
    }

    async fn open(url: &str, schema: Option<&str>) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let (pool, lock_dir) = match backend {
            Backend::Sqlite => sqlite_pool(url).await?,
            Backend::Postgres => (postgres_pool(url, schema).await?, None),
        };
        let liveness = std::sync::Arc::new(super::workers::Liveness::new(lock_dir));
        let store = Store {
            pool,
            backend,
            liveness,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the embedded migrations of this backend that have not run yet.
    async fn migrate(&self) -> Result<(), StoreError> {
        let migrations = MIGRATIONS
            .iter()
            .map(|&(version, name, sqlite, postgres)| {
                let (sql, description) = match self.backend {
                    Backend::Sqlite => (sqlite, format!("{name} (sqlite)")),
                    Backend::Postgres => (postgres, format!("{name} (postgres)")),
                };
                Migration::new(
                    version,
                    Cow::Owned(description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect();
        let migrator = Migrator::with_migrations(migrations);
        match migrator.run(&self.pool).await {
            Ok(()) => Ok(()),
            // SQLite has no migration lock: two processes starting on a fresh file race, and
            // the loser fails on "table already exists". By now the winner has recorded the
            // migration, so a second run finds nothing to do.
            Err(_) if self.backend == Backend::Sqlite => Ok(migrator.run(&self.pool).await?),
            Err(e) => Err(e.into()),
        }
    }
}

impl Backend {
    fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::InvalidInput {
                field: "database URL",
                reason: "must start with sqlite: or postgres://".into(),
            })
        }
    }
}

/// The pool, and for a file the directory of its worker lock files (`<file>.workers`).
async fn sqlite_pool(url: &str) -> Result<(sqlx::AnyPool, Option<PathBuf>), StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path.is_empty() || path == ":memory:" || query.contains("mode=memory");
    let url = if in_memory || query.split('&').any(|kv| kv.starts_with("mode=")) {
        url.to_owned()
    } else if query.is_empty() {
        format!("{url}?mode=rwc")
    } else {
        format!("{url}&mode=rwc")
    };
    let parent = Path::new(path)
        .parent()
        .filter(|p| !in_memory && !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::InvalidInput {
            field: "database URL",
            reason: format!("cannot create directory {}: {e}", parent.display()),
        })?;
    }
    let options: AnyConnectOptions = url.parse()?;
    let pragmas = if in_memory {
        SQLITE_MEMORY_PRAGMAS
    } else {
        SQLITE_FILE_PRAGMAS
    };
    let pool_options = AnyPoolOptions::new()
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                sqlx::raw_sql(pragmas).execute(&mut *conn).await?;
                Ok(())
            })
        });
    let pool_options = if in_memory {
        // Each connection to `:memory:` is its own database: keep exactly one, forever.
        pool_options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        pool_options
            .max_connections(8)
            .after_release(|conn, _meta| {
                Box::pin(async move {
                    // A connection that cannot be set back is closed, not reused.
                    Ok(sqlx::raw_sql(RESTORE).execute(&mut *conn).await.is_ok())
                })
            })
    };
    let lock_dir = (!in_memory).then(|| PathBuf::from(format!("{path}.workers")));
    Ok((pool_options.connect_with(options).await?, lock_dir))
}

async fn postgres_pool(url: &str, schema: Option<&str>) -> Result<sqlx::AnyPool, StoreError> {
    let options: AnyConnectOptions = url.parse()?;
    let set_path = match schema {
        Some(schema) => {
            let mut conn = options.connect().await?;
            sqlx::raw_sql(AssertSqlSafe(format!(
                "CREATE SCHEMA IF NOT EXISTS \"{schema}\""
            )))
            .execute(&mut conn)
            .await?;
            conn.close().await?;
            Some(format!("SET search_path TO \"{schema}\""))
        }
        None => None,
    };
    let mut pool_options = AnyPoolOptions::new()
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .max_connections(10);
    if let Some(set_path) = set_path {
        pool_options = pool_options.after_connect(move |conn, _meta| {
            let set_path = set_path.clone();
            Box::pin(async move {
                sqlx::raw_sql(AssertSqlSafe(set_path))
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        });
    }
    Ok(pool_options.connect_with(options).await?)
}

/// Schema names are spliced into SQL, so only a plain identifier is accepted.
fn check_schema_name(schema: &str) -> Result<(), StoreError> {
    let ok = (1..=63).contains(&schema.len())
        && schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !schema.as_bytes()[0].is_ascii_digit();
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidInput {
            field: "schema",
            reason: format!(
                "{schema:?} is not 1–63 characters of a-z, 0-9 and _ starting with a letter or _"
            ),
        })
    }
}
