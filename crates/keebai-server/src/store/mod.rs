//! Storage behind one trait, with one implementation per engine.
//!
//! The domain talks only to [`Store`]; [`sqlite::SqliteStore`] is the embedded default and
//! [`postgres::PgStore`] serves many replicas. Both run the same versioned migrations
//! ([`migrations`]) and must pass the same [`conformance`] suite.
//!
//! Conventions that keep the engines interchangeable: ids are opaque text, times are unix
//! seconds in `BIGINT`, token hashes are lowercase hex text, lists (scopes, role permissions)
//! are JSON text. Nothing relies on SQLite's or PostgreSQL's peculiarities outside the
//! engine's own module.

pub mod admin_change;
pub mod conformance;
pub mod conformance_admin;
pub mod conformance_housekeeping;
pub mod conformance_rotation;
pub mod conformance_usage;
pub mod migrations;
pub mod model;
pub mod pg_clock;
pub mod pg_coherence;
pub mod pg_triggers;
pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

pub use admin_change::{AdminRule, AdminWrite};
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

/// Everything the token service persists.
#[async_trait]
pub trait Store: Send + Sync + 'static {
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

    // --- tenants
    async fn insert_tenant(&self, tenant: &TenantRow) -> StoreResult<()>;
    async fn tenant(&self, id: &str) -> StoreResult<Option<TenantRow>>;
    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<TenantRow>>;
    /// Whether any tenant exists (the demo refuses to seed a database that is in use).
    async fn has_tenants(&self) -> StoreResult<bool>;

    // --- roles
    async fn insert_role(&self, role: &RoleRow) -> StoreResult<()>;
    async fn role(&self, tenant_id: &str, id: &str) -> StoreResult<Option<RoleRow>>;
    async fn roles(&self, tenant_id: &str) -> StoreResult<Vec<RoleRow>>;

    // --- users
    async fn insert_user(&self, user: &UserRow) -> StoreResult<()>;
    async fn user(&self, tenant_id: &str, id: &str) -> StoreResult<Option<UserRow>>;
    async fn user_by_email(&self, tenant_id: &str, email: &str) -> StoreResult<Option<UserRow>>;
    async fn users(&self, tenant_id: &str) -> StoreResult<Vec<UserRow>>;
    /// Applies `change` to the tenant's roles or role assignments in one transaction that
    /// serialises with every other such change of the tenant, on every replica, and only if
    /// `rule` holds for the tenant's roles and users as they would be afterwards (read under
    /// that serialisation; see [`admin_change`]). Returns `false`, having written nothing,
    /// when the rule would break. A role rename onto a taken name is a `Conflict`.
    async fn change_administration(
        &self,
        tenant_id: &str,
        change: &AdminWrite,
        rule: AdminRule,
    ) -> StoreResult<bool>;
    /// The union of the permissions of the user's roles, read now (never cached here, so a
    /// role change reaches every credential of the user on the next request).
    async fn user_permissions(&self, user_id: &str) -> StoreResult<Vec<String>>;

    // --- sign-in sessions
    async fn insert_session(&self, session: &SessionRow) -> StoreResult<()>;
    async fn session_by_hash(&self, hash: &str) -> StoreResult<Option<SessionRow>>;
    async fn delete_session(&self, hash: &str) -> StoreResult<()>;
    /// Ends the user's sessions beyond the `keep` newest; returns how many ended.
    async fn end_oldest_sessions(&self, user_id: &str, keep: u32) -> StoreResult<u64>;
    /// Housekeeping: deletes sessions expired at `now` and sign-in attempts older than
    /// `attempts_before`; returns how many rows went.
    async fn prune_sessions_and_attempts(&self, now: i64, attempts_before: i64)
        -> StoreResult<u64>;

    // --- sign-in throttling
    /// Records a sign-in attempt `id` for `account` at `now`, drops the account's attempts
    /// from before `window_start`, and returns the times of those left (this one included),
    /// oldest first — all in one transaction, so concurrent attempts each see the others.
    async fn begin_sign_in_attempt(
        &self,
        account: &str,
        id: &str,
        now: i64,
        window_start: i64,
    ) -> StoreResult<Vec<i64>>;
    /// Removes one attempt (one that was refused before any password was checked).
    async fn forget_sign_in_attempt(&self, id: &str) -> StoreResult<()>;
    /// Removes every attempt of `account` (after a successful sign-in).
    async fn clear_sign_in_attempts(&self, account: &str) -> StoreResult<()>;

    // --- personal access tokens
    /// Inserts `token` unless its owner already has `limit` active tokens at `now`; the count
    /// and the insert are one transaction that serialises with every other create of the same
    /// user, on every replica. Returns `false` when the limit was reached.
    async fn insert_token_within_limit(
        &self,
        token: &TokenRow,
        now: i64,
        limit: u32,
    ) -> StoreResult<bool>;
    async fn token(&self, id: &str) -> StoreResult<Option<TokenRow>>;
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRow>>;
    /// The token with this hash only if it is active at `now` (neither revoked nor expired).
    /// Authentication uses this so that an unknown and a revoked or expired token cost the
    /// same: no row comes back for either, and nothing is decoded.
    async fn active_token_by_hash(&self, hash: &str, now: i64) -> StoreResult<Option<TokenRow>>;
    /// Every token of the user, newest first.
    async fn tokens_of_user(&self, user_id: &str) -> StoreResult<Vec<TokenRow>>;
    /// Sets `revoked_at` to `now` unless already set; returns the row as stored afterwards.
    /// Durable before it returns.
    async fn revoke_token(&self, id: &str, now: i64) -> StoreResult<Option<TokenRow>>;
    /// Rotates a token in one transaction that serialises with every create and rotation of
    /// the same user, on every replica: retires the old token as asked, inserts the new one
    /// unless that would exceed the limit, and links the two. Anything but
    /// [`RotationOutcome::Rotated`] leaves the store unchanged.
    async fn rotate_token(&self, rotation: &Rotation) -> StoreResult<RotationOutcome>;
    /// After the first successful request of token `new_id`: a predecessor waiting for it
    /// (`retire: on_first_use`) now expires at `now` plus its grace (or earlier, if its
    /// deadline comes first). Returns whether a predecessor was waiting.
    async fn retire_predecessor(&self, new_id: &str, now: i64) -> StoreResult<bool>;
    /// Records one batch of uses in one transaction: `last_used_at` (with `last_used_ip`) is
    /// only ever moved forward, and hourly counts are added to what other replicas wrote.
    /// Uses of tokens that no longer exist are ignored.
    async fn record_token_use(&self, uses: &[TokenUse]) -> StoreResult<UseWrites>;
    /// The token's client addresses, most recently seen first.
    async fn token_addresses(&self, token_id: &str) -> StoreResult<Vec<AddressUse>>;
    /// The token's hourly counts `(hour, count)` from `since_hour` on, oldest first.
    async fn token_usage(&self, token_id: &str, since_hour: i64) -> StoreResult<Vec<(i64, u64)>>;
    /// Deletes hourly counts before `before_hour`; returns how many.
    async fn prune_usage(&self, before_hour: i64) -> StoreResult<u64>;

    // --- audit events
    async fn append_audit(&self, event: &AuditRow) -> StoreResult<()>;
    /// Events of the tenant (or of one actor), newest first, strictly before `before`.
    async fn audit_events(
        &self,
        tenant_id: &str,
        actor: Option<&str>,
        before: Option<&AuditCursor>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRow>>;

    // --- the demo resource API
    async fn insert_message(&self, message: &MessageRow) -> StoreResult<()>;
    async fn messages(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<MessageRow>>;
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
    pub last: Vec<(String, i64, Option<String>)>,
    pub hours: Vec<(String, i64, i64)>,
    /// `(token id, address)`, merged per pair, sorted like the rest.
    pub addresses: Vec<(String, AddressUse)>,
}

/// Most client addresses kept per token; beyond it the least recently seen are dropped.
pub const MAX_ADDRESSES: u32 = 50;

pub(crate) fn normalize_uses(uses: &[TokenUse]) -> NormalizedUses {
    use std::collections::BTreeMap;
    let mut last: BTreeMap<&str, (i64, Option<&str>)> = BTreeMap::new();
    let mut hours: BTreeMap<(&str, i64), u64> = BTreeMap::new();
    let mut addresses: BTreeMap<(&str, &str), AddressUse> = BTreeMap::new();
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
            .map(|(id, (at, ip))| (id.to_owned(), at, ip.map(str::to_owned)))
            .collect(),
        hours: hours
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|((id, hour), n)| (id.to_owned(), hour, i64::try_from(n).unwrap_or(i64::MAX)))
            .collect(),
        addresses: addresses
            .into_iter()
            .map(|((id, _), a)| (id.to_owned(), a))
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
        crate::config::DbUrl::Postgres(url) => postgres::open(url).await,
    }
}
