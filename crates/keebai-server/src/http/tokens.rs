//! `/v1/tokens`: the personal access token lifecycle.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use keebai_api::wire::{
    CreateTokenRequest, CreateTokenResponse, ErrorBody, RotateTokenRequest, RotateTokenResponse,
    TokenList, TokenRecord, TokenUsage,
};

use super::error::ApiResult;
use super::extract::{ApiJson, Auth, Ctx};
use crate::domain::Service;
use crate::store::TokenId;

/// The caller's tokens, every status, newest first.
#[utoipa::path(get, path = "/v1/tokens", tag = "tokens", operation_id = "list_tokens", security(("bearer" = [])),
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(svc): State<Arc<Service>>, Auth(p): Auth) -> ApiResult<Json<TokenList>> {
    Ok(Json(svc.list_tokens(&p).await?))
}

/// Mint a token. The answer is the only time the secret is sent.
#[utoipa::path(post, path = "/v1/tokens", tag = "tokens", operation_id = "create_token", security(("bearer" = [])), request_body = CreateTokenRequest,
    responses(
        (status = 201, body = CreateTokenResponse),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "no developer.manage_tokens, a scope the user lacks, or called with a PAT"),
        (status = 409, body = ErrorBody, description = "10 active tokens already"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<CreateTokenRequest>,
) -> ApiResult<(StatusCode, Json<CreateTokenResponse>)> {
    let created = svc.create_token(&ctx, req).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One of the caller's tokens; 404 for anyone else's.
#[utoipa::path(get, path = "/v1/tokens/{id}", tag = "tokens", operation_id = "get_token", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TokenRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(svc): State<Arc<Service>>,
    Auth(p): Auth,
    Path(id): Path<TokenId>,
) -> ApiResult<Json<TokenRecord>> {
    Ok(Json(svc.token(&p, &id).await?))
}

/// Hourly counts of a token's successful requests over the last 90 days, and the address of
/// its latest use: for the owner, or for an auditor (`developer.audit_tokens`); 404 otherwise.
#[utoipa::path(get, path = "/v1/tokens/{id}/usage", tag = "tokens", operation_id = "get_token_usage", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TokenUsage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn usage(
    State(svc): State<Arc<Service>>,
    Auth(p): Auth,
    Path(id): Path<TokenId>,
) -> ApiResult<Json<TokenUsage>> {
    Ok(Json(svc.token_usage(&p, &id).await?))
}

/// Revoke one of the caller's tokens: effective before this returns; idempotent; the row stays.
#[utoipa::path(post, path = "/v1/tokens/{id}/revoke", tag = "tokens", operation_id = "revoke_token", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TokenRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    Path(id): Path<TokenId>,
) -> ApiResult<Json<TokenRecord>> {
    Ok(Json(svc.revoke_token(&ctx, &id).await?))
}

/// Rotate one of the caller's tokens (session only): a new token with the same name and
/// scopes and a fresh expiry; the old one stops at once (`grace_seconds` 0), after the grace,
/// or (`retire: on_first_use`) the grace after the new token's first successful request and
/// never more than 7 days after the rotation. A token already replaced answers 409
/// `conflict` and nothing changes, so a retry after a lost answer is safe.
#[utoipa::path(post, path = "/v1/tokens/{id}/rotate", tag = "tokens", operation_id = "rotate_token",
    security(("bearer" = [])), request_body = RotateTokenRequest,
    params(("id" = String, Path)),
    responses(
        (status = 201, body = RotateTokenResponse),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "no developer.manage_tokens, a scope the user no longer holds, or called with a PAT"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already replaced or not active (`conflict`), or no free slot for a grace (`token_limit_reached`)"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn rotate(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    Path(id): Path<TokenId>,
    ApiJson(req): ApiJson<RotateTokenRequest>,
) -> ApiResult<(StatusCode, Json<RotateTokenResponse>)> {
    let rotated = svc.rotate_token(&ctx, &id, req).await?;
    Ok((StatusCode::CREATED, Json(rotated)))
}

/// The calling token's own record (a PAT only; a session gets 403). Any active token may
/// ask, whatever its scopes.
#[utoipa::path(get, path = "/v1/tokens/self", tag = "tokens", operation_id = "get_token_self",
    security(("bearer" = [])),
    responses((status = 200, body = TokenRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "called with a session")))]
pub async fn get_self(
    State(svc): State<Arc<Service>>,
    Auth(p): Auth,
) -> ApiResult<Json<TokenRecord>> {
    Ok(Json(svc.token_self(&p).await?))
}

/// The calling token rotates itself (a PAT holding `developer.rotate_self`): the same
/// rotation as the owner's, `retire` defaulting to `on_first_use`, so a job that loses the
/// answer keeps working with its old token until it uses the new one.
#[utoipa::path(post, path = "/v1/tokens/self/rotate", tag = "tokens", operation_id = "rotate_token_self",
    security(("bearer" = [])), request_body = RotateTokenRequest,
    responses(
        (status = 201, body = RotateTokenResponse),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "a session, no developer.rotate_self, or a scope the user no longer holds"),
        (status = 409, body = ErrorBody, description = "already replaced (`conflict`), or no free slot (`token_limit_reached`)"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn rotate_self(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<RotateTokenRequest>,
) -> ApiResult<(StatusCode, Json<RotateTokenResponse>)> {
    let rotated = svc.rotate_self(&ctx, req).await?;
    Ok((StatusCode::CREATED, Json(rotated)))
}
