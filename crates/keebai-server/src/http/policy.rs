//! `/v1/tenant/token-policy`: the tenant's token policy, read by anyone of the tenant (the
//! desktop's Create and Rotate dialogs follow it) and set by `admin.manage_roles`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use keebai_api::wire::{ErrorBody, TokenPolicy};

use super::error::ApiResult;
use super::extract::{ApiJson, Auth, Ctx};
use crate::domain::Service;

/// The tenant's token policy (the default one, no maximum and no expiry required, until an
/// administrator sets one).
#[utoipa::path(get, path = "/v1/tenant/token-policy", tag = "policy", operation_id = "get_token_policy", security(("bearer" = [])),
    responses((status = 200, body = TokenPolicy), (status = 401, body = ErrorBody)))]
pub async fn get(State(svc): State<Arc<Service>>, Auth(p): Auth) -> ApiResult<Json<TokenPolicy>> {
    Ok(Json(svc.token_policy(&p).await?))
}

/// Replace the tenant's token policy. New tokens must meet it (422 naming it) and rotations
/// are capped by it; existing tokens are not changed — the inventory's `violates_policy`
/// filter finds those that break it.
#[utoipa::path(put, path = "/v1/tenant/token-policy", tag = "policy", operation_id = "set_token_policy", security(("bearer" = [])), request_body = TokenPolicy,
    responses((status = 200, body = TokenPolicy), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "no admin.manage_roles (a PAT: not among its scopes)"),
        (status = 422, body = ErrorBody, description = "max_lifetime_days outside 1–3650, or an unknown field")))]
pub async fn put(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    ApiJson(policy): ApiJson<TokenPolicy>,
) -> ApiResult<Json<TokenPolicy>> {
    Ok(Json(svc.set_token_policy(&ctx, policy).await?))
}
