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
//! clocks differ by millionths; a frozen process's clock keeps ticking), that an epoch read reflects every commit that finished before the statement
//! was sent (PostgreSQL's READ COMMITTED statement snapshot), and that the database is never
//! rolled back under running replicas. Nothing relies on `NOTIFY` delivery (notifications only
//! make publishing fast), nor on the wall clock (it can only end a replica's window early).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use deadpool_postgres::Pool;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, NoTls};

use super::{CacheCoherence, StoreError, StoreResult};

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

/// One statement per heartbeat, so the beat, the ack and the reads share one snapshot:
/// `$1` replica id, `$2` beat, `$3` acked epoch, `$4` whether to notify publishers.
const BEAT_SQL: &str = r#"WITH me AS (
    INSERT INTO replicas AS r (id, beat, acked_epoch) VALUES ($1::text, $2::bigint, $3::bigint)
    ON CONFLICT (id) DO UPDATE SET beat = GREATEST(r.beat, EXCLUDED.beat),
                                   acked_epoch = GREATEST(r.acked_epoch, EXCLUDED.acked_epoch)
    RETURNING 1
)
SELECT (SELECT epoch FROM auth_epoch WHERE id = 1),
       ARRAY(SELECT id FROM replicas ORDER BY id COLLATE "C"),
       ARRAY(SELECT beat FROM replicas ORDER BY id COLLATE "C"),
       (SELECT count(*) FROM me),
       (SELECT count(*) FROM (SELECT pg_notify('keebai_auth', 'ack') WHERE $4::boolean) n),
       (SELECT data_bumps FROM auth_epoch WHERE id = 1)"#;

/// Bumps the epoch and announces it with the data-only bumps so far as `epoch:data_bumps`;
/// the notification is delivered when this commits.
const BUMP_SQL: &str = r#"WITH e AS (
    UPDATE auth_epoch SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch, data_bumps
)
SELECT e.epoch, e.data_bumps,
       (SELECT count(*) FROM (SELECT pg_notify('keebai_auth', e.epoch::text || ':' || e.data_bumps::text)) n)
