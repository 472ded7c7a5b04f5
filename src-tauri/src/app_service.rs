//! `AppService`: everything the app does, in plain Rust with no Tauri types, so the tests can
//! drive it against a real server without a web view. The Tauri commands are one-line calls
//! into it.
//!
//! Secrets it handles, and where they go:
//! * the session token: memory, the OS keyring (through [`SessionVault`]), `Authorization`
//!   headers. Nowhere else.
//! * a newly created PAT: held in `created` from creation until the one-time view closes (so
//!   **Copy token** can copy it without the web view sending it back), then dropped, which
//!   zeroizes it. Never cached, logged, or stored.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use keebai_api::wire::{CreateTokenRequest, Me, Password, SessionRequest, TokenRecord};
use keebai_api::TokenSecret;

mod preferences;
mod rotation;

pub use rotation::RetireChoice;

use crate::api_client::ApiClient;
use crate::cache::Cache;
use crate::clipboard_guard::{ClearOutcome, ClipboardGuard, SecretClipboard};
use crate::dto::{
    CopyView, CreatedTokenView, KeyringStatus, OneTimeSecret, PermissionGroupView, SessionView,
    TokenListView, UserView, MANAGE_TOKENS,
};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::private_files;
use crate::session_vault::{SessionVault, VaultError};
use crate::settings::{Account, Settings, SettingsFile};

struct Session {
    account: Account,
    client: ApiClient,
    secret: TokenSecret,
    me: Me,
    keyring: KeyringStatus,
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
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub async fn sign_in(&self, form: SignIn) -> AppResult<SessionView> {
        let client = ApiClient::new(&form.server)?;
        let tenant = form.tenant.trim().to_owned();
        let email = form.email.trim().to_owned();
        if tenant.is_empty() || email.is_empty() || form.password.expose().is_empty() {
            return Err(AppError::new(
                ErrorCode::InvalidRequest,
                "Enter the tenant, your email and your password.",
            ));
        }
        let request = SessionRequest {
            tenant: tenant.clone(),
            email: email.clone(),
            password: form.password,
        };
        let answer = client.sign_in(&request).await?;
        drop(request);
        let secret = answer.session_token.0.clone();
        drop(answer);
        let me = client.me(&secret).await?;
        let account = Account {
            server: client.server().to_owned(),
            tenant,
            email,
        };
        let keyring = match self.vault.store(&account.key(), &secret) {
            Ok(()) => KeyringStatus {
                persisted: true,
                message: None,
            },
            Err(e) => {
                tracing::warn!(error = %e, "session not saved to the keyring");
                KeyringStatus {
                    persisted: false,
                    message: Some(keyring_message(&e)),
                }
            }
        };
        {
            let mut settings = lock(&self.settings)?;
            settings.last_account = Some(account.clone());
            self.settings_file.save(&settings)?;
        }
        tracing::info!(server = %account.server, tenant = %account.tenant, "signed in");
        let session = Session {
            account,
            client,
            secret,
            me,
            keyring,
        };
        let view = session.view();
        *lock(&self.session)? = Some(session);
        Ok(view)
    }

