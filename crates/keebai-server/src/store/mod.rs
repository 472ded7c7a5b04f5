//! Storage behind one trait, with one implementation per engine.
//!
//! The domain talks only to [`Store`]; [`sqlite::SqliteStore`] is the embedded default and
//! [`postgres::PgStore`] serves many replicas. Both run the same versioned migrations
//! ([`migrations`]) through one runner ([`migrate`]), share SQL text where it means the same
//! on both ([`sql`]) and must pass the same conformance suite (`conformance*.rs`, built only
//! for tests: the `testing` feature, like the scratch PostgreSQL databases).
//!
//! Conventions that keep the engines interchangeable: ids are opaque text, times are unix
//! seconds in `BIGINT`, token hashes are lowercase hex text, lists (scopes, role permissions)
//! are JSON text. Nothing relies on SQLite's or PostgreSQL's peculiarities outside the
//! engine's own module.

pub mod admin_change;
pub mod capabilities;
#[cfg(any(test, feature = "testing"))]
pub mod conformance;
#[cfg(any(test, feature = "testing"))]
mod conformance_admin;
#[cfg(any(test, feature = "testing"))]
mod conformance_audit;
#[cfg(any(test, feature = "testing"))]
mod conformance_housekeeping;
#[cfg(any(test, feature = "testing"))]
mod conformance_inventory;
#[cfg(any(test, feature = "testing"))]
mod conformance_policy;
#[cfg(any(test, feature = "testing"))]
mod conformance_rotation;
#[cfg(any(test, feature = "testing"))]
mod conformance_sign_in;
#[cfg(any(test, feature = "testing"))]
mod conformance_usage;
pub mod ids;
pub mod inventory;
pub mod migrate;
pub mod migrations;
pub mod model;
pub mod pg_clock;
pub mod pg_coherence;
pub mod pg_triggers;
pub mod postgres;
pub mod queries;
pub mod rows;
pub mod sql;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

pub use admin_change::{AdminRule, AdminWrite};
pub use capabilities::{
    AuditStore, DirectoryStore, InventoryStore, MessageStore, PolicyStore, SessionStore,
    TokenStore, UsageStore,
};
pub use ids::{RoleId, TenantId, TokenId, UserId};
pub use inventory::{
    BulkOutcome, InventoryRow, PolicyBreach, Position, Selection, StatusIs, TokenFilter,
};
pub use model::*;

/// What a storage operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (duplicate email, role name, token hash…).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The database could not be reached or is shutting down.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else; logged, never shown to clients.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Shared handle to the configured store.
pub type DynStore = Arc<dyn Store>;

/// Everything the token service persists: every capability, plus what the engine says about
/// itself (its name, how credential caches stay coherent with it, its clock).
pub trait Store:
    DirectoryStore
    + SessionStore
    + TokenStore
    + InventoryStore
    + UsageStore
    + AuditStore
    + PolicyStore
    + MessageStore
    + 'static
{
    /// Short engine name for logs and `--help`: `sqlite` or `postgres`.
    fn engine(&self) -> &'static str;

    /// How credential caches stay coherent with this store, if they can: `None` means every
    /// authentication reads the database (see `domain::auth_cache`).
    fn cache_coherence(&self) -> Option<Arc<dyn CacheCoherence>> {
        None
    }

    /// How far this process's clock is off the database's, in ms, when that is too far to
    /// decide expiry safely (then the server stops serving); `None` when fine or when the
    /// engine shares the process's clock (SQLite).
    fn clock_skew_ms(&self) -> Option<i64> {
        None
    }
}

