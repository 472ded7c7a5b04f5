//! [`Store::change_administration`] on SQLite: `BEGIN IMMEDIATE` takes the database's single
//! write lock before anything is read, so the rule is judged on a state no other connection
//! or process can change until this transaction ends.

use rusqlite::{params, Connection, TransactionBehavior};

use super::{json_list, roles_of, users_of};
use crate::store::{queries, AdminRule, AdminWrite, TenantId};

pub(super) fn change_administration(
    c: &mut Connection,
    tenant_id: &TenantId,
    change: &AdminWrite,
    rule: AdminRule,
) -> rusqlite::Result<bool> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut roles = roles_of(&tx, tenant_id)?;
    let mut users = users_of(&tx, tenant_id)?;
    change.apply(&mut roles, &mut users);
    if !rule(&roles, &users) {
        return Ok(false);
    }
    match change {
        AdminWrite::Role(r) => {
            tx.execute(
                queries::UPDATE_ROLE.sqlite(),
                params![r.id, tenant_id, r.name, json_list(&r.permissions)],
            )?;
        }
        AdminWrite::UserRoles { user_id, role_ids } => {
            tx.execute(queries::DELETE_USER_ROLES.sqlite(), [user_id])?;
            for role in role_ids {
                tx.execute(
                    "INSERT INTO user_roles (user_id, role_id) VALUES (?1, ?2)",
                    params![user_id, role],
                )?;
            }
        }
        AdminWrite::User {
            user_id,
            name,
            disabled,
            now,
        } => {
            tx.execute(
                queries::UPDATE_USER.sqlite(),
                params![user_id, name, disabled],
            )?;
            if *disabled == Some(true) {
                tx.execute(queries::DELETE_USER_SESSIONS.sqlite(), [user_id])?;
                tx.execute(queries::REVOKE_USER_TOKENS.sqlite(), params![user_id, now])?;
            }
        }
    }
    tx.commit()?;
    Ok(true)
}
