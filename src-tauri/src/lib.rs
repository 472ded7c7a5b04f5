//! Keebai Keys, the desktop app for Keebai personal access tokens.
//!
//! Data flows one way: Svelte view → `invoke` → [`commands`] (thin `#[tauri::command]`s) →
//! [`app_service::AppService`] (plain Rust, no Tauri types) → [`api_client::ApiClient`]
//! (reqwest) and [`cache::Cache`] (rusqlite) → typed DTOs ([`dto`]) back to the view.
//!
//! * [`server_address`] — what the Server field may name: `https://` by default, `http://`
//!   only to this computer; [`api_client`] trusts the OS certificate store and follows no
//!   redirect.
//! * [`error`] — the one `{code, message}` error every command returns.
//! * [`command_list`] — the commands' names, once: the build script declares them to the ACL
//!   and a test (`command_drift`) checks the handler list, the capabilities and the UI's
//!   `api.ts` against them. The TypeScript types of every argument and answer are generated
//!   from these Rust types into `ui/src/lib/bindings/` (`bindings`, a test module).
//! * [`session_vault`] — the session token in the OS keyring (never a silent mock fallback).
//! * [`clipboard_guard`] — copy a new token with history-exclusion hints; clear it after a delay
//!   or on quit, only if the clipboard still holds it. [`plugin_clipboard`] binds it to the
//!   Tauri clipboard plugin.
//! * [`export_file`] — **Export**: the file the native save dialog chose, written whole, 0600.
//! * [`settings`] — the data folder (`KEEBAI_DATA_DIR`) and the non-secret `settings.json`.
//! * [`logging`] — stderr plus a log file in the data folder, capped and rotated
//!   ([`log_file`]); [`private_files`] keeps the folder 0700 and its files 0600.
//! * [`audit_rules`] — the Audit screen's views, plain functions of a token list and a moment.
//! * [`reminders`] — which tokens need attention (the badge on **Rotation**) and the one
//!   reminder a day; [`notifier`] shows it as a desktop notification that opens the app.
//! * [`shell`] — one instance per data folder, the remembered window; [`window_placement`]
//!   keeps a restored window on a monitor that is attached; [`rendering`] has WebKitGTK draw
//!   without accelerated compositing unless `KEEBAI_GPU_COMPOSITING=1` (90 MiB less).
//!
//! The only secret the web view ever sees is a new token, once, in the creation or rotation
//! answer.

pub mod api_client;
pub mod app_service;
pub mod audit_rules;
pub mod cache;
pub mod clipboard_guard;
/// The names of the app's commands, written once (the build script includes the same file).
pub mod command_list;
pub mod commands;
pub mod dto;
pub mod error;
pub mod export_file;
pub mod log_file;
pub mod logging;
pub mod notifier;
pub mod plugin_clipboard;
pub mod private_files;
pub mod reminders;
#[cfg(target_os = "linux")]
pub mod rendering;
pub mod server_address;
pub mod session_vault;
pub mod settings;
pub mod shell;
pub mod sync_changes;
pub mod usage_rules;
pub mod window_placement;

#[cfg(test)]
mod bindings;
#[cfg(test)]
mod command_drift;

use std::sync::Arc;

use tauri::{Manager, RunEvent};

use crate::app_service::AppService;
use crate::plugin_clipboard::PluginClipboard;
use crate::session_vault::KeyringVault;

/// Builds and runs the app; returns when the last window has closed.
pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    // First: it changes the environment, which is sound only while this is the one thread.
    #[cfg(target_os = "linux")]
    let compositing = rendering::choose_drawing();
    let data_dir = settings::data_dir()?;
    // Before anything writes there: the folder is the user's only.
    private_files::private_dir(&data_dir)?;
    logging::init(&data_dir);
    tracing::info!(data_dir = %data_dir.display(), "starting Keebai Keys");
    #[cfg(target_os = "linux")]
    tracing::info!(
        accelerated_compositing = compositing,
        "WebKit drawing chosen"
    );

    let context = tauri::generate_context!();
    let instance = shell::instance_id(
        &context.config().identifier,
        settings::data_dir_override().as_deref(),
    );
    let window_state = data_dir.join(shell::WINDOW_STATE_FILE);

    let app = tauri::Builder::default()
        // First, so that a second launch hands over and exits before anything opens the data
        // folder, the keyring or the clipboard.
        .plugin(shell::one_instance(instance))
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        // In this order: the saved window state is corrected, then restored.
        .plugin(shell::keep_on_screen(window_state.clone()))
        .plugin(shell::remember_window(&window_state))
        .setup(move |app| {
            let clipboard = Arc::new(PluginClipboard::new(app.handle().clone()));
            let service = AppService::new(
                &data_dir,
                Arc::new(KeyringVault::default()),
                Some(clipboard),
            )?;
            service.set_notifier(Arc::new(notifier::DesktopNotifier::new(
                app.handle().clone(),
            )));
            app.manage(service);
            if let Some(window) = app.get_webview_window(shell::MAIN_WINDOW) {
                shell::show_main_window(&window);
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_config,
            commands::sign_in,
            commands::restore_session,
            commands::sign_out,
            commands::refresh_session,
            commands::list_tokens,
            commands::cached_tokens,
            commands::list_permissions,
            commands::create_token,
            commands::copy_created_token,
            commands::discard_created_token,
            commands::revoke_token,
            commands::rotate_token,
            commands::set_clipboard_timeout,
            commands::set_keep_offline_copy,
            commands::list_roles,
            commands::update_role,
            commands::list_users,
            commands::create_user,
            commands::set_user_roles,
            commands::list_activity,
            commands::save_export,
            commands::audit_views,
            commands::set_stale_days,
            commands::set_user_disabled,
            commands::list_inventory,
            commands::admin_revoke_token,
            commands::bulk_revoke_tokens,
            commands::get_token_policy,
            commands::set_token_policy,
            commands::token_detail,
            commands::set_work_hours,
            commands::set_reminders,
        ])
        .build(context)?;

    app.run(|handle, event| {
        // ExitRequested comes before the clipboard plugin lets go of the clipboard on Exit, so
        // the token can still be taken off it here.
        if let RunEvent::ExitRequested { .. } = event {
            if let Some(service) = handle.try_state::<AppService>() {
                service.shutdown();
            }
        }
    });
    Ok(())
}
