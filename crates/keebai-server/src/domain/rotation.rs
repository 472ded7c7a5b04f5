//! Rotation: a token replaced by a new one with the same name and scopes and a fresh expiry,
//! the old one retired at once, after a grace, or once the new one is first used. The owner
//! rotates with a session; a token holding `developer.rotate_self` may rotate itself. Both
//! are retry-safe: a token already replaced answers 409 and nothing changes, so a client that
//! lost the answer never locks itself out.

use std::collections::HashSet;
use std::sync::Mutex;

use keebai_api::wire::CreatedSecret;
use keebai_api::wire::{
    AuditDetail, Retire, RotateTokenRequest, RotateTokenResponse, TokenRecord, ACTIVE_TOKEN_LIMIT,
};
use keebai_api::TokenSecret;

use super::audit::AuditAction;
use super::auth::{Principal, Via};
use super::context::RequestContext;
use super::error::{DomainError, DomainResult};
use super::permissions::{MANAGE_TOKENS, ROTATE_SELF};
use super::{new_id, now, policy, Service};
use crate::store::{Retirement, Rotation, RotationOutcome, TokenId, TokenRow};

/// Longest grace a rotation may give the old token.
pub const MAX_GRACE_SECONDS: u32 = 86_400;
/// An old token waiting for its replacement's first use stops this long after the rotation
/// at the latest.
pub const FIRST_USE_DEADLINE_SECS: i64 = 7 * 86_400;
/// The new token's lifetime when the old one never expired (the guide's recommended 90 days).
pub const DEFAULT_LIFETIME_SECS: i64 = 90 * 86_400;

/// New tokens of this process whose first use has already retired their predecessor, so the
/// store is asked once per token and process, not on every request.
#[derive(Default)]
pub struct FirstUses(Mutex<HashSet<String>>);

impl FirstUses {
    /// Bounded: past this many ids the set starts afresh (at worst one more no-op update each).
    const MAX: usize = 100_000;

    fn claim(&self, id: &str) -> bool {
        let mut set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if set.len() >= Self::MAX {
            set.clear();
        }
        set.insert(id.to_owned())
    }

