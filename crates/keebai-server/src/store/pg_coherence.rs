//! Credential-cache coherence across replicas that share one PostgreSQL database.
//!
//! [`PgCoherence`] implements [`CacheCoherence`]: after [`CacheCoherence::publish`] returns, no
//! replica serves a cache entry filled before the change that published, so a revoke (or role
//! change, or sign-out) is effective on every replica before its HTTP call returns.
//!
//! # The protocol
//!
//! State in the database (migration 2): `auth_epoch` holds one counter; `replicas` holds one
//! row per serving process — `beat`, a number the process raises on every heartbeat, and
//! `acked_epoch`, the newest epoch the process has applied to its cache.
//!
//! Each process (lazily, on first use) keeps one dedicated connection, the *listener*, that
//! `LISTEN`s on [`CHANNEL`] and heartbeats every [`BEAT_EVERY`] with one statement that upserts
//! its row (new beat, `acked_epoch` = its local epoch *as held before sending*), reads the
//! epoch, and reads every replica's beat. Cache entries are stamped with the local epoch read
//! before their database read, and served only while that epoch is still current (see
//! `domain::auth_cache`).
//!
//! * **Raising the epoch.** The local epoch only ever moves up, to values read from the
//!   database: a heartbeat's read, a notification's payload, or this process's own publish.
//! * **Validity (the fence).** [`CacheCoherence::current`] returns `Some` only until
//!   `sent + FENCE`, where `sent` is the local time just *before* sending the last heartbeat
//!   that succeeded, and only if that heartbeat followed the previous successful one within
//!   [`GAP`]. The window is checked on the monotonic clock *and* on the wall clock (the
//!   monotonic clock stands still while a host sleeps); either one ending it is enough. A
//!   notification raises the epoch but never extends validity. Losing the listener connection
//!   ends validity at once.
//! * **Publishing.** One statement bumps the epoch and `NOTIFY`s it (delivered on commit).
//!   The publisher raises its own epoch, then polls `replicas` (woken early by `ack`
//!   notifications) until every other replica has `acked_epoch ≥ new`, or is *silent* — its
//!   beat unchanged for [`LIVE`] as timed on the publisher's own monotonic clock — or
//!   [`PUBLISH_DEADLINE`] has passed since the bump committed. A replica acks on notification
//!   (an immediate heartbeat that carries the raised epoch).
//! * **Credential count.** Credential-cache entries are stamped with `epoch − data_bumps`.
//!   This build bumps only the epoch, so the count moves with it; `data_bumps` grew when an
//!   older build announced a message post (for a listing cache since removed), and reading it
//!   keeps such a mixed-version cluster from emptying credential caches on every post. The
//!   count and the epoch are always read together (one heartbeat row, one notification
//!   payload `epoch:data_bumps`) and the count is raised before the epoch, so a process
//!   holding epoch ≥ N also holds the count of N; the argument below, made for the epoch,
//!   therefore holds for the count.
//! * **Leaving.** A replica shutting down ([`CacheCoherence::leave`], after it has drained)
//!   turns its cache off for good and deletes its row, so publishers stop waiting for it at
//!   once instead of after [`LIVE`]. Deleting is safe for the reason in point 3 below: the
//!   process no longer serves from its cache.
//!
//! # Why it is safe
//!
//! Let the bump commit at real time `c` with epoch `N`, and take a replica R whose local epoch
//! is still below `N`. Every heartbeat whose response R has processed read an epoch below `N`,
//! so its statement's snapshot predates `c`, so it was *sent* before `c`: R's cache is usable
//! at most until `t + FENCE` for some `t < c`. Hence:
//!
//! 1. *Deadline.* Once `PUBLISH_DEADLINE` (1.5 × `FENCE`) has passed on the publisher's clock
//!    after the commit returned, every lagging replica's validity has expired — without any
//!    message from it, so a replica that is partitioned, frozen, or whose listener is stuck is
//!    fenced by time alone.
//! 2. *Acks.* A replica with `acked_epoch ≥ N` holds a local epoch `≥ N` (it acks only what it
//!    already holds), so it serves no entry stamped before `N`.
//! 3. *Silent replicas.* The publisher's poll runs after `c`. R's last processed heartbeat `L`
//!    committed before R sent the heartbeat `X` that gave its current validity (they are
//!    sequential), and `X` was sent before `c`, so the poll sees `L`'s effect and R's row shows
//!    a beat value that first appeared, on the publisher's clock, no earlier than `L` was sent.
//!    Skipping R needs that value unchanged for `LIVE` (4 s), so `L` was sent more than 4 s
//!    before the poll; `X` followed `L` within `GAP` (1 s) or gave no validity; so R's
//!    validity ended by `X + FENCE < poll − 4 s + 1 s + 1 s`: already over, with a factor of
//!    two to spare for clock rates. A replica with no
//!    row at poll time inserts it with a heartbeat that has no predecessor, which gives no
//!    validity either; rows are only deleted after being silent for [`FORGET`].
//!
//! Entries also never outlive one epoch, so an entry filled from a read that raced with the
//! change is stamped with the old epoch and dies with it. The only assumptions are that the
//! monotonic clocks of any two replicas tick at rates less than a factor of 1.5 apart (real
//! clocks differ by millionths; a frozen process's clock keeps ticking), that an epoch read
//! reflects every commit that finished before the statement was sent (PostgreSQL's READ
//! COMMITTED statement snapshot), and that the database is never rolled back under running
//! replicas. Nothing relies on `NOTIFY` delivery (notifications only make publishing fast),
//! nor on the wall clock (it can only end a replica's window early).
//!
//! # The code
//!
//! This file holds the shared state, the validity check and [`CacheCoherence`];
//! `pg_coherence/listener.rs` the listener connection and its heartbeats;
//! `pg_coherence/publish.rs` the bump and the wait for acks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use deadpool_postgres::Pool;
use tokio::sync::watch;

