//! The Roles screen (System Settings → Roles, for `admin.manage_roles`): the tenant's roles with
//! the whole permission catalog, and saving a role's permissions — the spec's "open your role,
//! check *Manage API Tokens* under *Developer*, and save".
//!
//! Not cached: roles are changed, not audited, here, and a change needs the server anyway; with
//! the server unreachable the screen gets `server_unreachable` and says so. The session's own
//! permissions may change with a save (an admin editing a role they hold); the UI refreshes the
//! session after one.

use keebai_api::wire::{Role, UpdateRoleRequest};

use super::{lock, AppService};
use crate::dto::{group_permissions, RolesView};
use crate::error::{AppError, AppResult};

impl AppService {
    /// The tenant's roles, the catalog grouped, and what the signed-in admin holds.
    pub async fn list_roles(&self) -> AppResult<RolesView> {
        let (client, secret, _) = self.current()?;
        let roles = self.checked(client.roles(&secret).await)?;
        let catalog = self.checked(client.permissions(&secret).await)?;
        let held = lock(&self.session)?
            .as_ref()
            .ok_or_else(AppError::not_signed_in)?
            .me
            .permissions
            .clone();
        Ok(RolesView {
            roles: roles.roles,
            groups: group_permissions(catalog.permissions),
            held,
        })
    }

    /// Replaces the role's permissions. The server's rules stand (the built-in Admin role keeps
    /// every permission; nobody grants what they do not hold); its refusal comes back as is.
    pub async fn update_role(&self, id: &str, permissions: Vec<String>) -> AppResult<Role> {
        let (client, secret, _) = self.current()?;
        let request = UpdateRoleRequest {
            permissions,
            name: None,
        };
        let role = self.checked(client.update_role(&secret, id, &request).await)?;
        tracing::info!(role_id = %role.id, permissions = role.permissions.len(), "role saved");
        Ok(role)
    }
}
