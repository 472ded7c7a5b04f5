//! Test harness for the Keebai Keys end-to-end tests. The server side is the workspace's one
//! test kit, `keebai-testkit` (re-exported here: [`DemoServer`], a real `keebai-server demo` on
//! port 0 with a fresh database per test, and [`Http`] for what the tests do "from outside":
//! an admin granting a permission, a script using a minted token); this crate adds the app's
//! side: [`app_signed_in`], the app binary, the real-window kit.
//!
//! The tests themselves live in `tests/`:
//! * `commands/` — the app's command layer (`AppService`) against the real server.
//! * `keyring.rs` — the session vault against a real Secret Service (ignored by default).
//! * `clipboard.rs` — the clipboard guard against a real X11 clipboard (ignored by default).
//! * `transport.rs` — https by default, plain http only to loopback, redirects refused, the OS
//!   certificate store (a test CA behind [`tls_front`]; the [`traps`] see what was sent).
//! * `local_files.rs` — the data folder's modes, the log's cap, sign-out's cache removal.
//! * `rotation.rs` — rotation through the command layer: each retire choice, the refusals.
//! * `offline.rs` — a launch with the server down (the session from the keyring and the cached
//!   profile, the cached list, offline), the server back, a 401 at the sync, an old cache.
//! * `window.rs` — the built app in a real window through tauri-driver (ignored by default).
//! * `rotation_window.rs` — rotating "now" in the real window (ignored by default).
//! * `guide.rs` — the product guide's path to API Keys, click for click (ignored by default).
//! * `offline_window.rs` — the offline banner, Sync, a large cache read first screen first,
//!   and a 401 in an open dialog in the real window (ignored by default).
//! * `settings_window.rs` — "Keep an offline copy after signing out" in the real window
//!   (ignored by default).
//! * `desktop_shell.rs` — one instance, the remembered window (ignored by default).
//! * `installed_app.rs` — the installed .deb's app, signing in and restoring its session
//!   (ignored; `scripts/test-package.sh` runs it with `KEEBAI_APP_BINARY`).
//! * `bench_desktop.rs` — not a test: start-up and memory figures for
//!   `scripts/bench-desktop.sh` (ignored).
//!
//! [`webdriver`] holds what the real-window tests share.
//! `scripts/test-desktop.sh` provides Xvfb, a D-Bus session with an unlocked gnome-keyring and
//! tauri-driver, then runs the ignored ones too.

use std::path::{Path, PathBuf};

pub mod cached_list;
pub mod tls_front;
pub mod traps;
pub mod webdriver;
pub mod xwd;

pub use keebai_testkit::demo::{DemoServer, Http, ADMIN, DEVELOPER, MEMBER};
pub use keebai_testkit::{server_binary, workspace_root, TENANT};

/// The app under test: `$KEEBAI_APP_BINARY` when set (e.g. the installed
/// `/usr/bin/keebai-keys`, as `scripts/test-package.sh` runs the tests), else
/// `target/debug/keebai-keys`, built first.
pub fn app_binary() -> PathBuf {
    std::env::var_os("KEEBAI_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| keebai_testkit::cargo_binary("keebai-keys", "keebai-keys"))
}

/// The app's command layer signed in to `server` as `who`, with its own data folder (kept
/// alive by the returned guard) and an in-memory keyring.
pub async fn app_signed_in(
    server: &DemoServer,
    (email, password): (&str, &str),
) -> (keebai_keys::app_service::AppService, tempfile::TempDir) {
    use keebai_keys::app_service::{AppService, SignIn};
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = std::sync::Arc::new(keebai_keys::session_vault::MemoryVault::default());
    let app = AppService::new(dir.path(), vault, None).expect("service");
    app.sign_in(SignIn {
        server: server.url.clone(),
        tenant: TENANT.to_owned(),
        email: email.to_owned(),
        password: keebai_api::wire::Password::new(password),
    })
    .await
    .expect("sign in");
    (app, dir)
}

/// Stands in for the OS clipboard in the command-layer tests: keeps what was copied; the real
/// clipboard is covered by `clipboard.rs`.
#[derive(Default)]
pub struct RecordingClipboard(std::sync::Mutex<String>);

impl keebai_keys::clipboard_guard::SecretClipboard for RecordingClipboard {
    fn write_secret(&self, text: &str) -> Result<(), String> {
        *self.0.lock().map_err(|_| "poisoned")? = text.to_owned();
        Ok(())
    }
    fn read_text(&self) -> Result<String, String> {
        Ok(self.0.lock().map_err(|_| "poisoned")?.clone())
    }
    fn clear(&self) -> Result<(), String> {
        self.0.lock().map_err(|_| "poisoned")?.clear();
        Ok(())
    }
}

/// Every file under `dir` whose bytes contain `needle` (for the "no secret on disk" scans).
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    hits.push(path);
                }
            }
        }
    }
    hits
}
