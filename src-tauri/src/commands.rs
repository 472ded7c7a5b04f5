//! The `#[tauri::command]`s: argument unpacking and one call into [`AppService`] each. No logic
//! lives here, so everything is tested through the service without a web view.

use chrono::{DateTime, Utc};
use keebai_api::wire::{Password, TokenRecord};
use serde::Deserialize;
use tauri::State;

use crate::app_service::{AppService, NewToken, RetireChoice, SignIn};
use crate::dto::{
    AppConfig, AuditReport, CopyView, CreatedTokenView, PermissionGroupView, RotatedTokenView,
    SessionView, TokenListView,
};
use crate::error::AppResult;

#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SignInArgs {
    server: String,
    tenant: String,
    email: String,
    password: Password,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CreateTokenArgs {
    name: String,
    scopes: Vec<String>,
    expires_at: Option<DateTime<Utc>>,
}

#[tauri::command]
pub fn app_config(service: State<'_, AppService>) -> AppResult<AppConfig> {
    service.config()
}

#[tauri::command]
pub async fn sign_in(service: State<'_, AppService>, form: SignInArgs) -> AppResult<SessionView> {
    service
        .sign_in(SignIn {
            server: form.server,
            tenant: form.tenant,
            email: form.email,
            password: form.password,
        })
        .await
}

#[tauri::command]
pub async fn restore_session(service: State<'_, AppService>) -> AppResult<Option<SessionView>> {
    service.restore_session().await
}

#[tauri::command]
pub async fn sign_out(service: State<'_, AppService>) -> AppResult<()> {
    service.sign_out().await
}

#[tauri::command]
pub async fn refresh_session(service: State<'_, AppService>) -> AppResult<SessionView> {
    service.refresh_session().await
}

#[tauri::command]
pub async fn list_tokens(service: State<'_, AppService>) -> AppResult<TokenListView> {
    service.list_tokens().await
}

/// The cached list alone (no network), so a launch paints before the server answers.
#[tauri::command]
pub fn cached_tokens(service: State<'_, AppService>) -> AppResult<Option<TokenListView>> {
    service.cached_tokens()
}

#[tauri::command]
pub async fn list_permissions(
    service: State<'_, AppService>,
) -> AppResult<Vec<PermissionGroupView>> {
    service.list_permissions().await
}

#[tauri::command]
pub async fn create_token(
    service: State<'_, AppService>,
    form: CreateTokenArgs,
) -> AppResult<CreatedTokenView> {
    service
        .create_token(NewToken {
            name: form.name,
            scopes: form.scopes,
            expires_at: form.expires_at,
        })
        .await
}

#[tauri::command]
pub fn copy_created_token(service: State<'_, AppService>) -> AppResult<CopyView> {
    service.copy_created_token()
}

#[tauri::command]
pub fn discard_created_token(service: State<'_, AppService>) -> AppResult<()> {
    service.discard_created_token()
}

#[tauri::command]
pub async fn revoke_token(service: State<'_, AppService>, id: String) -> AppResult<TokenRecord> {
    service.revoke_token(&id).await
}

/// The new secret goes to the one-time view; **Copy token** and closing it use
/// `copy_created_token` and `discard_created_token`, as after creation.
#[tauri::command]
pub async fn rotate_token(
    service: State<'_, AppService>,
    id: String,
    retire_choice: RetireChoice,
) -> AppResult<RotatedTokenView> {
    service.rotate_token(&id, retire_choice).await
}

#[tauri::command]
pub fn set_clipboard_timeout(service: State<'_, AppService>, seconds: u32) -> AppResult<u32> {
    service.set_clipboard_timeout(seconds)
}

#[tauri::command]
pub fn set_keep_offline_copy(service: State<'_, AppService>, keep: bool) -> AppResult<bool> {
    service.set_keep_offline_copy(keep)
}

/// The Audit screen's views, computed from the cached list (no network).
#[tauri::command]
pub fn audit_views(service: State<'_, AppService>) -> AppResult<Option<AuditReport>> {
    service.audit_views()
}

#[tauri::command]
pub fn set_stale_days(service: State<'_, AppService>, days: u32) -> AppResult<u32> {
    service.set_stale_days(days)
}
