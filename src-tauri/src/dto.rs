//! What the commands hand to the web view. Token records and permissions travel as the shared
//! wire types; these add the app's own state (offline list, keyring status, the one-time secret).

use chrono::{DateTime, Utc};
use keebai_api::wire::{
    AuditEvent, InventoryToken, Permission, Role, Tenant, TokenPolicy, TokenRecord, UsageAddress,
    User,
};
use serde::{Serialize, Serializer};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::audit_rules::AuditView;
use crate::settings::Account;
use crate::sync_changes::SyncChanges;
use crate::usage_rules::WorkHours;

/// The permission that unlocks the API Keys page.
pub const MANAGE_TOKENS: &str = "developer.manage_tokens";
/// The permission that shows the whole tenant's audit trail (and, later, its inventory).
pub const AUDIT_TOKENS: &str = "developer.audit_tokens";

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
    /// The working days and hours **Off-hours activity** is judged by.
    pub work_hours: WorkHours,
    /// "Remind me about expiring and overdue tokens".
    pub reminders: bool,
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
    /// How many tokens the list holds: more than `tokens` when only its first rows were asked
    /// for ([`crate::AppService::cached_tokens`]).
    pub total: u32,
    pub active_count: u32,
    pub active_limit: u32,
    /// True when the server was unreachable and this is the cached list.
    pub offline: bool,
    pub fetched_at: DateTime<Utc>,
    /// The tokens expiring within 7 days or due for rotation: the badge on **Rotation**.
    pub attention: crate::reminders::Attention,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PermissionGroupView {
    pub group: String,
    pub permissions: Vec<Permission>,
}

/// `permissions` grouped as the catalog lists them: groups in the order they first appear,
/// each group's permissions in catalog order (Developer → Manage API Tokens, …).
pub fn group_permissions(
    permissions: impl IntoIterator<Item = Permission>,
) -> Vec<PermissionGroupView> {
    let mut groups: Vec<PermissionGroupView> = Vec::new();
    for p in permissions {
        match groups.iter_mut().find(|g| g.group == p.group) {
            Some(g) => g.permissions.push(p),
            None => groups.push(PermissionGroupView {
                group: p.group.clone(),
                permissions: vec![p],
            }),
        }
    }
    groups
}

/// The Roles screen: the tenant's roles, the whole catalog grouped (a role may hold what the
/// admin looking at it does not), and which of them the admin holds (only those can be added:
/// the server refuses to grant a permission its granter lacks).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RolesView {
    pub roles: Vec<Role>,
    pub groups: Vec<PermissionGroupView>,
    pub held: Vec<String>,
}

/// The Users screen: the tenant's users, and its roles — `None` when the admin may manage
/// users but not read roles (`admin.manage_roles`), so names and choices can't be shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct UsersView {
    pub users: Vec<User>,
    pub roles: Option<Vec<Role>>,
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

/// The Activity screen: the newest audit events, newest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ActivityView {
    pub events: Vec<AuditEvent>,
    /// When they were read from the server (the cached copy's time when offline).
    pub fetched_at: DateTime<Utc>,
    /// The server was unreachable: this is the cached copy.
    pub offline: bool,
    /// False when older events were left on the server (only the newest 2,000 are kept).
    pub complete: bool,
    /// The events are the whole tenant's (`developer.audit_tokens`), not only the user's own.
    pub whole_tenant: bool,
}

/// The Audit screen: each view's tokens, computed from the cached list at `computed_at`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditReport {
    pub views: Vec<AuditView>,
    /// What changed from the sync before the latest to the latest (`None` before two syncs).
    pub changes: Option<SyncChanges>,
    /// The cached list the views were computed from (every token, for the tables' rows).
    pub tokens: Vec<TokenRecord>,
    /// The **Stale** view's number of days.
    pub stale_days: u32,
    /// The working time **Off-hours activity** was judged by.
    pub work_hours: WorkHours,
    /// True when the server was unreachable on the last call.
    pub offline: bool,
    /// When the list was fetched from the server.
    pub fetched_at: DateTime<Utc>,
    pub computed_at: DateTime<Utc>,
}

/// The Inventory screen: every token of the tenant with its owner, newest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct InventoryView {
    pub tokens: Vec<InventoryToken>,
    /// When they were read from the server (the cached copy's time when offline).
    pub fetched_at: DateTime<Utc>,
    /// The server was unreachable: this is the cached copy, read-only.
    pub offline: bool,
    /// False when the tenant holds more tokens than a sync reads (100,000).
    pub complete: bool,
    /// The Audit views over every user's tokens, computed now from these tokens.
    pub views: Vec<AuditView>,
    /// The **Stale** view's number of days.
    pub stale_days: u32,
    /// The tenant's token policy as last read (`None` if it never could be).
    pub policy: Option<TokenPolicy>,
    /// The ids of the working tokens that break it (the server's `violates_policy`).
    pub breaks_policy: Vec<String>,
}

/// The Token policy screen: the tenant's policy, and whether it is the cached copy.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PolicyView {
    pub policy: TokenPolicy,
    /// When it was read from the server (the cached copy's time when offline).
    pub fetched_at: DateTime<Utc>,
    /// The server was unreachable: the cached copy, read-only.
    pub offline: bool,
}

/// A token's detail panel (Audit): the token, what its cached usage says, and its rotations.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TokenDetailView {
    pub token: TokenRecord,
    /// Successful requests by local weekday (row 0 Monday) and hour (column 0 = 00:00), over
    /// the 90 days the server keeps; `None` when no usage was synced for it.
    pub heat_map: Option<Vec<Vec<u64>>>,
    /// Uses outside working time in the last 30 days.
    pub off_hours_uses: Option<u64>,
    /// Every address it was used from, most recently seen first.
    pub addresses: Vec<UsageAddress>,
    /// The addresses among them first seen in the last 7 days.
    pub new_addresses: Vec<String>,
    /// The tokens it was rotated from and into, oldest first, itself included.
    pub history: Vec<TokenRecord>,
    pub fetched_at: DateTime<Utc>,
    pub offline: bool,
}
