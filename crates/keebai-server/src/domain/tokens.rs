//! The personal access token lifecycle: create, list, get, usage history, revoke (rotation
//! is in [`super::rotation`]).

use keebai_api::wire::{
    CreateTokenRequest, CreateTokenResponse, CreatedSecret, TokenList, TokenRecord, TokenStatus,
    TokenUsage, UsageAddress, UsageBucket, ACTIVE_TOKEN_LIMIT,
};
use keebai_api::TokenSecret;

use super::audit::AuditAction;
use super::auth::Principal;
use super::context::RequestContext;
use super::error::{DomainError, DomainResult};
use super::newtypes::{ExpiresAt, Scopes, TokenName};
use super::permissions::{AUDIT_TOKENS, MANAGE_TOKENS};
use super::{from_ts, new_id, now, policy, usage, Service};
use crate::store::{TokenId, TokenRow};

impl Service {
    /// `POST /v1/tokens`: the only time the secret leaves the server.
    pub async fn create_token(
        &self,
        ctx: &RequestContext,
        req: CreateTokenRequest,
    ) -> DomainResult<CreateTokenResponse> {
        let principal = &ctx.principal;
        principal.require_session("create tokens")?;
        principal.require(MANAGE_TOKENS)?;
        let name = TokenName::parse(&req.name)?;
        let scopes = Scopes::parse(&req.scopes, "scopes", false)?;
        if let Some(missing) = scopes.as_slice().iter().find(|s| !principal.has(s)) {
            return Err(DomainError::forbidden(format!(
                "you cannot grant a token the {missing} permission because you do not hold it"
            )));
        }
        let now = now();
        let expires_at = req
            .expires_at
            .map(|e| ExpiresAt::parse(e, now))
            .transpose()?;
        let policy = self.policy_of(principal.tenant_id()).await?;
        policy::check_expiry(
            &policy,
            expires_at.map(ExpiresAt::timestamp),
            now.timestamp(),
        )?;
        let secret = TokenSecret::generate_pat()
            .map_err(|e| DomainError::Internal(format!("OS random source: {e}")))?;
        let row = TokenRow {
            id: TokenId::new(new_id()),
            tenant_id: principal.tenant_id().clone(),
            user_id: principal.user.id.clone(),
            name: name.into_inner(),
            prefix: secret.prefix().to_owned(),
            hash: secret.sha256().to_hex(),
            scopes: scopes.into_inner(),
            created_at: now.timestamp(),
            expires_at: expires_at.map(ExpiresAt::timestamp),
            last_used_at: None,
            last_used_ip: None,
            revoked_at: None,
            rotated_from: None,
            replaced_by: None,
            retire_grace: None,
        };
        if !self
            .store
            .insert_token_within_limit(&row, now.timestamp(), ACTIVE_TOKEN_LIMIT)
            .await?
        {
            return Err(DomainError::TokenLimitReached(ACTIVE_TOKEN_LIMIT));
        }
        self.record(ctx, AuditAction::TokenCreated, Some(row.id.as_str()), None)
            .await;
        tracing::info!(token_id = %row.id, token_prefix = %row.prefix, "token created");
        let record = self.to_record(row, now.timestamp());
        Ok(CreateTokenResponse {
            token: CreatedSecret(secret),
            record,
        })
    }

    /// `GET /v1/tokens`: the caller's tokens, every status, newest first.
    pub async fn list_tokens(&self, principal: &Principal) -> DomainResult<TokenList> {
        principal.require(MANAGE_TOKENS)?;
        let now = now().timestamp();
        let rows = self.store.tokens_of_user(&principal.user.id).await?;
        let active_count = rows.iter().filter(|t| t.is_active(now)).count();
        Ok(TokenList {
            tokens: rows.into_iter().map(|r| self.to_record(r, now)).collect(),
            active_count: u32::try_from(active_count).unwrap_or(u32::MAX),
            active_limit: ACTIVE_TOKEN_LIMIT,
        })
    }