/// Keeps in-memory credential caches coherent with the database, across every process that
/// serves it.
///
/// The contract: after [`CacheCoherence::publish`] returns, no process serves a cache entry
/// filled before it started, so a revoke that publishes before answering is effective on
/// every replica when the caller gets the answer.
#[async_trait]
pub trait CacheCoherence: Send + Sync + 'static {
    /// The current epoch — it moves on every announced change — or `None` while this process
    /// cannot be sure it would hear of a change (then no cache may be used).
    fn current(&self) -> Option<u64>;
    /// The number of announced credential changes, or `None` like
    /// [`CacheCoherence::current`]. Credential caches stamp their entries with it. It equals
    /// the epoch unless a replica of an older build announced a data-only change (the message
    /// listing cache it had), which this count leaves out.
    fn credentials(&self) -> Option<u64> {
        self.current()
    }
    /// Announces a committed change that can reduce a credential's validity or permissions,
    /// and returns once every live serving process has moved past it.
    async fn publish(&self) -> StoreResult<()>;
    /// Stops using the cache for good and leaves the set of processes that publishers wait
    /// for. Call once this process has stopped serving (after draining on shutdown), so that
    /// changes made elsewhere in the next seconds do not wait for a process that is gone.
    async fn leave(&self) {}
}

/// Coherence within one process: the SQLite engine, which one server owns exclusively.
#[derive(Debug, Default)]
pub struct LocalCoherence {
    epoch: std::sync::atomic::AtomicU64,
}

#[async_trait]
impl CacheCoherence for LocalCoherence {
    fn current(&self) -> Option<u64> {
        Some(self.epoch.load(std::sync::atomic::Ordering::Acquire))
    }

    async fn publish(&self) -> StoreResult<()> {
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Ok(())
    }
}

/// A batch of uses normalised for writing: per token its latest time and that use's address,
/// and per (token, hour) the summed count — both sorted by token id (the engines' lock order),
/// with no duplicates (PostgreSQL's upsert may touch a row once per statement).
pub(crate) struct NormalizedUses {
    pub last: Vec<(TokenId, i64, Option<String>)>,
    pub hours: Vec<(TokenId, i64, i64)>,
    /// `(token id, address)`, merged per pair, sorted like the rest.
    pub addresses: Vec<(TokenId, AddressUse)>,
}

/// Most client addresses kept per token; beyond it the least recently seen are dropped.
pub const MAX_ADDRESSES: u32 = 50;

pub(crate) fn normalize_uses(uses: &[TokenUse]) -> NormalizedUses {
    use std::collections::BTreeMap;
    let mut last: BTreeMap<&TokenId, (i64, Option<&str>)> = BTreeMap::new();
    let mut hours: BTreeMap<(&TokenId, i64), u64> = BTreeMap::new();
    let mut addresses: BTreeMap<(&TokenId, &str), AddressUse> = BTreeMap::new();
    for u in uses {
        for a in &u.addresses {
            addresses
                .entry((&u.token_id, &a.ip))
                .and_modify(|m| {
                    m.first_seen = m.first_seen.min(a.first_seen);
                    m.last_seen = m.last_seen.max(a.last_seen);
                    m.count += a.count;
                })
                .or_insert_with(|| a.clone());
        }
        let e = last
            .entry(&u.token_id)
            .or_insert((u.last_at, u.last_ip.as_deref()));
        if u.last_at > e.0 {
            *e = (u.last_at, u.last_ip.as_deref());
        }
        for (hour, count) in &u.hours {
            *hours.entry((&u.token_id, *hour)).or_default() += count;
        }
    }
    NormalizedUses {
        last: last
            .into_iter()
            .map(|(id, (at, ip))| (id.clone(), at, ip.map(str::to_owned)))
            .collect(),
        hours: hours
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|((id, hour), n)| (id.clone(), hour, i64::try_from(n).unwrap_or(i64::MAX)))
            .collect(),
        addresses: addresses
            .into_iter()
            .map(|((id, _), a)| (id.clone(), a))
            .collect(),
    }
}

/// Opens the store named by a database URL (`sqlite://PATH` or `postgres://…`) and applies
/// pending migrations.
pub async fn open(url: &crate::config::DbUrl) -> anyhow::Result<DynStore> {
    match url {
        crate::config::DbUrl::Sqlite(path) => {
            Ok(Arc::new(sqlite::SqliteStore::open(path).await?) as DynStore)
        }
        crate::config::DbUrl::Postgres(url) => {
            postgres::open(url, &crate::config::PgSettings::from_env()?).await
        }
    }
}
