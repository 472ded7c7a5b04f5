//! Bodies of the security admins' token inventory (`GET /v1/admin/tokens`) and of revoking
//! other users' tokens with a reason (`POST /v1/admin/tokens/{id}/revoke`,
//! `POST /v1/admin/tokens/revoke`).

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use super::{TokenRecord, TokenStatus};

/// Most tokens one inventory page may hold.
pub const MAX_INVENTORY_PAGE: u32 = 500;
/// Most tokens one bulk revoke may revoke (or name, by `ids`); a filter matching more active
/// tokens is refused so that nothing is revoked half-way.
pub const MAX_BULK_REVOKE: u32 = 1000;
/// Longest revoke reason, in characters after trimming.
pub const MAX_REASON_CHARS: usize = 500;

/// Who owns a token, as the inventory shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenOwner {
    pub id: String,
    pub email: String,
    pub name: String,
}

/// A token of the tenant with its owner: a [`TokenRecord`] plus `owner`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InventoryToken {
    #[serde(flatten)]
    pub record: TokenRecord,
    pub owner: TokenOwner,
    /// The owner is disabled (their active tokens were revoked when they were).
    pub owner_disabled: bool,
}

/// One page of the inventory, newest first. `next_cursor` is `null` on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InventoryPage {
    pub tokens: Vec<InventoryToken>,
    pub next_cursor: Option<String>,
}

/// Which of the tenant's tokens: every field narrows the selection; none selects them all.
/// The inventory takes these as query parameters, a bulk revoke as its `filter` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InventoryFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TokenStatus>,
    /// Only this user's tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Part of the name (letters A–Z in any case) or of the prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Only tokens holding this permission key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Only tokens with no successful request for this many days (1–3650); a token never used
    /// counts from its creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_days: Option<u32>,
    /// Only active tokens that expire within this many days (1–3650).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiring_within_days: Option<u32>,
    /// `true`: only tokens that never expire; `false`: only tokens with an expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_expiry: Option<bool>,
    /// `true`: only tokens of disabled users; `false`: only of enabled ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_disabled: Option<bool>,
    /// `true`: only active tokens that break the tenant's current token policy (no expiry
    /// where one is required, or a lifetime over the maximum); `false`: every other token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violates_policy: Option<bool>,
}

/// `POST /v1/admin/tokens/{id}/revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminRevokeRequest {
    /// Why (1–500 characters, no control characters); kept in the owner's audit trail.
    pub reason: String,
}

/// `POST /v1/admin/tokens/revoke`: exactly one of `ids` and `filter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkRevokeRequest {
    /// Token ids (1–1000); ids that are unknown, of another tenant, or not active are left
    /// out of the answer and nothing happens to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    /// The inventory's filters: every active token they match (at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<InventoryFilter>,
    /// Why (1–500 characters, no control characters); kept in each owner's audit trail.
    pub reason: String,
    /// `true`: answer what would be revoked, changing nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a bulk revoke revoked — or, with `dry_run`, would revoke: the tokens (as they stand
/// after it), newest first, and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkRevokeResponse {
    pub tokens: Vec<InventoryToken>,
    pub revoked: u32,
    pub dry_run: bool,
}
