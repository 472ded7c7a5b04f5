//! Revoking other users' tokens with a reason (`developer.audit_tokens`): one at a time, or in
//! bulk by ids or by the inventory's filters, with a dry run that changes nothing.
//!
//! Like the owner's revoke, a real change is announced to every replica's credential cache
//! ([`super::auth_cache::AuthCache::invalidate`]) before the answer, so the next request with
//! a revoked token is refused everywhere; a bulk revoke is one transaction and one
//! announcement. Each revoked token gets its own `token.revoked` event: the actor is the
//! administrator, the detail carries the reason and the token's owner.

use keebai_api::wire::{
    AuditDetail, BulkRevokeRequest, BulkRevokeResponse, TokenRecord, MAX_BULK_REVOKE,
};

use super::audit::AuditAction;
use super::context::RequestContext;
use super::error::{DomainError, DomainResult};
use super::newtypes::RevokeReason;
use super::permissions::AUDIT_TOKENS;
use super::{now, Service};
use crate::store::{BulkOutcome, Selection, TokenId, TokenRow};

impl Service {
    /// `POST /v1/admin/tokens/{id}/revoke`: any token of the caller's tenant; idempotent (a
    /// token already revoked is answered as it stands, and nothing is recorded again); 404
    /// for an id of another tenant, exactly as for an unknown one.
    pub async fn admin_revoke_token(
        &self,
        ctx: &RequestContext,
        id: &TokenId,
        reason: &str,
    ) -> DomainResult<TokenRecord> {
        let principal = &ctx.principal;
        principal.require(AUDIT_TOKENS)?;
        let reason = RevokeReason::parse(reason)?;
        let before = match self.store.token(id).await? {
            Some(t) if &t.tenant_id == principal.tenant_id() => t,
            _ => return Err(DomainError::NotFound),
        };
        let now = now().timestamp();
        let row = self
            .store
            .revoke_token(&before.id, now)
            .await?
            .ok_or(DomainError::NotFound)?;
        if before.revoked_at.is_none() {
            crate::faults::after_commit("admin_revoke");
            self.auth_cache.invalidate().await?;
            self.record_admin_revoke(ctx, &row, &reason, None).await;
        }
        Ok(self.to_record(row, now))
    }

    /// `POST /v1/admin/tokens/revoke`: the active tokens of the caller's tenant named by `ids`
    /// or matched by `filter` (exactly one of them), at most [`MAX_BULK_REVOKE`]; a filter
    /// matching more is refused whole. Ids that are unknown, of another tenant, or not active
    /// are left out of the answer. With `dry_run` nothing changes and the answer is what would
    /// be revoked.
    pub async fn bulk_revoke(
        &self,
        ctx: &RequestContext,
        req: &BulkRevokeRequest,
    ) -> DomainResult<BulkRevokeResponse> {
        let principal = &ctx.principal;
        principal.require(AUDIT_TOKENS)?;
        let reason = RevokeReason::parse(&req.reason)?;
        let now = now().timestamp();
        let selection = match (&req.ids, &req.filter) {
            (Some(ids), None) => {
                if ids.is_empty() || ids.len() > MAX_BULK_REVOKE as usize {
                    return Err(DomainError::invalid(
                        "ids",
                        format!("must name 1–{MAX_BULK_REVOKE} tokens"),
                    ));
                }
                let mut ids: Vec<TokenId> = ids.iter().map(|i| TokenId::new(i.as_str())).collect();
                ids.sort();
                ids.dedup();
                Selection::Ids(ids)
            }
            (None, Some(f)) => Selection::Filter(
                self.parse_inventory_filter(principal.tenant_id(), f, now)
                    .await?
                    .0,
            ),
            _ => {
                return Err(DomainError::invalid(
                    "ids",
                    "give either ids or filter (exactly one of them)",
                ))
            }
        };
        let outcome = self
            .store
            .revoke_selected(
                principal.tenant_id(),
                &selection,
                now,
                MAX_BULK_REVOKE,
                req.dry_run,
            )
            .await?;
        let BulkOutcome::Revoked(rows) = outcome else {
            return Err(DomainError::invalid(
                "filter",
                format!(
                    "matches more than {MAX_BULK_REVOKE} active tokens; narrow it (by user_id, \
                     scope, …) and revoke in several steps"
                ),
            ));
        };
        let count = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        if !req.dry_run && count > 0 {
            crate::faults::after_commit("bulk_revoke");
            self.auth_cache.invalidate().await?;
            for r in &rows {
                self.record_admin_revoke(ctx, &r.token, &reason, Some(count))
                    .await;
            }
            tracing::info!(count, "tokens revoked in bulk");
        }
        Ok(BulkRevokeResponse {
            tokens: rows
                .into_iter()
                .map(|r| self.to_inventory_token(r, now))
                .collect(),
            revoked: count,
            dry_run: req.dry_run,
        })
    }

    async fn record_admin_revoke(
        &self,
        ctx: &RequestContext,
        token: &TokenRow,
        reason: &RevokeReason,
        bulk: Option<u32>,
    ) {
        let detail = AuditDetail {
            reason: Some(reason.as_str().to_owned()),
            owner: Some(token.user_id.to_string()),
            bulk,
            ..AuditDetail::default()
        };
        self.record(
            ctx,
            AuditAction::TokenRevoked,
            Some(token.id.as_str()),
            Some(&detail),
        )
        .await;
        tracing::info!(token_id = %token.id, token_prefix = %token.prefix, owner = %token.user_id, "token revoked by an administrator");
    }
}
