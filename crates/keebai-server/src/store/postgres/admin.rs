//! [`Store::change_administration`] on PostgreSQL, where several replicas write at once.
//!
//! The transaction first locks the tenant's row (`FOR NO KEY UPDATE`: it conflicts with
//! itself, so administration changes of one tenant queue up across every replica, but not
//! with the `KEY SHARE` locks that foreign-key checks of new users, tokens or sessions take).
//! Under READ COMMITTED every later statement takes a fresh snapshot, so the roles and users
//! read after the lock was granted include everything the previous holder committed; the rule
//! is judged on them, and the write commits before the lock is released.

use super::{json_list, role_row, user_row, INSERT_USER_ROLES, ROLE_COLS, USER_SELECT};
use crate::store::{queries, AdminRule, AdminWrite, RoleRow, StoreResult, TenantId, UserRow};

pub(super) async fn change_administration(
    c: &mut deadpool_postgres::Object,
    tenant_id: &TenantId,
    change: &AdminWrite,
    rule: AdminRule,
) -> StoreResult<bool> {
    let tx = c.transaction().await?;
    let lock = tx
        .prepare_cached("SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE")
        .await?;
    tx.query_opt(&lock, &[&tenant_id]).await?;
    let st = tx
        .prepare_cached(&format!(
            r#"SELECT {ROLE_COLS} FROM roles WHERE tenant_id = $1 ORDER BY builtin DESC, name COLLATE "C""#
        ))
        .await?;
    let mut roles = tx
        .query(&st, &[&tenant_id])
        .await?
        .iter()
        .map(role_row)
        .collect::<StoreResult<Vec<RoleRow>>>()?;
    let st = tx
        .prepare_cached(&format!("{USER_SELECT} WHERE u.tenant_id = $1"))
        .await?;
    let mut users = tx
        .query(&st, &[&tenant_id])
        .await?
        .iter()
        .map(user_row)
        .collect::<StoreResult<Vec<UserRow>>>()?;
    change.apply(&mut roles, &mut users);
    if !rule(&roles, &users) {
        return Ok(false);
    }
    match change {
        AdminWrite::Role(r) => {
            let st = tx.prepare_cached(queries::UPDATE_ROLE.pg()).await?;
            tx.execute(
                &st,
                &[&r.id, &tenant_id, &r.name, &json_list(&r.permissions)],
            )
            .await?;
        }
        AdminWrite::UserRoles { user_id, role_ids } => {
            let del = tx.prepare_cached(queries::DELETE_USER_ROLES.pg()).await?;
            tx.execute(&del, &[user_id]).await?;
            if !role_ids.is_empty() {
                let ins = tx.prepare_cached(INSERT_USER_ROLES).await?;
                tx.execute(&ins, &[user_id, role_ids]).await?;
            }
        }
        AdminWrite::User {
            user_id,
            name,
            disabled,
            now,
        } => {
            let up = tx.prepare_cached(queries::UPDATE_USER.pg()).await?;
            tx.execute(&up, &[user_id, name, disabled]).await?;
            if *disabled == Some(true) {
                let del = tx
                    .prepare_cached(queries::DELETE_USER_SESSIONS.pg())
                    .await?;
                tx.execute(&del, &[user_id]).await?;
                let rev = tx.prepare_cached(queries::REVOKE_USER_TOKENS.pg()).await?;
                tx.execute(&rev, &[user_id, now]).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(true)
}