use super::{CacheCoherence, StoreResult};

mod listener;
mod publish;

/// The `LISTEN`/`NOTIFY` channel: payloads are an epoch (decimal) or [`ACK`].
pub const CHANNEL: &str = "keebai_auth";
/// Payload telling publishers that some replica has written a new `acked_epoch`.
const ACK: &str = "ack";
/// Heartbeat period of every replica.
pub const BEAT_EVERY: Duration = Duration::from_millis(200);
/// A heartbeat slower than this counts as a dead listener connection (dropped, reconnected).
const BEAT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a successful heartbeat keeps the local cache usable, from just before it was sent.
pub const FENCE: Duration = Duration::from_secs(1);
/// A heartbeat gives validity only if it was sent within this of the previous successful one.
pub const GAP: Duration = Duration::from_secs(1);
/// A replica whose beat the publisher has seen unchanged this long is not waited for.
/// Must exceed `1.5 × (GAP + FENCE)`, the 1.5 covering clock-rate differences (module docs).
pub const LIVE: Duration = Duration::from_secs(4);
/// After this much time since the bump committed, every lagging cache has fenced itself.
pub const PUBLISH_DEADLINE: Duration = Duration::from_millis(1500);
/// Rows silent this long (on an observer's clock) are deleted, so crashed replicas do not pile
/// up. Deleting is safe: see point 3 of the module docs.
const FORGET: Duration = Duration::from_secs(600);
/// Longest sleep between polls while a publish waits for acks (acks usually wake it sooner).
const POLL_EVERY: Duration = Duration::from_millis(20);

/// Coherence for the PostgreSQL engine; see the module docs.
pub struct PgCoherence {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    listener_config: tokio_postgres::Config,
    id: String,
    base: Instant,
    epoch: AtomicU64,
    /// Credential changes announced so far: `epoch − data_bumps` as read together with the
    /// epoch (raised before the epoch, so whoever sees an epoch sees its count).
    credentials: AtomicU64,
    /// Nanoseconds after `base` until which the cache may be used; 0 = not in sync.
    valid_until: AtomicU64,
    /// The same window on the wall clock (unix nanoseconds), checked as well: the monotonic
    /// clock stops while the host sleeps, the wall clock does not, and either clock saying the
    /// window is over is enough to stop using the cache.
    valid_from_wall: AtomicU64,
    valid_until_wall: AtomicU64,
    /// Heartbeat numbers of this process: strictly increasing, never reused for this id.
    beat: AtomicI64,
    started: AtomicBool,
    /// Set by `leave`: the cache is off for good and the listener deletes its row and ends.
    left: AtomicBool,
    /// Bumped on every `ack` notification; publishers wait on it.
    acks: watch::Sender<u64>,
    /// What this process has seen of every replica's beat, for deciding who is silent.
    peers: Mutex<HashMap<String, Seen>>,
}

struct Seen {
    beat: i64,
    /// When this process first saw `beat` (local monotonic time, after the read returned).
    since: Instant,
}

