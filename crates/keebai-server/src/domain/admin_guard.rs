//! Guards on role and user changes that could lock a tenant out of its own administration:
//! a tenant always keeps at least one user who can repair it (holding both
//! `admin.manage_roles` and `admin.manage_users`), and nobody changes the roles of a user who
//! holds permissions they lack themselves (which would let a junior admin strip a senior one).

use std::collections::{BTreeSet, HashMap};

use super::auth::Principal;
use super::error::{DomainError, DomainResult};
use super::permissions::{MANAGE_ROLES, MANAGE_USERS};
use super::Service;

/// A change about to be made, as the guard simulates it.
pub enum AdminChange<'a> {
    UserRoles {
        user_id: &'a str,
        role_ids: &'a [String],
    },
    RolePermissions {
        role_id: &'a str,
        permissions: &'a [String],
    },
}

impl Service {
    /// 409 `conflict` when `change` would leave the principal's tenant without a user holding
    /// both administration permissions. Call it while holding [`Service::admin_changes`], so
    /// two changes in this process cannot each pass the check and together break the rule.
    pub(super) async fn keeps_an_administrator(
        &self,
        principal: &Principal,
        change: AdminChange<'_>,
    ) -> DomainResult<()> {
        let tenant = principal.tenant_id();
        let mut roles: HashMap<String, Vec<String>> = self
            .store
            .roles(tenant)
            .await?
            .into_iter()
            .map(|r| (r.id, r.permissions))
            .collect();
        let mut users = self.store.users(tenant).await?;
        match change {
            AdminChange::RolePermissions {
                role_id,
                permissions,
            } => {
                roles.insert(role_id.to_owned(), permissions.to_vec());
            }
            AdminChange::UserRoles { user_id, role_ids } => {
                if let Some(u) = users.iter_mut().find(|u| u.id == user_id) {
                    u.role_ids = role_ids.to_vec();
                }
            }
        }
        let can_repair = users.iter().any(|u| {
            let held: BTreeSet<&str> = u
                .role_ids
                .iter()
                .filter_map(|r| roles.get(r))
                .flatten()
                .map(String::as_str)
                .collect();
            held.contains(MANAGE_ROLES) && held.contains(MANAGE_USERS)
        });
        if can_repair {
            Ok(())
        } else {
            Err(DomainError::Conflict(format!(
                "this would leave the tenant without anyone holding both {MANAGE_ROLES} and \
                 {MANAGE_USERS}, so nobody could repair it; give another user those permissions first"
            )))
        }
    }

    /// 403 unless the principal holds every permission `user_id` holds now.
    pub(super) async fn outranks(&self, principal: &Principal, user_id: &str) -> DomainResult<()> {
        let held = self.store.user_permissions(user_id).await?;
        if let Some(p) = held.iter().find(|p| !principal.has(p)) {
            return Err(DomainError::forbidden(format!(
                "you cannot change the roles of a user who holds the {p} permission, which you do not hold"
            )));
        }
        Ok(())
    }
}
