//! The tenant's token policy: the Token policy screen (System Settings, for
//! `admin.manage_roles`) reads and saves it, the Create dialog follows it, and the Inventory
//! finds the working tokens that break it.
//!
//! Cached per account like the other fetched data, so with the server unreachable the screen
//! shows the last known policy (read-only) and the Inventory's policy view still works.

use chrono::Utc;
use keebai_api::wire::TokenPolicy;

use super::AppService;
use crate::cache::{Cached, Kind};
use crate::dto::PolicyView;
use crate::error::{AppResult, ErrorCode};

impl AppService {
    /// The tenant's policy from the server; the cached copy, marked offline, when the server
    /// can't be reached.
    pub async fn token_policy(&self) -> AppResult<PolicyView> {
        let (client, secret, account) = self.current()?;
        match self.checked(client.token_policy(&secret).await) {
            Ok(policy) => Ok(self.remember_policy(&account.key(), policy)),
            Err(e) if e.code == ErrorCode::ServerUnreachable => {
                match self.cached_policy(&account.key())? {
                    Some(Cached { value, fetched_at }) => Ok(PolicyView {
                        policy: value,
                        fetched_at,
                        offline: true,
                    }),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Replaces the tenant's policy. The server's rules stand (`admin.manage_roles`, 1–3650
    /// days); its refusal comes back as is.
    pub async fn set_token_policy(&self, policy: TokenPolicy) -> AppResult<PolicyView> {
        let (client, secret, account) = self.current()?;
        let saved = self.checked(client.set_token_policy(&secret, &policy).await)?;
        tracing::info!(
            max_lifetime_days = ?saved.max_lifetime_days,
            require_expiration = saved.require_expiration,
            "token policy saved"
        );
        Ok(self.remember_policy(&account.key(), saved))
    }

    pub(super) fn cached_policy(&self, account: &str) -> AppResult<Option<Cached<TokenPolicy>>> {
        self.cache.get::<TokenPolicy>(account, Kind::Policy, "")
    }

    /// The last policy read for the account, if any (a cache that can't be read knows none).
    pub(super) fn known_policy(&self, account: &str) -> Option<TokenPolicy> {
        self.cached_policy(account).ok().flatten().map(|c| c.value)
    }

    fn remember_policy(&self, account: &str, policy: TokenPolicy) -> PolicyView {
        let now = Utc::now();
        if let Err(e) = self.cache.put(account, Kind::Policy, "", &policy, now) {
            tracing::warn!(error = %e, "token policy not cached");
        }
        PolicyView {
            policy,
            fetched_at: now,
            offline: false,
        }
    }
}
