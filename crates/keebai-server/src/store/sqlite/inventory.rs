//! [`InventoryStore`] on SQLite. A bulk revoke selects and updates under `BEGIN IMMEDIATE`
//! (the single write lock), so what it answers is exactly what it changed.

use rusqlite::types::Value;

use super::super::inventory::{self, Arg, Built, Engine, Query};
use super::*;

#[async_trait]
impl InventoryStore for SqliteStore {
    async fn token_inventory(
        &self,
        tenant_id: &TenantId,
        filter: &TokenFilter,
        now: i64,
        after: Option<&Position>,
        limit: u32,
    ) -> StoreResult<Vec<InventoryRow>> {
        let built = inventory::select(
            Engine::Sqlite,
            &Query {
                tenant_id,
                filter: Some(filter),
                ids: None,
                only_active: false,
                now,
                after,
                limit,
            },
        );
        self.with_read(move |c| rows_of(c, &built)).await
    }

    async fn revoke_selected(
        &self,
        tenant_id: &TenantId,
        selection: &Selection,
        now: i64,
        max: u32,
        dry_run: bool,
    ) -> StoreResult<BulkOutcome> {
        let (filter, ids) = match selection {
            Selection::Ids(ids) => (None, Some(ids.as_slice())),
            Selection::Filter(f) => (Some(f), None),
        };
        let built = inventory::select(
            Engine::Sqlite,
            &Query {
                tenant_id,
                filter,
                ids,
                only_active: true,
                now,
                after: None,
                limit: max.saturating_add(1),
            },
        );
        self.with_conn(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut rows = rows_of(&tx, &built)?;
            if rows.len() > max as usize {
                return Ok(BulkOutcome::TooMany);
            }
            if dry_run {
                return Ok(BulkOutcome::Revoked(rows));
            }
            let mut revoke = tx.prepare_cached(
                "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            )?;
            for r in &mut rows {
                revoke.execute(params![r.token.id, now])?;
                r.token.revoked_at = Some(now);
            }
            drop(revoke);
            tx.commit()?;
            Ok(BulkOutcome::Revoked(rows))
        })
        .await
    }
}

fn rows_of(c: &Connection, built: &Built) -> rusqlite::Result<Vec<InventoryRow>> {
    let args = built.args.iter().map(|a| match a {
        Arg::Int(i) => Value::Integer(*i),
        Arg::Text(t) => Value::Text(t.clone()),
    });
    let mut s = c.prepare(&built.sql)?;
    let rows = s
        .query_map(rusqlite::params_from_iter(args), |r| {
            inventory::inventory_row(r).map_err(into_sqlite)
        })?
        .collect();
    rows
}
