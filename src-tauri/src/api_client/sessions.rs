//! Sessions and who they are: `POST /v1/sessions`, `DELETE /v1/sessions/current`, `GET /v1/me`,
//! and the permission catalog (`GET /v1/permissions`).

use keebai_api::wire::{Me, PermissionList, SessionRequest, SessionResponse};
use keebai_api::TokenSecret;
use reqwest::Method;

use super::transport::check_status;
use super::ApiClient;
use crate::error::{AppError, AppResult, ErrorCode};

impl ApiClient {
    /// `POST /v1/sessions`. Bad credentials give `unauthorized`, five failures `rate_limited`.
    pub async fn sign_in(&self, request: &SessionRequest) -> AppResult<SessionResponse> {
        let rb = self.request(Method::POST, "v1/sessions")?.json(request);
        self.send(rb).await.map_err(|e| match e.code {
            ErrorCode::Unauthorized => AppError::new(
                ErrorCode::Unauthorized,
                "The tenant, email or password is not right.",
            ),
            ErrorCode::RateLimited => AppError::new(
                ErrorCode::RateLimited,
                "Too many sign-in attempts for this account. Wait a minute and try again.",
            ),
            _ => e,
        })
    }

    /// `DELETE /v1/sessions/current`.
    pub async fn sign_out(&self, session: &TokenSecret) -> AppResult<()> {
        let rb = self.authed(Method::DELETE, "v1/sessions/current", session)?;
        let response = self.execute(rb).await?;
        check_status(response).await.map(drop)
    }

    /// `GET /v1/me`: who the credential is and what it may do now.
    pub async fn me(&self, session: &TokenSecret) -> AppResult<Me> {
        self.send(self.authed(Method::GET, "v1/me", session)?).await
    }

    /// `GET /v1/permissions`: the catalog with groups and labels.
    pub async fn permissions(&self, session: &TokenSecret) -> AppResult<PermissionList> {
        self.send(self.authed(Method::GET, "v1/permissions", session)?)
            .await
    }
}
