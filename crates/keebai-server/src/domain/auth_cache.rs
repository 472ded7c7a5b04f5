//! A credential cache for the hot path, used only when this process is the database's sole
//! writer (SQLite, which one server owns exclusively).
//!
//! Correctness rests on one rule: every change that can take validity or permissions away
//! from a credential (revoke, role change, role assignment, sign-out) bumps [`AuthCache::epoch`]
//! after its write commits and before it answers. An entry is used only if it was filled under
//! the current epoch — and the epoch is read *before* the database read that fills it, so a
//! fill racing with a change is born stale. Expiry is checked against the clock on every hit,
//! and entries are refreshed at least every [`MAX_AGE`] regardless.
//!
//! With PostgreSQL several replicas write, a local epoch cannot see their changes, and the
//! cache stays off: every request reads the database, so a revoke on one replica is seen by
//! the next request on any other.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::store::{SessionRow, TokenRow, UserRow};

/// Longest an entry is trusted without re-reading the database.
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// Most entries kept; past this the cache is cleared (cheap, and refills on demand).
const MAX_ENTRIES: usize = 50_000;

/// What the database said about a credential.
#[derive(Debug, Clone)]
pub enum Source {
    Pat(TokenRow),
    Session(SessionRow),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub source: Source,
    pub user: UserRow,
    /// The user's permissions at fill time.
    pub held: BTreeSet<String>,
    epoch: u64,
    filled: Instant,
}

impl Entry {
    /// An entry that is not (or could not be) stored in the cache.
    pub fn uncached(source: Source, user: UserRow, held: BTreeSet<String>) -> Self {
        Self {
            source,
            user,
            held,
            epoch: 0,
            filled: Instant::now(),
        }
    }
}

pub struct AuthCache {
    enabled: bool,
    epoch: AtomicU64,
    entries: RwLock<HashMap<String, Entry>>,
}

impl AuthCache {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            epoch: AtomicU64::new(0),
            entries: RwLock::new(HashMap::new()),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The epoch to stamp a fill with; read it before the database read.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Invalidates every entry. Call after a committed change that can reduce a credential's
    /// validity or permissions, before answering.
    pub fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// A fresh entry for `hash`, if any.
    pub fn get(&self, hash: &str) -> Option<Entry> {
        if !self.enabled {
            return None;
        }
        let current = self.epoch();
        let map = self.entries.read().unwrap_or_else(|p| p.into_inner());
        map.get(hash)
            .filter(|e| e.epoch == current && e.filled.elapsed() < MAX_AGE)
            .cloned()
    }

    pub fn put(
        &self,
        hash: String,
        source: Source,
        user: UserRow,
        held: BTreeSet<String>,
        epoch: u64,
    ) {
        if !self.enabled {
            return;
        }
        let mut map = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(
            hash,
            Entry {
                source,
                user,
                held,
                epoch,
                filled: Instant::now(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserRow {
        UserRow {
            id: "u".into(),
            tenant_id: "t".into(),
            email: "e".into(),
            name: "n".into(),
            password_hash: String::new(),
            role_ids: vec![],
        }
    }

    fn session() -> Source {
        Source::Session(SessionRow {
            hash: "h".into(),
            user_id: "u".into(),
            tenant_id: "t".into(),
            created_at: 0,
            expires_at: 1,
        })
    }

    #[test]
    fn an_entry_filled_before_an_invalidation_is_never_served() {
        let c = AuthCache::new(true);
        let e = c.epoch();
        c.invalidate(); // a revoke commits while the fill's database read is in flight
        c.put("h".into(), session(), user(), BTreeSet::new(), e);
        assert!(c.get("h").is_none());
        let e = c.epoch();
        c.put("h".into(), session(), user(), BTreeSet::new(), e);
        assert!(c.get("h").is_some());
        c.invalidate();
        assert!(c.get("h").is_none());
    }

    #[test]
    fn a_disabled_cache_stores_nothing() {
        let c = AuthCache::new(false);
        c.put("h".into(), session(), user(), BTreeSet::new(), c.epoch());
        assert!(c.get("h").is_none());
    }
}
