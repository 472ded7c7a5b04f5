//! [`TestServer`]: a real `keebai-server` process on port 0 with a fresh database per test.
//!
//! `KEEBAI_TEST_ENGINE=postgres` (with `KEEBAI_TEST_PG_URL` pointing at a server the test
//! command started) runs the same tests against a fresh PostgreSQL database per test;
//! otherwise each test gets a fresh SQLite file. The server's stderr goes straight to a log
//! file in the test's [`run_dir`], which the secret-hygiene tests read and the test command
//! scans.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::process::spawn_listening;
use crate::{bin, run_dir};

pub const ADMIN_EMAIL: &str = "admin@acme.test";
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const TENANT: &str = "acme";

pub struct TestServer {
    pub base: String,
    pub db_url: String,
    pub dir: tempfile::TempDir,
    pub log_path: PathBuf,
    child: Option<Child>,
    http: reqwest::Client,
    /// Extra arguments of `serve` (e.g. `--trusted-proxy`).
    serve_args: Vec<String>,
}

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct Caller {
    pub session: String,
    pub user_id: String,
    pub role_id: String,
    pub email: String,
}

/// A database URL for a new test: a SQLite file in `dir`, or a fresh PostgreSQL database.
pub async fn fresh_db_url(dir: &std::path::Path) -> String {
    if std::env::var("KEEBAI_TEST_ENGINE").as_deref() == Ok("postgres") {
        let admin_url = std::env::var("KEEBAI_TEST_PG_URL")
            .expect("KEEBAI_TEST_ENGINE=postgres needs KEEBAI_TEST_PG_URL");
        let name = format!("kt_{}", uuid::Uuid::now_v7().simple());
        let (client, conn) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test PostgreSQL");
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let (base, _) = admin_url.rsplit_once('/').expect("URL has a database");
        format!("{base}/{name}")
    } else {
        format!("sqlite://{}", dir.join("keebai.db").display())
    }
}

impl TestServer {
    /// Initialises tenant `acme` with an admin and starts serving.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// [`TestServer::start`] with extra arguments for `serve`.
    pub async fn start_with(serve_args: &[&str]) -> Self {
        let dir = run_dir();
        let db_url = fresh_db_url(dir.path()).await;
        let status = Command::new(bin())
            .args([
                "init",
                "--db",
                &db_url,
                "--tenant",
                TENANT,
                "--admin-email",
                ADMIN_EMAIL,
            ])
            .env("KEEBAI_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdout(Stdio::null())
            .status()
            .expect("run init");
        assert!(status.success(), "init failed");
        let mut server = Self {
            base: String::new(),
            log_path: dir.path().join("server.log"),
            db_url,
            dir,
            child: None,
            http: reqwest::Client::new(),
            serve_args: serve_args.iter().map(|a| (*a).to_owned()).collect(),
        };
        server.spawn();
        server
    }

    /// Starts (or restarts) the server process on a fresh port over the same database.
    pub fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .expect("log file");
        let mut command = Command::new(bin());
        command
            .args(["serve", "--db", &self.db_url, "--listen", "127.0.0.1:0"])
            .args(&self.serve_args)
            .env("RUST_LOG", "debug,hyper=info,h2=info,tokio_postgres=info")
            .env("KEEBAI_LOG_FORMAT", "json")
            .stderr(Stdio::from(log));
        let log_path = self.log_path.clone();
        let (child, base) = spawn_listening(
            command,
            |_| {},
            move || std::fs::read_to_string(log_path).unwrap_or_default(),
        );
        self.base = base;
        self.child = Some(child);
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = child.id().to_string();
            let ok = Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .expect("kill");
            assert!(ok.success());
            let status = child.wait().expect("wait");
            assert!(status.success(), "server exited with {status:?}");
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL: no chance to flush or finish anything.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill -9");
            let _ = child.wait();
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.db_url.starts_with("sqlite://")
    }

    /// Runs `sql` on the database directly, behind the server's back (no cache hears of it):
    /// how a test tells an answer served from a cache from one read from the database.
    pub async fn exec_behind(&self, sql: &str) {
        if let Some(path) = self.db_url.strip_prefix("sqlite://") {
            let c = rusqlite::Connection::open(path).expect("open the SQLite file");
            c.busy_timeout(Duration::from_secs(10))
                .expect("busy timeout");
            c.execute_batch(sql).expect("SQL behind the server");
        } else {
            let (client, conn) = tokio_postgres::connect(&self.db_url, tokio_postgres::NoTls)
                .await
                .expect("connect behind the server");
            let driver = tokio::spawn(conn);
            client
                .batch_execute(sql)
                .await
                .expect("SQL behind the server");
            drop(client);
            let _ = driver.await;
        }
    }

