//! A bounded cache of per-key tables ([`Comb`]) for the signature check, so the keys a
//! verifier sees often are checked from tables.
//!
//! A verifier checks many credentials with few school keys, but a national trust list holds
//! about 54,000 of them, and a table is 77 KB that costs about as much to make as eight
//! verifications save. So:
//!
//! * **Made after repeated use.** Uses of keys without a table are counted in 4,096 small
//!   counters picked by the key's first bytes (keys sharing a counter only get their table
//!   sooner); a key gets its table at its [`BUILD_AFTER`]th counted use. A key checked once
//!   or twice (a phone scanning a QR code) never costs a table.
//! * **Bounded.** At most [`CAPACITY`] tables (2.5 MB). When they are all taken, a key that
//!   reaches the threshold replaces the table used least since the last ageing, and only if
//!   that one was used less often than the key's counter says: keys used in turn, more than
//!   the cache holds, do not evict one another on every use.
//! * **Ageing.** Every [`AGE_EVERY`] checks, every counter and every table's use count is
//!   halved, so what was used yesterday does not keep its place against what is used now.
//!
//! The cache changes only how fast [S]B − [k]A is computed, never the answer (see
//! [`super::strict`]). Counting is approximate under concurrent use (relaxed atomics, a read
//! lock on the lookup): a race can only make a table a little sooner or later. No clock: ages
//! count checks.

use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, PoisonError, RwLock};

use ed25519_dalek::VerifyingKey;

use super::comb::Comb;

/// Tables kept at most.
pub(crate) const CAPACITY: usize = 32;
/// The counted use of a key that makes its table.
pub(crate) const BUILD_AFTER: u8 = 8;
/// Checks between two halvings of every count.
pub(crate) const AGE_EVERY: u64 = 1 << 16;
/// Counters of uses of keys without a table.
const COUNTERS: usize = 4096;

/// One key's table and how often it was used since the last ageing.
struct Slot {
    key: [u8; 32],
    table: Arc<Comb>,
    uses: AtomicU32,
}

/// Per-key tables for the signature check, bounded (see the module).
pub(crate) struct KeyTables {
    slots: RwLock<Vec<Slot>>,
    counters: Box<[AtomicU8]>,
    checks: AtomicU64,
}

impl Default for KeyTables {
    fn default() -> Self {
        Self {
            slots: RwLock::new(Vec::new()),
            counters: (0..COUNTERS).map(|_| AtomicU8::new(0)).collect(),
            checks: AtomicU64::new(0),
        }
    }
}

impl std::fmt::Debug for KeyTables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyTables")
            .field("tables", &self.len())
            .finish_non_exhaustive()
    }
}

