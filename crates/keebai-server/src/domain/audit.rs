//! Audit events: who did what to which object, from where; and who may read which.
//!
//! Every event is written through [`Service::audit`] with an [`AuditAction`] (an authenticated
//! caller's through [`Service::record`]), and the rule for
//! whose events a caller sees is [`Service::audit_events`]'s, not the HTTP handler's.

use keebai_api::wire::{AuditDetail, AuditEvent, AuditEventList};

use super::auth::Principal;
use super::error::{DomainError, DomainResult};
use super::permissions::AUDIT_TOKENS;
use super::{from_ts, new_id, now, Service};
use crate::store::{AuditCursor, AuditFilter, AuditRow, TenantId};

/// What an audit event records; stored and shown as its dotted name ([`AuditAction::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    SessionCreated,
    SessionFailed,
    SessionEnded,
    TokenCreated,
    TokenRevoked,
    TokenRotated,
    RoleCreated,
    RoleChanged,
    UserCreated,
    UserRolesChanged,
    UserDisabled,
    UserEnabled,
    PolicyChanged,
}

impl AuditAction {
    /// The name stored and shown in `action`, e.g. `token.revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SessionCreated => "session.created",
            Self::SessionFailed => "session.failed",
            Self::SessionEnded => "session.ended",
            Self::TokenCreated => "token.created",
            Self::TokenRevoked => "token.revoked",
            Self::TokenRotated => "token.rotated",
            Self::RoleCreated => "role.created",
            Self::RoleChanged => "role.changed",
            Self::UserCreated => "user.created",
            Self::UserRolesChanged => "user.roles_changed",
            Self::UserDisabled => "user.disabled",
            Self::UserEnabled => "user.enabled",
            Self::PolicyChanged => "policy.changed",
        }
    }
}

/// Most events one page may hold.
pub const MAX_PAGE: u32 = 500;

impl Service {
    /// Appends an event: the one place events are written ([`Service::record`] for an
    /// authenticated caller's action). A failure is logged and swallowed: the action it
    /// describes already happened, and refusing to answer would hide that from the caller.
    pub async fn audit(
        &self,
        tenant_id: &TenantId,
        actor: Option<&str>,
        action: AuditAction,
        target: Option<&str>,
        ip: Option<&str>,
        detail: Option<&AuditDetail>,
    ) {
        let row = AuditRow {
            id: new_id(),
            tenant_id: tenant_id.clone(),
            at: now().timestamp(),
            actor: actor.map(str::to_owned),
            action: action.as_str().to_owned(),
            target: target.map(str::to_owned),
            ip: ip.map(str::to_owned),
            detail: detail.and_then(|d| serde_json::to_string(d).ok()),
        };
        if let Err(e) = self.store.append_audit(&row).await {
            tracing::error!(error = %e, action = action.as_str(), "could not record an audit event");
        }
    }

    /// `GET /v1/audit-events`: one page, newest first, of the events the principal may see —
    /// the whole tenant's with `developer.audit_tokens`, otherwise their own: those they acted
    /// in and those about their tokens (who revoked one, and why). `limit` is
    /// 1–[`MAX_PAGE`]. The cursor is opaque to clients: `<unix seconds>.<event id>` of the
    /// last event seen.
    pub async fn audit_events(
        &self,
        principal: &Principal,
        cursor: Option<&str>,
        limit: u32,
        filter: AuditFilter,
    ) -> DomainResult<AuditEventList> {
        for (field, value) in [
            ("actor", &filter.actor),
            ("action", &filter.action),
            ("target", &filter.target),
        ] {
            if value
                .as_deref()
                .is_some_and(|v| v.is_empty() || v.len() > 128)
            {
                return Err(DomainError::invalid(field, "must be 1–128 characters"));
            }
        }
        if let (Some(since), Some(until)) = (filter.since, filter.until) {
            if since >= until {
                return Err(DomainError::invalid("until", "must be after since"));
            }
        }
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(DomainError::invalid(
                "limit",
                format!("must be 1–{MAX_PAGE}"),
            ));
        }
        let actor = (!principal.has(AUDIT_TOKENS)).then_some(principal.user.id.as_str());
        let tenant_id = principal.tenant_id();
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
            .audit_events(tenant_id, actor, &filter, before.as_ref(), limit)
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

#[cfg(test)]
mod tests {
    use super::AuditAction::*;

    #[test]
    fn actions_keep_their_stored_names() {
        let names: Vec<&str> = [
            SessionCreated,
            SessionFailed,
            SessionEnded,
            TokenCreated,
            TokenRevoked,
            TokenRotated,
            RoleCreated,
            RoleChanged,
            UserCreated,
            UserRolesChanged,
            UserDisabled,
            UserEnabled,
            PolicyChanged,
        ]
        .iter()
        .map(|a| a.as_str())
        .collect();
        assert_eq!(
            names,
            [
                "session.created",
                "session.failed",
                "session.ended",
                "token.created",
                "token.revoked",
                "token.rotated",
                "role.created",
                "role.changed",
                "user.created",
                "user.roles_changed",
                "user.disabled",
                "user.enabled",
                "policy.changed",
            ]
        );
    }
}
