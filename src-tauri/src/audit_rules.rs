//! The Audit screen's rules: which tokens each view holds, decided from a token list alone (the
//! cached one, so the views work offline). Plain functions of the list and a moment, tested at
//! their boundaries; [`crate::app_service`]'s `audit_views` hands them the cache and the clock.
//!
//! The rules, as the Audit screen explains them:
//! * Only tokens that still work are audited: not revoked, and not expired **at `now`** — a
//!   cached list says `active` for a token that has expired since the sync, so the time decides,
//!   not the cached status. A token replaced by a rotation still works until it stops, so it is
//!   audited too, except for **Due for rotation** (it has been rotated).
//! * **Stale** — used, but not in the last `stale_days` whole days (a token last used exactly
//!   30 × 24 hours ago is 30 days unused, stale at the default 30; 29 days 23 hours is not).
//!   Never-used tokens are in **Never used** only, so the two views never overlap.
//! * **Never used** — no recorded use.
//! * **No expiration** — no expiry date.
//! * **Expiring soon** — expires within 14 days from now (exactly 14 × 24 hours away included).
//! * **Due for rotation** — created 90 or more days ago (exactly 90 × 24 hours included, as on
//!   the Rotation screen), most overdue first.
//! * **Broad scopes** — holds a scope that is not read-only. A scope is read-only when its
//!   catalog key's action (after the last `.`) is `read` (`messages.read`); every other key —
//!   `messages.write`, `admin.manage_users`, `developer.manage_tokens`, one the app doesn't know
//!   — counts as write or admin, so a new kind of permission is flagged rather than missed.
//! * **Off-hours activity** and **New address** need each token's usage history as well
//!   ([`audit_with_usage`]; the rules are in [`crate::usage_rules`]). The Inventory has no
//!   usage of other people's tokens, so it shows the first six views only.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use keebai_api::wire::{TokenRecord, TokenStatus, TokenUsage};
use serde::Serialize;

use crate::usage_rules::{new_addresses, OffHoursCounter, WorkHours};

/// The **Stale** view's default: not used in 30 days.
pub const DEFAULT_STALE_DAYS: u32 = 30;
/// The bounds of the Stale setting.
pub const MIN_STALE_DAYS: u32 = 1;
pub const MAX_STALE_DAYS: u32 = 365;
/// **Expiring soon**: within this many days.
pub const EXPIRING_SOON_DAYS: i64 = 14;
/// **Due for rotation**: this many days after creation.
pub const ROTATE_AFTER_DAYS: i64 = 90;

/// The views, in the order the screen lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AuditViewKind {
    Stale,
    NeverUsed,
    NoExpiration,
    ExpiringSoon,
    DueForRotation,
    BroadScopes,
    OffHours,
    NewAddress,
}

impl AuditViewKind {
    pub const ALL: [AuditViewKind; 6] = [
        Self::Stale,
        Self::NeverUsed,
        Self::NoExpiration,
        Self::ExpiringSoon,
        Self::DueForRotation,
        Self::BroadScopes,
    ];
    /// The views that read usage histories too.
    pub const USAGE: [AuditViewKind; 2] = [Self::OffHours, Self::NewAddress];
}

/// One view: its tokens' ids in the order the table shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditView {
    pub kind: AuditViewKind,
    pub count: u32,
    pub token_ids: Vec<String>,
}

/// Whether the token still works at `now` (see the module docs).
pub fn audited(t: &TokenRecord, now: DateTime<Utc>) -> bool {
    t.status == TokenStatus::Active
        && t.revoked_at.is_none()
        && t.expires_at.is_none_or(|e| e > now)
}

/// Whether a scope key grants only reading.
pub fn read_only(scope: &str) -> bool {
    scope.rsplit('.').next() == Some("read") && scope.contains('.')
}

/// Whole days from `then` to `now` (29 days 23 hours is 29).
fn days_since(then: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - then).num_days()
}

