//! JSON bodies of the HTTP contract (`docs/api.md`), shared by the server,
//! the desktop app and the tests so that the two sides cannot drift apart.
//!
//! Requests refuse unknown fields (the contract answers them with 422). Times are
//! `DateTime<Utc>` kept at whole seconds, which chrono prints as `2026-11-28T04:00:00Z`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::token::TokenSecret;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Most active tokens one user may hold.
pub const ACTIVE_TOKEN_LIMIT: u32 = 10;

/// The `code` of an error body. The desktop app switches on this, never on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unauthorized,
    Forbidden,
    NotFound,
    InvalidRequest,
    TokenLimitReached,
    /// 409: a change the current state forbids (rotating a token that was already replaced).
    Conflict,
    RateLimited,
    /// 413: the body is over the size limit.
    PayloadTooLarge,
    /// 405: the path exists but not with this method.
    MethodNotAllowed,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 503: the server is shutting down or its database is unavailable.
    Unavailable,
    Internal,
}

/// `{"error": {...}}`, the body of every non-2xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// The request field a validation error is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    pub status: String,
}

/// A password as it travels in a request: redacted `Debug`, zeroized on drop.
#[derive(Clone, Deserialize, Serialize, Zeroize, ZeroizeOnDrop)]
#[cfg_attr(feature = "openapi", derive(ToSchema), schema(value_type = String, format = Password))]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// A secret that the server sends exactly once (a new PAT or a new session token).
/// This is the only place a [`TokenSecret`] is serialised.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema), schema(value_type = String, example = "kbai_pk_…"))]
pub struct CreatedSecret(pub TokenSecret);

impl std::fmt::Debug for CreatedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for CreatedSecret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose())
    }
}

impl<'de> Deserialize<'de> for CreatedSecret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut text = String::deserialize(d)?;
        let parsed = TokenSecret::parse(&text).map_err(serde::de::Error::custom);
        text.zeroize();
        parsed.map(CreatedSecret)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    /// Tenant slug, e.g. `acme`.
    pub tenant: String,
    pub email: String,
    pub password: Password,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionResponse {
    pub session_token: CreatedSecret,
    pub expires_at: DateTime<Utc>,
    pub user: User,
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Tenant {
    pub id: String,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub user: User,
    pub tenant: Tenant,
    /// What this credential may do now: for a PAT, its scopes ∩ the user's permissions.
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Permission {
    pub key: String,
    pub group: String,
    pub label: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PermissionList {
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Role {
    pub id: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub builtin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RoleList {
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRoleRequest {
    pub name: String,
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateRoleRequest {
    pub permissions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserList {
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub email: String,
    pub name: String,
    pub password: Password,
    pub role_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRolesRequest {
    pub role_ids: Vec<String>,
}

/// A token's state, computed in UTC at the time of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
}

impl TokenStatus {
    /// Revocation wins over expiry: a revoked token stays `revoked` after its date passes.
    pub fn at(
        now: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
    ) -> Self {
        if revoked_at.is_some() {
            Self::Revoked
        } else if expires_at.is_some_and(|e| e <= now) {
            Self::Expired
        } else {
            Self::Active
        }
    }

    /// The product's label for this state.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Expired => "Expired",
            Self::Revoked => "Revoked",
        }
    }
}

/// A token as listed: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    /// The first 12 characters of the token, e.g. `kbai_pk_a1b2`.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub status: TokenStatus,
    /// The token this one replaced by rotation, if any.
    #[serde(default)]
    pub rotated_from: Option<String>,
    /// The token that replaced this one by rotation, if any.
    #[serde(default)]
    pub replaced_by: Option<String>,
}

/// When the old token of a rotation stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Retire {
    /// `grace_seconds` after the rotation (at once with 0).
    AfterGrace,
    /// `grace_seconds` after the new token's first successful request, and never more than
    /// 7 days after the rotation.
    OnFirstUse,
}

/// `POST /v1/tokens/{id}/rotate` and `POST /v1/tokens/self/rotate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RotateTokenRequest {
    /// 0–86400, default 0.
    #[serde(default)]
    pub grace_seconds: Option<u32>,
    /// Default `after_grace` for the owner's rotate, `on_first_use` for a self-rotation.
    #[serde(default)]
    pub retire: Option<Retire>,
}

/// The answer to a rotation: the new token (its secret sent this once) and the old one as it
/// stands now (it says when it stops working).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RotateTokenResponse {
    /// The new token. Sent only in this answer; store it in a secret manager.
    pub token: CreatedSecret,
    pub record: TokenRecord,
    pub replaced: TokenRecord,
}

/// One hour of a token's use: successful requests in `[hour, hour + 1 h)`, UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UsageBucket {
    /// The start of the hour (minutes and seconds are zero).
    pub hour: DateTime<Utc>,
    pub count: u64,
}

/// `GET /v1/tokens/{id}/usage`: hourly counts of successful requests over the last 90 days
/// (hours without use are left out), oldest first, the address of the latest use, and every
/// address it was used from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenUsage {
    pub buckets: Vec<UsageBucket>,
    pub last_used_ip: Option<String>,
    /// The client addresses the token was used from, most recently seen first; at most 50
    /// (the least recently seen are dropped).
    #[serde(default)]
    pub addresses: Vec<UsageAddress>,
}

