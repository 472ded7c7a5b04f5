//! Column lists and row mappers written once for both engines. Each engine adapts its row type
//! to [`Columns`] (a handful of typed reads by position), and every mapper here builds a row
//! from those reads, so a column added to a table is added in one place.

use super::{AuditRow, MessageRow, RoleRow, StoreError, StoreResult, TenantRow, TokenRow};

// Each list is a macro as well as a constant, so the shared statements (`super::queries`) can
// splice it into their text at compile time with `concat!`.
macro_rules! token_cols {
    () => {
        "id, tenant_id, user_id, name, prefix, hash, scopes, created_at, expires_at, last_used_at, revoked_at, last_used_ip, rotated_from, replaced_by, retire_grace"
    };
}
macro_rules! role_cols {
    () => {
        "id, tenant_id, name, permissions, builtin"
    };
}
macro_rules! tenant_cols {
    () => {
        "id, slug, name"
    };
}
macro_rules! audit_cols {
    () => {
        "id, tenant_id, at, actor, action, target, ip, detail"
    };
}
macro_rules! message_cols {
    () => {
        "id, tenant_id, author_id, body, created_at"
    };
}
pub(crate) use {audit_cols, message_cols, role_cols, tenant_cols, token_cols};

pub const TOKEN_COLS: &str = token_cols!();
pub const ROLE_COLS: &str = role_cols!();
pub const TENANT_COLS: &str = tenant_cols!();
pub const AUDIT_COLS: &str = audit_cols!();
pub const MESSAGE_COLS: &str = message_cols!();

/// Typed reads of one result row by column position.
pub trait Columns {
    fn text(&self, i: usize) -> StoreResult<String>;
    fn opt_text(&self, i: usize) -> StoreResult<Option<String>>;
    fn int(&self, i: usize) -> StoreResult<i64>;
    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>>;
    fn flag(&self, i: usize) -> StoreResult<bool>;

    /// A list stored as JSON text (scopes, permissions).
    fn list(&self, i: usize) -> StoreResult<Vec<String>> {
        parse_list(&self.text(i)?)
    }
}

/// A list as stored: JSON text.
pub fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

pub fn parse_list(text: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("stored list is not JSON: {e}")))
}

/// A row of [`TOKEN_COLS`].
pub fn token_row(r: &impl Columns) -> StoreResult<TokenRow> {
    Ok(TokenRow {
        id: r.text(0)?.into(),
        tenant_id: r.text(1)?.into(),
        user_id: r.text(2)?.into(),
        name: r.text(3)?,
        prefix: r.text(4)?,
        hash: r.text(5)?,
        scopes: r.list(6)?,
        created_at: r.int(7)?,
        expires_at: r.opt_int(8)?,
        last_used_at: r.opt_int(9)?,
        revoked_at: r.opt_int(10)?,
        last_used_ip: r.opt_text(11)?,
        rotated_from: r.opt_text(12)?.map(Into::into),
        replaced_by: r.opt_text(13)?.map(Into::into),
        retire_grace: r.opt_int(14)?,
    })
}

/// A row of [`ROLE_COLS`].
pub fn role_row(r: &impl Columns) -> StoreResult<RoleRow> {
    Ok(RoleRow {
        id: r.text(0)?.into(),
        tenant_id: r.text(1)?.into(),
        name: r.text(2)?,
        permissions: r.list(3)?,
        builtin: r.flag(4)?,
    })
}

/// A row of [`TENANT_COLS`].
pub fn tenant_row(r: &impl Columns) -> StoreResult<TenantRow> {
    Ok(TenantRow {
        id: r.text(0)?.into(),
        slug: r.text(1)?,
        name: r.text(2)?,
    })
}

/// A row of [`AUDIT_COLS`].
pub fn audit_row(r: &impl Columns) -> StoreResult<AuditRow> {
    Ok(AuditRow {
        id: r.text(0)?,
        tenant_id: r.text(1)?.into(),
        at: r.int(2)?,
        actor: r.opt_text(3)?,
        action: r.text(4)?,
        target: r.opt_text(5)?,
        ip: r.opt_text(6)?,
        detail: r.opt_text(7)?,
    })
}

/// A row of [`MESSAGE_COLS`].
pub fn message_row(r: &impl Columns) -> StoreResult<MessageRow> {
    Ok(MessageRow {
        id: r.text(0)?,
        tenant_id: r.text(1)?.into(),
        author_id: r.text(2)?.into(),
        body: r.text(3)?,
        created_at: r.int(4)?,
    })
}
