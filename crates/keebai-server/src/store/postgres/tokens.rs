//! [`TokenStore`] on PostgreSQL. Creates and rotations lock the owner's `users` row first
//! (see the engine's module docs).

use super::*;

#[async_trait]
impl TokenStore for PgStore {
    async fn insert_token_within_limit(
        &self,
        t: &TokenRow,
        now: i64,
        limit: u32,
    ) -> StoreResult<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let lock = tx.prepare_cached(LOCK_USER).await?;
        tx.query_opt(&lock, &[&t.user_id]).await?;
        // A separate statement from the lock on purpose: under READ COMMITTED its snapshot is
        // taken after the lock was granted, so the count includes the previous holder's insert.
        let inserted = insert_within_limit(&tx, t, now, limit).await?;
        tx.commit().await?;
        Ok(inserted)
    }

    async fn token(&self, id: &TokenId) -> StoreResult<Option<TokenRow>> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::TOKEN_BY_ID.pg()).await?;
        c.query_opt(&st, &[&id])
            .await?
            .as_ref()
            .map(token_row)
            .transpose()
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRow>> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::TOKEN_BY_HASH.pg()).await?;
        c.query_opt(&st, &[&hash])
            .await?
            .as_ref()
            .map(token_row)
            .transpose()
    }

    async fn active_token_by_hash(&self, hash: &str, now: i64) -> StoreResult<Option<TokenRow>> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::ACTIVE_TOKEN_BY_HASH.pg()).await?;
        c.query_opt(&st, &[&hash, &now])
            .await?
            .as_ref()
            .map(token_row)
            .transpose()
    }

    async fn tokens_of_user(&self, user_id: &UserId) -> StoreResult<Vec<TokenRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                r#"SELECT {TOKEN_COLS} FROM tokens WHERE user_id = $1 ORDER BY created_at DESC, id COLLATE "C" DESC"#
            ))
            .await?;
        c.query(&st, &[&user_id])
            .await?
            .iter()
            .map(token_row)
            .collect()
    }

    async fn revoke_token(&self, id: &TokenId, now: i64) -> StoreResult<Option<TokenRow>> {
        let c = self.client().await?;
        // One statement: it waits for any concurrent revoke of the row and then keeps the
        // first time, so the returned row is the state after both, never a stale snapshot.
        let st = c
            .prepare_cached(&format!(
                "UPDATE tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING {TOKEN_COLS}"
            ))
            .await?;
        c.query_opt(&st, &[&id, &now])
            .await?
            .as_ref()
            .map(token_row)
            .transpose()
    }

    async fn rotate_token(&self, r: &Rotation) -> StoreResult<RotationOutcome> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let select = format!("SELECT {TOKEN_COLS} FROM tokens WHERE id = $1");
        // The old token's owner, read before the lock only to know whose lock to take.
        let Some(owner) = tx
            .query_opt("SELECT user_id FROM tokens WHERE id = $1", &[&r.old_id])
            .await?
        else {
            return Ok(RotationOutcome::NotFound);
        };
        let user_id: String = owner.try_get(0)?;
        let lock = tx.prepare_cached(LOCK_USER).await?;
        tx.query_opt(&lock, &[&user_id]).await?;
        // Under READ COMMITTED each statement after the lock sees what the previous holder
        // committed (a concurrent rotation's `replaced_by`, a create's row).
        let old = match tx.query_opt(&select, &[&r.old_id]).await? {
            Some(row) => token_row(&row)?,
            None => return Ok(RotationOutcome::NotFound),
        };
        if let Some(by) = old.replaced_by {
            return Ok(RotationOutcome::AlreadyReplaced(by));
        }
        if !old.is_active(r.now) {
            return Ok(RotationOutcome::NotActive);
        }
        match r.retire {
            Retirement::Now => {
                tx.execute(
                    "UPDATE tokens SET revoked_at = $2 WHERE id = $1",
                    &[&old.id, &r.now],
                )
                .await?
            }
            Retirement::At(at) => {
                tx.execute(
                    "UPDATE tokens SET expires_at = $2 WHERE id = $1 AND (expires_at IS NULL OR expires_at > $2)",
                    &[&old.id, &at],
                )
                .await?
            }
            Retirement::OnFirstUse { grace, deadline } => {
                tx.execute(
                    "UPDATE tokens SET retire_grace = $3,
                            expires_at = LEAST(COALESCE(expires_at, $2::bigint), $2::bigint)
                      WHERE id = $1",
                    &[&old.id, &deadline, &grace],
                )
                .await?
            }
        };
        let t = &r.new;
        if !insert_within_limit(&tx, t, r.now, r.limit).await? {
            return Ok(RotationOutcome::LimitReached);
        }
        let old = tx
            .query_one(
                &format!("UPDATE tokens SET replaced_by = $2 WHERE id = $1 RETURNING {TOKEN_COLS}"),
                &[&old.id, &t.id],
            )
            .await?;
        let old = token_row(&old)?;
        tx.commit().await?;
        Ok(RotationOutcome::Rotated {
            old: Box::new(old),
            new: Box::new(t.clone()),
        })
    }

    async fn retire_predecessor(&self, new_id: &TokenId, now: i64) -> StoreResult<bool> {
        let c = self.client().await?;
        let n = c
            .execute(
                "UPDATE tokens SET retire_grace = NULL,
                        expires_at = LEAST(COALESCE(expires_at, $2::bigint + retire_grace), $2::bigint + retire_grace)
                  WHERE replaced_by = $1 AND retire_grace IS NOT NULL",
                &[&new_id, &now],
            )
            .await?;
        Ok(n > 0)
    }
}
