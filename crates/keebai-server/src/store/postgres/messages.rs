//! [`MessageStore`] on PostgreSQL: the demo resource API.

use super::*;

#[async_trait]
impl MessageStore for PgStore {
    async fn insert_message(&self, m: &MessageRow) -> StoreResult<()> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::INSERT_MESSAGE.pg()).await?;
        c.execute(
            &st,
            &[&m.id, &m.tenant_id, &m.author_id, &m.body, &m.created_at],
        )
        .await?;
        Ok(())
    }

    async fn messages(&self, tenant_id: &TenantId, limit: u32) -> StoreResult<Vec<MessageRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                r#"SELECT id, tenant_id, author_id, body, created_at FROM messages
                   WHERE tenant_id = $1 ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $2::bigint"#,
            )
            .await?;
        c.query(&st, &[&tenant_id, &i64::from(limit)])
            .await?
            .iter()
            .map(message_row)
            .collect()
    }
}
