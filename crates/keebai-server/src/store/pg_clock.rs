//! Each replica's clock against the database's (PostgreSQL only).
//!
//! Expiry, grace periods and sign-in windows are decided on the serving process's clock, so a
//! replica whose clock runs behind would accept a token that has expired. Every few seconds
//! each replica reads the database's clock and compares it with its own at the midpoint of the
//! round trip; when they differ by more than [`MAX_SKEW`] (beyond what the round trip leaves
//! uncertain) the replica stops serving — every request, `/healthz` included, answers 503 so
//! a load balancer takes it out — and says why in its log, until its clock is back in line.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use deadpool_postgres::Pool;

/// Largest tolerated difference between a replica's clock and the database's.
pub const MAX_SKEW: Duration = Duration::from_secs(1);
/// How often the clocks are compared.
const EVERY: Duration = Duration::from_secs(5);
/// Stored in [`ClockWatch::skew_ms`] until a comparison succeeds.
const UNKNOWN: i64 = i64::MIN;

#[derive(Debug)]
pub struct ClockWatch {
    /// The last measured skew (database − local, ms) when it was over the limit, else 0;
    /// [`UNKNOWN`] before the first measurement.
    skew_ms: AtomicI64,
}

impl ClockWatch {
    /// Starts comparing; the first comparison runs before this returns.
    pub async fn start(pool: Pool) -> Arc<Self> {
        let watch = Arc::new(Self {
            skew_ms: AtomicI64::new(UNKNOWN),
        });
        watch.check(&pool).await;
        let weak: Weak<Self> = Arc::downgrade(&watch);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(EVERY).await;
                let Some(watch) = weak.upgrade() else { return };
                watch.check(&pool).await;
            }
        });
        watch
    }

    /// The skew in ms when it is over [`MAX_SKEW`], else `None` (also while unmeasured: a
    /// database that cannot be reached fails requests on its own).
    pub fn too_far(&self) -> Option<i64> {
        match self.skew_ms.load(Ordering::Acquire) {
            0 | UNKNOWN => None,
            s => Some(s),
        }
    }

    async fn check(&self, pool: &Pool) {
        let Some((skew, uncertainty)) = measure(pool).await else {
            return;
        };
        let limit = i64::try_from(MAX_SKEW.as_millis()).unwrap_or(1000);
        let over = skew.abs() - uncertainty > limit;
        let before = self
            .skew_ms
            .swap(if over { skew } else { 0 }, Ordering::AcqRel);
        let was_over = !matches!(before, 0 | UNKNOWN);
        if over && !was_over {
            tracing::error!(
                skew_ms = skew,
                "this server's clock is off from the database's by more than 1 s; it stops \
                 serving (every request answers 503) until its time is synchronised (NTP)"
            );
        } else if !over && was_over {
            tracing::info!(
                skew_ms = skew,
                "clock back in line with the database's; serving again"
            );
        }
    }
}

/// `(database − local midpoint, half the round trip)` in ms.
async fn measure(pool: &Pool) -> Option<(i64, i64)> {
    let client = pool.get().await.ok()?;
    let before = local_ms();
    let row = client
        .query_one(
            "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
            &[],
        )
        .await
        .ok()?;
    let after = local_ms();
    let db: i64 = row.try_get(0).ok()?;
    Some((db - (before + after) / 2, (after - before) / 2))
}

fn local_ms() -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    now + crate::faults::clock_offset_ms()
}
