//! Declares the app's own commands to Tauri's ACL so that `capabilities/` can allow exactly the
//! ones the UI calls; a command not listed here cannot be reached from the web view.

const COMMANDS: &[&str] = &[
    "app_config",
    "sign_in",
    "restore_session",
    "sign_out",
    "refresh_session",
    "list_tokens",
    "list_permissions",
    "create_token",
    "copy_created_token",
    "discard_created_token",
    "revoke_token",
    "set_clipboard_timeout",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {e:#}");
    }
}
