//! `/v1/sessions` and `/v1/me`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use keebai_api::wire::{ErrorBody, Me, SessionRequest, SessionResponse};

use super::error::ApiResult;
use super::extract::{ApiJson, Auth, ClientIp, Ctx};
use crate::domain::Service;

/// Sign in with a password; the answer carries the session token, the only time it is sent.
#[utoipa::path(post, path = "/v1/sessions", tag = "sessions", operation_id = "create_session", request_body = SessionRequest,
    responses(
        (status = 201, body = SessionResponse),
        (status = 401, body = ErrorBody, description = "bad tenant, e-mail or password"),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody, description = "5 failures for this account within a minute"),
    ))]
pub async fn create(
    State(svc): State<Arc<Service>>,
    ip: ClientIp,
    ApiJson(req): ApiJson<SessionRequest>,
) -> ApiResult<(StatusCode, Json<SessionResponse>)> {
    let resp = svc.sign_in(req, ip.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(resp)))
}

/// End the current sign-in session.
#[utoipa::path(delete, path = "/v1/sessions/current", tag = "sessions", operation_id = "delete_current_session", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "called with a PAT")))]
pub async fn delete_current(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
) -> ApiResult<StatusCode> {
    svc.sign_out(&ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the credential acts as, and what it may do now.
#[utoipa::path(get, path = "/v1/me", tag = "sessions", operation_id = "get_me", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(svc): State<Arc<Service>>, Auth(p): Auth) -> ApiResult<Json<Me>> {
    Ok(Json(svc.me(&p).await?))
}
