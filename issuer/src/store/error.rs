//! What can go wrong in the storage layer, as one enum the HTTP layer maps to status codes
//! (`NotFound` → 404, `Conflict` and `StaleVersion` → 409, `Unavailable` → 503, the rest → 500).
//!
//! Messages name the table and the id; they never carry secrets, token hashes or record
//! content.

use thiserror::Error;

/// Why a storage operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No such row for this caller. Another school's row is reported the same way, so an id
    /// never reveals that it exists elsewhere.
    #[error("{what} {id} not found")]
    NotFound {
        /// What was looked for ("school", "record", "credential", …).
        what: &'static str,
        /// The id or code that was asked for.
        id: String,
    },
    /// The change contradicts what is stored (a duplicate key, a record that is already
    /// signed, a credential that is already revoked, an idempotency key reused for another
    /// request, …).
    #[error("conflict: {what}")]
    Conflict {
        /// What conflicted, in words a client can act on.
        what: String,
    },
    /// Optimistic concurrency: somebody else changed the row since the caller read it.
    #[error(
        "record {id} was changed by someone else (you had version {expected}, it is now {current}); reload and retry"
    )]
    StaleVersion {
        /// The row's id.
        id: String,
        /// The version the caller based its change on.
        expected: i64,
        /// The version stored now.
        current: i64,
    },
    /// An argument is out of range or malformed (a bad schema name, a database URL of an
    /// unknown kind, a timestamp outside years 0–9999, …).
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument.
        field: &'static str,
        /// The rule it broke.
        reason: String,
    },
    /// The database did not answer in time (no free connection within the acquire timeout,
    /// or the server is down).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A stored value could not be read back (a corrupt timestamp or an unknown state).
    #[error("stored {what} is unreadable: {detail}")]
    Corrupt {
        /// The column.
        what: &'static str,
        /// What was wrong with it.
        detail: String,
    },
    /// Running the migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(String),
    /// The operating system gave no randomness (token secrets, permutation keys).
    #[error("no randomness from the operating system: {0}")]
    Random(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                what: format!(
                    "duplicate key ({})",
                    db.constraint().unwrap_or("unique constraint")
                ),
            },
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Conflict {
                what: "refers to a row that does not exist".to_owned(),
            },
            _ => StoreError::Database(e.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migration(e.to_string())
    }
}

/// True when `e` is a unique-constraint violation (on either backend).
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Converts `e`, naming a unique-constraint violation in the caller's words.
pub(crate) fn unique_as(e: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict { what: what() }
    } else {
        e.into()
    }
}
