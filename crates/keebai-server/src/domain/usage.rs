//! Token usage — `last_used_at`, its client address and hourly request counts — without a
//! database write per request.
//!
//! Each successful request made with a PAT is noted in memory (the HTTP layer calls
//! [`UsageRecorder::record`] once the answer is a 2xx). A background task swaps the notes out
//! every flush interval and writes them in one batch: per token one `last_used_at` that the
//! store only ever moves forward, and per token and hour one count that the store *adds* to
//! what is there. So batches from several replicas merge without losing the latest use or any
//! count. [`UsageRecorder::flush`] runs once more on shutdown; hours older than
//! [`RETENTION_HOURS`] are pruned about once an hour.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::{AddressUse, DynStore, TokenId, TokenRow, TokenUse, UseWrites};

/// How far back usage history goes (90 days, in hours).
pub const RETENTION_HOURS: i64 = 90 * 24;
/// How often old hours are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The start of the UTC hour that `at` (unix seconds) falls in.
pub fn hour_of(at: i64) -> i64 {
    at - at.rem_euclid(3600)
}

#[derive(Debug, Default)]
struct Pending {
    last_at: i64,
    last_ip: Option<IpAddr>,
    /// `(hour, count)`, in the order first seen; nearly always one entry.
    hours: Vec<(i64, u64)>,
    /// Per address seen since the last flush; nearly always one entry. Kept as addresses, not
    /// text: formatting one on every request, under the recorder's lock, cost more than the
    /// rest of the note (`docs/benchmarks.md`); it becomes text once per flush.
    addresses: Vec<Seen>,
}

/// One address's uses since the last flush.
#[derive(Debug, Clone, Copy)]
struct Seen {
    ip: IpAddr,
    first_seen: i64,
    last_seen: i64,
    count: u64,
}

impl Seen {
    fn to_use(self) -> AddressUse {
        AddressUse {
            ip: self.ip.to_string(),
            first_seen: self.first_seen,
            last_seen: self.last_seen,
            count: self.count,
        }
    }
}

impl Pending {
    fn add(&mut self, at: i64, ip: Option<IpAddr>, count: u64) {
        self.merge(at, ip, [(hour_of(at), count)]);
        if let Some(ip) = ip {
            self.merge_seen(Seen {
                ip,
                first_seen: at,
                last_seen: at,
                count,
            });
        }
    }

    fn merge_seen(&mut self, a: Seen) {
        match self.addresses.iter_mut().find(|m| m.ip == a.ip) {
            Some(m) => {
                m.first_seen = m.first_seen.min(a.first_seen);
                m.last_seen = m.last_seen.max(a.last_seen);
                m.count += a.count;
            }
            None => self.addresses.push(a),
        }
    }

    fn merge(&mut self, at: i64, ip: Option<IpAddr>, hours: impl IntoIterator<Item = (i64, u64)>) {
        if at >= self.last_at {
            self.last_at = at;
            self.last_ip = ip;
        }
        for (hour, count) in hours {
            add_to_hour(&mut self.hours, hour, count);
        }
    }
}

/// Adds one address's uses to a list of them.
fn merge_address(list: &mut Vec<AddressUse>, a: AddressUse) {
    match list.iter_mut().find(|m| m.ip == a.ip) {
        Some(m) => {
            m.first_seen = m.first_seen.min(a.first_seen);
            m.last_seen = m.last_seen.max(a.last_seen);
            m.count += a.count;
        }
        None => list.push(a),
    }
}

/// Adds `count` to `hour` in a list of `(hour, count)`.
fn add_to_hour(hours: &mut Vec<(i64, u64)>, hour: i64, count: u64) {
    match hours.iter_mut().rev().find(|(h, _)| *h == hour) {
        Some((_, n)) => *n += count,
        None => hours.push((hour, count)),
    }
}

pub struct UsageRecorder {
    store: DynStore,
    pending: Mutex<HashMap<TokenId, Pending>>,
}

