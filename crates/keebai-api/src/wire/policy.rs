//! The tenant's token policy (`GET/PUT /v1/tenant/token-policy`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{TokenRecord, TokenStatus};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The longest maximum lifetime a policy may name, in days (ten years).
pub const MAX_POLICY_DAYS: u32 = 3650;

/// How far past the maximum an expiry may be, for the clock of the client that chose it (it
/// computed "now + N days" a moment before, perhaps with a clock a little ahead).
pub const POLICY_CLOCK_SLACK_SECS: i64 = 300;

const DAY: i64 = 86_400;

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

    /// The longest lifetime a token may have, in seconds, slack included.
    pub fn max_lifetime_secs(&self) -> Option<i64> {
        self.max_lifetime_days
            .map(|d| i64::from(d) * DAY + POLICY_CLOCK_SLACK_SECS)
    }

    /// Whether `token` breaks this policy: it is active and has no expiry although one is
    /// required, or lives (`expires_at - created_at`) longer than allowed. The server's
    /// `violates_policy` filter selects exactly these.
    pub fn broken_by(&self, token: &TokenRecord) -> bool {
        if token.status != TokenStatus::Active {
            return false;
        }
        match token.expires_at {
            None => self.expiry_required(),
            Some(at) => self
                .max_lifetime_secs()
                .is_some_and(|max| lifetime(token.created_at, at) > max),
        }
    }
}

fn lifetime(created: DateTime<Utc>, expires: DateTime<Utc>) -> i64 {
    expires.timestamp() - created.timestamp()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn token(lifetime_days: Option<i64>, extra_secs: i64, status: TokenStatus) -> TokenRecord {
        let created = Utc.timestamp_opt(1_000_000_000, 0).single().expect("time");
        TokenRecord {
            id: "t".into(),
            name: "n".into(),
            prefix: "kbai_pk_0000".into(),
            scopes: vec!["messages.read".into()],
            created_at: created,
            expires_at: lifetime_days
                .map(|d| created + chrono::Duration::seconds(d * DAY + extra_secs)),
            last_used_at: None,
            revoked_at: None,
            status,
            rotated_from: None,
            replaced_by: None,
        }
    }

    #[test]
    fn a_token_breaks_the_policy_exactly_as_the_server_decides() {
        let open = TokenPolicy::default();
        let required = TokenPolicy {
            max_lifetime_days: None,
            require_expiration: true,
        };
        let ninety = TokenPolicy {
            max_lifetime_days: Some(90),
            require_expiration: false,
        };
        let forever = token(None, 0, TokenStatus::Active);
        assert!(!open.broken_by(&forever));
        assert!(required.broken_by(&forever));
        assert!(ninety.broken_by(&forever), "a maximum implies an expiry");
        let edge = token(Some(90), POLICY_CLOCK_SLACK_SECS, TokenStatus::Active);
        assert!(
            !ninety.broken_by(&edge),
            "the maximum, slack included, keeps it"
        );
        let over = token(Some(90), POLICY_CLOCK_SLACK_SECS + 1, TokenStatus::Active);
        assert!(ninety.broken_by(&over));
        assert!(!required.broken_by(&over));
        for status in [TokenStatus::Revoked, TokenStatus::Expired] {
            assert!(
                !ninety.broken_by(&token(None, 0, status)),
                "only working tokens"
            );
        }
    }
}
