//! The API Keys screen: the token list (from the server, or the cached copy marked offline),
//! the scopes a new token may have, create, copy, discard, revoke.

use std::time::Duration;

use chrono::Utc;
use keebai_api::wire::{
    CreateTokenRequest, PermissionList, TokenList, TokenRecord, TokenStatus, TokenUsage,
};

use super::{lock, AppService, NewToken};
use crate::cache::list_head::{ListHead, HEAD_ROWS};
use crate::cache::{Cached, Kind};
use crate::dto::{
    group_permissions, CopyView, CreatedTokenView, OneTimeSecret, PermissionGroupView,
    TokenListView,
};
use crate::error::{AppError, AppResult, ErrorCode};

fn list_view(list: TokenList, offline: bool, fetched_at: chrono::DateTime<Utc>) -> TokenListView {
    TokenListView {
        attention: crate::reminders::attention(&list.tokens, Utc::now()),
        total: u32::try_from(list.tokens.len()).unwrap_or(u32::MAX),
        tokens: list.tokens,
        active_count: list.active_count,
        active_limit: list.active_limit,
        offline,
        fetched_at,
    }
}

/// The first `n` rows of a cached list, from its head: the counts and reminders are the whole
/// list's (the head keeps every working token for them).
fn head_view(
    head: ListHead,
    n: usize,
    offline: bool,
    fetched_at: chrono::DateTime<Utc>,
) -> TokenListView {
    let mut tokens = head.tokens;
    let working: Vec<TokenRecord> = tokens
        .iter()
        .chain(&head.working_after)
        .filter(|t| t.status == TokenStatus::Active)
        .cloned()
        .collect();
    let attention = crate::reminders::attention(&working, Utc::now());
    tokens.truncate(n);
    TokenListView {
        tokens,
        total: head.total,
        active_count: head.active_count,
        active_limit: head.active_limit,
        offline,
        fetched_at,
        attention,
    }
}

