//! The resource API that proves tokens work: `GET/POST /v1/messages`.

use bytes::Bytes;
use keebai_api::wire::{Message, MessageList, PostMessageRequest};

use super::auth::Principal;
use super::error::{DomainError, DomainResult};
use super::permissions::{MESSAGES_READ, MESSAGES_WRITE};
use super::{from_ts, new_id, now, Service};
use crate::store::MessageRow;

/// Longest message body, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Messages in one listing, newest first.
pub const LISTING_LIMIT: u32 = 100;

impl Service {
    /// The tenant's newest messages as the JSON of a [`MessageList`], read from the store.
    pub async fn messages_json(&self, principal: &Principal) -> DomainResult<Bytes> {
        principal.require(MESSAGES_READ)?;
        let rows = self
            .store
            .messages(principal.tenant_id(), LISTING_LIMIT)
            .await?;
        let list = MessageList {
            messages: rows.into_iter().map(to_wire).collect(),
        };
        let json = serde_json::to_vec(&list).map_err(|e| DomainError::Internal(e.to_string()))?;
        Ok(Bytes::from(json))
    }

    pub async fn post_message(
        &self,
        principal: &Principal,
        req: PostMessageRequest,
    ) -> DomainResult<Message> {
        principal.require(MESSAGES_WRITE)?;
        let body = req.body.trim();
        let chars = body.chars().count();
        if chars == 0 || chars > MAX_MESSAGE_CHARS {
            return Err(DomainError::invalid(
                "body",
                format!("must be 1–{MAX_MESSAGE_CHARS} characters"),
            ));
        }
        let row = MessageRow {
            id: new_id(),
            tenant_id: principal.tenant_id().clone(),
            author_id: principal.user.id.clone(),
            body: body.to_owned(),
            created_at: now().timestamp(),
        };
        // Stored is answered: nothing is cached, so there is nothing to announce.
        self.store.insert_message(&row).await?;
        Ok(to_wire(row))
    }
}

fn to_wire(r: MessageRow) -> Message {
    Message {
        id: r.id,
        body: r.body,
        author_id: r.author_id.into_inner(),
        created_at: from_ts(r.created_at),
    }
}