impl KeyTables {
    /// How many tables are kept.
    pub(crate) fn len(&self) -> usize {
        self.slots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether `key` has a table now.
    #[cfg(test)]
    pub(crate) fn has(&self, key: &VerifyingKey) -> bool {
        let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
        slots.iter().any(|s| s.key == *key.as_bytes())
    }

    /// The table of `key` for one signature check: the one kept, a new one when this use
    /// earns it, or none.
    pub(crate) fn table(&self, key: &VerifyingKey) -> Option<Arc<Comb>> {
        if (self.checks.fetch_add(1, Relaxed) + 1).is_multiple_of(AGE_EVERY) {
            self.age();
        }
        let bytes = key.as_bytes();
        let lowest = {
            let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(slot) = slots.iter().find(|s| s.key == *bytes) {
                slot.uses.fetch_add(1, Relaxed);
                return Some(slot.table.clone());
            }
            (slots.len() >= CAPACITY).then(|| {
                slots
                    .iter()
                    .map(|s| s.uses.load(Relaxed))
                    .min()
                    .unwrap_or(0)
            })
        };
        let counter = &self.counters[counter_index(bytes)];
        let uses = counter.load(Relaxed).saturating_add(1);
        counter.store(uses, Relaxed);
        if uses < BUILD_AFTER || lowest.is_some_and(|lowest| lowest >= u32::from(uses)) {
            return None;
        }
        // Made outside the lock: checks with other keys go on meanwhile.
        let table = Arc::new(Comb::new(&key.to_edwards()));
        let mut slots = self.slots.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.iter().find(|s| s.key == *bytes) {
            // Made by another thread meanwhile.
            return Some(slot.table.clone());
        }
        let slot = Slot {
            key: *bytes,
            table: table.clone(),
            uses: AtomicU32::new(u32::from(uses)),
        };
        if slots.len() < CAPACITY {
            slots.push(slot);
        } else if let Some(victim) = slots.iter_mut().min_by_key(|s| s.uses.load(Relaxed))
            && victim.uses.load(Relaxed) < u32::from(uses)
        {
            *victim = slot;
        }
        counter.store(0, Relaxed);
        Some(table)
    }

    /// Halve every count.
    fn age(&self) {
        for c in self.counters.iter() {
            c.store(c.load(Relaxed) / 2, Relaxed);
        }
        let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
        for s in slots.iter() {
            s.uses.store(s.uses.load(Relaxed) / 2, Relaxed);
        }
    }
}

/// The counter of a key: its first two bytes (an encoded point: as good as random).
fn counter_index(key: &[u8; 32]) -> usize {
    usize::from(u16::from_le_bytes([key[0], key[1]])) % COUNTERS
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ed25519_dalek::SigningKey;

    fn key(i: u16) -> VerifyingKey {
        let mut seed = [0u8; 32];
        seed[..2].copy_from_slice(&i.to_le_bytes());
        SigningKey::from_bytes(&seed).verifying_key()
    }

    #[test]
    fn a_table_after_repeated_use_only() {
        let tables = KeyTables::default();
        let k = key(1);
        for _ in 1..BUILD_AFTER {
            assert!(tables.table(&k).is_none());
        }
        assert!(tables.table(&k).is_some());
        assert!(tables.has(&k));
        assert!(tables.table(&k).is_some());
        assert_eq!(tables.len(), 1);
    }

    #[test]
    fn bounded_and_not_thrashed_by_keys_in_turn() {
        let tables = KeyTables::default();
        // Keys with counters of their own: keys sharing one get their tables sooner.
        let mut counters = std::collections::HashSet::new();
        let keys: Vec<_> = (0..1000)
            .map(key)
            .filter(|k| counters.insert(counter_index(k.as_bytes())))
            .take(2 * CAPACITY)
            .collect();
        let mut made = 0;
        for _ in 0..3 * BUILD_AFTER {
            for k in &keys {
                let before = tables.has(k);
                if tables.table(k).is_some() && !before {
                    made += 1;
                }
                assert!(tables.len() <= CAPACITY);
            }
        }
        assert_eq!(tables.len(), CAPACITY);
        // Keys used in turn fill the cache and then stop replacing one another.
        assert_eq!(made, CAPACITY);
        // A key used much more than the others takes a place.
        let hot = (1000..)
            .map(key)
            .find(|k| !counters.contains(&counter_index(k.as_bytes())))
            .unwrap();
        for _ in 0..(4 * u32::from(BUILD_AFTER) * 3) {
            tables.table(&hot);
        }
        assert!(tables.has(&hot));
        assert_eq!(tables.len(), CAPACITY);
    }

    /// Threads sharing one cache get the tables of their keys, and no more than it holds.
    #[test]
    fn shared_between_threads() {
        let tables = KeyTables::default();
        let keys: Vec<_> = (0..4).map(key).collect();
        std::thread::scope(|scope| {
            for t in 0..3 {
                let (tables, keys) = (&tables, &keys);
                scope.spawn(move || {
                    for i in 0..(4 * usize::from(BUILD_AFTER)) {
                        let k = &keys[(i + t) % keys.len()];
                        if let Some(table) = tables.table(k) {
                            assert!(tables.has(k));
                            drop(table);
                        }
                    }
                });
            }
        });
        assert!(keys.iter().all(|k| tables.has(k)));
        assert_eq!(tables.len(), keys.len());
    }

    #[test]
    fn ageing_halves_the_counts() {
        let tables = KeyTables::default();
        let k = key(7);
        for _ in 1..BUILD_AFTER {
            tables.table(&k);
        }
        tables.age();
        assert!(tables.table(&k).is_none());
        assert!(!tables.has(&k));
    }
}
