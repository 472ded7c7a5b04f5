//! The Users screen (System Settings → Users, for `admin.manage_users`): the tenant's users with
//! their roles, creating a user, and changing a user's roles.
//!
//! Role names come from `GET /v1/roles`, which needs `admin.manage_roles`; an admin who manages
//! users but not roles still gets the users, with `roles: None` (the screen then shows ids and
//! cannot offer roles), rather than an error. Not cached: every action here needs the server.
//!
//! The new user's password is a secret: it arrives as a [`Password`] (redacted in `Debug`),
//! goes into the one request, and is dropped with it — never logged, cached or stored.

use keebai_api::wire::{
    CreateUserRequest, Password, UpdateUserRequest, UpdateUserRolesRequest, User,
};

use super::AppService;
use crate::dto::UsersView;
use crate::error::{AppResult, ErrorCode};

/// A user to create, as the Create user form sends it.
#[derive(Debug)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password: Password,
    pub role_ids: Vec<String>,
}

impl AppService {
    /// The tenant's users, and its roles when the admin may read them.
    pub async fn list_users(&self) -> AppResult<UsersView> {
        let (client, secret, _) = self.current()?;
        let users = self.checked(client.users(&secret).await)?;
        let roles = match self.checked(client.roles(&secret).await) {
            Ok(list) => Some(list.roles),
            Err(e) if e.code == ErrorCode::Forbidden => None,
            Err(e) => return Err(e),
        };
        Ok(UsersView {
            users: users.users,
            roles,
        })
    }

    /// Creates a user with a first password and roles. The server checks the e-mail, the
    /// password's length and that the admin holds what the roles grant.
    pub async fn create_user(&self, form: NewUser) -> AppResult<User> {
        let (client, secret, _) = self.current()?;
        let request = CreateUserRequest {
            email: form.email.trim().to_owned(),
            name: form.name.trim().to_owned(),
            password: form.password,
            role_ids: form.role_ids,
        };
        let user = self.checked(client.create_user(&secret, &request).await)?;
        tracing::info!(user_id = %user.id, roles = user.role_ids.len(), "user created");
        Ok(user)
    }

    /// Replaces the user's roles.
    pub async fn set_user_roles(&self, id: &str, role_ids: Vec<String>) -> AppResult<User> {
        let (client, secret, _) = self.current()?;
        let request = UpdateUserRolesRequest { role_ids };
        let user = self.checked(client.set_user_roles(&secret, id, &request).await)?;
        tracing::info!(user_id = %user.id, roles = user.role_ids.len(), "user's roles saved");
        Ok(user)
    }

    /// Disables a user (their sessions end and their active tokens are revoked at once, on
    /// every replica) or enables them again (sign-in only: no token comes back).
    pub async fn set_user_disabled(&self, id: &str, disabled: bool) -> AppResult<User> {
        let (client, secret, _) = self.current()?;
        let request = UpdateUserRequest {
            name: None,
            disabled: Some(disabled),
        };
        let user = self.checked(client.update_user(&secret, id, &request).await)?;
        tracing::info!(user_id = %user.id, disabled, "user disabled or enabled");
        Ok(user)
    }
}
