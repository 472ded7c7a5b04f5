//! `AppService`: everything the app does, in plain Rust with no Tauri types, so the tests can
//! drive it against a real server without a web view. The Tauri commands are one-line calls
//! into it. One module per feature:
//!
//! * [`session`] — sign in, restore (from the keyring and the cached `me`, without the
//!   network), sync, sign out.
//! * [`tokens`] — the token list (live or cached), the scopes on offer, create, copy, revoke.
//! * [`rotation`] — rotate, with its four retire choices.
//! * [`roles`] — the tenant's roles and saving a role's permissions (System Settings → Roles).
//! * [`users`] — the tenant's users, creating one, assigning roles (System Settings → Users).
//! * [`activity`] — the audit trail (the Activity screen), cached for offline review.
//! * [`inventory`] — the tenant's tokens (cached), an administrator's revokes, one or bulk.
//! * [`preferences`] — the config, the Settings page's choices and the day's reminder.
//! * [`audit`] — the Audit screen's views, from the cached list (rules in
//!   [`crate::audit_rules`]).
//!
//! This file holds what they share, and [`AppService::checked`]: the one place a server answer
//! changes the session's state — a 401 from any call ends it, an unreachable server marks it
//! offline, any answer marks it online.
//!
//! Secrets it handles, and where they go:
//! * the session token: memory, the OS keyring (through [`SessionVault`]), `Authorization`
//!   headers. Nowhere else — the cache holds the last `GET /v1/me` (who, tenant, permissions),
//!   never the credential.
//! * a newly created PAT: held in `created` from creation until the one-time view closes (so
//!   **Copy token** can copy it without the web view sending it back), then dropped, which
//!   zeroizes it. Never cached, logged, or stored.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use keebai_api::wire::{Me, Password};
use keebai_api::TokenSecret;

mod activity;
mod audit;
mod inventory;
mod policy;
mod preferences;
mod roles;
mod rotation;
mod session;
mod tokens;
mod users;

pub use rotation::RetireChoice;
pub use users::NewUser;

use crate::api_client::ApiClient;
use crate::cache::Cache;
use crate::clipboard_guard::{ClearOutcome, ClipboardGuard, SecretClipboard};
use crate::dto::{KeyringStatus, SessionView, UserView, MANAGE_TOKENS};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::private_files;
use crate::session_vault::SessionVault;
use crate::settings::{Account, Settings, SettingsFile};

struct Session {
    account: Account,
    client: ApiClient,
    secret: TokenSecret,
    me: Me,
    keyring: KeyringStatus,
    /// The server could not be reached on the last call.
    offline: bool,
    /// When `me` was last read from the server (the cached copy's time after a restore).
    synced_at: DateTime<Utc>,
}

impl Session {
    fn view(&self) -> SessionView {
        SessionView {
            server: self.account.server.clone(),
            tenant: self.me.tenant.clone(),
            user: UserView {
                id: self.me.user.id.clone(),
                email: self.me.user.email.clone(),
                name: self.me.user.name.clone(),
            },
            permissions: self.me.permissions.clone(),
            can_manage_tokens: self.me.permissions.iter().any(|p| p == MANAGE_TOKENS),
            keyring: self.keyring.clone(),
            offline: self.offline,
            synced_at: self.synced_at,
        }
    }
}

/// Form input of the sign-in screen.
pub struct SignIn {
    pub server: String,
    pub tenant: String,
    pub email: String,
    pub password: Password,
}

/// Form input of the Create API Key modal.
pub struct NewToken {
    pub name: String,
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub struct AppService {
    data_dir: PathBuf,
    settings_file: SettingsFile,
    settings: Mutex<Settings>,
    vault: Arc<dyn SessionVault>,
    cache: Cache,
    clipboard: Option<Arc<ClipboardGuard>>,
    session: Mutex<Option<Session>>,
    created: Mutex<Option<TokenSecret>>,
    /// The OS notification service for the day's reminder; none in tests that don't look.
    notifier: Mutex<Option<Arc<dyn crate::notifier::Notifier>>>,
}

fn lock<T>(m: &Mutex<T>) -> AppResult<MutexGuard<'_, T>> {
    m.lock().map_err(|_| {
        AppError::new(
            ErrorCode::Internal,
            "app state poisoned by an earlier panic",
        )
    })
}

