//! Rows as the store keeps them: plain data, engine-neutral (times are unix seconds).

use super::ids::{RoleId, TenantId, TokenId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRow {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
}

/// A tenant's token policy; [`Default`] is the policy of a tenant that never set one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyRow {
    /// The longest a token may live, in days (`expires_at - created_at`); `None`: no maximum.
    pub max_lifetime_days: Option<i64>,
    /// Whether every token needs an expiry.
    pub require_expiration: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRow {
    pub id: RoleId,
    pub tenant_id: TenantId,
    pub name: String,
    pub permissions: Vec<String>,
    pub builtin: bool,
}

#[derive(Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: UserId,
    pub tenant_id: TenantId,
    /// Lowercased.
    pub email: String,
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    pub role_ids: Vec<RoleId>,
    /// Disabled by an administrator: no sign-in, no credential accepted.
    pub disabled: bool,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("email", &self.email)
            .field("role_ids", &self.role_ids)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// SHA-256 hex of the session token.
    pub hash: String,
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: TokenId,
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub name: String,
    /// First 12 characters of the token.
    pub prefix: String,
    /// SHA-256 hex of the full token.
    pub hash: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The client address of the use at `last_used_at`, when known.
    pub last_used_ip: Option<String>,
    /// The token this one replaced by rotation.
    pub rotated_from: Option<TokenId>,
    /// The token that replaced this one by rotation.
    pub replaced_by: Option<TokenId>,
    /// Set while this replaced token waits for its replacement's first successful request:
    /// it then expires this many seconds later (`retire: on_first_use`).
    pub retire_grace: Option<i64>,
}

impl TokenRow {
    /// Neither revoked nor expired at `now`.
    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: String,
    pub tenant_id: TenantId,
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    /// [`keebai_api::wire::AuditDetail`] as JSON text.
    pub detail: Option<String>,
}

/// Which audit events a listing keeps (all of them by default): an exact actor, action or
/// target, and a time range `since ≤ at < until` (unix seconds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// Position in the audit listing: events strictly older than (`at`, `id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCursor {
    pub at: i64,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub id: String,
    pub tenant_id: TenantId,
    pub author_id: UserId,
    pub body: String,
    pub created_at: i64,
}

/// One token's uses batched by one replica since its last flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUse {
    pub token_id: TokenId,
    /// The latest use (unix seconds).
    pub last_at: i64,
    /// The client address of that latest use, when known.
    pub last_ip: Option<String>,
    /// `(hour, count)`: the hour as unix seconds divisible by 3600, and the successful
    /// requests in it.
    pub hours: Vec<(i64, u64)>,
    /// Per client address: when first and last seen in this batch, and how many uses.
    pub addresses: Vec<AddressUse>,
}

/// One client address of a token: as batched by a replica, or as stored (then the times
/// span every batch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressUse {
    pub ip: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub count: u64,
}

/// What one flush wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UseWrites {
    /// Token rows whose `last_used_at` moved forward.
    pub last_used: u64,
    /// Hourly usage rows inserted or added to.
    pub buckets: u64,
}

/// When the old token of a rotation stops working, in store terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retirement {
    /// Revoked in the rotation's transaction.
    Now,
    /// Expires at this time (kept earlier if it already expired sooner).
    At(i64),
    /// Expires at `deadline` at the latest, or `grace` seconds after the new token's first
    /// successful request (see [`crate::store::Store::retire_predecessor`]).
    OnFirstUse { grace: i64, deadline: i64 },
}

/// One rotation, done by the store in one transaction that serialises with creates and other
/// rotations of the same user.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub old_id: TokenId,
    /// The new token; its `rotated_from` is `old_id`.
    pub new: TokenRow,
    pub retire: Retirement,
    pub now: i64,
    pub limit: u32,
}

/// What a rotation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationOutcome {
    /// Done: the old token as it stands now, and the new one.
    Rotated {
        old: Box<TokenRow>,
        new: Box<TokenRow>,
    },
    /// The token was replaced already (by this id); nothing changed.
    AlreadyReplaced(TokenId),
    /// The token is revoked or expired; nothing changed.
    NotActive,
    /// The new token would exceed the active-token limit; nothing changed.
    LimitReached,
    NotFound,
}
