//! `/v1/admin/tokens`: the security admins' tenant-wide token inventory and revoking from it
//! with a reason (`developer.audit_tokens`; a PAT holding it may call them too).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use keebai_api::wire::{
    AdminRevokeRequest, BulkRevokeRequest, BulkRevokeResponse, ErrorBody, InventoryFilter,
    InventoryPage, TokenRecord, TokenStatus,
};
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, Auth, Ctx};
use crate::domain::inventory::DEFAULT_PAGE;
use crate::domain::Service;
use crate::store::TokenId;

/// The inventory's query: its filters (as in a bulk revoke's `filter`) and paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InventoryQuery {
    /// `active`, `expired` or `revoked`.
    pub status: Option<TokenStatus>,
    /// Only this user's tokens.
    pub user_id: Option<String>,
    /// Part of the name (A–Z in any case) or of the prefix.
    pub q: Option<String>,
    /// Only tokens holding this permission key.
    pub scope: Option<String>,
    /// No successful request for this many days (1–3650); a token never used counts from its
    /// creation.
    pub unused_days: Option<u32>,
    /// Active and expiring within this many days (1–3650).
    pub expiring_within_days: Option<u32>,
    /// `true`: only tokens that never expire; `false`: only tokens with an expiry.
    pub no_expiry: Option<bool>,
    /// `true`: only tokens of disabled users; `false`: only of enabled ones.
    pub owner_disabled: Option<bool>,
    /// `true`: only active tokens that break the tenant's current token policy; `false`: every
    /// other token.
    pub violates_policy: Option<bool>,
    /// 1–500, default 100.
    pub limit: Option<u32>,
    /// A previous page's `next_cursor`, with the same filters.
    pub cursor: Option<String>,
}

/// Every token of the caller's tenant with its owner, newest first, filtered and paged.
#[utoipa::path(get, path = "/v1/admin/tokens", tag = "inventory", operation_id = "list_tenant_tokens", security(("bearer" = [])),
    params(InventoryQuery),
    responses(
        (status = 200, body = InventoryPage),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "no developer.audit_tokens"),
        (status = 422, body = ErrorBody, description = "an unknown or invalid parameter, a limit outside 1–500, or a cursor of another listing"),
    ))]
pub async fn list(
    State(svc): State<Arc<Service>>,
    Auth(p): Auth,
    query: Result<Query<InventoryQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<InventoryPage>> {
    let Query(q) =
        query.map_err(|e| ApiError::invalid(StatusCode::UNPROCESSABLE_ENTITY, e.body_text()))?;
    let filter = InventoryFilter {
        status: q.status,
        user_id: q.user_id,
        q: q.q,
        scope: q.scope,
        unused_days: q.unused_days,
        expiring_within_days: q.expiring_within_days,
        no_expiry: q.no_expiry,
        owner_disabled: q.owner_disabled,
        violates_policy: q.violates_policy,
    };
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    Ok(Json(
        svc.token_inventory(&p, &filter, q.cursor.as_deref(), limit)
            .await?,
    ))
}

/// Revoke any token of the caller's tenant, saying why: effective on every replica before
/// this returns; idempotent. The owner's audit trail gets a `token.revoked` event naming the
/// administrator (actor) and the reason.
#[utoipa::path(post, path = "/v1/admin/tokens/{id}/revoke", tag = "inventory", operation_id = "admin_revoke_token",
    security(("bearer" = [])), request_body = AdminRevokeRequest,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = TokenRecord),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "no developer.audit_tokens"),
        (status = 404, body = ErrorBody, description = "no such token in the caller's tenant"),
        (status = 422, body = ErrorBody, description = "the reason is missing, empty, over 500 characters or has control characters"),
    ))]
pub async fn revoke(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    Path(id): Path<TokenId>,
    ApiJson(req): ApiJson<AdminRevokeRequest>,
) -> ApiResult<Json<TokenRecord>> {
    Ok(Json(svc.admin_revoke_token(&ctx, &id, &req.reason).await?))
}

/// Revoke many active tokens of the caller's tenant at once — named by `ids`, or every one the
/// inventory's `filter` matches (at most 1000; more is refused whole) — saying why. One
/// transaction, effective on every replica before this returns. `dry_run: true` answers what
/// would be revoked and changes nothing.
#[utoipa::path(post, path = "/v1/admin/tokens/revoke", tag = "inventory", operation_id = "bulk_revoke_tokens",
    security(("bearer" = [])), request_body = BulkRevokeRequest,
    responses(
        (status = 200, body = BulkRevokeResponse),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "no developer.audit_tokens"),
        (status = 422, body = ErrorBody, description = "no reason, neither or both of ids and filter, over 1000 ids, an invalid filter, or a filter matching over 1000 active tokens"),
    ))]
pub async fn bulk_revoke(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<BulkRevokeRequest>,
) -> ApiResult<Json<BulkRevokeResponse>> {
    Ok(Json(svc.bulk_revoke(&ctx, &req).await?))
}
