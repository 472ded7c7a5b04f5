//! A per-tenant cache of rendered resource listings (the JSON of `GET /v1/messages`), kept
//! coherent by the same [`CacheCoherence`] epoch as the credential cache.
//!
//! The rules are the credential cache's (see `domain::auth_cache`): a write that changes a
//! listing publishes a new epoch after it commits and before it answers, which returns only
//! once every serving process has moved past the old epoch; an entry is served only if it was
//! filled under the current epoch, and the epoch is read *before* the database read that fills
//! it, so a fill racing with a write is born stale. So a message posted through one replica is
//! in the very next listing on every replica — caching changes the cost of a read, never its
//! answer. A post is announced as a *data-only* change, which credential caches ignore (they
//! stamp entries with the credential-change count); a credential change, conversely, also
//! moves the epoch, which costs listings a refill and nothing else.
//!
//! What is cached is the serialized body: a hit costs a map lookup and a reference count, not
//! a database read and a JSON encoding. Permission checks happen before the cache is consulted.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::store::{CacheCoherence, StoreResult};

/// Longest an entry is trusted without re-reading the database (a backstop for writes that
/// bypass the service, such as an operator editing the database by hand).
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// Most bytes kept; past this the cache is cleared (cheap, and refills on demand). A listing
/// is at most 100 messages of 4,000 characters, so one tenant can never exceed it alone.
const MAX_BYTES: usize = 64 << 20;

struct Entry {
    body: Bytes,
    epoch: u64,
    filled: Instant,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    bytes: usize,
}

pub struct ListingCache {
    coherence: Option<Arc<dyn CacheCoherence>>,
    entries: RwLock<Entries>,
}

impl ListingCache {
    /// A cache over `coherence`; `None` disables it (every read goes to the database).
    pub fn new(coherence: Option<Arc<dyn CacheCoherence>>) -> Self {
        Self {
            coherence,
            entries: RwLock::new(Entries::default()),
        }
    }

    /// The epoch to stamp a fill with (read it before the database read), or `None` when the
    /// cache must not be used right now.
    pub fn epoch(&self) -> Option<u64> {
        self.coherence.as_ref().and_then(|c| c.current())
    }

    /// Makes every cached listing in every serving process stale. Call after a committed
    /// write that changes a listing, before answering.
    pub async fn invalidate(&self) -> StoreResult<()> {
        match &self.coherence {
            Some(c) => c.publish_data().await,
            None => Ok(()),
        }
    }

    /// The cached body for `key`, if it is current.
    pub fn get(&self, key: &str) -> Option<Bytes> {
        let current = self.epoch()?;
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .map
            .get(key)
            .filter(|e| e.epoch == current && e.filled.elapsed() < MAX_AGE)
            .map(|e| e.body.clone())
    }

    /// Stores `body` for `key`, stamped with `epoch` as read before the fill's database read.
    pub fn put(&self, key: &str, body: Bytes, epoch: Option<u64>) {
        let Some(epoch) = epoch else { return };
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries.bytes + body.len() > MAX_BYTES {
            entries.map.clear();
            entries.bytes = 0;
        }
        entries.bytes += body.len();
        let old = entries.map.insert(
            key.to_owned(),
            Entry {
                body,
                epoch,
                filled: Instant::now(),
            },
        );
        if let Some(old) = old {
            entries.bytes -= old.body.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LocalCoherence;

    fn cache() -> ListingCache {
        ListingCache::new(Some(Arc::new(LocalCoherence::default())))
    }

    #[tokio::test]
    async fn a_fill_that_raced_with_a_write_is_never_served() {
        let c = cache();
        let e = c.epoch();
        c.invalidate().await.expect("publish"); // a post commits while the fill's read runs
        c.put("t", Bytes::from_static(b"old"), e);
        assert_eq!(c.get("t"), None);
        c.put("t", Bytes::from_static(b"new"), c.epoch());
        assert_eq!(c.get("t").as_deref(), Some(&b"new"[..]));
        c.invalidate().await.expect("publish");
        assert_eq!(c.get("t"), None, "a write makes every listing stale");
    }

    #[test]
    fn tenants_are_kept_apart() {
        let c = cache();
        c.put("a", Bytes::from_static(b"A"), c.epoch());
        assert_eq!(c.get("b"), None);
        assert_eq!(c.get("a").as_deref(), Some(&b"A"[..]));
    }

    #[test]
    fn the_byte_budget_is_kept_and_replacing_an_entry_does_not_leak_it() {
        let c = cache();
        let big = Bytes::from(vec![b'x'; MAX_BYTES / 2]);
        for _ in 0..10 {
            c.put("a", big.clone(), c.epoch()); // the same key, replaced: still one entry's worth
        }
        c.put("b", Bytes::from(vec![b'y'; MAX_BYTES / 4]), c.epoch());
        assert!(c.get("a").is_some() && c.get("b").is_some());
        c.put("c", big, c.epoch()); // over budget: cleared first
        assert!(c.get("a").is_none() && c.get("b").is_none() && c.get("c").is_some());
        let bytes = c.entries.read().expect("lock").bytes;
        assert_eq!(bytes, MAX_BYTES / 2);
    }

    #[test]
    fn without_coherence_nothing_is_stored() {
        let c = ListingCache::new(None);
        c.put("t", Bytes::from_static(b"x"), c.epoch());
        assert_eq!(c.get("t"), None);
    }
}
