//! The desktop shell around [`crate::app_service::AppService`]: one running instance per data
//! folder, and a main window that comes back with its size, position and maximised state, on
//! a monitor that is still attached.
//!
//! * One instance — tauri-plugin-single-instance. A second launch hands over to the running
//!   app, which unminimises, shows and focuses its window; the second process exits before it
//!   opens the cache, the keyring or the clipboard. On Linux the lock is a D-Bus name; with
//!   `KEEBAI_DATA_DIR` set the name includes that folder, so the lock guards exactly what two
//!   processes must not share (tests with their own folders run side by side).
//! * A remembered window — tauri-plugin-window-state, its file in the data folder
//!   ([`WINDOW_STATE_FILE`]). It is saved when the window has settled after a move or a resize,
//!   not only on a clean exit, so a killed app still comes back as it was left. Before the
//!   plugin reads the file, [`crate::window_placement`] pulls a window saved on a monitor that
//!   is gone back onto one that is there.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Monitor, Runtime, WebviewWindow, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

use crate::window_placement::{self, Rect};

/// The label of the one window, as in `tauri.conf.json`.
pub const MAIN_WINDOW: &str = "main";
/// The window-state file, in the data folder.
pub const WINDOW_STATE_FILE: &str = "window-state.json";
/// How long a window must be still after a move or resize before its state is written.
const SETTLE: Duration = Duration::from_millis(400);

/// What is remembered: size, position and maximised. Not visibility (the window is always
/// shown), decorations or full screen.
pub fn state_flags() -> StateFlags {
    StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED
}

/// The base of the single-instance D-Bus name: the app's identifier for the default data
/// folder, the identifier plus a digest of the folder when `KEEBAI_DATA_DIR` moves it.
pub fn instance_id(identifier: &str, data_dir_override: Option<&Path>) -> String {
    let Some(dir) = data_dir_override else {
        return identifier.to_owned();
    };
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
    let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    // A D-Bus name element may not start with a digit.
    format!("{identifier}.data_{short}")
}

/// The single-instance plugin. Register it first: a second launch must exit before any other
/// plugin or the app's own set-up touches the data folder.
pub fn one_instance<R: Runtime>(instance_id: String) -> TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(instance_id)
        .callback(|app, _args, _cwd| {
            // The arguments are not logged: they are whatever someone typed.
            tracing::info!("Keebai Keys was launched again; bringing this window to the front");
            if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
                bring_to_front(&window);
            }
        })
        .build()
}

/// Unminimises, shows and focuses a window that is already set up (a second launch, a click
/// on a reminder).
pub fn bring_to_front<R: Runtime>(window: &WebviewWindow<R>) {
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
}

/// Corrects the saved window state before tauri-plugin-window-state reads it; register it
/// just before [`remember_window`].
pub fn keep_on_screen<R: Runtime>(state_file: PathBuf) -> TauriPlugin<R> {
    tauri::plugin::Builder::new("keebai-window-placement")
        .setup(move |app, _api| {
            correct_state_file(app, &state_file);
            Ok(())
        })
        .build()
}

/// tauri-plugin-window-state with its file in the data folder.
pub fn remember_window<R: Runtime>(state_file: &Path) -> TauriPlugin<R> {
    tauri_plugin_window_state::Builder::new()
        .with_state_flags(state_flags())
        // The plugin joins this name onto the OS config folder; an absolute path replaces that
        // folder, so the file sits in the data folder with everything else the app writes.
        .with_filename(state_file.to_string_lossy())
        .build()
}

/// Shows the main window (created hidden, so it never flashes at its default size before the
/// plugin restores it) and saves its state whenever it settles after a move or resize.
pub fn show_main_window<R: Runtime>(window: &WebviewWindow<R>) {
    save_when_settled(window);
    if let Err(e) = window.show().and_then(|()| window.set_focus()) {
        tracing::warn!(error = %e, "could not show the main window");
    }
}

fn save_when_settled<R: Runtime>(window: &WebviewWindow<R>) {
    let generation = Arc::new(AtomicU64::new(0));
    let app = window.app_handle().clone();
    window.on_window_event(move |event| {
        if !matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
            return;
        }
        let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
        let generation = generation.clone();
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            if generation.load(Ordering::SeqCst) != mine {
                return; // moved again since: that event's task saves
            }
            // On the main thread: the plugin holds its cache lock while it asks the window
            // for its state, which from another thread would wait on the main thread while
            // the main thread's own move handler waits on that lock.
            let handle = app.clone();
            let _ = app.run_on_main_thread(move || {
                if let Err(e) = handle.save_window_state(state_flags()) {
                    tracing::warn!(error = %e, "could not save the window's size and position");
                }
            });
        });
    });
}

fn rect_of(monitor: &Monitor) -> Rect {
    let position = monitor.position();
    let size = monitor.size();
    Rect::new(position.x, position.y, size.width, size.height)
}

fn correct_state_file<R: Runtime>(app: &AppHandle<R>, path: &Path) {
    // No file yet (first launch) or one the plugin will ignore anyway: nothing to correct.
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let Ok(mut states) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return;
    };
    let monitors: Vec<Rect> = app
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .map(rect_of)
        .collect();
    let primary = app.primary_monitor().ok().flatten().map(|m| rect_of(&m));
    if !window_placement::correct_saved_states(&mut states, &monitors, primary) {
        return;
    }
    tracing::info!("the window was saved where no monitor is now; placing it on one that is");
    let written = serde_json::to_vec_pretty(&states)
        .map_err(std::io::Error::other)
        .and_then(|json| replace_whole(path, &json));
    if let Err(e) = written {
        tracing::warn!(error = %e, "could not correct the saved window position");
    }
}

/// Replaces `path` with `bytes` by writing a file beside it and renaming it over: a crash
/// midway leaves the old file or the new one, never a truncated one.
fn replace_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".window-state-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map(|_| ()).map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_state_is_replaced_whole_with_nothing_left_beside_it() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("window-state.json");
        std::fs::write(&path, "{\"old\": true}").expect("old");
        replace_whole(&path, b"{\"main\": {}}").expect("replaced");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "{\"main\": {}}"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["window-state.json"]);
    }

    #[test]
    fn the_instance_lock_follows_the_data_folder() {
        assert_eq!(instance_id("com.keebai.keys", None), "com.keebai.keys");
        let a = tempfile::tempdir().expect("tempdir");
        let b = tempfile::tempdir().expect("tempdir");
        let id_a = instance_id("com.keebai.keys", Some(a.path()));
        assert_eq!(id_a, instance_id("com.keebai.keys", Some(a.path())));
        assert_ne!(id_a, instance_id("com.keebai.keys", Some(b.path())));
        // A valid D-Bus name: dot-separated elements of [A-Za-z0-9_-], none starting with a digit.
        assert!(id_a.starts_with("com.keebai.keys.data_"), "{id_a}");
        assert!(id_a
            .split('.')
            .all(|e| !e.is_empty() && !e.starts_with(|c: char| c.is_ascii_digit())));
        assert_eq!(id_a.len(), "com.keebai.keys.data_".len() + 16);
    }
}