impl AppService {
    /// The user's tokens; the cached list, marked offline, when the server is unreachable.
    pub async fn list_tokens(&self) -> AppResult<TokenListView> {
        let (client, secret, account) = self.current()?;
        let synced = match self.checked(client.tokens(&secret).await) {
            // The usage of every working token comes with the list, so the snapshot is whole.
            Ok(list) => self
                .usage_of(&client, &secret, &list)
                .await
                .map(|u| (list, u)),
            Err(e) => Err(e),
        };
        match synced {
            Ok((list, usage)) => {
                let now = Utc::now();
                let summary = crate::sync_changes::summarize(&list, &usage, now);
                if let Err(e) =
                    self.cache
                        .store_snapshot(&account.key(), &list, &usage, &summary, now)
                {
                    tracing::warn!(error = %e, "token list not cached");
                }
                let view = list_view(list, false, now);
                self.remind(&view.attention);
                Ok(view)
            }
            Err(e) if e.code == ErrorCode::ServerUnreachable => {
                match self.cache.load(&account.key())? {
                    Some(Cached { value, fetched_at }) => {
                        // Offline, the cached list still knows what expires or falls due.
                        let view = list_view(value, true, fetched_at);
                        self.remind(&view.attention);
                        Ok(view)
                    }
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The usage of each token that still works (the ones the Audit views and detail panel
    /// read), one request each; losing the server or the session fails the sync.
    async fn usage_of(
        &self,
        client: &crate::api_client::ApiClient,
        secret: &keebai_api::TokenSecret,
        list: &TokenList,
    ) -> AppResult<Vec<(String, TokenUsage)>> {
        let mut out = Vec::new();
        for t in list
            .tokens
            .iter()
            .filter(|t| t.status == TokenStatus::Active)
        {
            match self.checked(client.token_usage(secret, &t.id).await) {
                Ok(usage) => out.push((t.id.clone(), usage)),
                Err(e)
                    if matches!(
                        e.code,
                        ErrorCode::ServerUnreachable | ErrorCode::Unauthorized
                    ) =>
                {
                    return Err(e)
                }
                // One token's history refused (gone since the list was read): the list and
                // the others still make a snapshot; that token has no usage views.
                Err(e) => tracing::warn!(code = ?e.code, "a token's usage was not read"),
            }
        }
        Ok(out)
    }

    /// The cached list alone, without the network, so a launch paints before the server
    /// answers; `None` when nothing is cached for the account. `offline` is what the session
    /// knows so far.
    ///
    /// With `first`, only the list's first rows (in its own order, which the table keeps until
    /// the user sorts) and `total`: a launch over 100,000 cached tokens paints its first screen
    /// without first carrying every record over IPC (28.7 MB of JSON, about 0.7 s). The counts
    /// and `attention` are always the whole list's.
    pub fn cached_tokens(&self, first: Option<usize>) -> AppResult<Option<TokenListView>> {
        let (offline, key) = {
            let slot = lock(&self.session)?;
            let s = slot.as_ref().ok_or_else(AppError::not_signed_in)?;
            (s.offline, s.account.key())
        };
        if let Some(n) = first.filter(|n| *n <= HEAD_ROWS) {
            if let Some(head) = self.cache.load_head(&key)? {
                return Ok(Some(head_view(head.value, n, offline, head.fetched_at)));
            }
        }
        Ok(self.cache.load(&key)?.map(|c| {
            let mut view = list_view(c.value, offline, c.fetched_at);
            if let Some(n) = first {
                view.tokens.truncate(n);
            }
            view
        }))
    }

    /// The catalog permissions this user holds, grouped in catalog order: the scopes a new
    /// token may have (and the scope labels of the table). The cached catalog when the server
    /// is unreachable.
    pub async fn list_permissions(&self) -> AppResult<Vec<PermissionGroupView>> {
        let (client, secret, account) = self.current()?;
        let catalog = match self.checked(client.permissions(&secret).await) {
            Ok(catalog) => {
                let put =
                    self.cache
                        .put(&account.key(), Kind::Permissions, "", &catalog, Utc::now());
                if let Err(e) = put {
                    tracing::warn!(error = %e, "permission catalog not cached");
                }
                catalog
            }
            Err(e) if e.code == ErrorCode::ServerUnreachable => {
                match self
                    .cache
                    .get::<PermissionList>(&account.key(), Kind::Permissions, "")?
                {
                    Some(cached) => cached.value,
                    None => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        let held = lock(&self.session)?
            .as_ref()
            .map(|s| s.me.permissions.clone())
            .unwrap_or_default();
        Ok(group_permissions(
            catalog
                .permissions
                .into_iter()
                .filter(|p| held.contains(&p.key)),
        ))
    }

    /// Creates a token and returns its secret for the one-time view. The secret stays in Rust
    /// (for **Copy token**) until [`Self::discard_created_token`].
    pub async fn create_token(&self, form: NewToken) -> AppResult<CreatedTokenView> {
        let (client, secret, _) = self.current()?;
        let request = CreateTokenRequest {
            name: form.name.trim().to_owned(),
            scopes: form.scopes,
            expires_at: form.expires_at,
        };
        let answer = self.checked(client.create_token(&secret, &request).await)?;
        let view = CreatedTokenView {
            token: OneTimeSecret::new(answer.token.0.expose()),
            record: answer.record.clone(),
        };
        tracing::info!(prefix = %answer.record.prefix, "token created");
        // Replacing an earlier, undiscarded secret drops (and zeroizes) it.
        *lock(&self.created)? = Some(answer.token.0.clone());
        Ok(view)
    }

    /// Copies the token being shown, with clipboard-history exclusion hints, and schedules
    /// the clipboard to be cleared.
    pub fn copy_created_token(&self) -> AppResult<CopyView> {
        let seconds = lock(&self.settings)?.clipboard_clear_seconds;
        let created = lock(&self.created)?;
        let secret = created.as_ref().ok_or_else(|| {
            AppError::new(
                ErrorCode::NoCreatedToken,
                "There is no new token to copy. Tokens can only be copied right after creation.",
            )
        })?;
        let guard = self.clipboard.as_ref().ok_or_else(|| {
            AppError::new(
                ErrorCode::ClipboardUnavailable,
                "No clipboard is available.",
            )
        })?;
        guard
            .copy(secret, Duration::from_secs(u64::from(seconds)))
            .map_err(|e| {
                AppError::new(
                    ErrorCode::ClipboardUnavailable,
                    format!("Could not copy: {e}"),
                )
            })?;
        Ok(CopyView {
            clear_after_seconds: seconds,
        })
    }

    /// Forgets the one-time secret (dropping it zeroizes it). The clipboard timer still runs.
    pub fn discard_created_token(&self) -> AppResult<()> {
        lock(&self.created)?.take();
        Ok(())
    }

    /// Whether a created secret is still held (for tests of the discard path).
    pub fn holds_created_token(&self) -> bool {
        self.created.lock().map(|c| c.is_some()).unwrap_or(true)
    }

    pub async fn revoke_token(&self, id: &str) -> AppResult<TokenRecord> {
        let (client, secret, account) = self.current()?;
        let record = self.checked(client.revoke_token(&secret, id).await)?;
        if let Err(e) = self.cache.update_record(&account.key(), &record) {
            tracing::warn!(error = %e, "cache not updated after revoke");
        }
        tracing::info!(prefix = %record.prefix, "token revoked");
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn the_first_rows_from_a_head_carry_the_whole_lists_counts_and_reminders() {
        let now = Utc::now();
        let tokens: Vec<TokenRecord> = (0..HEAD_ROWS + 40)
            .map(|i| TokenRecord {
                id: format!("t{i}"),
                name: format!("token {i}"),
                prefix: "kbai_pk_a1b2".into(),
                scopes: vec!["messages.read".into()],
                created_at: now - Duration::days(1),
                expires_at: None,
                last_used_at: None,
                revoked_at: None,
                status: TokenStatus::Revoked,
                rotated_from: None,
                replaced_by: None,
            })
            .collect();
        let mut list = TokenList {
            tokens,
            active_count: 2,
            active_limit: 10,
        };
        // Two working tokens needing attention, one far beyond the first screen.
        list.tokens[2].status = TokenStatus::Active;
        list.tokens[2].expires_at = Some(now + Duration::days(3));
        list.tokens[HEAD_ROWS + 30].status = TokenStatus::Active;
        list.tokens[HEAD_ROWS + 30].created_at = now - Duration::days(120);

        let whole = list_view(list.clone(), true, now);
        let first = head_view(ListHead::of(&list), 20, true, now);
        assert_eq!(first.tokens, whole.tokens[..20]);
        assert_eq!(first.total, whole.total);
        assert_eq!(first.total as usize, HEAD_ROWS + 40);
        assert_eq!(
            (first.active_count, first.active_limit),
            (whole.active_count, whole.active_limit)
        );
        assert_eq!(
            serde_json::to_value(&first.attention).expect("json"),
            serde_json::to_value(&whole.attention).expect("json")
        );
        assert_eq!(first.attention.count, 2);
        assert_eq!(
            first.attention.due_for_rotation,
            [format!("t{}", HEAD_ROWS + 30)]
        );
        assert!(first.offline);
        assert_eq!(first.fetched_at, now);
    }
}
