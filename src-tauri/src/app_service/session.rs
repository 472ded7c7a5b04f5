//! The signed-in session: sign in, restore at launch, sync, sign out.
//!
//! A launch restores the session without the network: the session token from the keyring and
//! the last `GET /v1/me` from the cache, so the cached data paints at once; [`AppService::sync`]
//! (the UI calls it right after) asks the server, and either refreshes everything, marks the
//! session offline (the server can't be reached: the session stays), or ends it (401).

use chrono::Utc;
use keebai_api::wire::{Me, SessionRequest};

use super::{lock, AppService, Session, SignIn};
use crate::api_client::ApiClient;
use crate::cache::Kind;
use crate::dto::{KeyringStatus, SessionView};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::session_vault::VaultError;
use crate::settings::Account;

impl AppService {
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
        let now = Utc::now();
        self.cache_me(&account, &me, now);
        tracing::info!(server = %account.server, tenant = %account.tenant, "signed in");
        let session = Session {
            account,
            client,
            secret,
            me,
            keyring,
            offline: false,
            synced_at: now,
        };
        let view = session.view();
        *lock(&self.session)? = Some(session);
        Ok(view)
    }

    /// Resumes the last account's session from the keyring. With a cached `me` this needs no
    /// network: the session comes back as it was last seen, and [`Self::sync`] checks it with
    /// the server. Without one (a cache from before `me` was kept, or removed at sign-out) the
    /// server is asked, and being unreachable is an error the sign-in screen shows.
    /// `Ok(None)` means "show the sign-in screen"; a keyring failure is an error it shows.
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
        let cached = match self.cache.get::<Me>(&account.key(), Kind::Me, "") {
            Ok(cached) => cached,
            Err(e) => {
                tracing::warn!(error = %e, "cached profile unreadable; asking the server");
                None
            }
        };
        let (me, synced_at) = match cached {
            Some(c) => (c.value, c.fetched_at),
            None => match client.me(&secret).await {
                Ok(me) => {
                    let now = Utc::now();
                    self.cache_me(&account, &me, now);
                    (me, now)
                }
                Err(e) if e.code == ErrorCode::Unauthorized => {
                    // Expired or signed out elsewhere: the stored token is dead weight.
                    self.forget_account(&account);
                    return Ok(None);
                }
                Err(e) => return Err(e),
            },
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
            offline: false,
            synced_at,
        };
        let view = session.view();
        *lock(&self.session)? = Some(session);
        Ok(Some(view))
    }

    /// Asks the server who the session is now (`GET /v1/me`): the **Sync** button, the check
    /// after a restore, and **Refresh permissions** (a role change shows without signing out).
    /// An unreachable server is not an error here: the session stays, marked offline, with the
    /// time of the data it has. A 401 ends it ([`AppService::checked`]).
    pub async fn sync(&self) -> AppResult<SessionView> {
        let (client, secret, account) = self.current()?;
        match self.checked(client.me(&secret).await) {
            Ok(me) => {
                let now = Utc::now();
                self.cache_me(&account, &me, now);
                let mut slot = lock(&self.session)?;
                let session = slot.as_mut().ok_or_else(AppError::not_signed_in)?;
                session.me = me;
                session.synced_at = now;
                Ok(session.view())
            }
            Err(e) if e.code == ErrorCode::ServerUnreachable => {
                tracing::info!("server unreachable; working offline");
                let slot = lock(&self.session)?;
                Ok(slot.as_ref().ok_or_else(AppError::not_signed_in)?.view())
            }
            Err(e) => Err(e),
        }
    }

    /// The `refresh_session` command: [`Self::sync`].
    pub async fn refresh_session(&self) -> AppResult<SessionView> {
        self.sync().await
    }

    /// Ends the session on the server, removes it from the keyring and, unless the user keeps
    /// an offline copy, removes the account's cached data. Succeeds locally even when the
    /// server can't be reached: the user asked to be signed out of this app.
    pub async fn sign_out(&self) -> AppResult<()> {
        self.discard_created_token()?;
        self.clear_clipboard_if_ours();
        let Some(session) = lock(&self.session)?.take() else {
            return Ok(());
        };
        if let Err(e) = session.client.sign_out(&session.secret).await {
            tracing::warn!(code = e.code.as_str(), "server-side sign-out failed");
        }
        // The keyring first: whatever happens to the cache, the session must not survive a
        // sign-out to restore itself at the next launch (it may still be valid on a server
        // that could not be reached just now).
        let vault = self
            .vault
            .delete(&session.account.key())
            .map_err(|e| AppError::new(ErrorCode::KeyringUnavailable, keyring_message(&e)));
        let cache = if lock(&self.settings)?.keep_offline_copy {
            Ok(())
        } else {
            self.cache.forget(&session.account.key())
        };
        vault?;
        cache?;
        tracing::info!("signed out");
        Ok(())
    }

    /// Keeps `me` (no credential in it) so the next launch can restore without the network.
    fn cache_me(&self, account: &Account, me: &Me, at: chrono::DateTime<Utc>) {
        if let Err(e) = self.cache.put(&account.key(), Kind::Me, "", me, at) {
            tracing::warn!(error = %e, "profile not cached");
        }
    }
}

fn keyring_message(e: &VaultError) -> String {
    format!(
        "The system keyring could not be used ({e}). You are signed in for this run only; \
         you will need to sign in again next time."
    )
}
