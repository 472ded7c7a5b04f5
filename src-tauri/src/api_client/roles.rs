//! The tenant's roles: `GET /v1/roles`, `PUT /v1/roles/{id}` (both need `admin.manage_roles`;
//! the server also wants a session, not a PAT, to change one).

use keebai_api::wire::{Role, RoleList, UpdateRoleRequest};
use keebai_api::TokenSecret;
use reqwest::Method;

use super::transport::encode_segment;
use super::ApiClient;
use crate::error::AppResult;

impl ApiClient {
    /// `GET /v1/roles`: every role of the tenant, built-in ones marked.
    pub async fn roles(&self, session: &TokenSecret) -> AppResult<RoleList> {
        self.send(self.authed(Method::GET, "v1/roles", session)?)
            .await
    }

    /// `PUT /v1/roles/{id}`: the role's whole permission list (the name is left as it is).
    pub async fn update_role(
        &self,
        session: &TokenSecret,
        id: &str,
        request: &UpdateRoleRequest,
    ) -> AppResult<Role> {
        let path = format!("v1/roles/{}", encode_segment(id));
        let rb = self.authed(Method::PUT, &path, session)?.json(request);
        self.send(rb).await
    }
}
