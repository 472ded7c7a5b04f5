//! Replicas: a scratch PostgreSQL database with N real `keebai-server serve` processes (A, B,
//! C…) on port 0, typed HTTP calls to each, and direct SQL for what the API cannot do. Used by
//! keebai-server's `tests/replicas*.rs`. Each replica's stderr (JSON log events) is read into
//! memory for the tests and written to its log file in a [`crate::run_dir`] for the secret scan.

use std::future::Future;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use keebai_server::store::postgres::ScratchDatabase;

use crate::bin;
pub use crate::replica::Replica;

/// Replica tests skip, or fail with `KEEBAI_REQUIRE_PG=1`, without the test PostgreSQL.
pub use crate::pg_admin_url;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub const TENANT: &str = "acme";
/// Log events of the credential cache's coherence (store::pg_coherence).
pub const CACHE_STARTED: &str = "credential cache coherence started";
pub const CACHE_IN_SYNC: &str = "credential cache in sync";
pub const CACHE_OFF: &str = "credential cache off: listener connection lost; reconnecting";
pub const ADMIN_EMAIL: &str = "admin@acme.test";
pub const ADMIN_PASSWORD: &str = "replica-admin-password";

/// One trio of servers at a time: each test is itself a concurrency test, and three of them
/// at once on two cores would measure the machine, not the server.
pub static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `body` against a fresh database with three replicas, then stops them and drops the
/// database even when `body` panicked.
pub async fn with_replicas<F, Fut>(test: &str, body: F)
where
    F: FnOnce(Cluster) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(admin) = pg_admin_url(test) else {
        return;
    };
    let _serial = SERIAL.lock().await;
    let db = ScratchDatabase::create(&admin)
        .await
        .expect("create scratch database");
    let url = db.url().to_owned();
    let outcome = tokio::spawn(async move {
        let cluster = Cluster::start(&url, 3).await;
        body(cluster).await;
    })
    .await;
    db.drop_database().await.expect("drop scratch database");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// One database, initialised once, with replicas A, B, C… on it.
pub struct Cluster {
    pub db_url: String,
    pub replicas: Vec<Replica>,
    pub http: reqwest::Client,
}

impl Cluster {
    pub async fn start(db_url: &str, n: usize) -> Self {
        let init = Command::new(bin())
            .args([
                "init",
                "--db",
                db_url,
                "--tenant",
                TENANT,
                "--admin-email",
                ADMIN_EMAIL,
            ])
            .env("KEEBAI_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdin(Stdio::null())
            .output()
            .expect("run keebai-server init");
        assert!(
            init.status.success(),
            "init failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        const NAMES: [&str; 5] = ["A", "B", "C", "D", "E"];
        let mut starts = Vec::new();
        for name in NAMES.iter().take(n) {
            let url = db_url.to_owned();
            starts.push(tokio::task::spawn_blocking(move || {
                Replica::spawn(name, &url)
            }));
        }
        let mut replicas = Vec::new();
        for s in starts {
            replicas.push(s.await.expect("spawn replica"));
        }
        Self {
            db_url: db_url.to_owned(),
            replicas,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("http client"),
        }
    }

    pub fn a(&self) -> &Replica {
        &self.replicas[0]
    }

    pub fn b(&self) -> &Replica {
        &self.replicas[1]
    }

    pub fn c(&self) -> &Replica {
        &self.replicas[2]
    }

    /// A direct connection to the database, for what the HTTP API cannot do.
    pub async fn sql(&self) -> tokio_postgres::Client {
        let (client, conn) = tokio_postgres::connect(&self.db_url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test database");
        tokio::spawn(conn);
        client
    }

    /// Proves that `on` answers `pat` from its credential cache: the user's name is changed in
    /// the database behind the servers' back (no publish), and `GET /v1/me` still shows the
    /// name the cache was filled with. Restores the name (again unannounced) afterwards.
    pub async fn assert_served_from_cache(&self, on: &Replica, pat: &str) {
        // A heartbeat slower than the fence (a busy machine) turns the cache off for a moment,
        // which is correct but would read the new name; so a few tries.
        let mut last = Value::Null;
        for _ in 0..3 {
            match self.served_from_cache(on, pat).await {
                Ok(()) => return,
                Err(me) => last = me,
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        panic!(
            "replica {} must answer from its cache (an unannounced change is not seen): {last}",
            on.name
        );
    }

    pub async fn served_from_cache(&self, on: &Replica, pat: &str) -> Result<(), Value> {
        let (status, me) = self.get(on, "/v1/me", pat).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        let name = me["user"]["name"].as_str().expect("name").to_owned();
        let id = me["user"]["id"].as_str().expect("id").to_owned();
        let sql = self.sql().await;
        sql.execute(
            "UPDATE users SET name = 'renamed behind the cache' WHERE id = $1",
            &[&id],
        )
        .await
        .expect("rename");
        let (status, me) = self.get(on, "/v1/me", pat).await;
        sql.execute("UPDATE users SET name = $2 WHERE id = $1", &[&id, &name])
            .await
            .expect("rename back");
        assert_eq!(status, StatusCode::OK, "{me}");
        if me["user"]["name"] == name {
            Ok(())
        } else {
            Err(me)
        }
    }

    pub async fn sign_in(&self, on: &Replica, email: &str, password: &str) -> String {
        let resp = self
            .http
            .post(on.url("/v1/sessions"))
            .json(&json!({"tenant": TENANT, "email": email, "password": password}))
            .send()
            .await
            .expect("sign in");
        assert_eq!(resp.status(), StatusCode::CREATED, "sign in as {email}");
        let body: Value = resp.json().await.expect("json");
        body["session_token"]
            .as_str()
            .expect("session_token")
            .to_owned()
    }

    pub async fn admin(&self) -> String {
        self.sign_in(self.a(), ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// POST /v1/tokens; returns the status and body.
    pub async fn create_token(
        &self,
        on: &Replica,
        session: &str,
        name: &str,
        scopes: &[&str],
    ) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(on.url("/v1/tokens"))
            .bearer_auth(session)
            .json(&json!({"name": name, "scopes": scopes, "expires_at": null}))
            .send()
            .await
            .expect("create token");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// A new PAT: `(secret, id)`.
    pub async fn mint(&self, on: &Replica, session: &str, scopes: &[&str]) -> (String, String) {
        let (status, body) = self.create_token(on, session, "replica test", scopes).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["token"].as_str().expect("token").to_owned(),
            body["record"]["id"].as_str().expect("id").to_owned(),
        )
    }

    pub async fn get(&self, on: &Replica, path: &str, credential: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .get(on.url(path))
            .bearer_auth(credential)
            .send()
            .await
            .expect("GET");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        on: &Replica,
        path: &str,
        credential: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let resp = self
            .http
            .request(method, on.url(path))
            .bearer_auth(credential)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64()
}

pub fn unix_of(rfc3339: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339.as_str().expect("a time"))
        .expect("RFC 3339")
        .timestamp()
}
