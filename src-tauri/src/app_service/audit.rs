//! The Audit screen: its views computed from the cached token list, the cached usage and the
//! clock, never the network, so they read the same online and offline (as fresh as the last
//! sync; the rules live in [`crate::audit_rules`] and [`crate::usage_rules`]), and a token's
//! detail panel: its week × hour heat map, its addresses and its rotation history.

use std::collections::HashMap;

use chrono::{Local, Utc};
use keebai_api::wire::{TokenRecord, TokenUsage};

use super::{lock, AppService};
use crate::audit_rules::{audit_with_usage, UsageFacts, MAX_STALE_DAYS, MIN_STALE_DAYS};
use crate::cache::Kind;
use crate::dto::{AuditReport, TokenDetailView};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::sync_changes::{changes, SyncChanges, SyncSummary};
use crate::usage_rules::{heat_map, new_addresses, off_hours_uses, WorkHours};

impl AppService {
    /// Every view's count and tokens, from the cached list and usage; `None` when nothing is
    /// cached for the account yet. Off-hours are judged in this computer's time zone.
    pub fn audit_views(&self) -> AppResult<Option<AuditReport>> {
        let (stale_days, work_hours) = {
            let s = lock(&self.settings)?;
            (
                s.stale_days.clamp(MIN_STALE_DAYS, MAX_STALE_DAYS),
                s.work_hours.clone().sanitized(),
            )
        };
        let Some(list) = self.cached_tokens(None)? else {
            return Ok(None);
        };
        let usage = self.cached_usage(&list.tokens)?;
        let now = Utc::now();
        let facts = UsageFacts {
            usage: &usage,
            hours: &work_hours,
            tz: &Local,
        };
        Ok(Some(AuditReport {
            changes: self.changes_since_last_sync()?,
            views: audit_with_usage(&list.tokens, now, stale_days, &facts),
            tokens: list.tokens,
            stale_days,
            work_hours,
            offline: list.offline,
            fetched_at: list.fetched_at,
            computed_at: now,
        }))
    }

    /// One token of the cached list with what its cached usage says, and the tokens it was
    /// rotated from and into (oldest first, itself included).
    pub fn token_detail(&self, id: &str) -> AppResult<TokenDetailView> {
        let work_hours = lock(&self.settings)?.work_hours.clone().sanitized();
        let list = self
            .cached_tokens(None)?
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, "No token list is cached yet."))?;
        let by_id: HashMap<&str, &TokenRecord> =
            list.tokens.iter().map(|t| (t.id.as_str(), t)).collect();
        let token = *by_id
            .get(id)
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, "That token is not in the list."))?;
        let key = self.current()?.2.key();
        let usage = self.cache.usage(&key, id)?.map(|c| c.value);
        let now = Utc::now();
        Ok(TokenDetailView {
            history: rotation_history(token, &by_id),
            heat_map: usage.as_ref().map(|u| heat_map(u, &Local)),
            off_hours_uses: usage
                .as_ref()
                .map(|u| off_hours_uses(u, &work_hours, &Local, now)),
            new_addresses: usage
                .as_ref()
                .map(|u| new_addresses(u, now).iter().map(|a| a.ip.clone()).collect())
                .unwrap_or_default(),
            addresses: usage.map(|u| u.addresses).unwrap_or_default(),
            token: token.clone(),
            fetched_at: list.fetched_at,
            offline: list.offline,
        })
    }

    /// What changed from the sync before the latest to the latest; `None` before two syncs.
    pub fn changes_since_last_sync(&self) -> AppResult<Option<SyncChanges>> {
        let key = self.current()?.2.key();
        let latest = self.cache.get::<SyncSummary>(&key, Kind::SyncLatest, "")?;
        let previous = self
            .cache
            .get::<SyncSummary>(&key, Kind::SyncPrevious, "")?;
        Ok(match (previous, latest) {
            (Some(p), Some(l)) => Some(changes(&p.value, &l.value)),
            _ => None,
        })
    }

    /// The cached usage of these tokens, by id (tokens synced without usage are left out).
    fn cached_usage(&self, tokens: &[TokenRecord]) -> AppResult<HashMap<String, TokenUsage>> {
        let key = self.current()?.2.key();
        let mut all = self.cache.all_usage(&key)?;
        let wanted: std::collections::HashSet<&str> =
            tokens.iter().map(|t| t.id.as_str()).collect();
        all.retain(|id, _| wanted.contains(id.as_str()));
        Ok(all)
    }

    /// The **Stale** view's number of days (Settings), kept within 1–365.
    pub fn set_stale_days(&self, days: u32) -> AppResult<u32> {
        let days = days.clamp(MIN_STALE_DAYS, MAX_STALE_DAYS);
        let mut settings = lock(&self.settings)?;
        settings.stale_days = days;
        self.settings_file.save(&settings)?;
        Ok(days)
    }

    /// The working days and hours **Off-hours activity** is judged by (Settings); an
    /// impossible range is refused rather than guessed at.
    pub fn set_work_hours(&self, hours: WorkHours) -> AppResult<WorkHours> {
        if hours.clone().sanitized() != hours {
            return Err(AppError::new(
                ErrorCode::InvalidRequest,
                "Working hours must start before they end, within 0–24.",
            ));
        }
        let mut settings = lock(&self.settings)?;
        settings.work_hours = hours.clone();
        self.settings_file.save(&settings)?;
        Ok(hours)
    }
}

/// The rotation chain through `token`, oldest first, as far as the list holds it.
fn rotation_history(token: &TokenRecord, by_id: &HashMap<&str, &TokenRecord>) -> Vec<TokenRecord> {
    let mut chain = vec![token.clone()];
    let mut at = token;
    while let Some(prev) = at.rotated_from.as_deref().and_then(|id| by_id.get(id)) {
        if chain.iter().any(|t| t.id == prev.id) {
            break; // never loop on a malformed list
        }
        chain.insert(0, (*prev).clone());
        at = prev;
    }
    let mut at = token;
    while let Some(next) = at.replaced_by.as_deref().and_then(|id| by_id.get(id)) {
        if chain.iter().any(|t| t.id == next.id) {
            break;
        }
        chain.push((*next).clone());
        at = next;
    }
    chain
}
