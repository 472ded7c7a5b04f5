//! `/v1/messages`: the scoped resource API that proves tokens work.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use keebai_api::wire::{ErrorBody, Message, MessageList, PostMessageRequest};

use super::error::ApiResult;
use super::extract::{ApiJson, Auth};
use crate::domain::Service;

#[utoipa::path(get, path = "/v1/messages", tag = "resources", operation_id = "list_messages", security(("bearer" = [])),
    responses((status = 200, body = MessageList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "needs messages.read")))]
pub async fn list(State(svc): State<Arc<Service>>, Auth(p): Auth) -> ApiResult<Response> {
    // The body is already JSON (a `MessageList`), rendered by the domain.
    let body = svc.messages_json(&p).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[utoipa::path(post, path = "/v1/messages", tag = "resources", operation_id = "post_message", security(("bearer" = [])), request_body = PostMessageRequest,
    responses((status = 201, body = Message), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "needs messages.write"), (status = 422, body = ErrorBody)))]
pub async fn post(
    State(svc): State<Arc<Service>>,
    Auth(p): Auth,
    ApiJson(req): ApiJson<PostMessageRequest>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    Ok((StatusCode::CREATED, Json(svc.post_message(&p, req).await?)))
}
