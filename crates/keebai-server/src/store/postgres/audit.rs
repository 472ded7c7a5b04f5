//! [`AuditStore`] on PostgreSQL.

use super::*;

#[async_trait]
impl AuditStore for PgStore {
    async fn append_audit(&self, e: &AuditRow) -> StoreResult<()> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::INSERT_AUDIT.pg()).await?;
        c.execute(
            &st,
            &[
                &e.id,
                &e.tenant_id,
                &e.at,
                &e.actor,
                &e.action,
                &e.target,
                &e.ip,
                &e.detail,
            ],
        )
        .await?;
        Ok(())
    }

    async fn audit_events(
        &self,
        tenant_id: &TenantId,
        visible_to: Option<&str>,
        filter: &AuditFilter,
        before: Option<&AuditCursor>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRow>> {
        let actor = visible_to;
        let (since, until) = (
            filter.since.unwrap_or(i64::MIN),
            filter.until.unwrap_or(i64::MAX),
        );
        let (b_at, b_id) = before.map_or((i64::MAX, ""), |b| (b.at, b.id.as_str()));
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                r#"SELECT id, tenant_id, at, actor, action, target, ip, detail FROM audit_events
                   WHERE tenant_id = $1 AND ($2::text IS NULL OR actor = $2::text
                          OR target IN (SELECT id FROM tokens WHERE user_id = $2::text))
                     AND (at < $3::bigint OR (at = $3::bigint AND ($4::text = '' OR id COLLATE "C" < $4::text)))
                     AND ($6::text IS NULL OR actor = $6::text) AND ($7::text IS NULL OR action = $7::text)
                     AND ($8::text IS NULL OR target = $8::text) AND at >= $9::bigint AND at < $10::bigint
                   ORDER BY at DESC, id COLLATE "C" DESC LIMIT $5::bigint"#,
            )
            .await?;
        c.query(
            &st,
            &[
                &tenant_id,
                &actor,
                &b_at,
                &b_id,
                &i64::from(limit),
                &filter.actor,
                &filter.action,
                &filter.target,
                &since,
                &until,
            ],
        )
        .await?
        .iter()
        .map(audit_row)
        .collect()
    }
}
