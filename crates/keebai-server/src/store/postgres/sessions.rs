//! [`SessionStore`] on PostgreSQL: sign-in sessions and the throttle's attempts (serialised
//! per account with a transaction-scoped advisory lock).

use super::*;

#[async_trait]
impl SessionStore for PgStore {
    async fn insert_session(&self, s: &SessionRow) -> StoreResult<()> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::INSERT_SESSION.pg()).await?;
        c.execute(
            &st,
            &[
                &s.hash,
                &s.user_id,
                &s.tenant_id,
                &s.created_at,
                &s.expires_at,
            ],
        )
        .await?;
        Ok(())
    }

    async fn session_by_hash(&self, hash: &str) -> StoreResult<Option<SessionRow>> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::SESSION_BY_HASH.pg()).await?;
        let Some(r) = c.query_opt(&st, &[&hash]).await? else {
            return Ok(None);
        };
        Ok(Some(SessionRow {
            hash: r.try_get(0)?,
            user_id: r.try_get(1)?,
            tenant_id: r.try_get(2)?,
            created_at: r.try_get(3)?,
            expires_at: r.try_get(4)?,
        }))
    }

    async fn delete_session(&self, hash: &str) -> StoreResult<()> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::DELETE_SESSION.pg()).await?;
        c.execute(&st, &[&hash]).await?;
        Ok(())
    }

    async fn end_oldest_sessions(&self, user_id: &UserId, keep: u32) -> StoreResult<u64> {
        let c = self.client().await?;
        Ok(c.execute(
            "DELETE FROM sessions WHERE user_id = $1 AND hash NOT IN
               (SELECT hash FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, hash DESC LIMIT $2)",
            &[&user_id, &i64::from(keep)],
        )
        .await?)
    }

    async fn prune_sessions_and_attempts(
        &self,
        now: i64,
        attempts_before: i64,
    ) -> StoreResult<u64> {
        let c = self.client().await?;
        let a = c.execute(queries::PRUNE_SESSIONS.pg(), &[&now]).await?;
        let b = c
            .execute(queries::PRUNE_ATTEMPTS.pg(), &[&attempts_before])
            .await?;
        Ok(a + b)
    }

    async fn begin_sign_in_attempt(
        &self,
        account: &str,
        id: &str,
        now: i64,
        window_start: i64,
    ) -> StoreResult<Vec<i64>> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Serialise attempts on one account across replicas; the statements after the lock
        // take fresh snapshots (READ COMMITTED), so each sees every earlier attempt.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1::text))",
            &[&account],
        )
        .await?;
        tx.execute(queries::DROP_OLD_ATTEMPTS.pg(), &[&account, &window_start])
            .await?;
        tx.execute(queries::INSERT_ATTEMPT.pg(), &[&id, &account, &now])
            .await?;
        let rows = tx
            .query(
                r#"SELECT at FROM sign_in_attempts WHERE account = $1 ORDER BY at, id COLLATE "C""#,
                &[&account],
            )
            .await?;
        tx.commit().await?;
        Ok(rows.iter().map(|r| r.get::<_, i64>(0)).collect())
    }

    async fn forget_sign_in_attempt(&self, id: &str) -> StoreResult<()> {
        let c = self.client().await?;
        c.execute(queries::FORGET_ATTEMPT.pg(), &[&id]).await?;
        Ok(())
    }

    async fn clear_sign_in_attempts(&self, account: &str) -> StoreResult<()> {
        let c = self.client().await?;
        c.execute(queries::CLEAR_ATTEMPTS.pg(), &[&account]).await?;
        Ok(())
    }
}
