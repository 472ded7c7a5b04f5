//! The `#[tauri::command]`s: argument unpacking and one call into [`AppService`] each. No logic
//! lives here, so everything is tested through the service without a web view.
//!
//! Tauri runs a command that is not `async` on the main thread, the one GTK draws the window
//! with. The three that read a whole cached list (100,000 tokens: a quarter to half a second)
//! are marked `#[tauri::command(async)]` and run on the async runtime's threads instead, so the
//! window keeps painting meanwhile — the first rows of a large cache, the offline banner.

use chrono::{DateTime, Utc};
use keebai_api::wire::{BulkRevokeResponse, Password, Role, TokenPolicy, TokenRecord, User};
use serde::Deserialize;
use tauri::{State, Window};
use tauri_plugin_dialog::DialogExt;

use crate::app_service::{AppService, NewToken, NewUser, RetireChoice, SignIn};
use crate::dto::{
    ActivityView, AppConfig, AuditReport, CopyView, CreatedTokenView, InventoryView,
    PermissionGroupView, PolicyView, RolesView, RotatedTokenView, SessionView, TokenDetailView,
    TokenListView, UsersView,
};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::export_file::{self, ExportFormat};
use crate::usage_rules::WorkHours;

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

/// The cached list alone (no network), so a launch paints before the server answers; with
/// `first`, only that many of its first rows (and `total`), for the first screen.
#[tauri::command(async)]
pub fn cached_tokens(
    service: State<'_, AppService>,
    first: Option<u32>,
) -> AppResult<Option<TokenListView>> {
    service.cached_tokens(first.map(|n| n as usize))
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
pub fn set_reminders(service: State<'_, AppService>, on: bool) -> AppResult<bool> {
    service.set_reminders(on)
}

#[tauri::command]
pub fn set_keep_offline_copy(service: State<'_, AppService>, keep: bool) -> AppResult<bool> {
    service.set_keep_offline_copy(keep)
}

/// System Settings → Roles: the tenant's roles and the whole catalog.
#[tauri::command]
pub async fn list_roles(service: State<'_, AppService>) -> AppResult<RolesView> {
    service.list_roles().await
}

/// Saves a role's permissions (the whole list).
#[tauri::command]
pub async fn update_role(
    service: State<'_, AppService>,
    id: String,
    permissions: Vec<String>,
) -> AppResult<Role> {
    service.update_role(&id, permissions).await
}

/// The Create user form. The password is a [`Password`]: redacted in `Debug`, sent once.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CreateUserArgs {
    email: String,
    name: String,
    password: Password,
    role_ids: Vec<String>,
}

/// System Settings → Users: the users, and the roles when the admin may read them.
#[tauri::command]
pub async fn list_users(service: State<'_, AppService>) -> AppResult<UsersView> {
    service.list_users().await
}

#[tauri::command]
pub async fn create_user(service: State<'_, AppService>, form: CreateUserArgs) -> AppResult<User> {
    service
        .create_user(NewUser {
            email: form.email,
            name: form.name,
            password: form.password,
            role_ids: form.role_ids,
        })
        .await
}

/// Replaces the user's roles (the whole list).
#[tauri::command]
pub async fn set_user_roles(
    service: State<'_, AppService>,
    id: String,
    role_ids: Vec<String>,
) -> AppResult<User> {
    service.set_user_roles(&id, role_ids).await
}

/// The Activity screen: the newest audit events (cached; offline, the cached copy).
#[tauri::command]
pub async fn list_activity(service: State<'_, AppService>) -> AppResult<ActivityView> {
    service.list_activity().await
}

/// **Export**: asks where to save with the native save dialog (its parent this window), then
/// writes the text the UI built from the view on screen. `None` when the user cancelled.
#[tauri::command]
pub async fn save_export(
    window: Window,
    file_name: String,
    format: ExportFormat,
    contents: String,
) -> AppResult<Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Export")
        .set_file_name(export_file::with_extension(file_name.as_ref(), format).to_string_lossy())
        .add_filter(format.label(), &[format.extension()])
        .save_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = chosen.into_path().map_err(|e| {
        AppError::new(
            ErrorCode::LocalStorage,
            format!("The chosen place is not a file: {e}"),
        )
    })?;
    let written = export_file::write_export(&path, format, &contents)?;
    Ok(Some(written.display().to_string()))
}

/// The Audit screen's views, computed from the cached list (no network).
#[tauri::command(async)]
pub fn audit_views(service: State<'_, AppService>) -> AppResult<Option<AuditReport>> {
    service.audit_views()
}

#[tauri::command]
pub fn set_stale_days(service: State<'_, AppService>, days: u32) -> AppResult<u32> {
    service.set_stale_days(days)
}

/// Disables a user, or enables them again.
#[tauri::command]
pub async fn set_user_disabled(
    service: State<'_, AppService>,
    id: String,
    disabled: bool,
) -> AppResult<User> {
    service.set_user_disabled(&id, disabled).await
}

/// The Inventory: every token of the tenant (cached; offline, the cached copy).
#[tauri::command]
pub async fn list_inventory(service: State<'_, AppService>) -> AppResult<InventoryView> {
    service.list_inventory().await
}

/// An administrator's revoke of one token, with the reason its owner will see.
#[tauri::command]
pub async fn admin_revoke_token(
    service: State<'_, AppService>,
    id: String,
    reason: String,
) -> AppResult<TokenRecord> {
    service.admin_revoke_token(&id, &reason).await
}

/// **Revoke selected**: these tokens, or with `dry_run` exactly which would be revoked.
#[tauri::command]
pub async fn bulk_revoke_tokens(
    service: State<'_, AppService>,
    ids: Vec<String>,
    reason: String,
    dry_run: bool,
) -> AppResult<BulkRevokeResponse> {
    service.bulk_revoke_tokens(ids, &reason, dry_run).await
}

/// The tenant's token policy (anyone may read it: the Create dialog follows it; offline, the
/// cached copy).
#[tauri::command]
pub async fn get_token_policy(service: State<'_, AppService>) -> AppResult<PolicyView> {
    service.token_policy().await
}

/// System Settings → Token policy: replaces the tenant's policy (`admin.manage_roles`).
#[tauri::command]
pub async fn set_token_policy(
    service: State<'_, AppService>,
    policy: TokenPolicy,
) -> AppResult<PolicyView> {
    service.set_token_policy(policy).await
}

/// A token's detail panel (Audit): its heat map, addresses and rotations, from the cache.
#[tauri::command(async)]
pub fn token_detail(service: State<'_, AppService>, id: String) -> AppResult<TokenDetailView> {
    service.token_detail(&id)
}

/// Settings: the working days and hours **Off-hours activity** is judged by.
#[tauri::command]
pub fn set_work_hours(service: State<'_, AppService>, hours: WorkHours) -> AppResult<WorkHours> {
    service.set_work_hours(hours)
}
