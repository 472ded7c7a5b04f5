//! [`UsageStore`] on PostgreSQL: last use, client addresses and hourly counts, rows locked in
//! id order so overlapping batches of two replicas cannot deadlock.

use super::*;

#[async_trait]
impl UsageStore for PgStore {
    async fn record_token_use(&self, uses: &[TokenUse]) -> StoreResult<UseWrites> {
        let batch = normalize_uses(uses);
        if batch.last.is_empty() {
            return Ok(UseWrites::default());
        }
        let ids: Vec<&str> = batch.last.iter().map(|(id, _, _)| id.as_str()).collect();
        let ats: Vec<i64> = batch.last.iter().map(|(_, at, _)| *at).collect();
        let ips: Vec<Option<&str>> = batch.last.iter().map(|(_, _, ip)| ip.as_deref()).collect();
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Rows are locked in id order before updating, so two replicas flushing overlapping
        // batches queue instead of deadlocking (and their hourly upserts below, which touch
        // only rows of tokens locked here, queue behind the same locks). The UPDATE re-checks
        // `last_used_at < at` against the newest row version, so an earlier time never
        // replaces a later one.
        let last = tx
            .prepare_cached(
                r#"WITH batch AS (
                       SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[]) AS b(id, at, ip)
                   ), locked AS MATERIALIZED (
                       SELECT t.id FROM tokens t WHERE t.id = ANY($1::text[])
                       ORDER BY t.id COLLATE "C" FOR NO KEY UPDATE
                   )
                   UPDATE tokens t SET last_used_at = batch.at, last_used_ip = batch.ip
                   FROM batch, locked
                   WHERE t.id = batch.id AND t.id = locked.id
                     AND (t.last_used_at IS NULL OR t.last_used_at < batch.at)"#,
            )
            .await?;
        let mut w = UseWrites {
            last_used: tx.execute(&last, &[&ids, &ats, &ips]).await?,
            buckets: 0,
        };
        if !batch.hours.is_empty() {
            let h_ids: Vec<&str> = batch.hours.iter().map(|(id, _, _)| id.as_str()).collect();
            let hours: Vec<i64> = batch.hours.iter().map(|(_, h, _)| *h).collect();
            let counts: Vec<i64> = batch.hours.iter().map(|(_, _, n)| *n).collect();
            let add = tx
                .prepare_cached(
                    r#"INSERT INTO token_usage (token_id, hour, count)
                       SELECT b.id, b.hour, b.count
                       FROM UNNEST($1::text[], $2::bigint[], $3::bigint[]) AS b(id, hour, count)
                       WHERE EXISTS (SELECT 1 FROM tokens t WHERE t.id = b.id)
                       ORDER BY b.id COLLATE "C", b.hour
                       ON CONFLICT (token_id, hour)
                       DO UPDATE SET count = token_usage.count + EXCLUDED.count"#,
                )
                .await?;
            w.buckets = tx.execute(&add, &[&h_ids, &hours, &counts]).await?;
        }
        if !batch.addresses.is_empty() {
            let a = &batch.addresses;
            let a_ids: Vec<&str> = a.iter().map(|(id, _)| id.as_str()).collect();
            let ips: Vec<&str> = a.iter().map(|(_, u)| u.ip.as_str()).collect();
            let firsts: Vec<i64> = a.iter().map(|(_, u)| u.first_seen).collect();
            let lasts: Vec<i64> = a.iter().map(|(_, u)| u.last_seen).collect();
            let counts: Vec<i64> = a
                .iter()
                .map(|(_, u)| i64::try_from(u.count).unwrap_or(i64::MAX))
                .collect();
            let seen = tx
                .prepare_cached(
                    r#"INSERT INTO token_addresses (token_id, ip, first_seen, last_seen, count)
                       SELECT b.id, b.ip, b.first_seen, b.last_seen, b.count
                       FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[])
                            AS b(id, ip, first_seen, last_seen, count)
                       WHERE EXISTS (SELECT 1 FROM tokens t WHERE t.id = b.id)
                       ORDER BY b.id COLLATE "C", b.ip COLLATE "C"
                       ON CONFLICT (token_id, ip) DO UPDATE SET
                          first_seen = LEAST(token_addresses.first_seen, EXCLUDED.first_seen),
                          last_seen = GREATEST(token_addresses.last_seen, EXCLUDED.last_seen),
                          count = token_addresses.count + EXCLUDED.count"#,
                )
                .await?;
            tx.execute(&seen, &[&a_ids, &ips, &firsts, &lasts, &counts])
                .await?;
            let trim = tx
                .prepare_cached(
                    r#"DELETE FROM token_addresses d
                       USING (SELECT token_id, ip, ROW_NUMBER() OVER (
                                  PARTITION BY token_id ORDER BY last_seen DESC, ip COLLATE "C" DESC) AS n
                              FROM token_addresses WHERE token_id = ANY($1::text[])) r
                       WHERE d.token_id = r.token_id AND d.ip = r.ip AND r.n > $2::bigint"#,
                )
                .await?;
            tx.execute(&trim, &[&a_ids, &i64::from(MAX_ADDRESSES)])
                .await?;
        }
        tx.commit().await?;
        Ok(w)
    }

    async fn token_addresses(&self, token_id: &TokenId) -> StoreResult<Vec<AddressUse>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                r#"SELECT ip, first_seen, last_seen, count FROM token_addresses
                   WHERE token_id = $1 ORDER BY last_seen DESC, ip COLLATE "C" DESC"#,
            )
            .await?;
        c.query(&st, &[&token_id])
            .await?
            .iter()
            .map(|r| {
                Ok(AddressUse {
                    ip: r.try_get(0)?,
                    first_seen: r.try_get(1)?,
                    last_seen: r.try_get(2)?,
                    count: u64::try_from(r.try_get::<_, i64>(3)?).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn token_usage(
        &self,
        token_id: &TokenId,
        since_hour: i64,
    ) -> StoreResult<Vec<(i64, u64)>> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::TOKEN_USAGE.pg()).await?;
        let hours = c
            .query(&st, &[&token_id, &since_hour])
            .await?
            .iter()
            .map(|r| {
                let (h, n): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
                Ok((h, u64::try_from(n).unwrap_or(0)))
            })
            .collect::<Result<Vec<_>, tokio_postgres::Error>>()?;
        Ok(hours)
    }

    async fn prune_usage(&self, before_hour: i64) -> StoreResult<u64> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::PRUNE_USAGE.pg()).await?;
        Ok(c.execute(&st, &[&before_hour]).await?)
    }
}
