//! Sign-in throttling, shared by every replica through the store.
//!
//! Every attempt is recorded *before* the password is checked, and counted together with the
//! account's other attempts of the last window; past the limit the attempt is refused (429)
//! without checking the password — even the right one, so a guesser learns nothing. Recording
//! first matters: a burst of concurrent guesses cannot all slip in before the first failure is
//! written. A successful sign-in clears the account's attempts; a refused one is forgotten, so
//! the lockout ends one window after the last real failure rather than growing with every
//! refused retry.

use sha2::{Digest, Sha256};

use super::error::DomainResult;
use crate::store::Store;

pub struct SignInThrottle {
    limit: usize,
    window_secs: i64,
}

/// An attempt in progress.
pub struct Attempt {
    pub account: String,
}

impl SignInThrottle {
    pub fn new(limit: usize, window: std::time::Duration) -> Self {
        Self {
            limit,
            window_secs: i64::try_from(window.as_secs()).unwrap_or(i64::MAX).max(1),
        }
    }

    /// The stored key of an account: a hash, so attacker-chosen tenant and e-mail text is
    /// never stored verbatim.
    pub fn account_key(tenant: &str, email: &str) -> String {
        hex::encode(Sha256::digest(format!("{tenant}\u{0}{email}").as_bytes()))
    }

    /// Records an attempt. `Err(seconds to wait)` when the account is over the limit.
    pub async fn begin(
        &self,
        store: &dyn Store,
        account: String,
        now: i64,
    ) -> DomainResult<Result<Attempt, u64>> {
        let id = super::new_id();
        let times = store
            .begin_sign_in_attempt(&account, &id, now, now - self.window_secs + 1)
            .await?;
        if times.len() <= self.limit {
            return Ok(Ok(Attempt { account }));
        }
        store.forget_sign_in_attempt(&id).await?;
        // The oldest attempt that keeps the count over the limit decides when it drops under.
        let oldest = times[times.len() - 1 - self.limit];
        let wait = (oldest + self.window_secs - now).max(1);
        Ok(Err(u64::try_from(wait).unwrap_or(1)))
    }

    /// The password was right: the account starts afresh.
    pub async fn succeeded(&self, store: &dyn Store, attempt: Attempt) -> DomainResult<()> {
        store.clear_sign_in_attempts(&attempt.account).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_keys_are_hashes_that_separate_tenant_and_email() {
        let a = SignInThrottle::account_key("acme", "a@b.c");
        assert_eq!(a.len(), 64);
        assert_ne!(a, SignInThrottle::account_key("acm", "ea@b.c"));
        assert!(!a.contains("acme"));
    }
}
