//! Failed-attempt limits: at most so many failures per key (a client address, a share code)
//! in a window, then a temporary lock that grows with repeated lockouts. The HTTP side
//! (`api/auth.rs`, `api/shares.rs`) turns a lock into 429 with `Retry-After`; the web app's
//! password sign-in is meant to use the same calls with its own [`Limit`].
//!
//! Decisions:
//!
//! * **In the database, not in memory.** Several issuer instances may share one PostgreSQL
//!   database behind a load balancer; a counter in each process's memory would give an
//!   attacker N tries per instance and forget everything on restart. One row per (scope, key)
//!   in `attempt_limits`, changed by one upsert inside a write transaction, is the same count
//!   for every instance. Only *failures* write; a request from a locked key is refused by a
//!   read and writes nothing, so a flood against a lock costs one indexed read per request.
//! * **Keys are hashed** (SHA-256 with the scope) before they are stored: no client address
//!   and no share code is kept in clear.
//! * **A fixed window** opened by the first failure: the `failures`-th failure within
//!   `window` of it locks the key for `lock`; each further lockout of the same key (a
//!   *strike*) doubles the lock, up to `max_lock`. Strikes are forgotten after a day without
//!   failures, and by [`Store::forget_failures`] (a success). Attempts refused by a lock do
//!   not count and do not extend it, so nobody can keep somebody else's code locked forever.
//! * **Each lock is audited** (`limit.lock`, naming the scope and the hashed key), not each
//!   refused request, so hammering a lock does not grow the audit log.
//! * Rows of keys that have been quiet for a day are removed by [`Store::prune_attempts`].

use sha2::{Digest, Sha256};
use sqlx::Row;
use time::{Duration, OffsetDateTime};

use super::audit::{AuditEntry, append_on};
use super::timestamp::{from_opt_text, to_text};
use super::{Store, StoreError, hex};

/// A limit on failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// What is counted, e.g. `redeem.client` (also the audit log's name for it).
    pub scope: &'static str,
    /// Failures within `window` that lock the key.
    pub failures: u32,
    /// The window opened by the first failure.
    pub window: Duration,
    /// The first lock; each further lockout doubles it.
    pub lock: Duration,
    /// The longest lock.
    pub max_lock: Duration,
}

/// Redemptions of share codes that fail (unknown, used, expired, withdrawn, garbled), per
/// client: 10 a minute, then 5 minutes (doubling, at most an hour).
pub const REDEEM_PER_CLIENT: Limit = Limit {
    scope: "redeem.client",
    failures: 10,
    window: Duration::minutes(1),
    lock: Duration::minutes(5),
    max_lock: Duration::hours(1),
};

/// Failed redemptions of one share code, from any client: 5 a minute, then 5 minutes
/// (doubling, at most an hour).
pub const REDEEM_PER_CODE: Limit = Limit {
    scope: "redeem.code",
    failures: 5,
    window: Duration::minutes(1),
    lock: Duration::minutes(5),
    max_lock: Duration::hours(1),
};

/// Unknown, expired or revoked bearer tokens (and, later, wrong passwords) per client: 20 a
/// minute, then 5 minutes (doubling, at most an hour).
pub const SIGN_IN_PER_CLIENT: Limit = Limit {
    scope: "sign_in.client",
    failures: 20,
    window: Duration::minutes(1),
    lock: Duration::minutes(5),
    max_lock: Duration::hours(1),
};

/// Strikes are forgotten after this long without a failure.
const STRIKES_FORGOTTEN_AFTER: Duration = Duration::days(1);

/// A key is locked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The scope of the limit that refused.
    pub scope: &'static str,
    /// When the lock ends.
    pub until: OffsetDateTime,
}

impl Refused {
    /// Whole seconds from `now` to the end of the lock, at least 1 (for `Retry-After`).
    pub fn retry_after_secs(&self, now: OffsetDateTime) -> u64 {
        let secs = (self.until - now).whole_seconds() + 1;
        u64::try_from(secs.max(1)).unwrap_or(1)
    }
}

/// The stored form of a key: SHA-256 of scope and key.
fn hashed(limit: &Limit, key: &str) -> String {
    hex(&Sha256::digest(
        format!("{}\n{key}", limit.scope).as_bytes(),
    ))
}

/// The lock after `strikes` earlier lockouts: `lock · 2^strikes`, at most `max_lock`.
fn lock_for(limit: &Limit, strikes: i64) -> Duration {
    let factor = 1i32 << strikes.clamp(0, 16);
    (limit.lock * factor).min(limit.max_lock)
}

