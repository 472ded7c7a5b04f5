//! The tenant's token policy: reading it (any credential of the tenant), setting it
//! (`admin.manage_roles`, with a session), and what it means for tokens — a new token's expiry
//! must meet it (422 naming it), a rotation's fresh expiry is capped by it, and the inventory
//! finds the existing tokens that break it.

use keebai_api::wire::{AuditDetail, TokenPolicy, MAX_POLICY_DAYS};

use super::audit::AuditAction;
use super::auth::Principal;
use super::context::RequestContext;
use super::error::{DomainError, DomainResult};
use super::permissions::MANAGE_ROLES;
use super::{from_ts, now, Service};
use crate::store::{PolicyBreach, PolicyRow, TenantId};

const DAY: i64 = 86_400;

impl Service {
    /// `GET /v1/tenant/token-policy`: any signed-in member of the tenant may read it, since it
    /// decides what their Create dialog offers.
    pub async fn token_policy(&self, principal: &Principal) -> DomainResult<TokenPolicy> {
        self.policy_of(principal.tenant_id()).await
    }

    /// `PUT /v1/tenant/token-policy`: replaces the policy; recorded as `policy.changed` with
    /// the policy before and after. Existing tokens are not touched.
    pub async fn set_token_policy(
        &self,
        ctx: &RequestContext,
        policy: TokenPolicy,
    ) -> DomainResult<TokenPolicy> {
        let principal = &ctx.principal;
        // The contract's rule is the permission alone: unlike users and roles, the policy may
        // be kept by automation, with a PAT whose scopes include `admin.manage_roles`.
        principal.require(MANAGE_ROLES)?;
        if let Some(days) = policy.max_lifetime_days {
            if !(1..=MAX_POLICY_DAYS).contains(&days) {
                return Err(DomainError::invalid(
                    "max_lifetime_days",
                    format!("must be 1–{MAX_POLICY_DAYS} days, or null for no maximum"),
                ));
            }
        }
        let tenant = principal.tenant_id();
        let previous = self.policy_of(tenant).await?;
        let row = PolicyRow {
            max_lifetime_days: policy.max_lifetime_days.map(i64::from),
            require_expiration: policy.require_expiration,
        };
        self.store
            .set_token_policy(tenant, &row, now().timestamp())
            .await?;
        let detail = AuditDetail {
            policy: Some(policy),
            previous_policy: Some(previous),
            ..AuditDetail::default()
        };
        self.record(
            ctx,
            AuditAction::PolicyChanged,
            Some(tenant.as_str()),
            Some(&detail),
        )
        .await;
        tracing::info!(
            max_lifetime_days = ?policy.max_lifetime_days,
            require_expiration = policy.require_expiration,
            "token policy changed"
        );
        Ok(policy)
    }

    /// The tenant's policy, read now (never cached: a change applies to the next create on
    /// every replica).
    pub(super) async fn policy_of(&self, tenant: &TenantId) -> DomainResult<TokenPolicy> {
        let row = self.store.token_policy(tenant).await?;
        Ok(TokenPolicy {
            max_lifetime_days: row
                .max_lifetime_days
                .map(|d| u32::try_from(d).unwrap_or(MAX_POLICY_DAYS)),
            require_expiration: row.require_expiration,
        })
    }
}

/// Whether a new token created at `now` with `expires_at` meets `policy`; the 422 names the
/// policy and what would meet it.
pub fn check_expiry(policy: &TokenPolicy, expires_at: Option<i64>, now: i64) -> DomainResult<()> {
    match (expires_at, policy.max_lifetime_days) {
        (None, Some(days)) => Err(DomainError::invalid(
            "expires_at",
            format!(
                "the tenant's token policy allows tokens to live at most {days} days, so a token \
                 needs an expiry (no later than {})",
                latest(now, days)
            ),
        )),
        (None, None) if policy.require_expiration => Err(DomainError::invalid(
            "expires_at",
            "the tenant's token policy requires an expiry: choose an expiry date",
        )),
        (Some(at), Some(days)) if policy.max_lifetime_secs().is_some_and(|max| at - now > max) => {
            Err(DomainError::invalid(
                "expires_at",
                format!(
                    "the tenant's token policy allows tokens to live at most {days} days: choose \
                     an expiry no later than {}",
                    latest(now, days)
                ),
            ))
        }
        _ => Ok(()),
    }
}

fn latest(now: i64, days: u32) -> String {
    from_ts(now + i64::from(days) * DAY).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A rotation's fresh lifetime (the old token's, or the default) within the policy's maximum.
pub fn cap_lifetime(policy: &TokenPolicy, lifetime_secs: i64) -> i64 {
    policy
        .max_lifetime_days
        .map_or(lifetime_secs, |d| lifetime_secs.min(i64::from(d) * DAY))
}

/// The inventory's test for tokens that break (or, `breaks: false`, keep) `policy`, in SQL what
/// [`TokenPolicy::broken_by`] is for one record. A token created within the slack of the
/// maximum keeps it, as its creation did.
pub fn breach(policy: &TokenPolicy, breaks: bool) -> PolicyBreach {
    PolicyBreach {
        expiry_required: policy.expiry_required(),
        max_lifetime_secs: policy.max_lifetime_secs(),
        breaks,
    }
}

#[cfg(test)]
mod tests {
    use keebai_api::wire::POLICY_CLOCK_SLACK_SECS;

    use super::*;

    const NOW: i64 = 1_000_000_000;

    #[test]
    fn expiry_meets_the_policy_at_its_boundaries() {
        let open = TokenPolicy::default();
        assert!(check_expiry(&open, None, NOW).is_ok());
        assert!(check_expiry(&open, Some(NOW + 9_000 * DAY), NOW).is_ok());
        let required = TokenPolicy {
            max_lifetime_days: None,
            require_expiration: true,
        };
        assert!(check_expiry(&required, None, NOW).is_err());
        assert!(check_expiry(&required, Some(NOW + 9_000 * DAY), NOW).is_ok());
        let ninety = TokenPolicy {
            max_lifetime_days: Some(90),
            require_expiration: false,
        };
        assert!(
            check_expiry(&ninety, None, NOW).is_err(),
            "a maximum implies an expiry"
        );
        let edge = NOW + 90 * DAY + POLICY_CLOCK_SLACK_SECS;
        assert!(check_expiry(&ninety, Some(edge), NOW).is_ok());
        let err = check_expiry(&ninety, Some(edge + 1), NOW).expect_err("over");
        assert!(err.to_string().contains("at most 90 days"), "{err}");
    }

    #[test]
    fn a_rotation_keeps_its_lifetime_within_the_maximum() {
        let ninety = TokenPolicy {
            max_lifetime_days: Some(90),
            require_expiration: false,
        };
        assert_eq!(cap_lifetime(&ninety, 365 * DAY), 90 * DAY);
        assert_eq!(cap_lifetime(&ninety, 30 * DAY), 30 * DAY);
        assert_eq!(cap_lifetime(&TokenPolicy::default(), 365 * DAY), 365 * DAY);
    }
}
