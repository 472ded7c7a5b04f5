//! A credential cache for the hot path, kept coherent by the store's [`CacheCoherence`].
//!
//! Correctness rests on one rule: every change that can take validity or permissions away
//! from a credential (revoke, role change, role assignment, sign-out) calls
//! [`AuthCache::invalidate`] after its write commits and before it answers; that publishes a
//! new epoch to every serving process and waits until they all have it. An entry is used only
//! if it was filled under the current epoch — and the epoch is read *before* the database read
//! that fills it, so a fill racing with a change is born stale. Expiry is checked against the
//! clock on every hit, and entries are refreshed at least every [`MAX_AGE`] regardless.
//!
//! A store without coherence (`None`) disables the cache: every request reads the database.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::store::{CacheCoherence, SessionRow, StoreResult, TokenRow, UserRow};

/// Longest an entry is trusted without re-reading the database.
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// Most entries kept; past this the cache is cleared (cheap, and refills on demand).
const MAX_ENTRIES: usize = 50_000;

/// What the database said about a credential.
#[derive(Debug, Clone)]
pub enum Source {
    Pat(Box<TokenRow>),
    Session(SessionRow),
}

/// A resolved credential, shared (not copied) by every request that presents it: a hit costs
/// one reference count, not a copy of the user and the permission set.
#[derive(Debug)]
pub struct Entry {
    pub source: Source,
    pub user: Arc<UserRow>,
    /// The user's permissions at fill time.
    pub held: BTreeSet<String>,
    /// What the credential grants: for a PAT its scopes ∩ `held`, for a session `held`.
    pub granted: Arc<BTreeSet<String>>,
    epoch: u64,
    filled: Instant,
}

impl Entry {
    fn new(source: Source, user: UserRow, held: BTreeSet<String>, epoch: u64) -> Self {
        let granted = match &source {
            Source::Pat(t) => t
                .scopes
                .iter()
                .filter(|s| held.contains(*s))
                .cloned()
                .collect(),
            Source::Session(_) => held.clone(),
        };
        Self {
            source,
            user: Arc::new(user),
            held,
            granted: Arc::new(granted),
            epoch,
            filled: Instant::now(),
        }
    }

    /// An entry that is not (or could not be) stored in the cache.
    pub fn uncached(source: Source, user: UserRow, held: BTreeSet<String>) -> Arc<Self> {
        Arc::new(Self::new(source, user, held, 0))
    }
}

pub struct AuthCache {
    coherence: Option<Arc<dyn CacheCoherence>>,
    entries: RwLock<HashMap<String, Arc<Entry>>>,
}

impl AuthCache {
    pub fn new(coherence: Option<Arc<dyn CacheCoherence>>) -> Self {
        Self {
            coherence,
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// The stamp for a fill — the credential-change count (read it before the database
    /// read) — or `None` when the cache must not be used right now. Data-only changes (a
    /// message post) leave it alone, so they never empty this cache.
    pub fn epoch(&self) -> Option<u64> {
        self.coherence.as_ref().and_then(|c| c.credentials())
    }

    /// Invalidates every entry in every serving process. Call after a committed change that
    /// can reduce a credential's validity or permissions, before answering.
    pub async fn invalidate(&self) -> StoreResult<()> {
        match &self.coherence {
            Some(c) => c.publish().await,
            None => Ok(()),
        }
    }

    /// A fresh entry for `hash`, if any.
    pub fn get(&self, hash: &str) -> Option<Arc<Entry>> {
        let current = self.epoch()?;
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
        epoch: Option<u64>,
    ) {
        let Some(epoch) = epoch else { return };
        let mut map = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(hash, Arc::new(Entry::new(source, user, held, epoch)));
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
            disabled: false,
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

    #[tokio::test]
    async fn an_entry_filled_before_an_invalidation_is_never_served() {
        let c = AuthCache::new(Some(Arc::new(crate::store::LocalCoherence::default())));
        let e = c.epoch();
        c.invalidate().await.expect("publish"); // a revoke commits while the fill's read is in flight
        c.put("h".into(), session(), user(), BTreeSet::new(), e);
        assert!(c.get("h").is_none());
        let e = c.epoch();
        c.put("h".into(), session(), user(), BTreeSet::new(), e);
        assert!(c.get("h").is_some());
        c.invalidate().await.expect("publish");
        assert!(c.get("h").is_none());
    }

    #[test]
    fn without_coherence_the_cache_stores_nothing() {
        let c = AuthCache::new(None);
        c.put("h".into(), session(), user(), BTreeSet::new(), c.epoch());
        assert!(c.get("h").is_none());
    }
}
