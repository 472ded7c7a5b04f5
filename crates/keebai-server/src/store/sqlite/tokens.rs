//! [`TokenStore`] on SQLite. The limit and rotations take `BEGIN IMMEDIATE` (the single
//! write lock) before counting.

use super::*;

#[async_trait]
impl TokenStore for SqliteStore {
    async fn insert_token_within_limit(
        &self,
        t: &TokenRow,
        now: i64,
        limit: u32,
    ) -> StoreResult<bool> {
        let t = t.clone();
        self.with_conn(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if active_count(&tx, &t.user_id, now)? >= i64::from(limit) {
                return Ok(false);
            }
            insert_token(&tx, &t)?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn token(&self, id: &TokenId) -> StoreResult<Option<TokenRow>> {
        let id = id.to_owned();
        self.with_read(move |c| {
            c.prepare_cached(queries::TOKEN_BY_ID.sqlite())?
                .query_row([id], token_row)
                .optional()
        })
        .await
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRow>> {
        let h = hash.to_owned();
        self.with_read(move |c| {
            c.prepare_cached(queries::TOKEN_BY_HASH.sqlite())?
                .query_row([h], token_row)
                .optional()
        })
        .await
    }

    async fn active_token_by_hash(&self, hash: &str, now: i64) -> StoreResult<Option<TokenRow>> {
        let h = hash.to_owned();
        self.with_read(move |c| {
            c.prepare_cached(queries::ACTIVE_TOKEN_BY_HASH.sqlite())?
                .query_row(params![h, now], token_row)
                .optional()
        })
        .await
    }

    async fn tokens_of_user(&self, user_id: &UserId) -> StoreResult<Vec<TokenRow>> {
        let u = user_id.to_owned();
        self.with_read(move |c| {
            let mut s = c.prepare_cached(&format!(
                "SELECT {TOKEN_COLS} FROM tokens WHERE user_id = ?1 ORDER BY created_at DESC, id DESC"
            ))?;
            let rows = s.query_map([u], token_row)?.collect();
            rows
        })
        .await
    }

    async fn revoke_token(&self, id: &TokenId, now: i64) -> StoreResult<Option<TokenRow>> {
        let id = id.to_owned();
        self.with_conn(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, now],
            )?;
            let row = tx
                .query_row(queries::TOKEN_BY_ID.sqlite(), [&id], token_row)
                .optional()?;
            tx.commit()?;
            Ok(row)
        })
        .await
    }

    async fn rotate_token(&self, rotation: &Rotation) -> StoreResult<RotationOutcome> {
        let r = rotation.clone();
        self.with_conn(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let outcome = rotate_in(&tx, &r)?;
            // Anything but a rotation changed nothing: dropping the transaction rolls back.
            if matches!(outcome, RotationOutcome::Rotated { .. }) {
                tx.commit()?;
            }
            Ok(outcome)
        })
        .await
    }

    async fn retire_predecessor(&self, new_id: &TokenId, now: i64) -> StoreResult<bool> {
        let id = new_id.to_owned();
        self.with_conn(move |c| {
            c.execute(
                "UPDATE tokens SET retire_grace = NULL,
                        expires_at = CASE WHEN expires_at IS NULL OR expires_at > ?2 + retire_grace
                                          THEN ?2 + retire_grace ELSE expires_at END
                  WHERE replaced_by = ?1 AND retire_grace IS NOT NULL",
                params![id, now],
            )
            .map(|n| n > 0)
        })
        .await
    }
}

fn insert_token(c: &Connection, t: &TokenRow) -> rusqlite::Result<()> {
    c.execute(
        &format!("INSERT INTO tokens ({TOKEN_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
        params![
            t.id, t.tenant_id, t.user_id, t.name, t.prefix, t.hash,
            json_list(&t.scopes), t.created_at, t.expires_at, t.last_used_at, t.revoked_at,
            t.last_used_ip, t.rotated_from, t.replaced_by, t.retire_grace
        ],
    )
    .map(drop)
}

fn active_count(c: &Connection, user_id: &UserId, now: i64) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT COUNT(*) FROM tokens WHERE user_id = ?1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2)",
        params![user_id, now],
        |r| r.get(0),
    )
}

/// The rotation itself, inside the caller's immediate transaction (see `Store::rotate_token`).
fn rotate_in(tx: &Connection, r: &Rotation) -> rusqlite::Result<RotationOutcome> {
    let one = |id: &TokenId| {
        tx.query_row(queries::TOKEN_BY_ID.sqlite(), [id], token_row)
            .optional()
    };
    let Some(old) = one(&r.old_id)? else {
        return Ok(RotationOutcome::NotFound);
    };
    if let Some(by) = old.replaced_by {
        return Ok(RotationOutcome::AlreadyReplaced(by));
    }
    if !old.is_active(r.now) {
        return Ok(RotationOutcome::NotActive);
    }
    match r.retire {
        Retirement::Now => tx.execute(
            "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1",
            params![old.id, r.now],
        )?,
        Retirement::At(at) => tx.execute(
            "UPDATE tokens SET expires_at = ?2 WHERE id = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
            params![old.id, at],
        )?,
        Retirement::OnFirstUse { grace, deadline } => tx.execute(
            "UPDATE tokens SET retire_grace = ?3,
                    expires_at = CASE WHEN expires_at IS NULL OR expires_at > ?2 THEN ?2 ELSE expires_at END
              WHERE id = ?1",
            params![old.id, deadline, grace],
        )?,
    };
    if active_count(tx, &old.user_id, r.now)? >= i64::from(r.limit) {
        return Ok(RotationOutcome::LimitReached);
    }
    insert_token(tx, &r.new)?;
    tx.execute(
        "UPDATE tokens SET replaced_by = ?2 WHERE id = ?1",
        params![old.id, r.new.id],
    )?;
    let old = one(&r.old_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    Ok(RotationOutcome::Rotated {
        old: Box::new(old),
        new: Box::new(r.new.clone()),
    })
}
