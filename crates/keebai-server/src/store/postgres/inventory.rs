//! [`InventoryStore`] on PostgreSQL. A bulk revoke locks the tokens it selected (`FOR UPDATE
//! OF t`: under READ COMMITTED a row revoked meanwhile is re-checked and drops out), then
//! revokes them in one statement, so the coherence trigger announces the whole batch once.

use tokio_postgres::types::ToSql;

use super::super::inventory::{self, Arg, Built, Engine, Query};
use super::*;

#[async_trait]
impl InventoryStore for PgStore {
    async fn token_inventory(
        &self,
        tenant_id: &TenantId,
        filter: &TokenFilter,
        now: i64,
        after: Option<&Position>,
        limit: u32,
    ) -> StoreResult<Vec<InventoryRow>> {
        let built = inventory::select(
            Engine::Postgres,
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
        let c = self.client().await?;
        rows_of(&**c, &built, "").await
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
            Engine::Postgres,
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
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let lock = if dry_run { "" } else { " FOR UPDATE OF t" };
        let mut rows = rows_of(&*tx, &built, lock).await?;
        if rows.len() > max as usize {
            return Ok(BulkOutcome::TooMany);
        }
        if dry_run || rows.is_empty() {
            return Ok(BulkOutcome::Revoked(rows));
        }
        let ids: Vec<&str> = rows.iter().map(|r| r.token.id.as_str()).collect();
        tx.execute(
            "UPDATE tokens SET revoked_at = $2 WHERE id = ANY($1) AND revoked_at IS NULL",
            &[&ids, &now],
        )
        .await?;
        tx.commit().await?;
        for r in &mut rows {
            r.token.revoked_at = Some(now);
        }
        Ok(BulkOutcome::Revoked(rows))
    }
}

/// Runs `built` (with `suffix` appended, e.g. a row lock) and maps its rows.
async fn rows_of(
    c: &impl tokio_postgres::GenericClient,
    built: &Built,
    suffix: &str,
) -> StoreResult<Vec<InventoryRow>> {
    let args: Vec<Box<dyn ToSql + Sync + Send>> = built
        .args
        .iter()
        .map(|a| -> Box<dyn ToSql + Sync + Send> {
            match a {
                Arg::Int(i) => Box::new(*i),
                Arg::Text(t) => Box::new(t.clone()),
            }
        })
        .collect();
    let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| &**a as &(dyn ToSql + Sync)).collect();
    let text = format!("{}{suffix}", sql::pg(&built.sql));
    c.query(&text, &refs)
        .await?
        .iter()
        .map(inventory::inventory_row)
        .collect()
}
