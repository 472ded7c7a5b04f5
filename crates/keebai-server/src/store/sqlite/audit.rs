//! [`AuditStore`] on SQLite.

use super::*;

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit(&self, e: &AuditRow) -> StoreResult<()> {
        let e = e.clone();
        self.with_conn(move |c| {
            c.execute(
                queries::INSERT_AUDIT.sqlite(),
                params![
                    e.id,
                    e.tenant_id,
                    e.at,
                    e.actor,
                    e.action,
                    e.target,
                    e.ip,
                    e.detail
                ],
            )
            .map(drop)
        })
        .await
    }

    async fn audit_events(
        &self,
        tenant_id: &TenantId,
        visible_to: Option<&str>,
        filter: &AuditFilter,
        before: Option<&AuditCursor>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRow>> {
        let (t, actor, before, f) = (
            tenant_id.to_owned(),
            visible_to.map(str::to_owned),
            before.cloned(),
            filter.clone(),
        );
        self.with_read(move |c| {
            let (b_at, b_id) = before.map_or((i64::MAX, String::new()), |b| (b.at, b.id));
            let mut s = c.prepare_cached(
                "SELECT id, tenant_id, at, actor, action, target, ip, detail FROM audit_events
                 WHERE tenant_id = ?1 AND (?2 IS NULL OR actor = ?2
                                      OR target IN (SELECT id FROM tokens WHERE user_id = ?2))
                   AND (at < ?3 OR (at = ?3 AND (?4 = '' OR id < ?4)))
                   AND (?6 IS NULL OR actor = ?6) AND (?7 IS NULL OR action = ?7)
                   AND (?8 IS NULL OR target = ?8) AND at >= ?9 AND at < ?10
                 ORDER BY at DESC, id DESC LIMIT ?5",
            )?;
            let (since, until) = (f.since.unwrap_or(i64::MIN), f.until.unwrap_or(i64::MAX));
            let rows = s
                .query_map(
                    params![t, actor, b_at, b_id, limit, f.actor, f.action, f.target, since, until],
                    audit_row,
                )?
                .collect();
            rows
        })
        .await
    }
}
