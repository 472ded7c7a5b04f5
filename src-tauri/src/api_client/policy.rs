//! The tenant's token policy: `GET /v1/tenant/token-policy` (anyone of the tenant) and
//! `PUT …` (`admin.manage_roles`, with a session).

use keebai_api::wire::TokenPolicy;
use keebai_api::TokenSecret;
use reqwest::Method;

use super::ApiClient;
use crate::error::AppResult;

const PATH: &str = "v1/tenant/token-policy";

impl ApiClient {
    pub async fn token_policy(&self, session: &TokenSecret) -> AppResult<TokenPolicy> {
        self.send(self.authed(Method::GET, PATH, session)?).await
    }

    pub async fn set_token_policy(
        &self,
        session: &TokenSecret,
        policy: &TokenPolicy,
    ) -> AppResult<TokenPolicy> {
        self.send(self.authed(Method::PUT, PATH, session)?.json(policy))
            .await
    }
}
