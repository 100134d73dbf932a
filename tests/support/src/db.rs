//! A database per test: a SQLite file in its own temporary directory, or a PostgreSQL schema of
//! its own (a fresh name each time, so tests sharing one process or one server never meet) on
//! the server that `HOCBA_TEST_POSTGRES` names. Opening and dropping the schema is the store's
//! business (the issuer's `Store::connect_with_schema`, `--database-schema`).

use std::path::Path;

/// The environment variable naming the PostgreSQL server of the tests
/// (`postgres://postgres@127.0.0.1:5432/test` in CI).
pub const POSTGRES_ENV: &str = "HOCBA_TEST_POSTGRES";

/// The PostgreSQL URL of the tests, if one is set.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty())
}

/// A schema name no other test uses: `<prefix>_<uuid>`.
pub fn unique_schema(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// A SQLite database file in a temporary directory, removed when dropped.
pub struct SqliteFile {
    dir: tempfile::TempDir,
}

impl SqliteFile {
    /// A new, empty directory for the file (the store creates the file).
    pub fn new() -> SqliteFile {
        SqliteFile {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `sqlite://<dir>/hocba.db`.
    pub fn url(&self) -> String {
        format!("sqlite://{}/hocba.db", self.dir.path().display())
    }
}

impl Default for SqliteFile {
    fn default() -> Self {
        SqliteFile::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_files_are_never_shared() {
        assert_ne!(unique_schema("t"), unique_schema("t"));
        assert!(unique_schema("hocba_test").starts_with("hocba_test_"));
        let (a, b) = (SqliteFile::new(), SqliteFile::new());
        assert_ne!(a.url(), b.url());
        assert!(a.url().ends_with("/hocba.db") && a.dir().is_dir());
    }
}