impl Store {
    /// Whether `key` is locked under `limit` at `now`.
    pub async fn attempt_locked(
        &self,
        limit: &Limit,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Refused>, StoreError> {
        let until: Option<Option<String>> = sqlx::query_scalar(
            "SELECT locked_until FROM attempt_limits WHERE scope = $1 AND key = $2 \
             AND locked_until > $3",
        )
        .bind(limit.scope)
        .bind(hashed(limit, key))
        .bind(to_text(now)?)
        .fetch_optional(&self.pool)
        .await?;
        Ok(
            from_opt_text("attempt_limits.locked_until", until.flatten())?.map(|until| Refused {
                scope: limit.scope,
                until,
            }),
        )
    }

    /// Counts a failure of `key` under `limit` at `now`. Returns the lock it started, if
    /// this was the failure that reached the limit (then `limit.lock` audited).
    pub async fn record_failure(
        &self,
        limit: &Limit,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Refused>, StoreError> {
        let key = hashed(limit, key);
        let now_text = to_text(now)?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO attempt_limits (scope, key, window_start, failures, strikes, \
             locked_until, updated_at) VALUES ($1, $2, $3, 1, 0, NULL, $3) \
             ON CONFLICT (scope, key) DO UPDATE SET \
             failures = CASE WHEN attempt_limits.window_start > $4 \
                 THEN attempt_limits.failures + 1 ELSE 1 END, \
             window_start = CASE WHEN attempt_limits.window_start > $4 \
                 THEN attempt_limits.window_start ELSE $3 END, \
             strikes = CASE WHEN attempt_limits.updated_at < $5 THEN 0 \
                 ELSE attempt_limits.strikes END, \
             updated_at = $3 \
             RETURNING failures, strikes",
        )
        .bind(limit.scope)
        .bind(&key)
        .bind(&now_text)
        .bind(to_text(now - limit.window)?)
        .bind(to_text(now - STRIKES_FORGOTTEN_AFTER)?)
        .fetch_one(&mut *tx)
        .await?;
        let failures: i64 = row.try_get("failures")?;
        let strikes: i64 = row.try_get("strikes")?;
        if failures < i64::from(limit.failures) {
            tx.commit().await?;
            return Ok(None);
        }
        let until = now + lock_for(limit, strikes);
        let until_text = to_text(until)?;
        // The window starts again after the lock: the next failures count afresh.
        sqlx::query(
            "UPDATE attempt_limits SET locked_until = $3, strikes = strikes + 1, failures = 0, \
             window_start = $3 WHERE scope = $1 AND key = $2",
        )
        .bind(limit.scope)
        .bind(&key)
        .bind(&until_text)
        .execute(&mut *tx)
        .await?;
        append_on(
            &mut tx,
            &AuditEntry {
                at: now,
                school_id: None,
                user_id: None,
                action: "limit.lock".to_owned(),
                subject: format!("{}:{key}", limit.scope),
                details_json: serde_json::json!({
                    "scope": limit.scope,
                    "until": until_text,
                    "strike": strikes + 1,
                })
                .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(Refused {
            scope: limit.scope,
            until,
        }))
    }

    /// Forgets the failures and strikes of `key` under `limit` (after a success).
    pub async fn forget_failures(&self, limit: &Limit, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM attempt_limits WHERE scope = $1 AND key = $2")
            .bind(limit.scope)
            .bind(hashed(limit, key))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes the counters of keys quiet for a day and not locked, and read windows that
    /// closed a day ago. Returns how many rows went.
    pub async fn prune_attempts(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let now_text = to_text(now)?;
        let day_ago = to_text(now - STRIKES_FORGOTTEN_AFTER)?;
        let attempts = sqlx::query(
            "DELETE FROM attempt_limits WHERE updated_at < $1 \
             AND (locked_until IS NULL OR locked_until < $2)",
        )
        .bind(&day_ago)
        .bind(&now_text)
        .execute(&self.pool)
        .await?
        .rows_affected();
        let reads = sqlx::query("DELETE FROM audit_reads WHERE window_until < $1")
            .bind(&day_ago)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(attempts + reads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_up_to_the_cap() {
        let l = REDEEM_PER_CLIENT;
        assert_eq!(lock_for(&l, 0), Duration::minutes(5));
        assert_eq!(lock_for(&l, 1), Duration::minutes(10));
        assert_eq!(lock_for(&l, 3), Duration::minutes(40));
        assert_eq!(lock_for(&l, 4), Duration::hours(1));
        assert_eq!(lock_for(&l, 99), Duration::hours(1));
    }
}