    /// `GET /v1/tokens/{id}`: 404 unless the caller owns it.
    pub async fn token(&self, principal: &Principal, id: &TokenId) -> DomainResult<TokenRecord> {
        principal.require(MANAGE_TOKENS)?;
        let row = self.owned_token(principal, id).await?;
        Ok(self.to_record(row, now().timestamp()))
    }

    /// `GET /v1/tokens/{id}/usage`: hourly counts over the last 90 days and the latest use's
    /// address. The owner (with `developer.manage_tokens`) may read it, and so may an auditor
    /// (`developer.audit_tokens`) for any token of the tenant; anyone else gets 404.
    pub async fn token_usage(
        &self,
        principal: &Principal,
        id: &TokenId,
    ) -> DomainResult<TokenUsage> {
        let row = if principal.has(AUDIT_TOKENS) {
            match self.store.token(id).await? {
                Some(t) if &t.tenant_id == principal.tenant_id() => t,
                _ => return Err(DomainError::NotFound),
            }
        } else {
            principal.require(MANAGE_TOKENS)?;
            self.owned_token(principal, id).await?
        };
        let since = usage::hour_of(now().timestamp()) - (usage::RETENTION_HOURS - 1) * 3600;
        let stored = self.store.token_usage(&row.id, since).await?;
        let mut addresses = self.store.token_addresses(&row.id).await?;
        let (hours, last_used_ip) = self.usage.with_pending(&row, stored, &mut addresses, since);
        Ok(TokenUsage {
            addresses: addresses
                .into_iter()
                .map(|a| UsageAddress {
                    ip: a.ip,
                    first_seen: from_ts(a.first_seen),
                    last_seen: from_ts(a.last_seen),
                    count: a.count,
                })
                .collect(),
            buckets: hours
                .into_iter()
                .map(|(hour, count)| UsageBucket {
                    hour: from_ts(hour),
                    count,
                })
                .collect(),
            last_used_ip,
        })
    }

    /// `POST /v1/tokens/{id}/revoke`: immediate, idempotent, keeps the row.
    pub async fn revoke_token(
        &self,
        ctx: &RequestContext,
        id: &TokenId,
    ) -> DomainResult<TokenRecord> {
        let principal = &ctx.principal;
        principal.require(MANAGE_TOKENS)?;
        let before = self.owned_token(principal, id).await?;
        let now = now().timestamp();
        let row = self
            .store
            .revoke_token(&before.id, now)
            .await?
            .ok_or(DomainError::NotFound)?;
        // Only a real change is announced: a loop of idempotent revokes must not empty every
        // replica's cache.
        if before.revoked_at.is_none() {
            crate::faults::after_commit("revoke");
            self.auth_cache.invalidate().await?;
            self.record(ctx, AuditAction::TokenRevoked, Some(row.id.as_str()), None)
                .await;
            tracing::info!(token_id = %row.id, token_prefix = %row.prefix, "token revoked");
        }
        Ok(self.to_record(row, now))
    }

    pub(super) async fn owned_token(
        &self,
        principal: &Principal,
        id: &TokenId,
    ) -> DomainResult<TokenRow> {
        match self.store.token(id).await? {
            Some(t) if t.user_id == principal.user.id => Ok(t),
            // Someone else's token and a missing one look the same: no existence oracle.
            _ => Err(DomainError::NotFound),
        }
    }

    /// The wire form, with status computed at `now` and this replica's unflushed last use.
    pub fn to_record(&self, r: TokenRow, now: i64) -> TokenRecord {
        let last_used = match (r.last_used_at, self.usage.pending(&r.id)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        TokenRecord {
            status: TokenStatus::at(
                from_ts(now),
                r.expires_at.map(from_ts),
                r.revoked_at.map(from_ts),
            ),
            id: r.id.into_inner(),
            name: r.name,
            prefix: r.prefix,
            scopes: r.scopes,
            created_at: from_ts(r.created_at),
            expires_at: r.expires_at.map(from_ts),
            last_used_at: last_used.map(from_ts),
            revoked_at: r.revoked_at.map(from_ts),
            rotated_from: r.rotated_from.map(TokenId::into_inner),
            replaced_by: r.replaced_by.map(TokenId::into_inner),
        }
    }
}
