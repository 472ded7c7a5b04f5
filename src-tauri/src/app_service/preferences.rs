//! The Settings page's choices and what the sign-in screen starts from: read from and saved to
//! `settings.json` at once, so a change survives a crash.

use super::{lock, AppService};
use crate::dto::AppConfig;
use crate::error::AppResult;
use crate::settings::{MAX_CLIPBOARD_SECONDS, MIN_CLIPBOARD_SECONDS, SERVER_URL_ENV};

impl AppService {
    pub fn config(&self) -> AppResult<AppConfig> {
        let settings = lock(&self.settings)?.clone();
        let env_server = std::env::var(SERVER_URL_ENV)
            .ok()
            .filter(|s| !s.trim().is_empty());
        Ok(AppConfig {
            default_server: env_server
                .or_else(|| settings.last_account.as_ref().map(|a| a.server.clone())),
            last_account: settings.last_account,
            clipboard_clear_seconds: settings.clipboard_clear_seconds,
            keep_offline_copy: settings.keep_offline_copy,
            stale_days: settings.stale_days,
            work_hours: settings.work_hours.clone().sanitized(),
            version: env!("CARGO_PKG_VERSION"),
            cache_notice: self.cache.take_notice(),
        })
    }

    pub fn set_clipboard_timeout(&self, seconds: u32) -> AppResult<u32> {
        let seconds = seconds.clamp(MIN_CLIPBOARD_SECONDS, MAX_CLIPBOARD_SECONDS);
        let mut settings = lock(&self.settings)?;
        settings.clipboard_clear_seconds = seconds;
        self.settings_file.save(&settings)?;
        Ok(seconds)
    }

    /// "Keep an offline copy after signing out". Turning it off removes nothing now; the next
    /// **Sign out** does.
    pub fn set_keep_offline_copy(&self, keep: bool) -> AppResult<bool> {
        let mut settings = lock(&self.settings)?;
        settings.keep_offline_copy = keep;
        self.settings_file.save(&settings)?;
        tracing::info!(keep, "offline copy after sign-out");
        Ok(keep)
    }
}