FROM e"#;

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

    /// Announces a committed change and waits until every live replica has the new epoch, or
    /// has fenced itself.
    async fn publish_change(&self) -> StoreResult<()> {
        let inner = &self.inner;
        inner.ensure_started();
        let (epoch, data_bumps, committed) = inner.bump().await?;
        // This process serves nothing stamped before the change from here on.
        inner.raise(epoch, data_bumps);
        let deadline = committed + PUBLISH_DEADLINE;
        let mut acks = inner.acks.subscribe();
        let mut lagging = Vec::new();
        loop {
            // Marked seen before the poll, so an ack landing after the poll wakes us.
            acks.borrow_and_update();
            // Bounded by the deadline: a busy pool must not hold the answer past it.
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, inner.lagging(epoch)).await {
                Ok(Ok(l)) if l.is_empty() => return Ok(()),
                Ok(Ok(l)) => lagging = l,
                // Keep going: the deadline below holds whether or not the database answers.
                Ok(Err(e)) => tracing::debug!(error = %e, "polling replica acks failed"),
                Err(_) => {}
            }
            let now = Instant::now();
            if now >= deadline {
                tracing::warn!(
                    epoch,
                    replicas = ?lagging,
                    "replicas did not acknowledge a credential change in time; their caches \
                     have fenced themselves by now, so the change is effective everywhere"
                );
                return Ok(());
            }
            let wait = (deadline - now).min(POLL_EVERY);
            let _ = tokio::time::timeout(wait, acks.changed()).await;
        }
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
                rt.spawn(run(Arc::downgrade(self), self.id.clone()));
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

    /// Bumps the epoch, retrying briefly: a bump whose outcome is unknown is simply redone
    /// (an extra epoch only costs cache misses). Returns the epoch, the data-only bumps so
    /// far, and when it was committed.
    async fn bump(&self) -> StoreResult<(u64, u64, Instant)> {
        let give_up = Instant::now() + Duration::from_secs(2);
        loop {
            let attempt = async {
                let c = self.pool.get().await?;
                let st = c.prepare_cached(BUMP_SQL).await?;
                let row = c.query_one(&st, &[]).await?;
                let (epoch, data): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
                Ok::<_, StoreError>((epoch, data))
            };
            match attempt.await {
                Ok((epoch, data)) => {
                    return Ok((epoch_u64(epoch), epoch_u64(data), Instant::now()))
                }
                Err(StoreError::Unavailable(e)) if Instant::now() < give_up => {
                    tracing::debug!(error = %e, "bumping the credential epoch failed; retrying");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Replicas (other than this one) that have not acked `epoch` and are not silent.
    async fn lagging(&self, epoch: u64) -> StoreResult<Vec<String>> {
        let c = self.pool.get().await?;
        let st = c
            .prepare_cached("SELECT id, beat, acked_epoch FROM replicas")
            .await?;
        let rows = c.query(&st, &[]).await?;
        let now = Instant::now();
        let mut peers = self.peers.lock().unwrap_or_else(|p| p.into_inner());
        let mut lagging = Vec::new();
        for r in rows {
            let id: String = r.try_get(0)?;
            let beat: i64 = r.try_get(1)?;
            let acked: i64 = r.try_get(2)?;
            let since = observe(&mut peers, &id, beat, now);
            if id == self.id || epoch_u64(acked) >= epoch || now.duration_since(since) > LIVE {
                continue;
            }
            lagging.push(id);
        }
        Ok(lagging)
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

/// Why a listener session ended.
enum End {
    /// The coherence object was dropped: stop for good.
    Gone,
    Failed(String),
}

/// The listener's life: connect, `LISTEN`, heartbeat until the connection fails, then suspend
/// the cache and reconnect with backoff. Ends when the coherence object is dropped.
async fn run(weak: Weak<Inner>, id: String) {
    let mut backoff = Duration::from_millis(50);
    // Send time of the last heartbeat whose answer was processed, across reconnects.
    let mut last_ok: Option<Instant> = None;
    loop {
        let Some(config) = weak.upgrade().map(|i| i.listener_config.clone()) else {
            return;
        };
        let end = match config.connect(NoTls).await {
            Ok((client, connection)) => {
                let (tx, rx) = mpsc::unbounded_channel();
                let driver = tokio::spawn(drive(connection, tx));
                let end = session(&weak, &client, rx, &mut last_ok, &mut backoff).await;
                if let End::Gone = end {
                    // The cache is gone with its owner: leave the replica set, so publishers
                    // stop looking at this row at once (best effort; else it goes silent).
                    let _ = tokio::time::timeout(
                        BEAT_TIMEOUT,
                        client.execute("DELETE FROM replicas WHERE id = $1", &[&id]),
                    )
                    .await;
                }
                driver.abort();
                end
            }
            Err(e) => End::Failed(format!("connecting the listener: {e}")),
        };
        let Some(inner) = weak.upgrade() else { return };
        inner.suspend();
        match end {
            End::Gone => return,
            End::Failed(why) => tracing::warn!(
                replica_id = %inner.id,
                error = %why,
                "credential cache off: listener connection lost; reconnecting"
            ),
        }
        drop(inner);
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

/// Drives the listener connection and forwards notification payloads; returns (dropping
/// `tx`, which tells the session) when the connection ends for any reason.
async fn drive(
    mut connection: tokio_postgres::Connection<
        tokio_postgres::Socket,
        tokio_postgres::tls::NoTlsStream,
    >,
    tx: mpsc::UnboundedSender<String>,
) {
    loop {
        match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            Some(Ok(AsyncMessage::Notification(n))) => {
                if tx.send(n.payload().to_owned()).is_err() {
                    return;
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                tracing::debug!(error = %e, "listener connection failed");
                return;
            }
            None => return,
        }
    }
}

async fn session(
    weak: &Weak<Inner>,
    client: &tokio_postgres::Client,
    mut notifications: mpsc::UnboundedReceiver<String>,
    last_ok: &mut Option<Instant>,
    backoff: &mut Duration,
) -> End {
    let prepared = async {
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        client.prepare(BEAT_SQL).await
    };
    let beat_sql = match tokio::time::timeout(BEAT_TIMEOUT, prepared).await {
        Ok(Ok(st)) => st,
        Ok(Err(e)) => return End::Failed(format!("LISTEN: {e}")),
        Err(_) => return End::Failed("LISTEN timed out".into()),
    };
    let mut tick = tokio::time::interval(BEAT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut in_sync = false;
    loop {
        let mut notify_acks = false;
        tokio::select! {
            payload = notifications.recv() => {
                let Some(payload) = payload else {
                    return End::Failed("listener connection closed".into());
                };
                let Some(inner) = weak.upgrade() else { return End::Gone };
                if payload == ACK {
                    inner.acks.send_modify(|n| *n = n.wrapping_add(1));
                    continue;
                }
                // `epoch:data_bumps`. Anything else (an older replica's bare epoch) is left to
                // the next heartbeat, which reads both together: raising the epoch without
                // knowing whether credentials changed could pair it with a stale count.
                let Some((epoch, data_bumps)) = payload
                    .split_once(':')
                    .and_then(|(e, d)| Some((e.parse::<u64>().ok()?, d.parse::<u64>().ok()?)))
                else {
                    continue;
                };
                // Raise first (this alone stops stale entries being served), then ack below.
                if inner.raise(epoch, data_bumps) >= epoch {
                    continue;
                }
                notify_acks = true;
            }
            _ = tick.tick() => {}
        }
        // A heartbeat, repeated at once while it teaches us a newer epoch than it acked, so
        // publishers see the ack without waiting for the next tick.
        loop {
            let Some(inner) = weak.upgrade() else {
                return End::Gone;
            };
            if inner.left.load(Ordering::SeqCst) {
                return End::Gone;
            }
            let acked = inner.epoch.load(Ordering::Acquire);
            let beat = inner.beat.fetch_add(1, Ordering::AcqRel) + 1;
            let acked_i = i64::try_from(acked).unwrap_or(i64::MAX);
            let sent = Instant::now();
            let sent_wall = wall_nanos();
            let answer = tokio::time::timeout(
                BEAT_TIMEOUT,
                client.query_one(&beat_sql, &[&inner.id, &beat, &acked_i, &notify_acks]),
            )
            .await;
            let row = match answer {
                Ok(Ok(row)) => row,
                Ok(Err(e)) => return End::Failed(format!("heartbeat: {e}")),
                Err(_) => return End::Failed("heartbeat timed out".into()),
            };
            let read = (|| {
                let epoch: i64 = row.try_get(0)?;
                let ids: Vec<String> = row.try_get(1)?;
                let beats: Vec<i64> = row.try_get(2)?;
                let data_bumps: i64 = row.try_get(5)?;
                Ok::<_, tokio_postgres::Error>((epoch, ids, beats, data_bumps))
            })();
            let (db_epoch, ids, beats, db_data_bumps) = match read {
                Ok(v) => v,
                Err(e) => return End::Failed(format!("heartbeat answer: {e}")),
            };
            if inner.left.load(Ordering::SeqCst) {
                // `leave` ran while this heartbeat was out and may have deleted the row before
                // the heartbeat re-inserted it: end, which deletes it again (best effort, see
                // `leave`).
                return End::Gone;
            }
            let db_epoch = epoch_u64(db_epoch);
            inner.raise(db_epoch, epoch_u64(db_data_bumps));
            let follows = last_ok.is_some_and(|prev| sent.saturating_duration_since(prev) <= GAP);
            *last_ok = Some(sent);
            if let (true, Some(wall)) = (follows, sent_wall) {
                // Wall window first, monotonic last: a reader that sees the new monotonic
                // deadline (it loads that first) also sees this beat's wall window and epoch.
                let fence = u64::try_from(FENCE.as_nanos()).unwrap_or(u64::MAX);
                inner.valid_from_wall.store(wall, Ordering::Release);
                inner
                    .valid_until_wall
                    .store(wall.saturating_add(fence), Ordering::Release);
                inner
                    .valid_until
                    .store(inner.nanos(sent + FENCE), Ordering::Release);
                if !in_sync {
                    in_sync = true;
                    *backoff = Duration::from_millis(50);
                    tracing::info!(replica_id = %inner.id, "credential cache in sync");
                }
            }
            let forget = inner.observe_all(&ids, &beats, Instant::now());
            for (id, beat) in forget {
                // Best effort: a failure here just leaves the row for next time.
                let _ = client
                    .execute(
                        "DELETE FROM replicas WHERE id = $1 AND beat = $2",
                        &[&id, &beat],
                    )
                    .await;
                tracing::info!(replica_id = %id, "forgot a replica silent for 10 minutes");
            }
            notify_acks = db_epoch > acked;
            if !notify_acks {
                break;
            }
        }
    }
}

impl Inner {
    /// Records a heartbeat's view of every replica; returns the silent ones to delete.
    fn observe_all(&self, ids: &[String], beats: &[i64], now: Instant) -> Vec<(String, i64)> {
        let mut peers = self.peers.lock().unwrap_or_else(|p| p.into_inner());
        let mut forget = Vec::new();
        for (id, beat) in ids.iter().zip(beats) {
            let since = observe(&mut peers, id, *beat, now);
            if *id != self.id && now.duration_since(since) > FORGET {
                forget.push((id.clone(), *beat));
            }
        }
        // Rows that are gone need no memory (a new row with the same id starts fresh).
        peers.retain(|id, _| ids.contains(id));
        for (id, _) in &forget {
            peers.remove(id);
        }
        forget
    }
}
