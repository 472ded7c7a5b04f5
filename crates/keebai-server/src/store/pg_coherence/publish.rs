//! Publishing a change: bump the epoch (its `NOTIFY` is delivered on commit), then wait for
//! every live replica's ack or for the deadline that fences the others (module docs of
//! [`super`], "Publishing" and "Why it is safe").

use std::time::{Duration, Instant};

use super::{epoch_u64, observe, Inner, PgCoherence, LIVE, POLL_EVERY, PUBLISH_DEADLINE};
use crate::store::{StoreError, StoreResult};

/// Bumps the epoch and announces it with the data-only bumps so far as `epoch:data_bumps`;
/// the notification is delivered when this commits.
const BUMP_SQL: &str = r#"WITH e AS (
    UPDATE auth_epoch SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch, data_bumps
)
SELECT e.epoch, e.data_bumps,
       (SELECT count(*) FROM (SELECT pg_notify('keebai_auth', e.epoch::text || ':' || e.data_bumps::text)) n)
FROM e"#;

impl PgCoherence {
    /// Announces a committed change and waits until every live replica has the new epoch, or
    /// has fenced itself.
    pub(super) async fn publish_change(&self) -> StoreResult<()> {
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
}

impl Inner {
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
