// The app's commands, written once. The build script includes this file (`include!`) to declare
// them to Tauri's ACL, and `command_drift`'s test checks that the handler list in `lib.rs`, the
// capability files and `ui/src/lib/api.ts` name exactly these. A plain `//` comment: a file
// pulled in by `include!` may not carry inner (`//!`) docs.

/// Every `#[tauri::command]` the web view may call, by its IPC name.
pub const COMMANDS: &[&str] = &[
    "app_config",
    "sign_in",
    "restore_session",
    "sign_out",
    "refresh_session",
    "list_tokens",
    "cached_tokens",
    "list_permissions",
    "create_token",
    "copy_created_token",
    "discard_created_token",
    "revoke_token",
    "rotate_token",
    "set_clipboard_timeout",
    "set_keep_offline_copy",
    "set_reminders",
    "list_roles",
    "update_role",
    "list_users",
    "create_user",
    "set_user_roles",
    "list_activity",
    "save_export",
    "audit_views",
    "set_stale_days",
    "set_user_disabled",
    "list_inventory",
    "admin_revoke_token",
    "bulk_revoke_tokens",
    "get_token_policy",
    "set_token_policy",
    "token_detail",
    "set_work_hours",
];
