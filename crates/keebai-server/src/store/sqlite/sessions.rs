//! [`SessionStore`] on SQLite: sign-in sessions and the throttle's attempts.

use super::*;

#[async_trait]
impl SessionStore for SqliteStore {
    async fn insert_session(&self, s: &SessionRow) -> StoreResult<()> {
        let s = s.clone();
        self.with_conn(move |c| {
            c.execute(
                queries::INSERT_SESSION.sqlite(),
                params![s.hash, s.user_id, s.tenant_id, s.created_at, s.expires_at],
            )
            .map(drop)
        })
        .await
    }

    async fn session_by_hash(&self, hash: &str) -> StoreResult<Option<SessionRow>> {
        let h = hash.to_owned();
        self.with_read(move |c| {
            c.prepare_cached(queries::SESSION_BY_HASH.sqlite())?
                .query_row([h], |r| {
                    Ok(SessionRow {
                        hash: r.get(0)?,
                        user_id: r.get(1)?,
                        tenant_id: r.get(2)?,
                        created_at: r.get(3)?,
                        expires_at: r.get(4)?,
                    })
                })
                .optional()
        })
        .await
    }

    async fn delete_session(&self, hash: &str) -> StoreResult<()> {
        let h = hash.to_owned();
        self.with_conn(move |c| c.execute(queries::DELETE_SESSION.sqlite(), [h]).map(drop))
            .await
    }

    async fn end_oldest_sessions(&self, user_id: &UserId, keep: u32) -> StoreResult<u64> {
        let u = user_id.to_owned();
        self.with_conn(move |c| {
            c.execute(
                "DELETE FROM sessions WHERE user_id = ?1 AND hash NOT IN
                   (SELECT hash FROM sessions WHERE user_id = ?1 ORDER BY created_at DESC, hash DESC LIMIT ?2)",
                params![u, keep],
            )
            .map(|n| n as u64)
        })
        .await
    }

    async fn prune_sessions_and_attempts(
        &self,
        now: i64,
        attempts_before: i64,
    ) -> StoreResult<u64> {
        self.with_conn(move |c| {
            let a = c.execute(queries::PRUNE_SESSIONS.sqlite(), [now])?;
            let b = c.execute(queries::PRUNE_ATTEMPTS.sqlite(), [attempts_before])?;
            Ok((a + b) as u64)
        })
        .await
    }

    async fn begin_sign_in_attempt(
        &self,
        account: &str,
        id: &str,
        now: i64,
        window_start: i64,
    ) -> StoreResult<Vec<i64>> {
        let (account, id) = (account.to_owned(), id.to_owned());
        self.with_conn(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                queries::DROP_OLD_ATTEMPTS.sqlite(),
                params![account, window_start],
            )?;
            tx.execute(queries::INSERT_ATTEMPT.sqlite(), params![id, account, now])?;
            let times = {
                let mut s = tx.prepare_cached(
                    "SELECT at FROM sign_in_attempts WHERE account = ?1 ORDER BY at, id",
                )?;
                let times = s
                    .query_map([&account], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<i64>>>()?;
                times
            };
            tx.commit()?;
            Ok(times)
        })
        .await
    }

    async fn forget_sign_in_attempt(&self, id: &str) -> StoreResult<()> {
        let id = id.to_owned();
        self.with_conn(move |c| c.execute(queries::FORGET_ATTEMPT.sqlite(), [id]).map(drop))
            .await
    }

    async fn clear_sign_in_attempts(&self, account: &str) -> StoreResult<()> {
        let account = account.to_owned();
        self.with_conn(move |c| {
            c.execute(queries::CLEAR_ATTEMPTS.sqlite(), [account])
                .map(drop)
        })
        .await
    }
}
