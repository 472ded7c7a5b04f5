//! [`DemoServer`]: `keebai-server demo`, the seeded tenant `acme` with its administrator,
//! developer and member, which the desktop's command-layer and window tests sign in to; and
//! [`Http`], what an admin or a script does to it from outside the app.
//!
//! Its database and log are in a [`run_dir`] (scanned for secrets by the test command).

use std::path::Path;
use std::process::{Child, Command, Stdio};

use keebai_api::wire::{CreateTokenResponse, Role, RoleList, SessionResponse, UpdateRoleRequest};
use keebai_api::TokenSecret;

use crate::process::spawn_listening;
use crate::{run_dir, server_binary, TENANT};

/// The demo's accounts, as `keebai-server demo` seeds them: (email, password).
pub const ADMIN: (&str, &str) = ("admin@acme.test", "admin-demo-password");
pub const DEVELOPER: (&str, &str) = ("dev@acme.test", "dev-demo-password");
pub const MEMBER: (&str, &str) = ("member@acme.test", "member-demo-password");

/// A `keebai-server demo` process on 127.0.0.1:0, killed on drop.
pub struct DemoServer {
    child: Child,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl DemoServer {
    /// Starts the seeded demo tenant with its database in a fresh temporary folder.
    pub fn demo() -> Self {
        Self::demo_on("127.0.0.1:0")
    }

    /// The demo on another address, e.g. `127.0.0.2:0` or `[::1]:0`.
    pub fn demo_on(listen: &str) -> Self {
        let dir = run_dir();
        let db = format!("sqlite://{}", dir.path().join("keebai.db").display());
        let (child, url) = spawn_server(
            &["demo", "--listen", listen, "--db", &db],
            &dir.path().join("server.log"),
        );
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
        let (child, url) = spawn_server(
            &["serve", "--listen", &listen, "--db", &db],
            &self.dir.path().join("server.log"),
        );
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

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `keebai-server` with `args`, its log appended to `log`, and waits for its address.
fn spawn_server(args: &[&str], log: &Path) -> (Child, String) {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log file");
    let mut command = Command::new(server_binary());
    command.args(args).stderr(Stdio::from(file));
    let log = log.to_path_buf();
    spawn_listening(
        command,
        |_| {},
        move || std::fs::read_to_string(log).unwrap_or_default(),
    )
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

    /// `POST /v1/tokens` (never expiring, `messages.read`) as `session`.
    async fn post_token(&self, session: &TokenSecret, name: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/v1/tokens", self.base))
            .bearer_auth(session.expose())
            .json(
                &serde_json::json!({"name": name, "scopes": ["messages.read"], "expires_at": null}),
            )
            .send()
            .await
            .expect("POST /v1/tokens")
    }

    /// `POST /v1/tokens` (never expiring, `messages.read`) as `session`; returns the status.
    pub async fn create_token(&self, session: &TokenSecret, name: &str) -> u16 {
        self.post_token(session, name).await.status().as_u16()
    }

    /// A token minted "from outside" the app (never expiring, `messages.read`), so a test
    /// holds its secret; panics unless it is created.
    pub async fn mint(&self, session: &TokenSecret, name: &str) -> CreateTokenResponse {
        let response = self.post_token(session, name).await;
        assert_eq!(response.status(), 201, "room for one more token");
        response.json().await.expect("created json")
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

    /// `GET /v1/roles` as `admin`.
    pub async fn roles(&self, admin: &TokenSecret) -> RoleList {
        self.client
            .get(format!("{}/v1/roles", self.base))
            .bearer_auth(admin.expose())
            .send()
            .await
            .expect("GET /v1/roles")
            .json()
            .await
            .expect("roles json")
    }

    /// As the admin, adds `permission` to the built-in Member role.
    pub async fn grant_to_members(&self, admin: &TokenSecret, permission: &str) {
        let member: Role = self
            .roles(admin)
            .await
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
