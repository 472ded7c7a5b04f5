//! The security admin's desk: the tenant's tokens (`GET /v1/admin/tokens`, a page at a time),
//! an administrator's revoke with a reason (one, or many with a dry run first), and disabling
//! a user (`PUT /v1/users/{id}`).

use keebai_api::wire::{
    AdminRevokeRequest, BulkRevokeRequest, BulkRevokeResponse, InventoryPage, TokenRecord,
    UpdateUserRequest, User,
};
use keebai_api::TokenSecret;
use reqwest::Method;

use super::transport::encode_segment;
use super::ApiClient;
use crate::error::AppResult;

impl ApiClient {
    /// One page (newest first) of every token of the tenant, with its owner.
    pub async fn inventory_page(
        &self,
        session: &TokenSecret,
        cursor: Option<&str>,
        limit: u32,
    ) -> AppResult<InventoryPage> {
        let path = match cursor {
            Some(c) => format!("v1/admin/tokens?limit={limit}&cursor={}", encode_segment(c)),
            None => format!("v1/admin/tokens?limit={limit}"),
        };
        self.send(self.authed(Method::GET, &path, session)?).await
    }

    /// `POST /v1/admin/tokens/{id}/revoke` with the reason the owner's trail will show.
    pub async fn admin_revoke(
        &self,
        session: &TokenSecret,
        id: &str,
        reason: &str,
    ) -> AppResult<TokenRecord> {
        let path = format!("v1/admin/tokens/{}/revoke", encode_segment(id));
        let body = AdminRevokeRequest {
            reason: reason.to_owned(),
        };
        let rb = self.authed(Method::POST, &path, session)?.json(&body);
        self.send(rb).await
    }

    /// `POST /v1/admin/tokens/revoke`: many at once, or with `dry_run` what would be revoked.
    pub async fn bulk_revoke(
        &self,
        session: &TokenSecret,
        request: &BulkRevokeRequest,
    ) -> AppResult<BulkRevokeResponse> {
        let rb = self
            .authed(Method::POST, "v1/admin/tokens/revoke", session)?
            .json(request);
        self.send(rb).await
    }

    /// `PUT /v1/users/{id}`.
    pub async fn update_user(
        &self,
        session: &TokenSecret,
        id: &str,
        request: &UpdateUserRequest,
    ) -> AppResult<User> {
        let path = format!("v1/users/{}", encode_segment(id));
        let rb = self.authed(Method::PUT, &path, session)?.json(request);
        self.send(rb).await
    }
}
