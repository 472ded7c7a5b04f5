//! The Inventory screen (for `developer.audit_tokens`): every token of the tenant with its
//! owner, cached like the user's own list so it can be audited offline (read-only then), and
//! the administrator's revokes — one with a reason, or many after a dry run that says exactly
//! which.
//!
//! The Audit screen's views (Stale, Never used, …) are applied to the whole tenant here, from
//! the same rules, so an auditor finds every user's stale or unexpiring tokens.
//!
//! A sync reads every page ([`PAGE`] tokens each, up to [`KEEP`]) and stores the list only once
//! all have arrived, so a server gone mid-sync leaves the previous copy whole. A revoke updates
//! the cached copy from the server's answer, never from what was asked.

use chrono::{DateTime, Utc};
use keebai_api::wire::{
    BulkRevokeRequest, BulkRevokeResponse, InventoryToken, TokenPolicy, TokenRecord,
};

use super::{lock, AppService};
use crate::audit_rules::{audit, MAX_STALE_DAYS, MIN_STALE_DAYS};
use crate::cache::{Cached, Kind};
use crate::dto::InventoryView;
use crate::error::{AppError, AppResult, ErrorCode};

/// Tokens per request (the server's maximum).
pub const PAGE: u32 = 500;
/// The most tokens a sync reads; a tenant with more says so (`complete: false`).
pub const KEEP: usize = 100_000;
/// The server's ceiling for one bulk revoke.
pub const MAX_BULK: usize = 1_000;

impl AppService {
    /// Every token of the tenant, newest first; the cached copy, marked offline, when the
    /// server can't be reached.
    pub async fn list_inventory(&self) -> AppResult<InventoryView> {
        let (client, secret, account) = self.current()?;
        let mut tokens: Vec<InventoryToken> = Vec::new();
        let mut cursor: Option<String> = None;
        let complete = loop {
            match self.checked(
                client
                    .inventory_page(&secret, cursor.as_deref(), PAGE)
                    .await,
            ) {
                Ok(page) => {
                    tokens.extend(page.tokens);
                    match page.next_cursor {
                        None => break true,
                        Some(_) if tokens.len() >= KEEP => break false,
                        Some(next) => cursor = Some(next),
                    }
                }
                Err(e) if e.code == ErrorCode::ServerUnreachable => {
                    let cached = self.cache.get::<Vec<InventoryToken>>(
                        &account.key(),
                        Kind::Inventory,
                        "",
                    )?;
                    let policy = self.known_policy(&account.key());
                    return match cached {
                        Some(Cached { value, fetched_at }) => {
                            self.inventory_view(value, fetched_at, true, true, policy)
                        }
                        None => Err(e),
                    };
                }
                Err(e) => return Err(e),
            }
        };
        tokens.truncate(KEEP);
        let now = Utc::now();
        if let Err(e) = self
            .cache
            .put(&account.key(), Kind::Inventory, "", &tokens, now)
        {
            tracing::warn!(error = %e, "inventory not cached");
        }
        // The policy decides the "Breaks token policy" view; without it (an older server, or
        // a failure just now) the last known one serves, as offline.
        let policy = match self.token_policy().await {
            Ok(view) => Some(view.policy),
            Err(e) => {
                tracing::warn!(code = ?e.code, "token policy not read with the inventory");
                self.known_policy(&account.key())
            }
        };
        self.inventory_view(tokens, now, false, complete, policy)
    }

    /// The view with the Audit screen's views applied tenant-wide, computed here and now
    /// (the Stale days from Settings), online or from the cache alike.
    fn inventory_view(
        &self,
        tokens: Vec<InventoryToken>,
        fetched_at: DateTime<Utc>,
        offline: bool,
        complete: bool,
        policy: Option<TokenPolicy>,
    ) -> AppResult<InventoryView> {
        let stale_days = lock(&self.settings)?
            .stale_days
            .clamp(MIN_STALE_DAYS, MAX_STALE_DAYS);
        let records: Vec<TokenRecord> = tokens.iter().map(|t| t.record.clone()).collect();
        let breaks_policy = policy.map_or_else(Vec::new, |p| {
            records
                .iter()
                .filter(|r| p.broken_by(r))
                .map(|r| r.id.clone())
                .collect()
        });
        Ok(InventoryView {
            policy,
            breaks_policy,
            views: audit(&records, Utc::now(), stale_days),
            stale_days,
            tokens,
            fetched_at,
            offline,
            complete,
        })
    }

    /// Revokes someone's token with a reason their audit trail will show.
    pub async fn admin_revoke_token(&self, id: &str, reason: &str) -> AppResult<TokenRecord> {
        let (client, secret, _) = self.current()?;
        let record = self.checked(client.admin_revoke(&secret, id, reason.trim()).await)?;
        self.update_cached_inventory(std::slice::from_ref(&record));
        tracing::info!(prefix = %record.prefix, "token revoked by an administrator");
        Ok(record)
    }

    /// Revokes exactly these tokens (those still active), or with `dry_run` answers which they
    /// would be and changes nothing.
    pub async fn bulk_revoke_tokens(
        &self,
        ids: Vec<String>,
        reason: &str,
        dry_run: bool,
    ) -> AppResult<BulkRevokeResponse> {
        if ids.is_empty() || ids.len() > MAX_BULK {
            return Err(AppError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "Choose between 1 and {MAX_BULK} tokens to revoke at once ({} chosen); narrow the filter.",
                    ids.len()
                ),
            ));
        }
        let (client, secret, _) = self.current()?;
        let request = BulkRevokeRequest {
            ids: Some(ids),
            filter: None,
            reason: reason.trim().to_owned(),
            dry_run,
        };
        let answer = self.checked(client.bulk_revoke(&secret, &request).await)?;
        if !answer.dry_run {
            let records: Vec<TokenRecord> =
                answer.tokens.iter().map(|t| t.record.clone()).collect();
            self.update_cached_inventory(&records);
            tracing::info!(
                revoked = answer.revoked,
                "tokens revoked by an administrator"
            );
        }
        Ok(answer)
    }

    /// Puts the server's records into the cached inventory (best effort: the next sync reads
    /// the whole list again anyway).
    fn update_cached_inventory(&self, records: &[TokenRecord]) {
        let Ok((_, _, account)) = self.current() else {
            return;
        };
        let key = account.key();
        let Ok(Some(Cached {
            mut value,
            fetched_at,
        })) = self
            .cache
            .get::<Vec<InventoryToken>>(&key, Kind::Inventory, "")
        else {
            return;
        };
        for t in value.iter_mut() {
            if let Some(r) = records.iter().find(|r| r.id == t.record.id) {
                t.record = r.clone();
            }
        }
        if let Err(e) = self
            .cache
            .put(&key, Kind::Inventory, "", &value, fetched_at)
        {
            tracing::warn!(error = %e, "cached inventory not updated");
        }
    }
}
