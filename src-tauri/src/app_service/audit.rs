//! The Audit screen: its views computed from the cached token list and the clock, never the
//! network, so they read the same online and offline (the list is as fresh as the last sync;
//! the rules live in [`crate::audit_rules`]).

use chrono::Utc;

use super::{lock, AppService};
use crate::audit_rules::{audit, MAX_STALE_DAYS, MIN_STALE_DAYS};
use crate::dto::AuditReport;
use crate::error::AppResult;

impl AppService {
    /// Every view's count and tokens, from the cached list; `None` when nothing is cached for
    /// the account yet.
    pub fn audit_views(&self) -> AppResult<Option<AuditReport>> {
        let stale_days = lock(&self.settings)?
            .stale_days
            .clamp(MIN_STALE_DAYS, MAX_STALE_DAYS);
        let Some(list) = self.cached_tokens()? else {
            return Ok(None);
        };
        let now = Utc::now();
        Ok(Some(AuditReport {
            views: audit(&list.tokens, now, stale_days),
            tokens: list.tokens,
            stale_days,
            offline: list.offline,
            fetched_at: list.fetched_at,
            computed_at: now,
        }))
    }

    /// The **Stale** view's number of days (Settings), kept within 1–365.
    pub fn set_stale_days(&self, days: u32) -> AppResult<u32> {
        let days = days.clamp(MIN_STALE_DAYS, MAX_STALE_DAYS);
        let mut settings = lock(&self.settings)?;
        settings.stale_days = days;
        self.settings_file.save(&settings)?;
        Ok(days)
    }
}
