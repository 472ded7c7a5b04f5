//! JSON bodies of the HTTP contract (`docs/api.md`), shared by the server,
//! the desktop app and the tests so that the two sides cannot drift apart.
//!
//! Requests refuse unknown fields (the contract answers them with 422). Times are
//! `DateTime<Utc>` kept at whole seconds, which chrono prints as `2026-11-28T04:00:00Z`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::token::TokenSecret;

mod audit;
mod inventory;
mod policy;
mod tokens;

pub use audit::*;
pub use inventory::*;
pub use policy::*;
pub use tokens::*;

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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role_ids: Vec<String>,
    /// Disabled by an administrator: cannot sign in; no credential of theirs is accepted.
    #[serde(default)]
    pub disabled: bool,
}

/// `PUT /v1/users/{id}`: each field given is changed, the others kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `true` ends the user's sessions and revokes their active tokens at once (reason
    /// "owner disabled"); `false` lets them sign in again and brings no token back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
