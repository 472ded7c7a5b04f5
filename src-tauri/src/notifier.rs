//! The desktop notification of [`crate::reminders`], and what clicking it does.
//!
//! [`Notifier`] is the seam [`crate::app_service::AppService`] calls; [`DesktopNotifier`] is the
//! real one. Tauri's notification plugin cannot report a click on the desktop (it drops the
//! notification's handle), so on Linux the notification goes straight to the freedesktop
//! notification service through notify-rust (over libdbus, the D-Bus library the keyring
//! already uses), with the `default` action declared; a thread waits for that action and then
//! shows and focuses the main window and opens [`crate::reminders::REMINDER_PATH`] in it
//! (the `open-path` event, which the UI resolves against its route table). The thread ends
//! when the notification is clicked, dismissed or expires.

use tauri::{AppHandle, Emitter, Manager, Runtime};

/// Shows a desktop notification. `Err` says why it could not be shown (no notification
/// service on this desktop); the caller logs it and tries again at the next sync.
pub trait Notifier: Send + Sync {
    fn notify(&self, title: &str, body: &str, open_path: &'static str) -> Result<(), String>;
}

/// The event the UI listens to: open this path.
pub const OPEN_PATH_EVENT: &str = "open-path";

pub struct DesktopNotifier<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> DesktopNotifier<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

/// Brings the main window forward on `path`.
fn open<R: Runtime>(app: &AppHandle<R>, path: &str) {
    if let Some(window) = app.get_webview_window(crate::shell::MAIN_WINDOW) {
        crate::shell::bring_to_front(&window);
        if let Err(e) = window.emit(OPEN_PATH_EVENT, path) {
            tracing::warn!(error = %e, "could not open the reminder's screen");
        }
    }
}

#[cfg(target_os = "linux")]
impl<R: Runtime> Notifier for DesktopNotifier<R> {
    fn notify(&self, title: &str, body: &str, open_path: &'static str) -> Result<(), String> {
        let notification = notify_rust::Notification::new()
            .appname("Keebai Keys")
            .summary(title)
            .body(body)
            .icon("keebai-keys")
            // A click on the notification's body; some servers also show it as a button.
            .action("default", "Open Rotation")
            .finalize();
        let app = self.app.clone();
        // The libdbus connection behind the handle stays on the thread that opened it, so the
        // notification is shown from the thread that then waits for its click; the caller
        // learns whether it was shown.
        let (shown_tx, shown_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("reminder".into())
            .spawn(move || match notification.show() {
                Ok(handle) => {
                    let _ = shown_tx.send(Ok(()));
                    handle.wait_for_action(|action: &str| {
                        if action == "default" {
                            tracing::info!("reminder opened");
                            open(&app, open_path);
                        }
                    });
                }
                Err(e) => {
                    let _ = shown_tx.send(Err(e.to_string()));
                }
            })
            .map_err(|e| e.to_string())?;
        match shown_rx.recv_timeout(std::time::Duration::from_secs(5)) {
            Ok(shown) => shown,
            // Slow, not refused: the thread may still show it, so it counts as the day's.
            Err(_) => {
                tracing::warn!("the notification service is slow; the reminder counts as shown");
                Ok(())
            }
        }
    }
}

/// Other desktops: not built or tested here (the app ships for Linux); say so once per try.
#[cfg(not(target_os = "linux"))]
impl<R: Runtime> Notifier for DesktopNotifier<R> {
    fn notify(&self, _title: &str, _body: &str, _open_path: &'static str) -> Result<(), String> {
        let _ = open::<R>;
        Err("desktop notifications are implemented for Linux only".into())
    }
}
