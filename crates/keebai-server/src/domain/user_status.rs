//! Renaming, disabling and enabling a user (`PUT /v1/users/{id}`, `admin.manage_users`,
//! session only) — the person who left.
//!
//! Disabling is one administration change ([`AdminWrite::User`]): judged by the last-admin
//! rule, and in the same transaction the user's sessions end and their active tokens are
//! revoked. It is announced to every replica's credential cache before the answer, and each
//! revoked token gets a `token.revoked` event with the reason "owner disabled". Enabling
//! restores sign-in only: no session or token comes back.

use keebai_api::wire::{AuditDetail, UpdateUserRequest, User};

use super::admin::user_to_wire;
use super::audit::AuditAction;
use super::context::RequestContext;
use super::error::{DomainError, DomainResult};
use super::newtypes::person_name;
use super::permissions::MANAGE_USERS;
use super::{now, Service};
use crate::store::{AdminWrite, StatusIs, TokenFilter, UserId};

/// The reason recorded for tokens revoked because their owner was disabled.
pub const OWNER_DISABLED: &str = "owner disabled";

impl Service {
    /// `PUT /v1/users/{id}`.
    pub async fn update_user(
        &self,
        ctx: &RequestContext,
        user_id: &UserId,
        req: &UpdateUserRequest,
    ) -> DomainResult<User> {
        let principal = &ctx.principal;
        principal.require_session("change users")?;
        principal.require(MANAGE_USERS)?;
        let name = req.name.as_deref().map(person_name).transpose()?;
        let before = self
            .store
            .user(principal.tenant_id(), user_id)
            .await?
            .ok_or(DomainError::NotFound)?;
        self.outranks(principal, &before.id).await?;
        // Only a real change of the flag counts; the same value again is a no-op.
        let disabled = req.disabled.filter(|d| *d != before.disabled);
        let now = now().timestamp();
        // What the disabling will revoke, for the trail (it revokes in its own transaction).
        let revoking = if disabled == Some(true) {
            let active = TokenFilter {
                status: Some(StatusIs::Active),
                user_id: Some(before.id.clone()),
                ..TokenFilter::default()
            };
            self.store
                .token_inventory(principal.tenant_id(), &active, now, None, 1000)
                .await?
        } else {
            Vec::new()
        };
        let change = AdminWrite::User {
            user_id: before.id.clone(),
            name: name.clone(),
            disabled,
            now,
        };
        self.change_administration(principal, &change).await?;
        let mut after = before;
        if let Some(n) = name {
            after.name = n;
        }
        match disabled {
            Some(true) => {
                crate::faults::after_commit("disable_user");
                self.auth_cache.invalidate().await?;
                after.disabled = true;
                self.record(
                    ctx,
                    AuditAction::UserDisabled,
                    Some(after.id.as_str()),
                    None,
                )
                .await;
                let detail = AuditDetail {
                    reason: Some(OWNER_DISABLED.to_owned()),
                    owner: Some(after.id.to_string()),
                    ..AuditDetail::default()
                };
                for r in &revoking {
                    self.record(
                        ctx,
                        AuditAction::TokenRevoked,
                        Some(r.token.id.as_str()),
                        Some(&detail),
                    )
                    .await;
                }
                tracing::info!(user_id = %after.id, tokens = revoking.len(), "user disabled");
            }
            Some(false) => {
                after.disabled = false;
                self.record(ctx, AuditAction::UserEnabled, Some(after.id.as_str()), None)
                    .await;
                tracing::info!(user_id = %after.id, "user enabled");
            }
            None => {}
        }
        Ok(user_to_wire(after))
    }
}
