//! `last_used_at` without a database write per request.
//!
//! Authentications record `(token id, time)` in a map that keeps the latest time per token;
//! a background task swaps the map out every flush interval and writes it in one batch. The
//! store only ever moves a stored time forward, so batches from several replicas merge without
//! losing the latest use. [`UsageRecorder::flush`] runs once more on shutdown.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::store::DynStore;

pub struct UsageRecorder {
    store: DynStore,
    pending: Mutex<HashMap<String, i64>>,
}

impl UsageRecorder {
    pub fn new(store: DynStore) -> Self {
        Self {
            store,
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// Notes a successful use of `token_id` at unix second `at`.
    pub fn record(&self, token_id: &str, at: i64) {
        let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(token_id) {
            Some(t) => *t = (*t).max(at),
            None => {
                map.insert(token_id.to_owned(), at);
            }
        }
    }

    /// The not-yet-flushed time for `token_id`, so this replica's listings are never stale.
    pub fn pending(&self, token_id: &str) -> Option<i64> {
        let map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        map.get(token_id).copied()
    }

    /// Writes everything pending. On failure the batch is merged back for the next try.
    pub async fn flush(&self) -> anyhow::Result<u64> {
        let batch: Vec<(String, i64)> = {
            let mut map = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::take(&mut *map).into_iter().collect()
        };
        if batch.is_empty() {
            return Ok(0);
        }
        match self.store.record_token_use(&batch).await {
            Ok(n) => {
                // Tests and scripts/bench.sh count database writes from this line.
                tracing::debug!(tokens = batch.len(), rows = n, "flushed last-used times");
                Ok(n)
            }
            Err(e) => {
                for (id, at) in batch {
                    self.record(&id, at);
                }
                Err(e.into())
            }
        }
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
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = self.flush().await {
                        tracing::warn!(error = %e, "could not flush last-used times; will retry");
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
