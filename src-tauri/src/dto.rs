//! What the commands hand to the web view. Token records and permissions travel as the shared
//! wire types; these add the app's own state (offline list, keyring status, the one-time secret).

use chrono::{DateTime, Utc};
use keebai_api::wire::{Permission, Tenant, TokenRecord};
use serde::{Serialize, Serializer};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::audit_rules::AuditView;
use crate::settings::Account;

/// The permission that unlocks the API Keys page.
pub const MANAGE_TOKENS: &str = "developer.manage_tokens";

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AppConfig {
    /// `$KEEBAI_SERVER_URL`, else the last server signed in to.
    pub default_server: Option<String>,
    pub last_account: Option<Account>,
    pub clipboard_clear_seconds: u32,
    /// Whether **Sign out** leaves the account's cached token list on this computer.
    pub keep_offline_copy: bool,
    /// The Audit screen's **Stale**: not used in this many days.
    pub stale_days: u32,
    pub version: &'static str,
    /// Said once after the cache file was unusable (corrupt, or from a newer version) and was
    /// set aside and rebuilt; `None` otherwise.
    pub cache_notice: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
}

/// Whether the session outlives this run.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct KeyringStatus {
    /// True when the session token is in the OS keyring.
    pub persisted: bool,
    /// Why not, in words for the user, when it isn't.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SessionView {
    pub server: String,
    pub tenant: Tenant,
    pub user: UserView,
    pub permissions: Vec<String>,
    pub can_manage_tokens: bool,
    pub keyring: KeyringStatus,
    /// True when the server could not be reached on the last call: the app shows cached data
    /// and disables what needs the server.
    pub offline: bool,
    /// When the user, tenant and permissions were last read from the server.
    pub synced_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TokenListView {
    pub tokens: Vec<TokenRecord>,
    pub active_count: u32,
    pub active_limit: u32,
    /// True when the server was unreachable and this is the cached list.
    pub offline: bool,
    pub fetched_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PermissionGroupView {
    pub group: String,
    pub permissions: Vec<Permission>,
}

/// The full token text for the one-time view: zeroized when this value is dropped, right after
/// it is serialised into the IPC answer.
#[derive(Zeroize, ZeroizeOnDrop)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OneTimeSecret(String);

impl OneTimeSecret {
    pub fn new(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl Serialize for OneTimeSecret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl std::fmt::Debug for OneTimeSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeSecret([redacted])")
    }
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CreatedTokenView {
    pub token: OneTimeSecret,
    pub record: TokenRecord,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CopyView {
    pub clear_after_seconds: u32,
}

/// The answer to a rotation: the new token's secret for the one-time view (held in Rust for
/// **Copy token** exactly like a created one), the new record, and the old one as it now stands
/// (its `expires_at` or `revoked_at` say when it stops working).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RotatedTokenView {
    pub token: OneTimeSecret,
    pub record: TokenRecord,
    pub replaced: TokenRecord,
}

/// The Audit screen: each view's tokens, computed from the cached list at `computed_at`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditReport {
    pub views: Vec<AuditView>,
    /// The cached list the views were computed from (every token, for the tables' rows).
    pub tokens: Vec<TokenRecord>,
    /// The **Stale** view's number of days.
    pub stale_days: u32,
    /// True when the server was unreachable on the last call.
    pub offline: bool,
    /// When the list was fetched from the server.
    pub fetched_at: DateTime<Utc>,
    pub computed_at: DateTime<Utc>,
}