impl PgCoherence {
    /// Coherence over `pool`'s database; the listener connects with `config` (its
    /// `application_name` becomes `<name> coherence <replica id>`). Nothing runs until the
    /// cache is first used, so short-lived commands (`init`) never register as replicas.
    pub fn new(pool: Pool, config: &tokio_postgres::Config) -> Self {
        let id = uuid::Uuid::now_v7().to_string();
        let mut listener_config = config.clone();
        let app = config.get_application_name().unwrap_or("keebai-server");
        listener_config.application_name(format!("{app} coherence {id}"));
        let (acks, _) = watch::channel(0);
        Self {
            inner: Arc::new(Inner {
                pool,
                listener_config,
                id,
                base: Instant::now(),
                epoch: AtomicU64::new(0),
                credentials: AtomicU64::new(0),
                valid_until: AtomicU64::new(0),
                valid_from_wall: AtomicU64::new(0),
                valid_until_wall: AtomicU64::new(0),
                beat: AtomicI64::new(0),
                started: AtomicBool::new(false),
                left: AtomicBool::new(false),
                acks,
                peers: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Whether the local cache may be used now (see "Validity" in the module docs).
    fn valid(&self) -> bool {
        let inner = &self.inner;
        if inner.left.load(Ordering::SeqCst) {
            return false;
        }
        inner.ensure_started();
        let until = inner.valid_until.load(Ordering::Acquire);
        if inner.nanos(Instant::now()) >= until {
            return false;
        }
        let Some(wall) = wall_nanos() else {
            return false;
        };
        wall >= inner.valid_from_wall.load(Ordering::Acquire)
            && wall < inner.valid_until_wall.load(Ordering::Acquire)
    }

    /// This replica's id (its row in `replicas`, and the end of its listener's
    /// `application_name`).
    pub fn replica_id(&self) -> &str {
        &self.inner.id
    }
}

#[async_trait]
impl CacheCoherence for PgCoherence {
    fn current(&self) -> Option<u64> {
        // Validity first, epoch second: a heartbeat stores the epoch before it extends
        // validity, so an extended validity is never paired with the epoch before it.
        self.valid()
            .then(|| self.inner.epoch.load(Ordering::Acquire))
    }

    fn credentials(&self) -> Option<u64> {
        // As `current`: the count is stored before the epoch, the epoch before validity.
        self.valid()
            .then(|| self.inner.credentials.load(Ordering::Acquire))
    }

    async fn publish(&self) -> StoreResult<()> {
        self.publish_change().await
    }

    async fn leave(&self) {
        let inner = &self.inner;
        // Off first, for good (`current` checks the flag before anything else), then out of
        // the table. A heartbeat already in flight may re-insert the row after this delete;
        // the listener sees the flag when that heartbeat answers and deletes the row again.
        // Best effort all the same: a heartbeat that times out on our side but commits later
        // leaves a row that never beats again, which publishers stop waiting for after `LIVE`
        // — exactly the case of a crashed replica, so never worse than not leaving.
        inner.left.store(true, Ordering::SeqCst);
        inner.suspend();
        if !inner.started.load(Ordering::Acquire) {
            return; // never registered
        }
        let delete = async {
            let client = inner.pool.get().await.map_err(|e| e.to_string())?;
            client
                .execute("DELETE FROM replicas WHERE id = $1", &[&inner.id])
                .await
                .map_err(|e| e.to_string())
        };
        match tokio::time::timeout(BEAT_TIMEOUT, delete).await {
            Ok(Ok(_)) => tracing::info!(replica_id = %inner.id, "left the replica set"),
            // Not fatal: the row goes silent and publishers stop waiting for it after `LIVE`.
            Ok(Err(e)) => {
                tracing::warn!(replica_id = %inner.id, error = %e, "could not leave the replica set")
            }
            Err(_) => tracing::warn!(replica_id = %inner.id, "leaving the replica set timed out"),
        }
    }
}

impl Inner {
    fn nanos(&self, at: Instant) -> u64 {
        // +1 so that 0 can mean "never valid".
        u64::try_from(at.saturating_duration_since(self.base).as_nanos())
            .unwrap_or(u64::MAX)
            .saturating_add(1)
    }

    fn suspend(&self) {
        self.valid_until.store(0, Ordering::Release);
    }

    fn ensure_started(self: &Arc<Self>) {
        if self.started.load(Ordering::Acquire) || self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                tracing::info!(replica_id = %self.id, "credential cache coherence started");
                rt.spawn(listener::run(Arc::downgrade(self), self.id.clone()));
            }
            // Outside a runtime there is nothing to run on; stay off and try again next time.
            Err(_) => self.started.store(false, Ordering::Release),
        }
    }

    /// Raises the local epoch and credential count to what the database said together:
    /// the count first, so a reader that sees the new epoch also sees its count. Returns the
    /// epoch held before.
    fn raise(&self, epoch: u64, data_bumps: u64) -> u64 {
        self.credentials
            .fetch_max(epoch.saturating_sub(data_bumps), Ordering::AcqRel);
        self.epoch.fetch_max(epoch, Ordering::AcqRel)
    }
}

/// Records that `id` showed `beat` at `now`; returns since when this process has seen that
/// beat. A changed beat restarts the clock, so going back and forth only delays "silent".
fn observe(peers: &mut HashMap<String, Seen>, id: &str, beat: i64, now: Instant) -> Instant {
    match peers.get_mut(id) {
        Some(seen) if seen.beat == beat => seen.since,
        Some(seen) => {
            *seen = Seen { beat, since: now };
            now
        }
        None => {
            peers.insert(id.to_owned(), Seen { beat, since: now });
            now
        }
    }
}

/// Now on the wall clock, in unix nanoseconds (`None` before 1970 or past 2554: no cache).
fn wall_nanos() -> Option<u64> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    u64::try_from(since.as_nanos()).ok()
}

fn epoch_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}