fn is_in(kind: AuditViewKind, t: &TokenRecord, now: DateTime<Utc>, stale_days: u32) -> bool {
    match kind {
        AuditViewKind::Stale => t
            .last_used_at
            .is_some_and(|u| days_since(u, now) >= i64::from(stale_days)),
        AuditViewKind::NeverUsed => t.last_used_at.is_none(),
        AuditViewKind::NoExpiration => t.expires_at.is_none(),
        AuditViewKind::ExpiringSoon => t
            .expires_at
            .is_some_and(|e| e - now <= Duration::days(EXPIRING_SOON_DAYS)),
        AuditViewKind::DueForRotation => {
            t.replaced_by.is_none() && now - t.created_at >= Duration::days(ROTATE_AFTER_DAYS)
        }
        AuditViewKind::BroadScopes => t.scopes.iter().any(|s| !read_only(s)),
        // Decided by `audit_with_usage`, never from the list alone.
        AuditViewKind::OffHours | AuditViewKind::NewAddress => false,
    }
}

/// Orders a view's tokens: what needs attention first, then by name for a stable order.
fn order(kind: AuditViewKind, tokens: &mut [&TokenRecord]) {
    tokens.sort_by(|a, b| {
        let first = match kind {
            // Longest unused first.
            AuditViewKind::Stale => a.last_used_at.cmp(&b.last_used_at),
            // Expiring first.
            AuditViewKind::ExpiringSoon => a.expires_at.cmp(&b.expires_at),
            // Oldest (most overdue, longest without an end) first.
            AuditViewKind::NeverUsed
            | AuditViewKind::NoExpiration
            | AuditViewKind::DueForRotation => a.created_at.cmp(&b.created_at),
            AuditViewKind::BroadScopes | AuditViewKind::OffHours | AuditViewKind::NewAddress => {
                std::cmp::Ordering::Equal
            }
        };
        first
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// Every view of `tokens` at `now`, in [`AuditViewKind::ALL`]'s order.
pub fn audit(tokens: &[TokenRecord], now: DateTime<Utc>, stale_days: u32) -> Vec<AuditView> {
    let live: Vec<&TokenRecord> = tokens.iter().filter(|t| audited(t, now)).collect();
    AuditViewKind::ALL
        .into_iter()
        .map(|kind| {
            let mut held: Vec<&TokenRecord> = live
                .iter()
                .copied()
                .filter(|t| is_in(kind, t, now, stale_days))
                .collect();
            order(kind, &mut held);
            AuditView {
                kind,
                count: u32::try_from(held.len()).unwrap_or(u32::MAX),
                token_ids: held.into_iter().map(|t| t.id.clone()).collect(),
            }
        })
        .collect()
}

/// What the usage-based views read: each token's cached usage by id, the working hours and
/// the user's time zone.
pub struct UsageFacts<'a, Tz: TimeZone> {
    pub usage: &'a HashMap<String, TokenUsage>,
    pub hours: &'a WorkHours,
    pub tz: &'a Tz,
}

/// Every view of [`audit`], then **Off-hours activity** (most off-hours uses first) and **New
/// address** (the newest address first), for the audited tokens whose usage is known.
pub fn audit_with_usage<Tz: TimeZone>(
    tokens: &[TokenRecord],
    now: DateTime<Utc>,
    stale_days: u32,
    facts: &UsageFacts<'_, Tz>,
) -> Vec<AuditView> {
    let mut views = audit(tokens, now, stale_days);
    let live: Vec<(&TokenRecord, &TokenUsage)> = tokens
        .iter()
        .filter(|t| audited(t, now))
        .filter_map(|t| facts.usage.get(&t.id).map(|u| (t, u)))
        .collect();
    let counter = OffHoursCounter::new(facts.hours, facts.tz, now);
    let mut off: Vec<(u64, &TokenRecord)> = live
        .iter()
        .map(|(t, u)| (counter.count(u), *t))
        .filter(|(n, _)| *n > 0)
        .collect();
    off.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let mut fresh: Vec<(DateTime<Utc>, &TokenRecord)> = live
        .iter()
        .filter_map(|(t, u)| {
            new_addresses(u, now)
                .into_iter()
                .map(|a| a.first_seen)
                .max()
                .map(|at| (at, *t))
        })
        .collect();
    fresh.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    for (kind, ids) in [
        (
            AuditViewKind::OffHours,
            off.into_iter()
                .map(|(_, t)| t.id.clone())
                .collect::<Vec<_>>(),
        ),
        (
            AuditViewKind::NewAddress,
            fresh.into_iter().map(|(_, t)| t.id.clone()).collect(),
        ),
    ] {
        views.push(AuditView {
            kind,
            count: u32::try_from(ids.len()).unwrap_or(u32::MAX),
            token_ids: ids,
        });
    }
    views
}

#[cfg(test)]
mod tests;
