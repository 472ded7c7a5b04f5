//! One request context: who is asking (the authenticated [`Principal`]) and from which client
//! address. Every action that changes something takes it, and its audit event is written from
//! it ([`Service::record`]), so actor, tenant and address are always the caller's.

use keebai_api::wire::AuditDetail;

use super::audit::AuditAction;
use super::auth::Principal;
use super::Service;

/// The caller of one request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub principal: Principal,
    /// The client's address (behind a trusted proxy, the one it forwarded for); `None` when
    /// the server runs without connection info (in-process tests).
    pub ip: Option<String>,
}

impl RequestContext {
    pub fn new(principal: Principal, ip: Option<String>) -> Self {
        Self { principal, ip }
    }

    pub fn ip(&self) -> Option<&str> {
        self.ip.as_deref()
    }
}

impl Service {
    /// Appends the audit event of an action the caller took on `target`.
    pub async fn record(
        &self,
        ctx: &RequestContext,
        action: AuditAction,
        target: Option<&str>,
        detail: Option<&AuditDetail>,
    ) {
        let p = &ctx.principal;
        self.audit(
            p.tenant_id(),
            Some(p.user.id.as_str()),
            action,
            target,
            ctx.ip(),
            detail,
        )
        .await;
    }
}
