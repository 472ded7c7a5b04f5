//! Test harness for the Keebai Keys end-to-end tests: a real `keebai-server` on port 0 with a
//! fresh SQLite database per test, and small HTTP helpers for what the tests do "from outside"
//! (an admin granting a permission, a script using a minted token).
//!
//! The tests themselves live in `tests/`:
//! * `commands.rs` — the app's command layer (`AppService`) against the real server.
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
//! * `offline_window.rs` — the offline banner, Sync, and a 401 in an open dialog in the real
//!   window (ignored by default).
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

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub mod tls_front;
pub mod traps;
pub mod webdriver;

use keebai_api::wire::{Role, RoleList, SessionResponse, UpdateRoleRequest};
use keebai_api::TokenSecret;

/// The demo tenant and its accounts, as `keebai-server demo` seeds them.
pub const TENANT: &str = "acme";
pub const ADMIN: (&str, &str) = ("admin@acme.test", "admin-demo-password");
pub const DEVELOPER: (&str, &str) = ("dev@acme.test", "dev-demo-password");
pub const MEMBER: (&str, &str) = ("member@acme.test", "member-demo-password");

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// `target/debug/<name>`, brought up to date with `cargo build` first: a stale app binary
/// would test old code (and cargo's check is a second when nothing changed). Set
/// `KEEBAI_E2E_NO_BUILD=1` to use whatever is there.
pub fn binary(package: &str, name: &str) -> PathBuf {
    let path = target_dir().join("debug").join(name);
    if !path.exists() || std::env::var_os("KEEBAI_E2E_NO_BUILD").is_none() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", package, "--bin", name])
            .current_dir(workspace_root())
            .status()
            .unwrap_or_else(|e| panic!("cannot run cargo to build {name}: {e}"));
        assert!(status.success(), "building {name} failed");
    }
    path
}

/// The app under test: `$KEEBAI_APP_BINARY` when set (e.g. the installed
/// `/usr/bin/keebai-keys`, as `scripts/test-package.sh` runs the tests), else
/// `target/debug/keebai-keys`, built first.
pub fn app_binary() -> PathBuf {
    std::env::var_os("KEEBAI_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| binary("keebai-keys", "keebai-keys"))
}

/// The server the tests start: `$KEEBAI_SERVER_BINARY` when set (the installed
/// `/usr/bin/keebai-server`), else `target/debug/keebai-server`, built first.
pub fn server_binary() -> PathBuf {
    std::env::var_os("KEEBAI_SERVER_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| binary("keebai-server", "keebai-server"))
}

/// A `keebai-server demo` process on 127.0.0.1:0, killed on drop.
pub struct TestServer {
    child: Child,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts the seeded demo tenant with its database in a fresh temporary folder.
    pub fn demo() -> Self {
        Self::demo_on("127.0.0.1:0")
    }

    /// The demo on another address, e.g. `127.0.0.2:0` or `[::1]:0`.
    pub fn demo_on(listen: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = format!("sqlite://{}", dir.path().join("keebai.db").display());
        let (child, url) = spawn_server(&["demo", "--listen", listen, "--db", &db]);
        Self { child, url, dir }
    }

    /// Stops the server at once (SIGKILL, as a crash or a pulled cable would); its database
    /// stays, for [`Self::serve_again`].
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// After [`Self::stop`]: `keebai-server serve` on the same database and address, so
    /// sessions and tokens are as they were.
    pub fn serve_again(&mut self) {
        let db = format!("sqlite://{}", self.dir.path().join("keebai.db").display());
        let listen = self.url.trim_start_matches("http://").to_owned();
        let (child, url) = spawn_server(&["serve", "--listen", &listen, "--db", &db]);
        assert_eq!(url, self.url, "the same address");
        self.child = child;
    }

    /// An HTTP client for the "outside world" side of a test.
    pub fn http(&self) -> Http {
        Http {
            base: self.url.clone(),
            client: reqwest::Client::new(),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `keebai-server` with `args` and waits for its `listening on` line.
fn spawn_server(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(server_binary())
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start keebai-server");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                let _ = tx.send(url.trim().to_owned());
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(url) => (child, url),
        Err(_) => {
            let _ = child.kill();
            panic!("keebai-server did not print its address within 60 s");
        }
    }
}

/// The app's command layer signed in to `server` as `who`, with its own data folder (kept
/// alive by the returned guard) and an in-memory keyring.
pub async fn app_signed_in(
    server: &TestServer,
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

/// Plain HTTP against the server, as an admin or a script would do it.
pub struct Http {
    pub base: String,
    pub client: reqwest::Client,
}

impl Http {
    pub async fn sign_in(&self, (email, password): (&str, &str)) -> TokenSecret {
        let response = self
            .client
            .post(format!("{}/v1/sessions", self.base))
            .json(&serde_json::json!({"tenant": TENANT, "email": email, "password": password}))
            .send()
            .await
            .expect("POST /v1/sessions");
        assert_eq!(response.status(), 201, "sign-in of {email}");
        let body: SessionResponse = response.json().await.expect("session json");
        body.session_token.0.clone()
    }

    /// `GET path` with a bearer credential; returns the status code.
    pub async fn status_of(&self, path: &str, credential: &str) -> u16 {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(credential)
            .send()
            .await
            .expect("GET")
            .status()
            .as_u16()
    }

    /// `POST /v1/tokens` (never expiring, `messages.read`) as `session`; returns the status.
    pub async fn create_token(&self, session: &TokenSecret, name: &str) -> u16 {
        self.client
            .post(format!("{}/v1/tokens", self.base))
            .bearer_auth(session.expose())
            .json(
                &serde_json::json!({"name": name, "scopes": ["messages.read"], "expires_at": null}),
            )
            .send()
            .await
            .expect("POST /v1/tokens")
            .status()
            .as_u16()
    }

    /// `GET /v1/tokens` as `session`.
    pub async fn tokens(&self, session: &TokenSecret) -> keebai_api::wire::TokenList {
        self.client
            .get(format!("{}/v1/tokens", self.base))
            .bearer_auth(session.expose())
            .send()
            .await
            .expect("GET /v1/tokens")
            .json()
            .await
            .expect("token list json")
    }

    /// As the admin, adds `permission` to the built-in Member role.
    pub async fn grant_to_members(&self, admin: &TokenSecret, permission: &str) {
        let roles: RoleList = self
            .client
            .get(format!("{}/v1/roles", self.base))
            .bearer_auth(admin.expose())
            .send()
            .await
            .expect("GET /v1/roles")
            .json()
            .await
            .expect("roles json");
        let member: Role = roles
            .roles
            .into_iter()
            .find(|r| r.name == "Member")
            .expect("a Member role");
        let mut permissions = member.permissions.clone();
        permissions.push(permission.to_owned());
        let response = self
            .client
            .put(format!("{}/v1/roles/{}", self.base, member.id))
            .bearer_auth(admin.expose())
            .json(&UpdateRoleRequest {
                permissions,
                name: None,
            })
            .send()
            .await
            .expect("PUT /v1/roles");
        assert_eq!(response.status(), 200, "granting {permission}");
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
