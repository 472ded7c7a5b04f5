//! The caller's tokens: `GET /v1/tokens`, `GET /v1/tokens/{id}`, `POST /v1/tokens`,
//! `POST /v1/tokens/{id}/revoke`,
//! `POST /v1/tokens/{id}/rotate`, `GET /v1/tokens/{id}/usage`.

use keebai_api::wire::{
    CreateTokenRequest, CreateTokenResponse, RotateTokenRequest, RotateTokenResponse, TokenList,
    TokenRecord, TokenUsage,
};
use keebai_api::TokenSecret;
use reqwest::Method;

use super::transport::encode_segment;
use super::ApiClient;
use crate::error::AppResult;

impl ApiClient {
    /// `GET /v1/tokens`: the caller's own tokens, newest first.
    pub async fn tokens(&self, session: &TokenSecret) -> AppResult<TokenList> {
        self.send(self.authed(Method::GET, "v1/tokens", session)?)
            .await
    }

    /// `GET /v1/tokens/{id}`: one of the caller's tokens as it stands now.
    pub async fn token(&self, session: &TokenSecret, id: &str) -> AppResult<TokenRecord> {
        let path = format!("v1/tokens/{}", encode_segment(id));
        self.send(self.authed(Method::GET, &path, session)?).await
    }

    /// `GET /v1/tokens/{id}/usage`: hourly counts over 90 days and the client addresses.
    pub async fn token_usage(&self, session: &TokenSecret, id: &str) -> AppResult<TokenUsage> {
        let path = format!("v1/tokens/{}/usage", encode_segment(id));
        self.send(self.authed(Method::GET, &path, session)?).await
    }

    /// `POST /v1/tokens`: the only answer that carries a token's secret.
    pub async fn create_token(
        &self,
        session: &TokenSecret,
        request: &CreateTokenRequest,
    ) -> AppResult<CreateTokenResponse> {
        let rb = self
            .authed(Method::POST, "v1/tokens", session)?
            .json(request);
        self.send(rb).await
    }

    /// `POST /v1/tokens/{id}/revoke`.
    pub async fn revoke_token(&self, session: &TokenSecret, id: &str) -> AppResult<TokenRecord> {
        let path = format!("v1/tokens/{}/revoke", encode_segment(id));
        self.send(self.authed(Method::POST, &path, session)?).await
    }

    /// `POST /v1/tokens/{id}/rotate`: like creation, the only answer carrying the new secret.
    pub async fn rotate_token(
        &self,
        session: &TokenSecret,
        id: &str,
        request: &RotateTokenRequest,
    ) -> AppResult<RotateTokenResponse> {
        let path = format!("v1/tokens/{}/rotate", encode_segment(id));
        let rb = self.authed(Method::POST, &path, session)?.json(request);
        self.send(rb).await
    }
}
