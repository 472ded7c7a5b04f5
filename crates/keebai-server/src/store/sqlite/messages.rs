//! [`MessageStore`] on SQLite: the demo resource API.

use super::*;

#[async_trait]
impl MessageStore for SqliteStore {
    async fn insert_message(&self, m: &MessageRow) -> StoreResult<()> {
        let m = m.clone();
        self.with_conn(move |c| {
            c.execute(
                queries::INSERT_MESSAGE.sqlite(),
                params![m.id, m.tenant_id, m.author_id, m.body, m.created_at],
            )
            .map(drop)
        })
        .await
    }

    async fn messages(&self, tenant_id: &TenantId, limit: u32) -> StoreResult<Vec<MessageRow>> {
        let t = tenant_id.to_owned();
        self.with_read(move |c| {
            let mut s = c.prepare_cached(
                "SELECT id, tenant_id, author_id, body, created_at FROM messages WHERE tenant_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2",
            )?;
            let rows = s
                .query_map(params![t, limit], message_row)?
                .collect();
            rows
        })
        .await
    }
}
