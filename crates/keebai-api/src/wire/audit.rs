//! Audit event bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use super::Retire;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEvent {
    pub id: String,
    pub at: DateTime<Utc>,
    /// The acting user's id (`null` for a failed sign-in to an unknown account).
    pub actor: Option<String>,
    /// `session.created`, `session.failed`, `token.created`, `token.rotated`, `token.revoked`, `role.created`,
    /// `role.changed`, `user.created`, `user.roles_changed`, `user.disabled`, `user.enabled`.
    pub action: String,
    /// What the action was about: a token id, role id or user id.
    pub target: Option<String>,
    pub ip: Option<String>,
    /// More about the action, where there is more to say (a rotation's new token; an
    /// administrator's revoke: its reason and the token's owner).
    #[serde(default)]
    pub detail: Option<AuditDetail>,
}

/// The particulars of an audit event; each field only where it applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditDetail {
    /// `token.rotated`: the id of the new token (the target is the old one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// `token.rotated`: `true` when the token rotated itself (`developer.rotate_self`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_rotation: Option<bool>,
    /// `token.rotated`: when the old token stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retire: Option<Retire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_seconds: Option<u32>,
    /// Why, where a person said so (an administrator's revoke).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `token.revoked` by an administrator (`developer.audit_tokens`): the id of the token's
    /// owner, whose trail the event belongs to as much as the actor's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `token.revoked` by a bulk revoke: how many tokens that one request revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk: Option<u32>,
    /// `policy.changed`: the tenant's token policy as set, and as it was before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<super::TokenPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_policy: Option<super::TokenPolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEventList {
    pub events: Vec<AuditEvent>,
    pub next_cursor: Option<String>,
}
