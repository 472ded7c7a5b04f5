//! Sign-in throttling, shared by every replica through the store.
//!
//! Every attempt is recorded *before* the password is checked, under three keys, each counted
//! over the last window:
//!
//! * the **account at this address** (5 a minute): past it, attempts from that address are
//!   refused (429) without a password check — even the right password, so a guesser learns
//!   nothing;
//! * the **address** across accounts (30 failures a minute), unknown accounts included, so one client
//!   cannot spray guesses over many accounts;
//! * the **account** across addresses (5 a minute: the contract's "429 after 5 failures for one
//!   account within a minute", whatever addresses they came from): past it, an address that
//!   has already failed for this account is refused, and one that has not gets its password
//!   checked but only a right one lets it in (a wrong one is 429 too) — so whoever knows an
//!   e-mail address cannot keep its owner out by failing from elsewhere.
//!
//! Recording first matters: a burst of concurrent guesses cannot all slip in before the first
//! failure is written. A successful one is forgotten under the address and account keys, and a
//! refused one under every key, so a lockout ends one window
//! after the last real failure rather than growing with every refused retry; a successful
//! sign-in clears the account's attempts at that address. Keys are hashes, so attacker-chosen
//! text is never stored verbatim.

use sha2::{Digest, Sha256};

use super::error::DomainResult;
use crate::store::Store;

/// Attempts allowed per window, by key.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_account_address: usize,
    pub per_address: usize,
    pub per_account: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_account_address: 5,
            per_address: 30,
            per_account: 5,
        }
    }
}

pub struct SignInThrottle {
    limits: Limits,
    window_secs: i64,
}

/// An attempt in progress: the rows it recorded.
pub struct Attempt {
    account_address: String,
    /// The rows recorded under the address and account keys.
    other_rows: Vec<String>,
    /// Over the per-account ceiling, from an address that had not failed: only a right
    /// password gets in; a wrong one is answered 429 like the other refusals.
    pub only_if_right: bool,
}

/// Refused before any password check: wait this many seconds.
pub struct Refused(pub u64);

fn key(kind: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    for p in parts {
        h.update([0]);
        h.update(p.as_bytes());
    }
    format!("{kind}:{}", hex::encode(h.finalize()))
}

impl SignInThrottle {
    pub fn new(limits: Limits, window: std::time::Duration) -> Self {
        Self {
            limits,
            window_secs: i64::try_from(window.as_secs()).unwrap_or(i64::MAX).max(1),
        }
    }

    /// Records an attempt at (`tenant`, `email`) from `ip`, or refuses it.
    pub async fn begin(
        &self,
        store: &dyn Store,
        tenant: &str,
        email: &str,
        ip: Option<&str>,
        now: i64,
    ) -> DomainResult<Result<Attempt, Refused>> {
        let ip = ip.unwrap_or("unknown");
        let account_address = key("account-address", &[tenant, email, ip]);
        let account = key("account", &[tenant, email]);
        let address = key("address", &[ip]);
        let id = super::new_id();
        let mut recorded: Vec<(String, String)> = Vec::new();
        let mut only_if_right = false;
        let mut tried_here = 0;
        for (k, limit) in [
            (&account_address, self.limits.per_account_address),
            (&address, self.limits.per_address),
            (&account, self.limits.per_account),
        ] {
            let row = format!("{id}:{}", &k[..k.find(':').unwrap_or(0)]);
            let times = store
                .begin_sign_in_attempt(k, &row, now, now - self.window_secs + 1)
                .await?;
            recorded.push((k.clone(), row));
            if k == &account_address {
                tried_here = times.len();
            }
            if times.len() <= limit {
                continue;
            }
            // This address's attempts at the account, the current one included: 1 means it
            // has not failed here within the window.
            let fresh_address = k == &account && tried_here == 1;
            if fresh_address {
                only_if_right = true;
                continue;
            }
            for (_, row) in &recorded {
                store.forget_sign_in_attempt(row).await?;
            }
            // The oldest attempt that keeps the count over the limit decides when it drops.
            let oldest = times[times.len() - 1 - limit];
            let wait = (oldest + self.window_secs - now).max(1);
            return Ok(Err(Refused(u64::try_from(wait).unwrap_or(1))));
        }
        Ok(Ok(Attempt {
            account_address,
            other_rows: recorded.into_iter().skip(1).map(|(_, row)| row).collect(),
            only_if_right,
        }))
    }

    /// The password was right: the account starts afresh at this address, and the success
    /// counts toward neither the address's limit nor the account's ceiling (so busy offices
    /// behind one address are limited by their failures only).
    pub async fn succeeded(&self, store: &dyn Store, attempt: Attempt) -> DomainResult<()> {
        store
            .clear_sign_in_attempts(&attempt.account_address)
            .await?;
        for row in &attempt.other_rows {
            store.forget_sign_in_attempt(row).await?;
        }
        Ok(())
    }

    /// Seconds until the account drops under its ceiling, for a wrong password that was
    /// checked only because its address had not failed.
    pub fn window_secs(&self) -> u64 {
        u64::try_from(self.window_secs).unwrap_or(60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_hashes_that_separate_their_parts() {
        let a = key("account", &["acme", "a@b.c"]);
        assert!(a.starts_with("account:") && a.len() == "account:".len() + 64);
        assert_ne!(a, key("account", &["acm", "ea@b.c"]));
        assert_ne!(a, key("address", &["acme", "a@b.c"]));
        assert!(!a.contains("acme"));
    }
}
