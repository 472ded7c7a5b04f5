//! The tenant's token policy (`GET/PUT /v1/tenant/token-policy`).

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The longest maximum lifetime a policy may name, in days (ten years).
pub const MAX_POLICY_DAYS: u32 = 3650;

/// What every new or rotated token of the tenant must meet. Tightening it changes no existing
/// token: the inventory's `violates_policy` filter finds those that break it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TokenPolicy {
    /// The longest a token may live, in days from its creation (1–3650); `null`: no maximum.
    /// A maximum implies an expiry: "No expiration" exceeds any maximum.
    #[serde(default)]
    pub max_lifetime_days: Option<u32>,
    /// Whether every token needs an expiry.
    pub require_expiration: bool,
}

impl TokenPolicy {
    /// Whether a token must have an expiry under this policy (asked for, or implied by a
    /// maximum lifetime).
    pub fn expiry_required(&self) -> bool {
        self.require_expiration || self.max_lifetime_days.is_some()
    }
}
