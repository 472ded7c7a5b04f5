//! [`PolicyStore`] on SQLite.

use super::*;

#[async_trait]
impl PolicyStore for SqliteStore {
    async fn token_policy(&self, tenant_id: &TenantId) -> StoreResult<PolicyRow> {
        let t = tenant_id.to_owned();
        self.with_read(move |c| {
            c.query_row(queries::TOKEN_POLICY.sqlite(), [t], |r| {
                Ok(PolicyRow {
                    max_lifetime_days: r.get(0)?,
                    require_expiration: r.get(1)?,
                })
            })
            .optional()
            .map(Option::unwrap_or_default)
        })
        .await
    }

    async fn set_token_policy(
        &self,
        tenant_id: &TenantId,
        policy: &PolicyRow,
        now: i64,
    ) -> StoreResult<()> {
        let (t, p) = (tenant_id.to_owned(), policy.clone());
        self.with_conn(move |c| {
            c.execute(
                queries::SET_TOKEN_POLICY.sqlite(),
                params![t, p.max_lifetime_days, p.require_expiration, now],
            )
            .map(drop)
        })
        .await
    }
}
