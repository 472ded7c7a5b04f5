//! Token bodies: records, status, creation, rotation and usage.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use super::CreatedSecret;

/// A token's state, computed in UTC at the time of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
