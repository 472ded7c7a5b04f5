//! The data folder and the small, non-secret settings file inside it.
//!
//! `settings.json` holds the clipboard timeout, whether to keep an offline copy of the token list
//! after signing out, the Audit and reminder choices (and the day of the last reminder), and which account signed in last (server, tenant, email) so the next
//! launch knows which keyring entry to look for. It never holds a credential. It is 0600.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::private_files;

/// Environment variable that moves the data folder (tests use a temporary one).
pub const DATA_DIR_ENV: &str = "KEEBAI_DATA_DIR";
/// Environment variable that pre-fills the Server field.
pub const SERVER_URL_ENV: &str = "KEEBAI_SERVER_URL";

pub const DEFAULT_CLIPBOARD_SECONDS: u32 = 30;
pub const MIN_CLIPBOARD_SECONDS: u32 = 5;
pub const MAX_CLIPBOARD_SECONDS: u32 = 600;

/// `$KEEBAI_DATA_DIR` when set, else the OS data folder for the app.
pub fn data_dir() -> AppResult<PathBuf> {
    if let Some(dir) = data_dir_override() {
        return Ok(dir);
    }
    directories::ProjectDirs::from("com", "Keebai", "Keebai Keys")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| AppError::local_storage("data folder", "no home directory"))
}

/// `$KEEBAI_DATA_DIR`, when it is set (and not empty).
pub fn data_dir_override() -> Option<PathBuf> {
    std::env::var_os(DATA_DIR_ENV)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// Who signed in: enough to find the keyring entry and the cached list again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Account {
    pub server: String,
    pub tenant: String,
    pub email: String,
}

impl Account {
    /// The keyring user name and cache key, e.g. `ada@acme.test@acme@http://127.0.0.1:8080`.
    /// The email is lowercased, as the server compares it, so `Dev@acme.test` and
    /// `dev@acme.test` are one account with one keyring entry and one cached list.
    pub fn key(&self) -> String {
        format!(
            "{}@{}@{}",
            self.email.to_lowercase(),
            self.tenant,
            self.server
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub clipboard_clear_seconds: u32,
    /// "Keep an offline copy after signing out": when off (the default), **Sign out** removes
    /// the account's cached token list from this computer.
    pub keep_offline_copy: bool,
    pub last_account: Option<Account>,
    /// The Audit screen's **Stale**: not used in this many days.
    pub stale_days: u32,
    /// When tokens are expected to be used (**Off-hours activity**), in local time.
    pub work_hours: crate::usage_rules::WorkHours,
    /// "Remind me about expiring and overdue tokens" (on by default; [`crate::reminders`]).
    pub reminders: bool,
    /// The local day the last reminder was shown, so there is at most one a day.
    pub reminded_on: Option<chrono::NaiveDate>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            clipboard_clear_seconds: DEFAULT_CLIPBOARD_SECONDS,
            keep_offline_copy: false,
            last_account: None,
            stale_days: crate::audit_rules::DEFAULT_STALE_DAYS,
            work_hours: crate::usage_rules::WorkHours::default(),
            reminders: true,
            reminded_on: None,
        }
    }
}

/// Reads and writes `settings.json` in the data folder.
#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join("settings.json"),
        }
    }

    /// A missing or unreadable file gives the defaults: settings are a convenience, and a
    /// broken file must not lock the user out. A file left readable by others is made 0600.
    pub fn load(&self) -> Settings {
        if let Err(e) = private_files::tighten(&self.path) {
            tracing::warn!(error = %e, "could not make settings.json private");
        }
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, settings: &Settings) -> AppResult<()> {
        let err = |e: std::io::Error| AppError::local_storage("settings", e);
        if let Some(dir) = self.path.parent() {
            private_files::private_dir(dir).map_err(err)?;
        }
        let json = serde_json::to_vec_pretty(settings)
            .map_err(|e| AppError::local_storage("settings", e))?;
        // Write-then-rename so a crash never leaves half a file; the new file is 0600 before
        // its first byte, and the rename keeps that mode.
        let tmp = self.path.with_extension("json.tmp");
        let mut file = private_files::create(&tmp).map_err(err)?;
        std::io::Write::write_all(&mut file, &json).map_err(err)?;
        file.sync_all().map_err(err)?;
        drop(file);
        std::fs::rename(&tmp, &self.path).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = SettingsFile::in_dir(dir.path());
        assert_eq!(file.load(), Settings::default());
        let s = Settings {
            clipboard_clear_seconds: 45,
            keep_offline_copy: true,
            last_account: Some(Account {
                server: "http://127.0.0.1:1".into(),
                tenant: "acme".into(),
                email: "a@b.c".into(),
            }),
            stale_days: 45,
            work_hours: crate::usage_rules::WorkHours {
                days: [false, true, true, true, true, true, false],
                start_hour: 6,
                end_hour: 22,
            },
            reminders: false,
            reminded_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 3),
        };
        file.save(&s).expect("save");
        assert_eq!(file.load(), s);
        #[cfg(unix)]
        assert_eq!(
            private_files::mode_of(&dir.path().join("settings.json")).expect("mode"),
            0o600
        );
        std::fs::write(dir.path().join("settings.json"), b"{not json").expect("write");
        assert_eq!(file.load(), Settings::default());
    }

    #[test]
    fn an_older_file_without_the_newer_settings_gets_their_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("settings.json"),
            br#"{"clipboard_clear_seconds": 45, "last_account": null}"#,
        )
        .expect("write");
        let loaded = SettingsFile::in_dir(dir.path()).load();
        assert_eq!(loaded.clipboard_clear_seconds, 45);
        assert!(!loaded.keep_offline_copy);
        assert_eq!(loaded.stale_days, crate::audit_rules::DEFAULT_STALE_DAYS);
        assert!(loaded.reminders, "reminders are on unless turned off");
        assert_eq!(loaded.reminded_on, None);
    }

    #[test]
    fn one_account_whatever_the_case_of_its_email() {
        let account = |email: &str| Account {
            server: "https://keebai.example.com".into(),
            tenant: "acme".into(),
            email: email.into(),
        };
        assert_eq!(
            account("Dev@ACME.test").key(),
            account("dev@acme.test").key()
        );
        assert_eq!(
            account("Dev@acme.test").key(),
            "dev@acme.test@acme@https://keebai.example.com"
        );
    }
}
