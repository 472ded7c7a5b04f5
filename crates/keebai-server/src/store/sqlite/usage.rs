//! [`UsageStore`] on SQLite: last use, client addresses and hourly counts.

use super::*;

#[async_trait]
impl UsageStore for SqliteStore {
    async fn record_token_use(&self, uses: &[TokenUse]) -> StoreResult<UseWrites> {
        let batch = normalize_uses(uses);
        self.with_conn(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut w = UseWrites::default();
            {
                let mut last = tx.prepare_cached(
                    "UPDATE tokens SET last_used_at = ?2, last_used_ip = ?3 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)",
                )?;
                for (id, at, ip) in &batch.last {
                    w.last_used += last.execute(params![id, at, ip])? as u64;
                }
                let mut hour = tx.prepare_cached(
                    "INSERT INTO token_usage (token_id, hour, count)
                     SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM tokens WHERE id = ?1)
                     ON CONFLICT (token_id, hour) DO UPDATE SET count = token_usage.count + excluded.count",
                )?;
                for (id, h, n) in &batch.hours {
                    w.buckets += hour.execute(params![id, h, n])? as u64;
                }
                let mut seen = tx.prepare_cached(
                    "INSERT INTO token_addresses (token_id, ip, first_seen, last_seen, count)
                     SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM tokens WHERE id = ?1)
                     ON CONFLICT (token_id, ip) DO UPDATE SET
                        first_seen = min(token_addresses.first_seen, excluded.first_seen),
                        last_seen = max(token_addresses.last_seen, excluded.last_seen),
                        count = token_addresses.count + excluded.count",
                )?;
                let mut trim = tx.prepare_cached(
                    "DELETE FROM token_addresses WHERE token_id = ?1 AND ip NOT IN
                       (SELECT ip FROM token_addresses WHERE token_id = ?1
                        ORDER BY last_seen DESC, ip DESC LIMIT ?2)",
                )?;
                for (id, a) in &batch.addresses {
                    let n = i64::try_from(a.count).unwrap_or(i64::MAX);
                    seen.execute(params![id, a.ip, a.first_seen, a.last_seen, n])?;
                }
                // Sorted by token id: each token is trimmed once, after all its addresses.
                let mut ids: Vec<&TokenId> = batch.addresses.iter().map(|(id, _)| id).collect();
                ids.dedup();
                for id in ids {
                    trim.execute(params![id, MAX_ADDRESSES])?;
                }
            }
            tx.commit()?;
            Ok(w)
        })
        .await
    }

    async fn token_addresses(&self, token_id: &TokenId) -> StoreResult<Vec<AddressUse>> {
        let id = token_id.to_owned();
        self.with_read(move |c| {
            let mut s = c.prepare_cached(
                "SELECT ip, first_seen, last_seen, count FROM token_addresses
                 WHERE token_id = ?1 ORDER BY last_seen DESC, ip DESC",
            )?;
            let rows = s
                .query_map([id], |r| {
                    Ok(AddressUse {
                        ip: r.get(0)?,
                        first_seen: r.get(1)?,
                        last_seen: r.get(2)?,
                        count: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    })
                })?
                .collect();
            rows
        })
        .await
    }

    async fn token_usage(
        &self,
        token_id: &TokenId,
        since_hour: i64,
    ) -> StoreResult<Vec<(i64, u64)>> {
        let id = token_id.to_owned();
        self.with_read(move |c| {
            let mut s = c.prepare_cached(queries::TOKEN_USAGE.sqlite())?;
            let hours = s
                .query_map(params![id, since_hour], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
                })?
                .map(|r| r.map(|(h, n)| (h, u64::try_from(n).unwrap_or(0))))
                .collect();
            hours
        })
        .await
    }

    async fn prune_usage(&self, before_hour: i64) -> StoreResult<u64> {
        self.with_conn(move |c| {
            c.execute(queries::PRUNE_USAGE.sqlite(), params![before_hour])
                .map(|n| n as u64)
        })
        .await
    }
}
