//! The tenant's users: `GET /v1/users`, `POST /v1/users`, `PUT /v1/users/{id}/roles` (all need
//! `admin.manage_users`; creating and assigning also need a session, not a PAT).

use keebai_api::wire::{CreateUserRequest, UpdateUserRolesRequest, User, UserList};
use keebai_api::TokenSecret;
use reqwest::Method;

use super::transport::encode_segment;
use super::ApiClient;
use crate::error::AppResult;

impl ApiClient {
    /// `GET /v1/users`.
    pub async fn users(&self, session: &TokenSecret) -> AppResult<UserList> {
        self.send(self.authed(Method::GET, "v1/users", session)?)
            .await
    }

    /// `POST /v1/users`: the request carries the new user's first password; it is sent once
    /// and dropped with the request.
    pub async fn create_user(
        &self,
        session: &TokenSecret,
        request: &CreateUserRequest,
    ) -> AppResult<User> {
        let rb = self
            .authed(Method::POST, "v1/users", session)?
            .json(request);
        self.send(rb).await
    }

    /// `PUT /v1/users/{id}/roles`: the user's whole role list.
    pub async fn set_user_roles(
        &self,
        session: &TokenSecret,
        id: &str,
        request: &UpdateUserRolesRequest,
    ) -> AppResult<User> {
        let path = format!("v1/users/{}/roles", encode_segment(id));
        let rb = self.authed(Method::PUT, &path, session)?.json(request);
        self.send(rb).await
    }
}