/// One client address a token was used from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UsageAddress {
    pub ip: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Successful requests from it.
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenList {
    /// The caller's own tokens, every status, newest first.
    pub tokens: Vec<TokenRecord>,
    pub active_count: u32,
    pub active_limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    pub name: String,
    pub scopes: Vec<String>,
    /// `null` or absent: the token never expires.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateTokenResponse {
    /// The full token. Sent only in this answer; store it in a secret manager.
    pub token: CreatedSecret,
    pub record: TokenRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Message {
    pub id: String,
    pub body: String,
    pub author_id: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MessageList {
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostMessageRequest {
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEvent {
    pub id: String,
    pub at: DateTime<Utc>,
    /// The acting user's id (`null` for a failed sign-in to an unknown account).
    pub actor: Option<String>,
    /// `session.created`, `session.failed`, `token.created`, `token.rotated`, `token.revoked`, `role.created`,
    /// `role.updated`, `user.created`, `user.roles_changed`.
    pub action: String,
    /// What the action was about: a token id, role id or user id.
    pub target: Option<String>,
    pub ip: Option<String>,
    /// More about the action, where there is more to say (a rotation's new token).
    #[serde(default)]
    pub detail: Option<AuditDetail>,
}

/// The particulars of an audit event; each field only where it applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEventList {
    pub events: Vec<AuditEvent>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn status_revoked_wins_over_expired() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 28, 4, 0, 0)
            .single()
            .expect("date");
        let past = now - chrono::Duration::days(1);
        assert_eq!(
            TokenStatus::at(now, Some(past), Some(past)),
            TokenStatus::Revoked
        );
        assert_eq!(TokenStatus::at(now, Some(past), None), TokenStatus::Expired);
        assert_eq!(TokenStatus::at(now, Some(now), None), TokenStatus::Expired);
        assert_eq!(TokenStatus::at(now, None, None), TokenStatus::Active);
        assert_eq!(
            TokenStatus::at(now, Some(now + chrono::Duration::seconds(1)), None),
            TokenStatus::Active
        );
    }

    #[test]
    fn whole_second_times_print_as_in_the_contract() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 28, 4, 0, 0)
            .single()
            .expect("date");
        assert_eq!(
            serde_json::to_string(&t).expect("json"),
            "\"2026-11-28T04:00:00Z\""
        );
    }

    #[test]
    fn requests_refuse_unknown_fields() {
        let r = serde_json::from_str::<CreateTokenRequest>(
            r#"{"name":"x","scopes":["messages.read"],"expires_at":null,"admin":true}"#,
        );
        assert!(r.is_err());
    }

    #[test]
    fn created_secret_round_trips_and_refuses_garbage() {
        let t = TokenSecret::generate_pat().expect("rng");
        let json = serde_json::to_string(&CreatedSecret(t.clone())).expect("json");
        let back: CreatedSecret = serde_json::from_str(&json).expect("parse");
        assert!(back.0 == t);
        assert!(serde_json::from_str::<CreatedSecret>("\"kbai_pk_nothex\"").is_err());
    }

    #[test]
    fn password_debug_is_redacted() {
        let p = Password::new("hunter2-correct-horse");
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
