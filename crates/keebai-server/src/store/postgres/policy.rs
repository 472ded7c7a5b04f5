//! [`PolicyStore`] on PostgreSQL.

use super::*;

#[async_trait]
impl PolicyStore for PgStore {
    async fn token_policy(&self, tenant_id: &TenantId) -> StoreResult<PolicyRow> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::TOKEN_POLICY.pg()).await?;
        Ok(c.query_opt(&st, &[&tenant_id])
            .await?
            .map(|r| PolicyRow {
                max_lifetime_days: r.get(0),
                require_expiration: r.get(1),
            })
            .unwrap_or_default())
    }

    async fn set_token_policy(
        &self,
        tenant_id: &TenantId,
        policy: &PolicyRow,
        now: i64,
    ) -> StoreResult<()> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::SET_TOKEN_POLICY.pg()).await?;
        c.execute(
            &st,
            &[
                &tenant_id,
                &policy.max_lifetime_days,
                &policy.require_expiration,
                &now,
            ],
        )
        .await?;
        Ok(())
    }
}
