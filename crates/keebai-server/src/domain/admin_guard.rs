//! Guards on role and user changes that could lock a tenant out of its own administration:
//! a tenant always keeps at least one user who can repair it (holding both
//! `admin.manage_roles` and `admin.manage_users`), and nobody changes the roles of a user who
//! holds permissions they lack themselves (which would let a junior admin strip a senior one).
//!
//! The first rule is judged by the store, inside the transaction that writes the change and
//! serialised with every other such change of the tenant on every replica
//! ([`crate::store::admin_change`]); here is only the rule itself.

use std::collections::{BTreeSet, HashMap};

use super::auth::Principal;
use super::error::{DomainError, DomainResult};
use super::permissions::{MANAGE_ROLES, MANAGE_USERS};
use super::Service;
use crate::store::{AdminWrite, RoleRow, StoreError, UserId, UserRow};

/// Whether some enabled user of the tenant holds both administration permissions through
/// their roles.
/// The [`crate::store::AdminRule`] every administration change must keep.
pub fn keeps_an_administrator(roles: &[RoleRow], users: &[UserRow]) -> bool {
    let roles: HashMap<&str, &[String]> = roles
        .iter()
        .map(|r| (r.id.as_str(), r.permissions.as_slice()))
        .collect();
    // A disabled user cannot sign in, so cannot repair anything.
    users.iter().filter(|u| !u.disabled).any(|u| {
        let held: BTreeSet<&str> = u
            .role_ids
            .iter()
            .filter_map(|r| roles.get(r.as_str()))
            .copied()
            .flatten()
            .map(String::as_str)
            .collect();
        held.contains(MANAGE_ROLES) && held.contains(MANAGE_USERS)
    })
}

impl Service {
    /// Writes `change` to the principal's tenant unless it would leave the tenant without a
    /// user holding both administration permissions (409 `conflict`). Check and write are one
    /// transaction serialised per tenant across replicas, so two concurrent changes cannot
    /// each pass the check and together break the rule.
    pub(super) async fn change_administration(
        &self,
        principal: &Principal,
        change: &AdminWrite,
    ) -> DomainResult<()> {
        let applied = self
            .store
            .change_administration(principal.tenant_id(), change, keeps_an_administrator)
            .await
            .map_err(|e| match (e, change) {
                (StoreError::Conflict(_), AdminWrite::Role(_)) => {
                    DomainError::invalid("name", "a role with this name already exists")
                }
                (e, _) => e.into(),
            })?;
        if applied {
            Ok(())
        } else {
            Err(DomainError::Conflict(format!(
                "this would leave the tenant without anyone holding both {MANAGE_ROLES} and \
                 {MANAGE_USERS}, so nobody could repair it; give another user those permissions first"
            )))
        }
    }

    /// 403 unless the principal holds every permission `user_id` holds now (for changing their
    /// roles, name or disabled state).
    pub(super) async fn outranks(
        &self,
        principal: &Principal,
        user_id: &UserId,
    ) -> DomainResult<()> {
        let held = self.store.user_permissions(user_id).await?;
        if let Some(p) = held.iter().find(|p| !principal.has(p)) {
            return Err(DomainError::forbidden(format!(
                "you cannot change a user who holds the {p} permission, which you do not hold"
            )));
        }
        Ok(())
    }
}
