//! The Settings page's choices and what the sign-in screen starts from: read from and saved to
//! `settings.json` at once, so a change survives a crash.

use std::sync::Arc;

use super::{lock, AppService};
use crate::dto::AppConfig;
use crate::error::AppResult;
use crate::notifier::Notifier;
use crate::reminders::{self, Attention};
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
            reminders: settings.reminders,
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

    /// "Remind me about expiring and overdue tokens". The badge on **Rotation** stays either
    /// way; this turns the desktop notification on or off.
    pub fn set_reminders(&self, on: bool) -> AppResult<bool> {
        let mut settings = lock(&self.settings)?;
        settings.reminders = on;
        self.settings_file.save(&settings)?;
        tracing::info!(on, "reminder notifications");
        Ok(on)
    }

    /// Gives the service the OS notification service (the app's set-up does; tests may not).
    pub fn set_notifier(&self, notifier: Arc<dyn Notifier>) {
        if let Ok(mut slot) = self.notifier.lock() {
            *slot = Some(notifier);
        }
    }

    /// After a load of the user's token list (live or cached): the day's reminder, if one is
    /// due ([`crate::reminders::should_notify`]). The day is claimed under the settings lock
    /// before the notification is shown, so two syncs at once cannot both remind; a
    /// notification that could not be shown gives the day back (logged, tried at the next load).
    pub(super) fn remind(&self, attention: &Attention) {
        let Some(notifier) = self.notifier.lock().ok().and_then(|n| n.clone()) else {
            return;
        };
        let today = chrono::Local::now().date_naive();
        let Some(before) = self.claim_reminder_day(attention, today) else {
            return;
        };
        // Not under the settings lock: the notification service may take a moment.
        let (title, body) = reminders::message(attention);
        match notifier.notify(&title, &body, reminders::REMINDER_PATH) {
            Ok(()) => tracing::info!(count = attention.count, "reminder shown"),
            Err(e) => {
                tracing::warn!(error = %e, "the reminder could not be shown");
                self.set_reminded_on(before);
            }
        }
    }

    /// Marks `today` as reminded if a reminder is due; the previous day, to give back, or
    /// `None` when none is due.
    fn claim_reminder_day(
        &self,
        attention: &Attention,
        today: chrono::NaiveDate,
    ) -> Option<Option<chrono::NaiveDate>> {
        let mut settings = lock(&self.settings).ok()?;
        if !reminders::should_notify(settings.reminders, attention, settings.reminded_on, today) {
            return None;
        }
        let before = settings.reminded_on.replace(today);
        if let Err(e) = self.settings_file.save(&settings) {
            // Still at most one in this run: the day is claimed in memory.
            tracing::warn!(error = %e, "the reminder's day was not saved");
        }
        Some(before)
    }

    fn set_reminded_on(&self, day: Option<chrono::NaiveDate>) {
        let saved = lock(&self.settings).and_then(|mut settings| {
            settings.reminded_on = day;
            self.settings_file.save(&settings)
        });
        if let Err(e) = saved {
            tracing::warn!(error = %e, "the reminder's day was not saved");
        }
    }
}
