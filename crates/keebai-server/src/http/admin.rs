//! `/v1/permissions`, `/v1/roles`, `/v1/users`, `/v1/audit-events`.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use keebai_api::wire::{
    AuditEventList, CreateRoleRequest, CreateUserRequest, ErrorBody, PermissionList, Role,
    RoleList, UpdateRoleRequest, UpdateUserRequest, UpdateUserRolesRequest, User, UserList,
};
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::extract::{ApiJson, Auth, Ctx};
use crate::domain::permissions;
use crate::domain::Service;
use crate::store::{AuditFilter, RoleId, UserId};

/// The permission catalog.
#[utoipa::path(get, path = "/v1/permissions", tag = "roles", operation_id = "list_permissions", security(("bearer" = [])),
    responses((status = 200, body = PermissionList), (status = 401, body = ErrorBody)))]
pub async fn permissions(_caller: Auth) -> Json<PermissionList> {
    Json(PermissionList {
        permissions: permissions::catalog(),
    })
}

#[utoipa::path(get, path = "/v1/roles", tag = "roles", operation_id = "list_roles", security(("bearer" = [])),
    responses((status = 200, body = RoleList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn roles(State(svc): State<Arc<Service>>, Auth(p): Auth) -> ApiResult<Json<RoleList>> {
    Ok(Json(RoleList {
        roles: svc.roles(&p).await?,
    }))
}

#[utoipa::path(post, path = "/v1/roles", tag = "roles", operation_id = "create_role", security(("bearer" = [])), request_body = CreateRoleRequest,
    responses((status = 201, body = Role), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_role(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<CreateRoleRequest>,
) -> ApiResult<(StatusCode, Json<Role>)> {
    Ok((StatusCode::CREATED, Json(svc.create_role(&ctx, req).await?)))
}

/// Change a role's permissions (and optionally its name). Takes effect on the next request of
/// every session and token of the role's users.
#[utoipa::path(put, path = "/v1/roles/{id}", tag = "roles", operation_id = "update_role", security(("bearer" = [])), request_body = UpdateRoleRequest,
    params(("id" = String, Path)),
    responses((status = 200, body = Role), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "no admin.manage_roles, a permission the caller lacks, or called with a PAT"), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the change would leave the tenant without a user holding admin.manage_roles and admin.manage_users"), (status = 422, body = ErrorBody)))]
pub async fn update_role(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    Path(id): Path<RoleId>,
    ApiJson(req): ApiJson<UpdateRoleRequest>,
) -> ApiResult<Json<Role>> {
    Ok(Json(svc.update_role(&ctx, &id, req).await?))
}

#[utoipa::path(get, path = "/v1/users", tag = "users", operation_id = "list_users", security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn users(State(svc): State<Arc<Service>>, Auth(p): Auth) -> ApiResult<Json<UserList>> {
    Ok(Json(UserList {
        users: svc.users(&p).await?,
    }))
}

#[utoipa::path(post, path = "/v1/users", tag = "users", operation_id = "create_user", security(("bearer" = [])), request_body = CreateUserRequest,
    responses((status = 201, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((StatusCode::CREATED, Json(svc.create_user(&ctx, req).await?)))
}

#[utoipa::path(put, path = "/v1/users/{id}/roles", tag = "users", operation_id = "set_user_roles", security(("bearer" = [])), request_body = UpdateUserRolesRequest,
    params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "no admin.manage_users, a role granting what the caller lacks, a user who outranks the caller, or called with a PAT"), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the change would leave the tenant without a user holding admin.manage_roles and admin.manage_users"), (status = 422, body = ErrorBody)))]
pub async fn set_user_roles(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    Path(id): Path<UserId>,
    ApiJson(req): ApiJson<UpdateUserRolesRequest>,
) -> ApiResult<Json<User>> {
    Ok(Json(svc.set_user_roles(&ctx, &id, &req.role_ids).await?))
}

/// Rename, disable or enable a user (session only). Disabling ends their sessions and revokes
/// their active tokens (reason "owner disabled") at once, on every replica; enabling lets them
/// sign in again and brings no token back.
#[utoipa::path(put, path = "/v1/users/{id}", tag = "users", operation_id = "update_user", security(("bearer" = [])), request_body = UpdateUserRequest,
    params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "no admin.manage_users, a user who outranks the caller, or called with a PAT"), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "disabling would leave the tenant without an enabled user holding admin.manage_roles and admin.manage_users"), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(svc): State<Arc<Service>>,
    Ctx(ctx): Ctx,
    Path(id): Path<UserId>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> ApiResult<Json<User>> {
    Ok(Json(svc.update_user(&ctx, &id, &req).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// 1–500, default 100.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    /// Only events this user (id) acted in.
    pub actor: Option<String>,
    /// Only events of this action, e.g. `token.revoked`.
    pub action: Option<String>,
    /// Only events about this object (a token, role or user id).
    pub target: Option<String>,
    /// Only events at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Only events before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

/// Audit events, newest first: the caller's own, or the whole tenant's with
/// `developer.audit_tokens`; narrowed by actor, action, target and time (`since` ≤ at < `until`).
#[utoipa::path(get, path = "/v1/audit-events", tag = "audit", operation_id = "list_audit_events", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditEventList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn audit_events(
    State(svc): State<Arc<Service>>,
    Auth(p): Auth,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<AuditEventList>> {
    let Query(q) =
        query.map_err(|e| ApiError::invalid(StatusCode::UNPROCESSABLE_ENTITY, e.body_text()))?;
    Ok(Json(
        svc.audit_events(
            &p,
            q.cursor.as_deref(),
            q.limit.unwrap_or(100),
            AuditFilter {
                actor: q.actor,
                action: q.action,
                target: q.target,
                since: q.since.map(|t| t.timestamp()),
                until: q.until.map(|t| t.timestamp()),
            },
        )
        .await?,
    ))
}
