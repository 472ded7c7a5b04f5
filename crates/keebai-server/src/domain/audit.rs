//! Audit events: who did what to which object, from where.

use keebai_api::wire::{AuditDetail, AuditEvent, AuditEventList};

use super::error::{DomainError, DomainResult};
use super::{from_ts, new_id, now, Service};
use crate::store::{AuditCursor, AuditRow};

pub const SESSION_CREATED: &str = "session.created";
pub const SESSION_FAILED: &str = "session.failed";
pub const SESSION_ENDED: &str = "session.ended";
pub const TOKEN_CREATED: &str = "token.created";
pub const TOKEN_REVOKED: &str = "token.revoked";
pub const TOKEN_ROTATED: &str = "token.rotated";
pub const ROLE_CREATED: &str = "role.created";
pub const ROLE_UPDATED: &str = "role.updated";
pub const USER_CREATED: &str = "user.created";
pub const USER_ROLES_CHANGED: &str = "user.roles_changed";

impl Service {
    /// Appends an event. A failure is logged and swallowed: the action it describes already
    /// happened, and refusing to answer would hide that from the caller.
    pub async fn audit(
        &self,
        tenant_id: &str,
        actor: Option<&str>,
        action: &str,
        target: Option<&str>,
        ip: Option<&str>,
    ) {
        self.audit_detailed(tenant_id, actor, action, target, ip, None)
            .await;
    }

    /// [`Service::audit`] with the event's particulars.
    pub async fn audit_detailed(
        &self,
        tenant_id: &str,
        actor: Option<&str>,
        action: &str,
        target: Option<&str>,
        ip: Option<&str>,
        detail: Option<&AuditDetail>,
    ) {
        let row = AuditRow {
            id: new_id(),
            tenant_id: tenant_id.to_owned(),
            at: now().timestamp(),
            actor: actor.map(str::to_owned),
            action: action.to_owned(),
            target: target.map(str::to_owned),
            ip: ip.map(str::to_owned),
            detail: detail.and_then(|d| serde_json::to_string(d).ok()),
        };
        if let Err(e) = self.store.append_audit(&row).await {
            tracing::error!(error = %e, action, "could not record an audit event");
        }
    }

    /// One page of audit events, newest first; `actor` narrows to one user's own events.
    /// The cursor is opaque to clients: `<unix seconds>.<event id>` of the last event seen.
    pub async fn audit_page(
        &self,
        tenant_id: &str,
        actor: Option<&str>,
        cursor: Option<&str>,
        limit: u32,
    ) -> DomainResult<AuditEventList> {
        let before = cursor
            .map(|c| {
                c.split_once('.')
                    .and_then(|(at, id)| {
                        Some(AuditCursor {
                            at: at.parse().ok()?,
                            id: id.to_owned(),
                        })
                    })
                    .ok_or_else(|| {
                        DomainError::invalid("cursor", "is not a cursor from a previous page")
                    })
            })
            .transpose()?;
        let rows = self
            .store
            .audit_events(tenant_id, actor, before.as_ref(), limit)
            .await?;
        let next_cursor = (rows.len() == limit as usize)
            .then(|| rows.last().map(|r| format!("{}.{}", r.at, r.id)))
            .flatten();
        Ok(AuditEventList {
            events: rows.into_iter().map(to_wire).collect(),
            next_cursor,
        })
    }
}

pub fn to_wire(r: AuditRow) -> AuditEvent {
    AuditEvent {
        id: r.id,
        at: from_ts(r.at),
        actor: r.actor,
        action: r.action,
        target: r.target,
        ip: r.ip,
        // Written by this code as JSON; an unreadable one is left out rather than failing
        // the whole listing.
        detail: r.detail.and_then(|d| serde_json::from_str(&d).ok()),
    }
}