    fn release(&self, id: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

impl Service {
    /// `POST /v1/tokens/{id}/rotate`: the owner, with a session.
    pub async fn rotate_token(
        &self,
        ctx: &RequestContext,
        id: &TokenId,
        req: RotateTokenRequest,
    ) -> DomainResult<RotateTokenResponse> {
        let principal = &ctx.principal;
        principal.require_session(
            "rotate tokens this way; a token holding developer.rotate_self rotates itself with POST /v1/tokens/self/rotate",
        )?;
        principal.require(MANAGE_TOKENS)?;
        let old = self.owned_token(principal, id).await?;
        self.rotate(ctx, old, &req, Retire::AfterGrace).await
    }

    /// `POST /v1/tokens/self/rotate`: the calling token, if it holds `developer.rotate_self`.
    pub async fn rotate_self(
        &self,
        ctx: &RequestContext,
        req: RotateTokenRequest,
    ) -> DomainResult<RotateTokenResponse> {
        let principal = &ctx.principal;
        let old = self.calling_token(principal).await?;
        principal.require(ROTATE_SELF)?;
        self.rotate(ctx, old, &req, Retire::OnFirstUse).await
    }

    /// `GET /v1/tokens/self`: the calling token's own record, whatever its scopes.
    pub async fn token_self(&self, principal: &Principal) -> DomainResult<TokenRecord> {
        let row = self.calling_token(principal).await?;
        Ok(self.to_record(row, now().timestamp()))
    }

    /// The token the request authenticated with; 403 for a session.
    async fn calling_token(&self, principal: &Principal) -> DomainResult<TokenRow> {
        let Via::Pat { token_id, .. } = &principal.via else {
            return Err(DomainError::forbidden(
                "only a personal access token can ask about itself; this request used a sign-in session",
            ));
        };
        // It authenticated a moment ago; gone now means it was deleted in between.
        self.store
            .token(token_id)
            .await?
            .ok_or(DomainError::Unauthorized)
    }

    async fn rotate(
        &self,
        ctx: &RequestContext,
        old: TokenRow,
        req: &RotateTokenRequest,
        default_retire: Retire,
    ) -> DomainResult<RotateTokenResponse> {
        let principal = &ctx.principal;
        let grace = req.grace_seconds.unwrap_or(0);
        if grace > MAX_GRACE_SECONDS {
            return Err(DomainError::invalid(
                "grace_seconds",
                format!("must be 0–{MAX_GRACE_SECONDS}"),
            ));
        }
        let retire = req.retire.unwrap_or(default_retire);
        let now = now().timestamp();
        // Checked here for the clearest answer, and again by the store atomically.
        if let Some(by) = &old.replaced_by {
            return Err(already_replaced(by.as_str()));
        }
        if !old.is_active(now) {
            return Err(not_active());
        }
        // The new token gets the old one's scopes, so the user must still hold every one.
        if let Some(missing) = old.scopes.iter().find(|s| !principal.has(s)) {
            return Err(DomainError::forbidden(format!(
                "the token holds the {missing} permission, which you no longer hold, so it cannot be \
                 rotated; create a new token with the permissions you have"
            )));
        }
        let lifetime = old
            .expires_at
            .map_or(DEFAULT_LIFETIME_SECS, |e| (e - old.created_at).max(1));
        let lifetime = policy::cap_lifetime(&self.policy_of(&old.tenant_id).await?, lifetime);
        let secret = TokenSecret::generate_pat()
            .map_err(|e| DomainError::Internal(format!("OS random source: {e}")))?;
        let new = TokenRow {
            id: TokenId::new(new_id()),
            tenant_id: old.tenant_id.clone(),
            user_id: old.user_id.clone(),
            name: old.name.clone(),
            prefix: secret.prefix().to_owned(),
            hash: secret.sha256().to_hex(),
            scopes: old.scopes.clone(),
            created_at: now,
            expires_at: Some(now.saturating_add(lifetime)),
            last_used_at: None,
            last_used_ip: None,
            revoked_at: None,
            rotated_from: Some(old.id.clone()),
            replaced_by: None,
            retire_grace: None,
        };
        let grace_secs = i64::from(grace);
        let retirement = match retire {
            Retire::AfterGrace if grace == 0 => Retirement::Now,
            Retire::AfterGrace => Retirement::At(now + grace_secs),
            Retire::OnFirstUse => Retirement::OnFirstUse {
                grace: grace_secs,
                deadline: now + FIRST_USE_DEADLINE_SECS,
            },
        };
        let outcome = self
            .store
            .rotate_token(&Rotation {
                old_id: old.id.clone(),
                new,
                retire: retirement,
                now,
                limit: ACTIVE_TOKEN_LIMIT,
            })
            .await?;
        let (old, new) = match outcome {
            RotationOutcome::Rotated { old, new } => (*old, *new),
            RotationOutcome::AlreadyReplaced(by) => return Err(already_replaced(by.as_str())),
            RotationOutcome::NotActive => return Err(not_active()),
            RotationOutcome::LimitReached => {
                return Err(DomainError::TokenLimitReached(ACTIVE_TOKEN_LIMIT))
            }
            RotationOutcome::NotFound => return Err(DomainError::NotFound),
        };
        // The old token's cached credential still has its former validity.
        self.auth_cache.invalidate().await?;
        let self_rotation = !principal.is_session();
        self.record(
            ctx,
            AuditAction::TokenRotated,
            Some(old.id.as_str()),
            Some(&AuditDetail {
                replacement: Some(new.id.to_string()),
                self_rotation: Some(self_rotation),
                retire: Some(retire),
                grace_seconds: Some(grace),
                ..AuditDetail::default()
            }),
        )
        .await;
        tracing::info!(
            token_id = %old.id, token_prefix = %old.prefix, new_token_id = %new.id,
            new_token_prefix = %new.prefix, self_rotation, "token rotated"
        );
        Ok(RotateTokenResponse {
            token: CreatedSecret(secret),
            record: self.to_record(new, now),
            replaced: self.to_record(old, now),
        })
    }

    /// Called after a successful request with a rotation's new token that had not been used:
    /// its predecessor, waiting for this (`retire: on_first_use`), now runs out its grace.
    /// Done before the answer is sent, so a client that sees its first success knows the old
    /// token's clock has started.
    pub async fn first_use(&self, token_id: &TokenId) {
        if !self.first_uses.claim(token_id.as_str()) {
            return;
        }
        match self
            .store
            .retire_predecessor(token_id, now().timestamp())
            .await
        {
            Ok(false) => {}
            Ok(true) => {
                tracing::info!(new_token_id = %token_id, "first use of a rotated token: its predecessor now retires");
                if let Err(e) = self.auth_cache.invalidate().await {
                    tracing::error!(error = %e, "could not announce a retired token to other replicas");
                }
            }
            Err(e) => {
                // Try again on the next use.
                self.first_uses.release(token_id.as_str());
                tracing::error!(error = %e, "could not retire a rotated token's predecessor");
            }
        }
    }
}

fn already_replaced(by: &str) -> DomainError {
    DomainError::Conflict(format!(
        "this token was already rotated and replaced by token {by}; nothing was changed. \
         Use the new token, or revoke it and create another if it was lost"
    ))
}

fn not_active() -> DomainError {
    DomainError::Conflict(
        "this token is revoked or expired, so there is nothing to rotate; create a new token"
            .into(),
    )
}
