//! The audit trail: `GET /v1/audit-events`, newest first, a page at a time (the caller's own
//! events, or the whole tenant's with `developer.audit_tokens`).

use keebai_api::wire::AuditEventList;
use keebai_api::TokenSecret;
use reqwest::Method;

use super::transport::encode_segment;
use super::ApiClient;
use crate::error::AppResult;

impl ApiClient {
    /// One page of at most `limit` (1–500) events, older than `cursor` when given.
    pub async fn audit_events(
        &self,
        session: &TokenSecret,
        cursor: Option<&str>,
        limit: u32,
    ) -> AppResult<AuditEventList> {
        // The unreserved-only encoding of ids keeps a cursor (a time and an id) one value.
        let path = match cursor {
            Some(c) => format!("v1/audit-events?limit={limit}&cursor={}", encode_segment(c)),
            None => format!("v1/audit-events?limit={limit}"),
        };
        let rb = self.authed(Method::GET, &path, session)?;
        self.send(rb).await
    }
}
