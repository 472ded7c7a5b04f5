//! The security admins' tenant-wide token inventory (`developer.audit_tokens`): every token
//! of the caller's tenant with its owner, filtered and cursor-paged. Revoking from it is in
//! [`super::admin_revoke`].

use keebai_api::wire::{
    InventoryFilter, InventoryPage, InventoryToken, TokenOwner, TokenPolicy, TokenStatus,
    MAX_INVENTORY_PAGE,
};

use super::auth::Principal;
use super::error::{DomainError, DomainResult};
use super::inventory_cursor;
use super::permissions::{self, AUDIT_TOKENS};
use super::policy;
use super::{now, Service};
use crate::store::{InventoryRow, StatusIs, TenantId, TokenFilter};

/// The page size when a client names none.
pub const DEFAULT_PAGE: u32 = 100;
/// Most days a day-count filter takes (ten years).
pub const MAX_DAYS: u32 = 3650;
/// Longest `q` and `user_id`, in characters.
const MAX_TEXT: usize = 200;

impl Service {
    /// `GET /v1/admin/tokens`: one page, newest first, of the tenant's tokens that `filter`
    /// matches, with their owners. `limit` is 1–[`MAX_INVENTORY_PAGE`]; `cursor` is a previous
    /// page's `next_cursor` for the same filter.
    pub async fn token_inventory(
        &self,
        principal: &Principal,
        filter: &InventoryFilter,
        cursor: Option<&str>,
        limit: u32,
    ) -> DomainResult<InventoryPage> {
        principal.require(AUDIT_TOKENS)?;
        if !(1..=MAX_INVENTORY_PAGE).contains(&limit) {
            return Err(DomainError::invalid(
                "limit",
                format!("must be 1–{MAX_INVENTORY_PAGE}"),
            ));
        }
        let now = now().timestamp();
        let tenant_id = principal.tenant_id();
        let (parsed, normalised) = self.parse_inventory_filter(tenant_id, filter, now).await?;
        let listing = inventory_cursor::listing_of(tenant_id, &normalised);
        let after = cursor
            .map(|c| inventory_cursor::decode(c, &listing))
            .transpose()?;
        // One row more than asked tells whether another page follows, so the last page never
        // hands out a cursor to an empty one.
        let mut rows = self
            .store
            .token_inventory(tenant_id, &parsed, now, after.as_ref(), limit + 1)
            .await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = more
            .then(|| rows.last())
            .flatten()
            .map(|r| inventory_cursor::encode(&position_of(r), &listing));
        Ok(InventoryPage {
            tokens: rows
                .into_iter()
                .map(|r| self.to_inventory_token(r, now))
                .collect(),
            next_cursor,
        })
    }

    /// [`parse_filter`] with the tenant's current policy, read only when the filter asks about it.
    pub async fn parse_inventory_filter(
        &self,
        tenant_id: &TenantId,
        f: &InventoryFilter,
        now: i64,
    ) -> DomainResult<(TokenFilter, String)> {
        let policy = match f.violates_policy {
            Some(_) => self.policy_of(tenant_id).await?,
            None => TokenPolicy::default(),
        };
        parse_filter(f, now, &policy)
    }

    /// The wire form of an inventory row.
    pub fn to_inventory_token(&self, r: InventoryRow, now: i64) -> InventoryToken {
        let owner = TokenOwner {
            id: r.token.user_id.to_string(),
            email: r.owner_email,
            name: r.owner_name,
        };
        InventoryToken {
            record: self.to_record(r.token, now),
            owner,
            owner_disabled: r.owner_disabled,
        }
    }
}

fn position_of(r: &InventoryRow) -> crate::store::Position {
    crate::store::Position {
        created_at: r.token.created_at,
        id: r.token.id.clone(),
    }
}

/// The store's filter for `f` at `now` under `policy`, and `f` normalised as text (what a
/// cursor is bound to: the day counts, not the times they come to, so a cursor outlives the
/// second it was made in).
pub fn parse_filter(
    f: &InventoryFilter,
    now: i64,
    policy: &TokenPolicy,
) -> DomainResult<(TokenFilter, String)> {
    let text = |field: &'static str, v: &Option<String>| -> DomainResult<Option<String>> {
        let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        if v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                field,
                format!("must be at most {MAX_TEXT} characters, without control characters"),
            ));
        }
        Ok(Some(v.to_owned()))
    };
    let days = |field: &'static str, v: Option<u32>| -> DomainResult<Option<i64>> {
        match v {
            None => Ok(None),
            Some(d) if (1..=MAX_DAYS).contains(&d) => Ok(Some(i64::from(d) * 86_400)),
            Some(_) => Err(DomainError::invalid(
                field,
                format!("must be 1–{MAX_DAYS} days"),
            )),
        }
    };
    let scope = text("scope", &f.scope)?;
    if let Some(s) = &scope {
        if !permissions::is_known(s) {
            return Err(DomainError::invalid(
                "scope",
                format!("{s} is not a permission key (see GET /v1/permissions)"),
            ));
        }
    }
    let normalised = InventoryFilter {
        status: f.status,
        user_id: text("user_id", &f.user_id)?,
        q: text("q", &f.q)?,
        scope,
        unused_days: f.unused_days,
        expiring_within_days: f.expiring_within_days,
        no_expiry: f.no_expiry,
        owner_disabled: f.owner_disabled,
        violates_policy: f.violates_policy,
    };
    let parsed = TokenFilter {
        status: normalised.status.map(|s| match s {
            TokenStatus::Active => StatusIs::Active,
            TokenStatus::Expired => StatusIs::Expired,
            TokenStatus::Revoked => StatusIs::Revoked,
        }),
        user_id: normalised.user_id.clone().map(Into::into),
        q: normalised.q.clone(),
        scope: normalised.scope.clone(),
        unused_since: days("unused_days", f.unused_days)?.map(|d| now - d),
        expiring_by: days("expiring_within_days", f.expiring_within_days)?.map(|d| now + d),
        no_expiry: f.no_expiry,
        owner_disabled: f.owner_disabled,
        policy_breach: f
            .violates_policy
            .map(|breaks| policy::breach(policy, breaks)),
    };
    let normalised = serde_json::to_string(&normalised)
        .map_err(|e| DomainError::Internal(format!("filter as JSON: {e}")))?;
    Ok((parsed, normalised))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_counts_become_times_and_bounds_are_enforced() {
        let f = InventoryFilter {
            unused_days: Some(30),
            expiring_within_days: Some(7),
            q: Some("  ci ".into()),
            ..InventoryFilter::default()
        };
        let (p, n) = parse_filter(&f, 1_000_000_000, &TokenPolicy::default()).expect("ok");
        assert_eq!(p.unused_since, Some(1_000_000_000 - 30 * 86_400));
        assert_eq!(p.expiring_by, Some(1_000_000_000 + 7 * 86_400));
        assert_eq!(p.q.as_deref(), Some("ci"));
        assert!(n.contains(r#""q":"ci""#), "{n}");
        for bad in [
            InventoryFilter {
                unused_days: Some(0),
                ..InventoryFilter::default()
            },
            InventoryFilter {
                expiring_within_days: Some(MAX_DAYS + 1),
                ..InventoryFilter::default()
            },
            InventoryFilter {
                scope: Some("no.such".into()),
                ..InventoryFilter::default()
            },
            InventoryFilter {
                q: Some("x".repeat(MAX_TEXT + 1)),
                ..InventoryFilter::default()
            },
        ] {
            assert!(
                parse_filter(&bad, 0, &TokenPolicy::default()).is_err(),
                "{bad:?}"
            );
        }
    }
}