    /// Runs `keebai-server init` for another tenant on this server's database (stop the
    /// server first: SQLite allows one process at a time).
    pub fn init_tenant(&self, slug: &str, admin_email: &str) {
        let status = Command::new(bin())
            .args([
                "init",
                "--db",
                &self.db_url,
                "--tenant",
                slug,
                "--admin-email",
                admin_email,
            ])
            .env("KEEBAI_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdout(Stdio::null())
            .status()
            .expect("run init");
        assert!(status.success(), "init of tenant {slug} failed");
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends a request with an optional bearer credential and JSON body; returns status and
    /// the parsed body (`Null` for an empty one).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("non-JSON body {text:?}"))
        };
        (status, value)
    }

    /// Sends only a request head announcing a `content_length` body, over a raw socket, and
    /// reads the answer. For bodies over the limit the server answers from Content-Length
    /// alone and closes the connection; a normal client racing to upload the body may see a
    /// reset instead of the answer.
    pub async fn send_head(
        &self,
        method: &str,
        path: &str,
        bearer: &str,
        content_length: usize,
    ) -> (u16, Value) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = self.base.trim_start_matches("http://");
        let mut sock = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {bearer}\r\nContent-Type: application/json\r\nContent-Length: {content_length}\r\n\r\n"
        );
        sock.write_all(head.as_bytes()).await.expect("write head");
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), sock.read_to_end(&mut buf)).await;
        let text = String::from_utf8_lossy(&buf);
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = text
            .split("\r\n\r\n")
            .nth(1)
            .and_then(|b| serde_json::from_str(b).ok())
            .unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn get(&self, path: &str, bearer: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(bearer), None).await
    }

    pub async fn post(&self, path: &str, bearer: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(bearer), Some(body))
            .await
    }

    pub async fn put(&self, path: &str, bearer: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(bearer), Some(body)).await
    }

    /// Signs in; panics unless 201.
    pub async fn sign_in(&self, email: &str, password: &str) -> Value {
        let (status, body) = self
            .call(
                Method::POST,
                "/v1/sessions",
                None,
                Some(json!({"tenant": TENANT, "email": email, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "sign-in of {email}: {body}");
        body
    }

    pub async fn admin(&self) -> Caller {
        let body = self.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        Caller {
            session: body["session_token"].as_str().expect("token").to_owned(),
            user_id: body["user"]["id"].as_str().expect("id").to_owned(),
            role_id: body["user"]["role_ids"][0]
                .as_str()
                .expect("role")
                .to_owned(),
            email: ADMIN_EMAIL.into(),
        }
    }

    /// Creates a role holding `perms`, a user with only that role, and signs the user in.
    pub async fn user_with(&self, perms: &[&str]) -> Caller {
        let admin = self.admin().await;
        let n = uuid::Uuid::now_v7().simple().to_string();
        let (s, role) = self
            .post(
                "/v1/roles",
                &admin.session,
                json!({"name": format!("role-{n}"), "permissions": perms}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{role}");
        let email = format!("user-{n}@acme.test");
        let (s, user) = self
            .post(
                "/v1/users",
                &admin.session,
                json!({"email": email, "name": "Test User", "password": "user-password-123", "role_ids": [role["id"]]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{user}");
        let body = self.sign_in(&email, "user-password-123").await;
        Caller {
            session: body["session_token"].as_str().expect("token").to_owned(),
            user_id: user["id"].as_str().expect("id").to_owned(),
            role_id: role["id"].as_str().expect("id").to_owned(),
            email,
        }
    }

    /// Creates a PAT; panics unless 201. Returns (secret, record).
    pub async fn mint(
        &self,
        caller: &Caller,
        name: &str,
        scopes: &[&str],
        expires_at: Option<&str>,
    ) -> (String, Value) {
        let (s, body) = self
            .post(
                "/v1/tokens",
                &caller.session,
                json!({"name": name, "scopes": scopes, "expires_at": expires_at}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        (
            body["token"].as_str().expect("secret").to_owned(),
            body["record"].clone(),
        )
    }

    /// Waits long enough for a last-used flush (the contract allows 5 s of lag).
    pub async fn wait_for_flush() {
        tokio::time::sleep(Duration::from_millis(5_200)).await;
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Asserts the contract's error shape and code.
pub fn assert_error(status: StatusCode, body: &Value, want_status: StatusCode, want_code: &str) {
    assert_eq!(status, want_status, "body: {body}");
    assert_eq!(body["error"]["code"], want_code, "body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "body: {body}"
    );
}
