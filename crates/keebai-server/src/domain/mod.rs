//! The token service's rules, in plain Rust: no HTTP types here.
//!
//! [`Service`] holds the store and the in-memory helpers (last-used batching, sign-in
//! throttling). Each submodule adds the operations of one area:
//!
//! * [`auth`] — credential → [`auth::Principal`] (who, through what, allowed to do what now);
//! * [`sessions`] — sign-in with argon2id passwords, throttled failures, sign-out;
//! * [`tokens`] — the personal access token lifecycle and its rules;
//! * [`rotation`] — replacing a token by its owner or by itself, retry-safe;
//! * [`admin`] — tenants, roles and users, with [`admin_guard`] keeping every tenant
//!   administrable;
//! * [`inventory`] — every token of the tenant for security admins, filtered and paged
//!   ([`inventory_cursor`]), and [`admin_revoke`] — revoking any of them with a reason, one
//!   by one or in bulk;
//! * [`user_status`] — renaming, disabling (sessions end, tokens revoked) and enabling users;
//! * [`messages`] — the small resource API that proves tokens work (read from the store on
//!   every request);
//! * [`usage`] — `last_used_at`, its address and hourly counts, recorded in memory for each
//!   successful request and flushed in batches;
//! * [`audit`] — audit events.

pub mod admin;
pub mod admin_guard;
pub mod admin_revoke;
pub mod audit;
pub mod auth;
pub mod auth_cache;
pub mod context;
pub mod error;
pub mod inventory;
pub mod inventory_cursor;
pub mod messages;
pub mod newtypes;
pub mod passwords;
pub mod permissions;
pub mod policy;
pub mod rotation;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod usage;
pub mod user_status;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

pub use error::{DomainError, DomainResult};

use crate::store::DynStore;

/// Tunables with production defaults; tests shorten some of them.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long a sign-in session lasts.
    pub session_ttl: Duration,
    /// How often pending last-used times are written (the contract allows at most 5 s of lag).
    pub usage_flush_interval: Duration,
    /// Sign-in attempts allowed within [`Settings::sign_in_window`], by key (`throttle`).
    pub sign_in_limits: throttle::Limits,
    pub sign_in_window: Duration,
    /// Live sign-in sessions one user may hold; a new one ends the oldest beyond it.
    pub max_sessions_per_user: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            session_ttl: Duration::from_secs(8 * 3600),
            usage_flush_interval: Duration::from_secs(2),
            sign_in_limits: throttle::Limits::default(),
            sign_in_window: Duration::from_secs(60),
            max_sessions_per_user: 20,
        }
    }
}

/// The token service: store plus in-memory state shared by every request.
pub struct Service {
    pub store: DynStore,
    pub settings: Settings,
    pub usage: Arc<usage::UsageRecorder>,
    pub auth_cache: auth_cache::AuthCache,
    first_uses: rotation::FirstUses,
    tenants: std::sync::RwLock<
        std::collections::HashMap<crate::store::TenantId, crate::store::TenantRow>,
    >,
    throttle: throttle::SignInThrottle,
}

impl Service {
    pub fn new(store: DynStore, settings: Settings) -> Arc<Self> {
        let usage = Arc::new(usage::UsageRecorder::new(store.clone()));
        let throttle =
            throttle::SignInThrottle::new(settings.sign_in_limits, settings.sign_in_window);
        let coherence = store.cache_coherence();
        let auth_cache = auth_cache::AuthCache::new(coherence);
        Arc::new(Self {
            auth_cache,
            first_uses: Default::default(),
            tenants: Default::default(),
            store,
            settings,
            usage,
            throttle,
        })
    }
}

/// Now, at whole seconds (every stored and printed time is whole seconds).
pub fn now() -> DateTime<Utc> {
    from_ts(now_ts())
}

/// The current unix second, for the per-request path: `now().timestamp()` without building a
/// calendar date and taking it apart again.
pub fn now_ts() -> i64 {
    Utc::now().timestamp()
}

/// Unix seconds to a UTC time; out-of-range values clamp to the epoch rather than panic.
pub fn from_ts(ts: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(ts, 0).single().unwrap_or_default()
}

/// A fresh opaque id: time-ordered UUIDv7 text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
