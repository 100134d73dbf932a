//! Status-list index allocation for the Bitstring Status List.
//!
//! Each school has numbered status lists of [`STATUS_LIST_SIZE`] entries. A list hands out
//! *counters* 0, 1, 2, … with one atomic statement
//! (`UPDATE … SET next_counter = next_counter + n … RETURNING`), so two processes never get
//! the same counter. A counter is then mapped to the *index* published in the credential by a
//! keyed pseudo-random permutation of `[0, size)`, so records signed one after another (a
//! class in alphabetical order) get unrelated positions and a list reveals nothing about its
//! neighbours. The permutation is a bijection, so distinct counters give distinct indices;
//! `UNIQUE (status_list, status_index)` on credentials is the backstop.
//!
//! The permutation: a balanced 4-round Feistel network on `2k` bits, where `2^(2k)` is the
//! smallest even power of two ≥ size, with round function
//! `F(i, x) = first 8 bytes of SHA-256(key ‖ i ‖ x) mod 2^k` (key: 32 random bytes made
//! when the list is created, kept in the database), and cycle-walking (re-apply until the
//! value falls inside `[0, size)`; fewer than four steps on average). When a list is full the
//! next one is created (its number one higher; a unique constraint settles a race between
//! two processes creating it).

use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::error::is_unique_violation;
use super::timestamp::{time_at, to_text};
use super::{Store, StoreError, hex, new_id, random_bytes};

/// Entries in every status list this store creates: the Bitstring Status List minimum
/// (131,072 = 16 KB uncompressed), which also gives group privacy.
pub const STATUS_LIST_SIZE: i64 = 131_072;

/// The largest block [`Store::allocate_status_indices`] takes in one statement.
const MAX_BLOCK: i64 = 1024;

/// Feistel rounds.
const ROUNDS: u8 = 4;

/// One allocated status-list entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StatusAllocation {
    /// The status list.
    pub list_id: String,
    /// The index in it (what `credentialStatus.statusListIndex` carries).
    pub index: i64,
}

/// A school's status list, as the publisher needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusListInfo {
    /// The list's id.
    pub id: String,
    /// The school that owns it.
    pub school_id: String,
    /// Its number within the school: 1, 2, …
    pub seq: i64,
    /// How many entries it has.
    pub size: i64,
    /// How many entries have been handed out.
    pub used: i64,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// A keyed permutation of `[0, size)`.
#[derive(Clone)]
pub(crate) struct Permutation {
    key: [u8; 32],
    size: u64,
    half_bits: u32,
}

impl Permutation {
    /// The permutation of `[0, size)` for `key`; `size` must be at least 2.
    pub(crate) fn new(key: [u8; 32], size: u64) -> Permutation {
        let bits = (u64::BITS - (size.max(2) - 1).leading_zeros()).max(2);
        Permutation {
            key,
            size: size.max(2),
            half_bits: bits.div_ceil(2),
        }
    }

    fn round(&self, round: u8, half: u64) -> u64 {
        let digest = Sha256::new()
            .chain_update(self.key)
            .chain_update([round])
            .chain_update(half.to_be_bytes())
            .finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) & self.mask()
    }

    fn mask(&self) -> u64 {
        (1u64 << self.half_bits) - 1
    }

    /// One pass of the Feistel network over `[0, 2^(2k))`.
    fn feistel(&self, x: u64) -> u64 {
        let (mut left, mut right) = (x >> self.half_bits, x & self.mask());
        for round in 0..ROUNDS {
            let next = left ^ self.round(round, right);
            left = right;
            right = next;
        }
        (left << self.half_bits) | right
    }

    /// The image of `counter` (which must be below `size`).
    pub(crate) fn apply(&self, counter: u64) -> u64 {
        let mut x = counter;
        loop {
            x = self.feistel(x);
            if x < self.size {
                return x;
            }
        }
    }
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Turns the row of a successful counter increment into allocations.
fn allocations_from_row(row: &AnyRow, taken: i64) -> Result<Vec<StatusAllocation>, StoreError> {
    let list_id: String = row.try_get("id")?;
    let next: i64 = row.try_get("next_counter")?;
    let size: i64 = row.try_get("size")?;
    let key_hex: String = row.try_get("permutation_key")?;
    let key = unhex32(&key_hex).ok_or_else(|| StoreError::Corrupt {
        what: "status_lists.permutation_key",
        detail: format!("list {list_id}: not 64 hex digits"),
    })?;
    let (Ok(size_u), Ok(first)) = (u64::try_from(size), u64::try_from(next - taken)) else {
        return Err(StoreError::Corrupt {
            what: "status_lists.next_counter",
            detail: format!("list {list_id}: counter {next}, size {size}"),
        });
    };
    let permutation = Permutation::new(key, size_u);
    (first..first + taken.unsigned_abs())
        .map(|counter| {
            let index = permutation.apply(counter);
            Ok(StatusAllocation {
                list_id: list_id.clone(),
                index: i64::try_from(index).map_err(|_| StoreError::Corrupt {
                    what: "status_lists.size",
                    detail: size.to_string(),
                })?,
            })
        })
        .collect()
}

