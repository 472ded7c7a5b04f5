//! Where the sign-in session token lives between runs: the OS keyring, and nowhere else.
//!
//! [`KeyringVault`] is the real store (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows). [`MemoryVault`] exists for tests of the service layer and is never
//! chosen implicitly: when the keyring fails, the service keeps the session in its own memory
//! for the run and tells the user, it does not swap in another vault.

use std::collections::HashMap;
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use keebai_api::TokenSecret;
use zeroize::{Zeroize, Zeroizing};

/// The keyring "service" every entry of this app is filed under.
pub const KEYRING_SERVICE: &str = "com.keebai.keys";

/// How long a keyring call may take. A locked Secret Service collection answers with an unlock
/// prompt; with no prompter (a headless session) that prompt never completes, and the app must
/// not hang on it.
const KEYRING_TIMEOUT: Duration = Duration::from_secs(8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// Locked, absent, or refused: the session can't be kept between runs.
    #[error("the system keyring is not available: {0}")]
    Unavailable(String),
    /// The stored value is not a session token (corrupted or written by something else).
    #[error("the stored session is not a Keebai session token")]
    Malformed,
}

/// A place to keep one session token per account key.
pub trait SessionVault: Send + Sync {
    fn store(&self, account: &str, session: &TokenSecret) -> Result<(), VaultError>;
    fn load(&self, account: &str) -> Result<Option<TokenSecret>, VaultError>;
    fn delete(&self, account: &str) -> Result<(), VaultError>;
}

/// The OS keyring through the keyring crate.
#[derive(Debug, Clone)]
pub struct KeyringVault {
    service: String,
}

impl Default for KeyringVault {
    fn default() -> Self {
        Self::new(KEYRING_SERVICE)
    }
}

impl KeyringVault {
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_owned(),
        }
    }

    /// Builds the entry with the platform store named explicitly, so a build without the
    /// platform feature fails to compile instead of using keyring's mock store.
    fn entry(service: &str, account: &str) -> Result<keyring::Entry, keyring::Error> {
        #[cfg(target_os = "linux")]
        {
            let credential =
                keyring::secret_service::SsCredential::new_with_target(None, service, account)?;
            Ok(keyring::Entry::new_with_credential(Box::new(credential)))
        }
        #[cfg(not(target_os = "linux"))]
        {
            keyring::Entry::new(service, account)
        }
    }

    /// Runs a keyring call on its own thread with a deadline (see [`KEYRING_TIMEOUT`]).
    fn with_entry<T: Send + 'static>(
        &self,
        account: &str,
        op: impl FnOnce(&keyring::Entry) -> Result<T, keyring::Error> + Send + 'static,
    ) -> Result<Result<T, keyring::Error>, VaultError> {
        let (tx, rx) = mpsc::channel();
        let service = self.service.clone();
        let account = account.to_owned();
        std::thread::Builder::new()
            .name("keyring".into())
            .spawn(move || {
                let result = Self::entry(&service, &account).and_then(|e| op(&e));
                // The receiver may have given up after the timeout; nothing to do then.
                let _ = tx.send(result);
            })
            .map_err(|e| VaultError::Unavailable(e.to_string()))?;
        rx.recv_timeout(KEYRING_TIMEOUT).map_err(|_| {
            VaultError::Unavailable(
                "the keyring did not answer (it may be locked and waiting for a password)".into(),
            )
        })
    }
}

fn unavailable(e: keyring::Error) -> VaultError {
    VaultError::Unavailable(e.to_string())
}

impl SessionVault for KeyringVault {
    fn store(&self, account: &str, session: &TokenSecret) -> Result<(), VaultError> {
        let mut text = session.expose().to_owned();
        let result = self.with_entry(account, move |e| {
            let r = e.set_password(&text);
            text.zeroize();
            r
        })?;
        result.map_err(unavailable)
    }

    fn load(&self, account: &str) -> Result<Option<TokenSecret>, VaultError> {
        // Wrapped on the keyring's own thread: if this call has given up waiting (a locked
        // keyring answering late), the text is dropped there, and wiped as it is.
        match self.with_entry(account, |e| e.get_password().map(Zeroizing::new))? {
            Ok(text) => {
                let parsed = TokenSecret::parse(&text);
                drop(text);
                match parsed {
                    Ok(secret) if secret.kind() == keebai_api::CredentialKind::Session => {
                        Ok(Some(secret))
                    }
                    _ => Err(VaultError::Malformed),
                }
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn delete(&self, account: &str) -> Result<(), VaultError> {
        match self.with_entry(account, |e| e.delete_credential())? {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// A vault that forgets everything when dropped. For tests of the service layer only; the app
/// never constructs one.
#[derive(Default)]
pub struct MemoryVault {
    entries: Mutex<HashMap<String, TokenSecret>>,
}

impl SessionVault for MemoryVault {
    fn store(&self, account: &str, session: &TokenSecret) -> Result<(), VaultError> {
        self.entries
            .lock()
            .map_err(|_| VaultError::Unavailable("poisoned".into()))?
            .insert(account.to_owned(), session.clone());
        Ok(())
    }

    fn load(&self, account: &str) -> Result<Option<TokenSecret>, VaultError> {
        Ok(self
            .entries
            .lock()
            .map_err(|_| VaultError::Unavailable("poisoned".into()))?
            .get(account)
            .cloned())
    }

    fn delete(&self, account: &str) -> Result<(), VaultError> {
        self.entries
            .lock()
            .map_err(|_| VaultError::Unavailable("poisoned".into()))?
            .remove(account);
        Ok(())
    }
}