impl UsageRecorder {
    pub fn new(store: DynStore) -> Self {
        Self {
            store,
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// Notes one successful request with `token_id` at unix second `at`, from `ip`.
    pub fn record(&self, token_id: &TokenId, at: i64, ip: Option<IpAddr>) {
        let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(token_id) {
            Some(p) => p.add(at, ip, 1),
            None => {
                let mut p = Pending::default();
                p.add(at, ip, 1);
                map.insert(token_id.clone(), p);
            }
        }
    }

    /// The not-yet-flushed last use of `token_id`, so this replica's listings are never stale.
    pub fn pending(&self, token_id: &TokenId) -> Option<i64> {
        let map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        map.get(token_id).map(|p| p.last_at)
    }

    /// A token's usage as stored — its row and its hourly counts from `since_hour` on — with
    /// this replica's not-yet-flushed uses added, so a usage answer includes what this replica
    /// has counted so far (other replicas' counts arrive with their next flush). Returns the
    /// hours, oldest first, and the latest use's address; `addresses` gains the pending ones.
    pub fn with_pending(
        &self,
        token: &TokenRow,
        mut hours: Vec<(i64, u64)>,
        addresses: &mut Vec<AddressUse>,
        since_hour: i64,
    ) -> (Vec<(i64, u64)>, Option<String>) {
        let mut last_ip = token.last_used_ip.clone();
        let map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = map.get(&token.id) {
            for a in &p.addresses {
                merge_address(addresses, a.to_use());
            }
            addresses.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(b.ip.cmp(&a.ip)));
            addresses.truncate(crate::store::MAX_ADDRESSES as usize);
            for &(hour, count) in p.hours.iter().filter(|(h, _)| *h >= since_hour) {
                add_to_hour(&mut hours, hour, count);
            }
            hours.sort_unstable();
            if token.last_used_at.is_none_or(|at| p.last_at > at) {
                last_ip = p.last_ip.map(|ip| ip.to_string());
            }
        }
        (hours, last_ip)
    }

    /// Writes everything pending. On failure the batch is merged back for the next try.
    pub async fn flush(&self) -> anyhow::Result<UseWrites> {
        let batch: Vec<TokenUse> = {
            let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::take(&mut *map)
                .into_iter()
                .map(|(token_id, p)| TokenUse {
                    token_id,
                    last_at: p.last_at,
                    last_ip: p.last_ip.map(|ip| ip.to_string()),
                    hours: p.hours,
                    addresses: p.addresses.into_iter().map(Seen::to_use).collect(),
                })
                .collect()
        };
        if batch.is_empty() {
            return Ok(UseWrites::default());
        }
        match self.store.record_token_use(&batch).await {
            Ok(w) => {
                // Tests and scripts/bench.sh count database writes from this line.
                tracing::debug!(
                    tokens = batch.len(),
                    rows = w.last_used,
                    buckets = w.buckets,
                    "flushed last-used times"
                );
                Ok(w)
            }
            Err(e) => {
                let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
                for u in batch {
                    let ip = u.last_ip.and_then(|s| s.parse().ok());
                    let p = map.entry(u.token_id).or_default();
                    p.merge(u.last_at, ip, u.hours);
                    // Every address here was one of ours, formatted at the flush.
                    for a in u.addresses {
                        if let Ok(ip) = a.ip.parse() {
                            p.merge_seen(Seen {
                                ip,
                                first_seen: a.first_seen,
                                last_seen: a.last_seen,
                                count: a.count,
                            });
                        }
                    }
                }
                Err(e.into())
            }
        }
    }

    /// Deletes hours older than [`RETENTION_HOURS`]; and, as the same hourly housekeeping,
    /// expired sessions and sign-in attempts older than an hour (every throttle window is
    /// shorter), which nothing else would ever remove.
    pub async fn prune(&self, now: i64) -> anyhow::Result<u64> {
        let n = self
            .store
            .prune_usage(hour_of(now) - RETENTION_HOURS * 3600)
            .await?;
        if n > 0 {
            tracing::info!(rows = n, "pruned usage history older than 90 days");
        }
        let m = self
            .store
            .prune_sessions_and_attempts(now, now - 3600)
            .await?;
        if m > 0 {
            tracing::info!(rows = m, "pruned expired sessions and old sign-in attempts");
        }
        Ok(n + m)
    }

    /// Flushes every `interval` until `shutdown` resolves, then flushes once more.
    pub async fn run(
        self: Arc<Self>,
        interval: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        let mut pruned: Option<Instant> = None;
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = self.flush().await {
                        tracing::warn!(error = %e, "could not flush last-used times; will retry");
                    }
                    if pruned.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                        pruned = Some(Instant::now());
                        if let Err(e) = self.prune(super::now().timestamp()).await {
                            tracing::warn!(error = %e, "could not prune usage history");
                        }
                    }
                }
                () = &mut shutdown => break,
            }
        }
        if let Err(e) = self.flush().await {
            tracing::error!(error = %e, "could not flush last-used times at shutdown");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::conformance::{fixture, token_for};
    use crate::store::sqlite::SqliteStore;
    use crate::store::{TokenStore, UsageStore};

    /// A real fault on a real store: the usage table vanishes for one flush (renamed behind
    /// the store's back), and nothing of the batch is lost or counted twice.
    #[tokio::test]
    async fn a_failed_flush_keeps_its_batch_for_the_next_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("usage.db");
        let store = Arc::new(SqliteStore::open(&path).await.expect("open"));
        let (_, _, user) = fixture(&*store, &[]).await;
        let t = token_for(&user, 10);
        assert!(store
            .insert_token_within_limit(&t, 10, 10)
            .await
            .expect("insert"));
        let recorder = UsageRecorder::new(store.clone());
        let ip: IpAddr = "192.0.2.7".parse().expect("ip");
        for at in [7300, 7310, 3700] {
            recorder.record(&t.id, at, Some(ip));
        }
        let side = rusqlite::Connection::open(&path).expect("side connection");
        side.busy_timeout(Duration::from_secs(5))
            .expect("busy timeout");
        side.execute_batch("ALTER TABLE token_usage RENAME TO token_usage_away")
            .expect("rename");
        assert!(recorder.flush().await.is_err(), "the flush must fail");
        assert_eq!(
            store
                .token(&t.id)
                .await
                .expect("get")
                .expect("row")
                .last_used_at,
            None
        );
        recorder.record(&t.id, 7305, None); // a use between the two flushes
        side.execute_batch("ALTER TABLE token_usage_away RENAME TO token_usage")
            .expect("rename back");
        let w = recorder.flush().await.expect("the next flush succeeds");
        assert_eq!(
            w,
            UseWrites {
                last_used: 1,
                buckets: 2
            }
        );
        let hours = store.token_usage(&t.id, 0).await.expect("usage");
        assert_eq!(hours, vec![(3600, 1), (7200, 3)]);
        let row = store.token(&t.id).await.expect("get").expect("row");
        assert_eq!(
            row.last_used_ip.as_deref(),
            Some("192.0.2.7"),
            "the latest use's address"
        );
        assert_eq!(row.last_used_at, Some(7310));
        // The address, kept as an address between flushes, came back from the failed one
        // with its first and last sighting and its count (the use without an address adds none).
        assert_eq!(
            store.token_addresses(&t.id).await.expect("addresses"),
            vec![AddressUse {
                ip: "192.0.2.7".into(),
                first_seen: 3700,
                last_seen: 7310,
                count: 3
            }]
        );
        assert_eq!(
            recorder.flush().await.expect("empty flush"),
            UseWrites::default()
        );
    }

    #[test]
    fn hours_start_on_the_hour() {
        assert_eq!(hour_of(7200), 7200);
        assert_eq!(hour_of(7199), 3600);
        assert_eq!(hour_of(-1), -3600);
    }

    #[test]
    fn pending_keeps_the_latest_use_and_counts_per_hour() {
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        let mut p = Pending::default();
        p.add(7300, Some(a), 1);
        p.add(3700, Some(b), 1); // earlier: counted, but not the latest
        p.add(7301, Some(a), 1);
        assert_eq!((p.last_at, p.last_ip), (7301, Some(a)));
        assert_eq!(p.hours, vec![(7200, 2), (3600, 1)]);
        // A failed flush merged back into newer notes: counts add, the latest use stays.
        p.merge(7000, Some(b), [(3600, 5), (0, 1)]);
        assert_eq!((p.last_at, p.last_ip), (7301, Some(a)));
        assert_eq!(p.hours, vec![(7200, 2), (3600, 6), (0, 1)]);
    }
}
