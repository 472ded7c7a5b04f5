//! Changes to who can administer a tenant, which the store applies only if a rule still
//! holds afterwards, judged inside the transaction that writes them.
//!
//! Checking in the domain and then writing would let two replicas each pass the check on the
//! state before the other's change (two admins demoting each other at the same instant). So
//! the store serialises these changes per tenant across every process (SQLite's write lock;
//! PostgreSQL's row lock on the tenant), reads the tenant's roles and users under that lock,
//! applies the change to them in memory, asks the rule, and writes only if it holds.

use super::{RoleId, RoleRow, UserId, UserRow};

/// One change to a tenant's roles or role assignments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminWrite {
    /// Replaces the name and permissions of the role with this id.
    Role(RoleRow),
    /// Replaces the roles of a user of the tenant.
    UserRoles {
        user_id: UserId,
        role_ids: Vec<RoleId>,
    },
    /// Renames a user and/or disables or enables them. Disabling also ends their sessions
    /// and revokes their tokens active at `now`, in the same transaction.
    User {
        user_id: UserId,
        name: Option<String>,
        disabled: Option<bool>,
        now: i64,
    },
}

/// The rule a change must keep, judged on the tenant's roles and users as they would be after
/// it. A plain function, so an engine can run it on its blocking thread.
pub type AdminRule = fn(&[RoleRow], &[UserRow]) -> bool;

impl AdminWrite {
    /// The tenant's roles and users as they would be after this change.
    pub fn apply(&self, roles: &mut [RoleRow], users: &mut [UserRow]) {
        match self {
            AdminWrite::Role(new) => {
                if let Some(r) = roles.iter_mut().find(|r| r.id == new.id) {
                    *r = new.clone();
                }
            }
            AdminWrite::UserRoles { user_id, role_ids } => {
                if let Some(u) = users.iter_mut().find(|u| &u.id == user_id) {
                    u.role_ids = role_ids.clone();
                }
            }
            AdminWrite::User {
                user_id,
                name,
                disabled,
                ..
            } => {
                if let Some(u) = users.iter_mut().find(|u| &u.id == user_id) {
                    if let Some(n) = name {
                        u.name = n.clone();
                    }
                    if let Some(d) = disabled {
                        u.disabled = *d;
                    }
                }
            }
        }
    }
}

/// A rule that always holds, for fixtures and tests that only exercise the write.
pub fn any_state(_: &[RoleRow], _: &[UserRow]) -> bool {
    true
}