impl AppService {
    /// `clipboard` is `None` when the platform clipboard could not be opened (no display);
    /// **Copy token** then answers `clipboard_unavailable`.
    pub fn new(
        data_dir: &Path,
        vault: Arc<dyn SessionVault>,
        clipboard: Option<Arc<dyn SecretClipboard>>,
    ) -> AppResult<Self> {
        private_files::private_dir(data_dir)
            .map_err(|e| AppError::local_storage("data folder", e))?;
        let settings_file = SettingsFile::in_dir(data_dir);
        Ok(Self {
            data_dir: data_dir.to_path_buf(),
            settings: Mutex::new(settings_file.load()),
            settings_file,
            vault,
            cache: Cache::open_in(data_dir)?,
            clipboard: clipboard.map(|c| Arc::new(ClipboardGuard::new(c))),
            session: Mutex::new(None),
            created: Mutex::new(None),
            notifier: Mutex::new(None),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Called when the app quits: take the token off the clipboard and forget it.
    ///
    /// This runs on the UI thread. Reading the clipboard there can deadlock on Linux when the
    /// web view itself owns the selection (the user copied text from the page): GTK would have
    /// to answer our own request. So the check runs on another thread and is given up after a
    /// moment; in that case the clipboard holds the page's text, not the token.
    pub fn shutdown(&self) {
        let _ = self.discard_created_token();
        let Some(guard) = self.clipboard.clone() else {
            return;
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("clipboard-quit".into())
            .spawn(move || {
                let _ = tx.send(guard.clear_now());
            });
        if spawned.is_ok() {
            match rx.recv_timeout(std::time::Duration::from_secs(2)) {
                Ok(Err(e)) => tracing::warn!(error = %e, "could not clear the clipboard"),
                Ok(Ok(_)) => {}
                Err(_) => tracing::warn!("clipboard check on quit timed out"),
            }
        }
    }

    fn clear_clipboard_if_ours(&self) -> Option<ClearOutcome> {
        let outcome = self.clipboard.as_ref()?.clear_now();
        if let Err(e) = &outcome {
            tracing::warn!(error = %e, "could not clear the clipboard");
        }
        outcome.ok()
    }

    fn current(&self) -> AppResult<(ApiClient, TokenSecret, Account)> {
        let slot = lock(&self.session)?;
        let s = slot.as_ref().ok_or_else(AppError::not_signed_in)?;
        Ok((s.client.clone(), s.secret.clone(), s.account.clone()))
    }

    /// Every session call's answer passes through here, the one owner of the session's state:
    /// * a 401 means the session is over (expired, signed out elsewhere, the user disabled):
    ///   it is forgotten here, in the keyring and — unless the user keeps an offline copy — in
    ///   the cache, and the UI goes back to sign-in with this error's words;
    /// * `server_unreachable` marks the session offline (the caller may fall back to the
    ///   cache); any answer from the server marks it online again.
    fn checked<T>(&self, result: AppResult<T>) -> AppResult<T> {
        match &result {
            Err(e) if e.code == ErrorCode::Unauthorized => {
                let account = lock(&self.session)
                    .ok()
                    .and_then(|mut slot| slot.take())
                    .map(|s| s.account);
                if let Some(account) = account {
                    self.forget_account(&account);
                }
                tracing::info!("the server ended the session (401); signed out");
                Err(AppError::new(
                    ErrorCode::Unauthorized,
                    "Your session has ended. Sign in again.",
                ))
            }
            Err(e) if e.code == ErrorCode::ServerUnreachable => {
                self.set_offline(true);
                result
            }
            _ => {
                self.set_offline(false);
                result
            }
        }
    }

    fn set_offline(&self, offline: bool) {
        if let Ok(mut slot) = self.session.lock() {
            if let Some(s) = slot.as_mut() {
                s.offline = offline;
            }
        }
    }

    /// After the server refused the account's session: the keyring entry, the one-time secret
    /// and, unless the user keeps an offline copy, the cached data go.
    fn forget_account(&self, account: &Account) {
        let _ = self.discard_created_token();
        if let Err(e) = self.vault.delete(&account.key()) {
            tracing::warn!(error = %e, "the ended session could not be removed from the keyring");
        }
        let keep = lock(&self.settings).is_ok_and(|s| s.keep_offline_copy);
        if !keep {
            if let Err(e) = self.cache.forget(&account.key()) {
                tracing::warn!(error = %e, "the ended session's cache could not be removed");
            }
        }
    }
}
