//! argon2id password hashing, run off the async threads because it is slow on purpose.
//!
//! Each check costs ~19 MiB and a core for tens of milliseconds, so at most
//! [`concurrent_checks`] run at once, whatever arrives: a flood of sign-ins queues here
//! instead of filling the blocking pool that SQLite writes share, and leaves cores for token
//! checks and revokes.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

use super::error::{DomainError, DomainResult};

/// How many argon2 computations may run at once: all cores but one, at least one, at most 4.
pub fn concurrent_checks() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get().saturating_sub(1))
        .clamp(1, 4)
}

fn gate() -> &'static tokio::sync::Semaphore {
    static GATE: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    GATE.get_or_init(|| tokio::sync::Semaphore::new(concurrent_checks()))
}

/// Runs `f` on the blocking pool once a slot of the argon2 gate is free.
async fn gated<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> DomainResult<T> {
    let _slot = gate()
        .acquire()
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))
}

/// Hashes `password` into a PHC string.
pub async fn hash(password: String) -> DomainResult<String> {
    let mut password = zeroize::Zeroizing::new(password);
    gated(move || {
        let salt = salt()?;
        let out = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Internal(format!("hashing a password: {e}")));
        zeroize::Zeroize::zeroize(&mut *password);
        out
    })
    .await?
}

/// Checks `password` against `phc`. With `None` it checks against a fixed dummy hash, so an
/// unknown account costs the same time as a known one and sign-in timing reveals nothing.
pub async fn verify(password: String, phc: Option<String>) -> DomainResult<bool> {
    let password = zeroize::Zeroizing::new(password);
    gated(move || {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = PasswordHash::new(&phc)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        known && ok
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        salt()
            .ok()
            .and_then(|salt| {
                Argon2::default()
                    .hash_password(b"no account has this password", &salt)
                    .ok()
                    .map(|h| h.to_string())
            })
            .unwrap_or_default()
    })
}

/// 16 bytes of salt from the OS CSPRNG.
fn salt() -> DomainResult<SaltString> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| DomainError::Internal(format!("OS random source: {e}")))?;
    SaltString::encode_b64(&bytes)
        .map_err(|e| DomainError::Internal(format!("encoding a salt: {e}")))
}
