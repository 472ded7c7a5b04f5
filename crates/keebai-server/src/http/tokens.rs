//! `/v1/tokens`: the personal access token lifecycle.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use keebai_api::wire::{
    CreateTokenRequest, CreateTokenResponse, ErrorBody, TokenList, TokenRecord, TokenUsage,
};

use super::error::ApiResult;
use super::extract::{ApiJson, Auth, ClientIp};
use crate::domain::Service;

/// The caller's tokens, every status, newest first.
#[utoipa::path(get, path = "/v1/tokens", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(svc): State<Arc<Service>>, Auth(p): Auth) -> ApiResult<Json<TokenList>> {
    Ok(Json(svc.list_tokens(&p).await?))
}

/// Mint a token. The answer is the only time the secret is sent.
#[utoipa::path(post, path = "/v1/tokens", tag = "tokens", security(("bearer" = [])), request_body = CreateTokenRequest,
    responses(
        (status = 201, body = CreateTokenResponse),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "no developer.manage_tokens, a scope the user lacks, or called with a PAT"),
        (status = 409, body = ErrorBody, description = "10 active tokens already"),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create(
    State(svc): State<Arc<Service>>,
    ip: ClientIp,
    Auth(p): Auth,
    ApiJson(req): ApiJson<CreateTokenRequest>,
) -> ApiResult<(StatusCode, Json<CreateTokenResponse>)> {
    let created = svc.create_token(&p, req, ip.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One of the caller's tokens; 404 for anyone else's.
#[utoipa::path(get, path = "/v1/tokens/{id}", tag = "tokens", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TokenRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(svc): State<Arc<Service>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TokenRecord>> {
    Ok(Json(svc.token(&p, &id).await?))
}

/// Hourly counts of a token's successful requests over the last 90 days, and the address of
/// its latest use: for the owner, or for an auditor (`developer.audit_tokens`); 404 otherwise.
#[utoipa::path(get, path = "/v1/tokens/{id}/usage", tag = "tokens", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TokenUsage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn usage(
    State(svc): State<Arc<Service>>,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TokenUsage>> {
    Ok(Json(svc.token_usage(&p, &id).await?))
}

/// Revoke one of the caller's tokens: effective before this returns; idempotent; the row stays.
#[utoipa::path(post, path = "/v1/tokens/{id}/revoke", tag = "tokens", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TokenRecord), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(svc): State<Arc<Service>>,
    ip: ClientIp,
    Auth(p): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TokenRecord>> {
    Ok(Json(svc.revoke_token(&p, &id, ip.as_deref()).await?))
}