    /// Resumes the last account's session from the keyring, if it is there and still valid.
    /// `Ok(None)` means "show the sign-in screen"; a keyring failure is an error the sign-in
    /// screen shows.
    pub async fn restore_session(&self) -> AppResult<Option<SessionView>> {
        if let Some(session) = lock(&self.session)?.as_ref() {
            return Ok(Some(session.view()));
        }
        let Some(account) = lock(&self.settings)?.last_account.clone() else {
            return Ok(None);
        };
        let secret = match self.vault.load(&account.key()) {
            Ok(Some(secret)) => secret,
            Ok(None) => return Ok(None),
            Err(VaultError::Malformed) => {
                let _ = self.vault.delete(&account.key());
                return Ok(None);
            }
            Err(e) => {
                return Err(AppError::new(
                    ErrorCode::KeyringUnavailable,
                    keyring_message(&e),
                ))
            }
        };
        let client = ApiClient::new(&account.server)?;
        let me = match client.me(&secret).await {
            Ok(me) => me,
            Err(e) if e.code == ErrorCode::Unauthorized => {
                // Expired or signed out elsewhere: the stored token is dead weight.
                let _ = self.vault.delete(&account.key());
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let session = Session {
            account,
            client,
            secret,
            me,
            keyring: KeyringStatus {
                persisted: true,
                message: None,
            },
        };
        let view = session.view();
        *lock(&self.session)? = Some(session);
        Ok(Some(view))
    }

    /// Ends the session on the server, removes it from the keyring and, unless the user keeps
    /// an offline copy, removes the account's cached token list. Succeeds locally even when
    /// the server can't be reached: the user asked to be signed out of this app.
    pub async fn sign_out(&self) -> AppResult<()> {
        self.discard_created_token()?;
        self.clear_clipboard_if_ours();
        let Some(session) = lock(&self.session)?.take() else {
            return Ok(());
        };
        if let Err(e) = session.client.sign_out(&session.secret).await {
            tracing::warn!(code = e.code.as_str(), "server-side sign-out failed");
        }
        if !lock(&self.settings)?.keep_offline_copy {
            self.cache.forget(&session.account.key())?;
        }
        self.vault
            .delete(&session.account.key())
            .map_err(|e| AppError::new(ErrorCode::KeyringUnavailable, keyring_message(&e)))?;
        tracing::info!("signed out");
        Ok(())
    }

    /// Re-reads the session's permissions (`GET /v1/me`), so a role change shows up without
    /// signing out.
    pub async fn refresh_session(&self) -> AppResult<SessionView> {
        let (client, secret, _) = self.current()?;
        let me = self.checked(client.me(&secret).await)?;
        let mut slot = lock(&self.session)?;
        let session = slot.as_mut().ok_or_else(AppError::not_signed_in)?;
        session.me = me;
        Ok(session.view())
    }

    /// The user's tokens; the cached list, marked offline, when the server is unreachable.
    pub async fn list_tokens(&self) -> AppResult<TokenListView> {
        let (client, secret, account) = self.current()?;
        match client.tokens(&secret).await {
            Ok(list) => {
                let now = Utc::now();
                if let Err(e) = self.cache.store(&account.key(), &list, now) {
                    tracing::warn!(error = %e, "token list not cached");
                }
                Ok(TokenListView {
                    tokens: list.tokens,
                    active_count: list.active_count,
                    active_limit: list.active_limit,
                    offline: false,
                    fetched_at: now,
                })
            }
            Err(e) if e.code == ErrorCode::ServerUnreachable => {
                match self.cache.load(&account.key())? {
                    Some(cached) => Ok(TokenListView {
                        tokens: cached.list.tokens,
                        active_count: cached.list.active_count,
                        active_limit: cached.list.active_limit,
                        offline: true,
                        fetched_at: cached.fetched_at,
                    }),
                    None => Err(e),
                }
            }
            Err(e) => self.checked(Err(e)),
        }
    }

    /// The catalog permissions this user holds, grouped in catalog order: the scopes a new
    /// token may have.
    pub async fn list_permissions(&self) -> AppResult<Vec<PermissionGroupView>> {
        let (client, secret, _) = self.current()?;
        let catalog = self.checked(client.permissions(&secret).await)?;
        let held = lock(&self.session)?
            .as_ref()
            .map(|s| s.me.permissions.clone())
            .unwrap_or_default();
        let mut groups: Vec<PermissionGroupView> = Vec::new();
        for p in catalog
            .permissions
            .into_iter()
            .filter(|p| held.contains(&p.key))
        {
            match groups.iter_mut().find(|g| g.group == p.group) {
                Some(g) => g.permissions.push(p),
                None => groups.push(PermissionGroupView {
                    group: p.group.clone(),
                    permissions: vec![p],
                }),
            }
        }
        Ok(groups)
    }

    /// Creates a token and returns its secret for the one-time view. The secret stays in Rust
    /// (for **Copy token**) until [`Self::discard_created_token`].
    pub async fn create_token(&self, form: NewToken) -> AppResult<CreatedTokenView> {
        let (client, secret, _) = self.current()?;
        let request = CreateTokenRequest {
            name: form.name.trim().to_owned(),
            scopes: form.scopes,
            expires_at: form.expires_at,
        };
        let answer = self.checked(client.create_token(&secret, &request).await)?;
        let view = CreatedTokenView {
            token: OneTimeSecret::new(answer.token.0.expose()),
            record: answer.record.clone(),
        };
        tracing::info!(prefix = %answer.record.prefix, "token created");
        // Replacing an earlier, undiscarded secret drops (and zeroizes) it.
        *lock(&self.created)? = Some(answer.token.0.clone());
        Ok(view)
    }

    /// Copies the token being shown, with clipboard-history exclusion hints, and schedules
    /// the clipboard to be cleared.
    pub fn copy_created_token(&self) -> AppResult<CopyView> {
        let seconds = lock(&self.settings)?.clipboard_clear_seconds;
        let created = lock(&self.created)?;
        let secret = created.as_ref().ok_or_else(|| {
            AppError::new(
                ErrorCode::NoCreatedToken,
                "There is no new token to copy. Tokens can only be copied right after creation.",
            )
        })?;
        let guard = self.clipboard.as_ref().ok_or_else(|| {
            AppError::new(
                ErrorCode::ClipboardUnavailable,
                "No clipboard is available.",
            )
        })?;
        guard
            .copy(secret, Duration::from_secs(u64::from(seconds)))
            .map_err(|e| {
                AppError::new(
                    ErrorCode::ClipboardUnavailable,
                    format!("Could not copy: {e}"),
                )
            })?;
        Ok(CopyView {
            clear_after_seconds: seconds,
        })
    }

    /// Forgets the one-time secret (dropping it zeroizes it). The clipboard timer still runs.
    pub fn discard_created_token(&self) -> AppResult<()> {
        lock(&self.created)?.take();
        Ok(())
    }

    /// Whether a created secret is still held (for tests of the discard path).
    pub fn holds_created_token(&self) -> bool {
        self.created.lock().map(|c| c.is_some()).unwrap_or(true)
    }

    pub async fn revoke_token(&self, id: &str) -> AppResult<TokenRecord> {
        let (client, secret, account) = self.current()?;
        let record = self.checked(client.revoke_token(&secret, id).await)?;
        if let Err(e) = self.cache.update_record(&account.key(), &record) {
            tracing::warn!(error = %e, "cache not updated after revoke");
        }
        tracing::info!(prefix = %record.prefix, "token revoked");
        Ok(record)
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
            match rx.recv_timeout(Duration::from_secs(2)) {
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

    /// A 401 on a session call means the session is over (expired or signed out elsewhere):
    /// forget it here and in the keyring so the UI goes back to sign-in.
    fn checked<T>(&self, result: AppResult<T>) -> AppResult<T> {
        if let Err(e) = &result {
            if e.code == ErrorCode::Unauthorized {
                if let Ok(mut slot) = self.session.lock() {
                    if let Some(session) = slot.take() {
                        let _ = self.vault.delete(&session.account.key());
                    }
                }
                return Err(AppError::new(
                    ErrorCode::Unauthorized,
                    "Your session has ended. Sign in again.",
                ));
            }
        }
        result
    }
}

fn keyring_message(e: &VaultError) -> String {
    format!(
        "The system keyring could not be used ({e}). You are signed in for this run only; \
         you will need to sign in again next time."
    )
}