impl Store {
    /// One status-list entry for a new credential of `school_id`. Safe to call from any
    /// number of tasks and processes at once: no two calls get the same entry.
    pub async fn allocate_status_index(
        &self,
        school_id: &str,
        now: OffsetDateTime,
    ) -> Result<StatusAllocation, StoreError> {
        let mut one = self.allocate_status_indices(school_id, 1, now).await?;
        one.pop()
            .ok_or_else(|| StoreError::Database("no status index allocated".into()))
    }

    /// `count` status-list entries for `school_id`, taken in blocks (one statement per block
    /// of up to 1,024), for batch signing. Entries may come from two lists when one fills up.
    pub async fn allocate_status_indices(
        &self,
        school_id: &str,
        count: usize,
        now: OffsetDateTime,
    ) -> Result<Vec<StatusAllocation>, StoreError> {
        let mut remaining = i64::try_from(count).map_err(|_| StoreError::InvalidInput {
            field: "count",
            reason: "too many".into(),
        })?;
        let mut out = Vec::with_capacity(count);
        let mut want = remaining.min(MAX_BLOCK);
        let mut fruitless = 0;
        while remaining > 0 {
            let row = sqlx::query(
                "UPDATE status_lists SET next_counter = next_counter + $2 \
                 WHERE id = (SELECT id FROM status_lists WHERE school_id = $1 \
                 AND next_counter + $2 <= size ORDER BY seq LIMIT 1) \
                 AND next_counter + $2 <= size \
                 RETURNING id, next_counter, size, permutation_key",
            )
            .bind(school_id)
            .bind(want)
            .fetch_optional(&self.pool)
            .await?;
            match row {
                Some(row) => {
                    out.extend(allocations_from_row(&row, want)?);
                    remaining -= want;
                    want = remaining.min(MAX_BLOCK);
                    fruitless = 0;
                }
                // No list has `want` free entries: take what the open list has left, or,
                // when it is full (or the school has none yet), open the next one.
                None => {
                    let free: Option<i64> = sqlx::query_scalar(
                        "SELECT MAX(size - next_counter) FROM status_lists WHERE school_id = $1",
                    )
                    .bind(school_id)
                    .fetch_one(&self.pool)
                    .await?;
                    if let Some(free) = free.filter(|&f| f > 0 && f < want) {
                        want = free;
                        continue;
                    }
                    fruitless += 1;
                    if fruitless > 8 {
                        return Err(StoreError::Conflict {
                            what: "could not open a new status list".into(),
                        });
                    }
                    self.open_status_list(school_id, now).await?;
                    want = remaining.min(MAX_BLOCK);
                }
            }
        }
        Ok(out)
    }

    /// Creates the school's next status list with a fresh permutation key. Losing a race to
    /// another process that creates the same list is fine: the caller just retries.
    async fn open_status_list(
        &self,
        school_id: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.school(school_id).await?;
        let key = hex(&random_bytes::<32>()?);
        let result = sqlx::query(
            "INSERT INTO status_lists (id, school_id, seq, size, next_counter, permutation_key, \
             created_at) SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, 0, $4, $5 \
             FROM status_lists WHERE school_id = $2",
        )
        .bind(new_id())
        .bind(school_id)
        .bind(STATUS_LIST_SIZE)
        .bind(key)
        .bind(to_text(now)?)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The status lists of `school_id`, in order.
    pub async fn status_lists(&self, school_id: &str) -> Result<Vec<StatusListInfo>, StoreError> {
        sqlx::query(
            "SELECT id, school_id, seq, size, next_counter, created_at FROM status_lists \
             WHERE school_id = $1 ORDER BY seq",
        )
        .bind(school_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(StatusListInfo {
                id: row.try_get("id")?,
                school_id: row.try_get("school_id")?,
                seq: row.try_get("seq")?,
                size: row.try_get("size")?,
                used: row.try_get("next_counter")?,
                created_at: time_at(row, "status_lists.created_at", "created_at")?,
            })
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn is_a_permutation_of_small_and_odd_domains() {
        for size in [2u64, 3, 7, 100, 1000, 4097] {
            let p = Permutation::new([7u8; 32], size);
            let image: HashSet<u64> = (0..size).map(|c| p.apply(c)).collect();
            assert_eq!(image.len() as u64, size, "size {size}");
            assert!(image.iter().all(|&i| i < size));
        }
    }

    #[test]
    fn full_list_is_a_permutation_and_keys_differ() {
        let size = STATUS_LIST_SIZE.unsigned_abs();
        let a = Permutation::new([1u8; 32], size);
        let b = Permutation::new([2u8; 32], size);
        let mut seen = vec![false; size as usize];
        for c in 0..size {
            let i = a.apply(c) as usize;
            assert!(!seen[i]);
            seen[i] = true;
        }
        let same = (0..1000).filter(|&c| a.apply(c) == b.apply(c)).count();
        assert!(same < 5);
    }

    #[test]
    fn hex_round_trip() {
        let key = [0xa5u8; 32];
        assert_eq!(unhex32(&hex(&key)), Some(key));
        assert_eq!(unhex32("zz"), None);
    }
}
