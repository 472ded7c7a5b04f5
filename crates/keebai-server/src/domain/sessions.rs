//! Sign-in sessions: password check, throttling, session tokens stored as hashes.

use keebai_api::wire::{CreatedSecret, SessionRequest, SessionResponse};
use keebai_api::TokenSecret;

use super::audit::AuditAction;
use super::auth::Via;
use super::context::RequestContext;
use super::error::{DomainError, DomainResult};
use super::throttle::Refused;
use super::{admin, from_ts, now, passwords, Service};
use crate::store::SessionRow;

impl Service {
    /// `POST /v1/sessions`.
    pub async fn sign_in(
        &self,
        req: SessionRequest,
        ip: Option<&str>,
    ) -> DomainResult<SessionResponse> {
        let email = req.email.trim().to_lowercase();
        let attempt = match self
            .throttle
            .begin(
                &*self.store,
                req.tenant.trim(),
                &email,
                ip,
                now().timestamp(),
            )
            .await?
        {
            Ok(a) => a,
            Err(Refused(retry_after_secs)) => {
                return Err(DomainError::RateLimited { retry_after_secs })
            }
        };
        let tenant = self.store.tenant_by_slug(req.tenant.trim()).await?;
        let user = match &tenant {
            Some(t) => self.store.user_by_email(&t.id, &email).await?,
            None => None,
        };
        // Always run one argon2 verification so unknown tenants and accounts take as long as
        // a wrong password.
        let ok = passwords::verify(
            req.password.expose().to_owned(),
            user.as_ref().map(|u| u.password_hash.clone()),
        )
        .await?;
        // A disabled user is refused like a wrong password (after the same verification).
        let user = user.filter(|u| !u.disabled);
        let (Some(tenant), Some(user), true) = (tenant.as_ref(), user, ok) else {
            // The attempt stays recorded: it is one of the failures the limit counts.
            if let Some(t) = &tenant {
                self.audit(&t.id, None, AuditAction::SessionFailed, None, ip, None)
                    .await;
            }
            // Debug formatting quotes and escapes what the client typed, so a newline in it
            // cannot forge a log line; the length is capped for the same reason.
            tracing::info!(tenant = ?clip(req.tenant.trim()), "failed sign-in");
            if attempt.only_if_right {
                // Over the account's ceiling: a wrong password is refused like any other
                // attempt past a limit.
                return Err(DomainError::RateLimited {
                    retry_after_secs: self.throttle.window_secs(),
                });
            }
            return Err(DomainError::Unauthorized);
        };
        self.throttle.succeeded(&*self.store, attempt).await?;
        let secret = TokenSecret::generate_session()
            .map_err(|e| DomainError::Internal(format!("OS random source: {e}")))?;
        let created = now();
        let expires =
            created + chrono::Duration::from_std(self.settings.session_ttl).unwrap_or_default();
        self.store
            .insert_session(&SessionRow {
                hash: secret.sha256().to_hex(),
                user_id: user.id.clone(),
                tenant_id: tenant.id.clone(),
                created_at: created.timestamp(),
                expires_at: expires.timestamp(),
            })
            .await?;
        let ended = self
            .store
            .end_oldest_sessions(&user.id, self.settings.max_sessions_per_user)
            .await?;
        if ended > 0 {
            // Their cached credentials must go too, on every replica.
            self.auth_cache.invalidate().await?;
            tracing::info!(user_id = %user.id, ended, "ended the oldest sessions over the per-user cap");
        }
        self.audit(
            &tenant.id,
            Some(user.id.as_str()),
            AuditAction::SessionCreated,
            Some(user.id.as_str()),
            ip,
            None,
        )
        .await;
        tracing::info!(user_id = %user.id, "signed in");
        let permissions = self.store.user_permissions(&user.id).await?;
        Ok(SessionResponse {
            session_token: CreatedSecret(secret),
            expires_at: from_ts(expires.timestamp()),
            user: admin::user_to_wire(user),
            permissions,
        })
    }

    /// `DELETE /v1/sessions/current`.
    pub async fn sign_out(&self, ctx: &RequestContext) -> DomainResult<()> {
        let principal = &ctx.principal;
        principal.require_session("end a sign-in session")?;
        if let Via::Session { hash } = &principal.via {
            self.store.delete_session(hash).await?;
            self.auth_cache.invalidate().await?;
            self.record(ctx, AuditAction::SessionEnded, None, None)
                .await;
        }
        Ok(())
    }
}

/// Client-supplied text for a log field: at most 100 characters.
fn clip(text: &str) -> String {
    text.chars().take(100).collect()
}
