//! The listener: one dedicated connection per process that `LISTEN`s for changes and
//! heartbeats, which is what keeps this process's cache valid (module docs of [`super`],
//! "Validity (the fence)").

use std::sync::atomic::Ordering;
use std::sync::Weak;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};

use super::*;

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

/// Why a listener session ended.
enum End {
    /// The coherence object was dropped: stop for good.
    Gone,
    Failed(String),
}

/// The listener's life: connect, `LISTEN`, heartbeat until the connection fails, then suspend
/// the cache and reconnect with backoff. Ends when the coherence object is dropped.
pub(super) async fn run(weak: Weak<Inner>, id: String) {
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
