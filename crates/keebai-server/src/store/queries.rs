//! Statements that mean the same on both engines, written once ([`super::sql::Sql`]): each
//! engine takes its text from here (`X.sqlite()`, `X.pg()`). Statements whose meaning differs —
//! locks, byte-wise ordering of text (`COLLATE "C"`), PostgreSQL's array and upsert forms,
//! `NOTIFY` — stay in the engine's own module.

use super::rows::{audit_cols, message_cols, role_cols, tenant_cols, token_cols};
use super::sql::Sql;

/// A tenant.
pub static INSERT_TENANT: Sql =
    Sql::new("INSERT INTO tenants (id, slug, name) VALUES (?1, ?2, ?3)");

/// A tenant by id.
pub static TENANT_BY_ID: Sql = Sql::new(concat!(
    "SELECT ",
    tenant_cols!(),
    " FROM tenants WHERE id = ?1"
));

/// A tenant by slug.
pub static TENANT_BY_SLUG: Sql = Sql::new(concat!(
    "SELECT ",
    tenant_cols!(),
    " FROM tenants WHERE slug = ?1"
));

/// A tenant's token policy.
pub static TOKEN_POLICY: Sql = Sql::new(
    "SELECT max_lifetime_days, require_expiration FROM token_policies WHERE tenant_id = ?1",
);

/// Sets a tenant's token policy (`?1` tenant, `?2` days or NULL, `?3` required, `?4` now).
pub static SET_TOKEN_POLICY: Sql = Sql::new(
    "INSERT INTO token_policies (tenant_id, max_lifetime_days, require_expiration, updated_at) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tenant_id) DO UPDATE SET \
     max_lifetime_days = excluded.max_lifetime_days, \
     require_expiration = excluded.require_expiration, updated_at = excluded.updated_at",
);

/// Whether any tenant exists.
pub static HAS_TENANTS: Sql = Sql::new("SELECT EXISTS (SELECT 1 FROM tenants)");

/// A role of a tenant.
pub static ROLE_BY_ID: Sql = Sql::new(concat!(
    "SELECT ",
    role_cols!(),
    " FROM roles WHERE tenant_id = ?1 AND id = ?2"
));

/// A role (`?4` permissions as JSON text).
pub static INSERT_ROLE: Sql = Sql::new(concat!(
    "INSERT INTO roles (",
    role_cols!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5)"
));

/// A role's name and permissions (`?1` id, `?2` tenant).
pub static UPDATE_ROLE: Sql =
    Sql::new("UPDATE roles SET name = ?3, permissions = ?4 WHERE id = ?1 AND tenant_id = ?2");

/// Every role assignment of a user.
pub static DELETE_USER_ROLES: Sql = Sql::new("DELETE FROM user_roles WHERE user_id = ?1");

/// A user (role assignments apart).
pub static INSERT_USER: Sql = Sql::new(
    "INSERT INTO users (id, tenant_id, email, name, password_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
);

/// A user's name (`?2`) and disabled flag (`?3`), each kept when NULL.
pub static UPDATE_USER: Sql = Sql::new(
    "UPDATE users SET name = COALESCE(?2, name), disabled = COALESCE(?3, disabled) WHERE id = ?1",
);

/// Every session of a user (disabled).
pub static DELETE_USER_SESSIONS: Sql = Sql::new("DELETE FROM sessions WHERE user_id = ?1");

/// A user's tokens active at `?2`, revoked at `?2` (disabled).
pub static REVOKE_USER_TOKENS: Sql = Sql::new("UPDATE tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2)");

/// The permission lists (JSON text) of a user's roles.
pub static USER_PERMISSIONS: Sql = Sql::new("SELECT r.permissions FROM roles r JOIN user_roles ur ON ur.role_id = r.id WHERE ur.user_id = ?1");

/// An audit event.
pub static INSERT_AUDIT: Sql = Sql::new(concat!(
    "INSERT INTO audit_events (",
    audit_cols!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
));

/// A message.
pub static INSERT_MESSAGE: Sql = Sql::new(concat!(
    "INSERT INTO messages (",
    message_cols!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5)"
));

/// A sign-in session.
pub static INSERT_SESSION: Sql = Sql::new("INSERT INTO sessions (hash, user_id, tenant_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");

/// A session by the hash of its token.
pub static SESSION_BY_HASH: Sql = Sql::new(
    "SELECT hash, user_id, tenant_id, created_at, expires_at FROM sessions WHERE hash = ?1",
);

/// A session (sign-out).
pub static DELETE_SESSION: Sql = Sql::new("DELETE FROM sessions WHERE hash = ?1");

/// Sessions expired at `?1`.
pub static PRUNE_SESSIONS: Sql = Sql::new("DELETE FROM sessions WHERE expires_at <= ?1");

/// Sign-in attempts older than `?1`.
pub static PRUNE_ATTEMPTS: Sql = Sql::new("DELETE FROM sign_in_attempts WHERE at < ?1");

/// An account's attempts from before its window.
pub static DROP_OLD_ATTEMPTS: Sql =
    Sql::new("DELETE FROM sign_in_attempts WHERE account = ?1 AND at < ?2");

/// A sign-in attempt.
pub static INSERT_ATTEMPT: Sql =
    Sql::new("INSERT INTO sign_in_attempts (id, account, at) VALUES (?1, ?2, ?3)");

/// One sign-in attempt.
pub static FORGET_ATTEMPT: Sql = Sql::new("DELETE FROM sign_in_attempts WHERE id = ?1");

/// Every attempt of an account.
pub static CLEAR_ATTEMPTS: Sql = Sql::new("DELETE FROM sign_in_attempts WHERE account = ?1");

/// A token by id.
pub static TOKEN_BY_ID: Sql = Sql::new(concat!(
    "SELECT ",
    token_cols!(),
    " FROM tokens WHERE id = ?1"
));

/// A token by the hash of its secret.
pub static TOKEN_BY_HASH: Sql = Sql::new(concat!(
    "SELECT ",
    token_cols!(),
    " FROM tokens WHERE hash = ?1"
));

/// A token by hash, only if neither revoked nor expired at `?2`.
pub static ACTIVE_TOKEN_BY_HASH: Sql = Sql::new(concat!("SELECT ", token_cols!(), " FROM tokens WHERE hash = ?1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2)"));

/// A token's hourly counts from hour `?2` on, oldest first.
pub static TOKEN_USAGE: Sql = Sql::new(
    "SELECT hour, count FROM token_usage WHERE token_id = ?1 AND hour >= ?2 ORDER BY hour",
);

/// Hourly counts before hour `?1`.
pub static PRUNE_USAGE: Sql = Sql::new("DELETE FROM token_usage WHERE hour < ?1");
