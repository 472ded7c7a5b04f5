//! `keebai-server backup` while the server is busy, and serving from the copy (SQLite only;
//! PostgreSQL is backed up with its own tools).
//!
//! A real server process mints, uses and revokes tokens from three tasks; meanwhile a second
//! process runs `backup`. A third process then serves the backup file: the user signs in,
//! every token whose creation (and revocation) had been answered before the backup started is
//! listed as it was, a token minted before the backup still works, one revoked before it is
//! still refused, and one minted after the backup is absent — a snapshot, not the live file.

use keebai_testkit as support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::json;
use support::{bin, TestServer};

const DEV: &[&str] = &["developer.manage_tokens", "messages.read"];

/// One token the load minted: its secret, and whether its revocation has been answered.
#[derive(Clone)]
struct Minted {
    secret: String,
    revoked: bool,
}

type Ledger = Arc<Mutex<HashMap<String, Minted>>>;

/// Mint → use → revoke, over and over, until `stop`; every answered step goes in the ledger.
async fn load(
    srv: Arc<TestServer>,
    caller: support::Caller,
    worker: usize,
    ledger: Ledger,
    stop: Arc<AtomicBool>,
) {
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let (secret, record) = srv
            .mint(
                &caller,
                &format!("load {worker}-{i}"),
                &["messages.read"],
                None,
            )
            .await;
        let id = record["id"].as_str().expect("id").to_owned();
        ledger.lock().expect("ledger").insert(
            id.clone(),
            Minted {
                secret: secret.clone(),
                revoked: false,
            },
        );
        assert_eq!(srv.get("/v1/messages", &secret).await.0, StatusCode::OK);
        let (s, body) = srv
            .post(
                &format!("/v1/tokens/{id}/revoke"),
                &caller.session,
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        if let Some(m) = ledger.lock().expect("ledger").get_mut(&id) {
            m.revoked = true;
        }
        i += 1;
    }
}

/// `keebai-server serve` over an existing database; returns the process and its base URL.
fn serve(db_url: &str, log: &std::path::Path) -> (Child, String) {
    let log = std::fs::File::create(log).expect("log");
    let mut child = Command::new(bin())
        .args(["serve", "--db", db_url, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("spawn the restored server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read address");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, base)
}

#[tokio::test]
async fn a_backup_taken_under_load_serves_the_tokens_it_held() {
    let srv = TestServer::start().await;
    if !srv.is_sqlite() {
        eprintln!("backup copies SQLite databases; skipped on PostgreSQL");
        return;
    }
    let dev = srv.user_with(DEV).await;
    let (kept_secret, kept) = srv
        .mint(&dev, "minted before the backup", &["messages.read"], None)
        .await;
    let srv = Arc::new(srv);
    let ledger: Ledger = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..3)
        .map(|w| {
            tokio::spawn(load(
                srv.clone(),
                dev.clone(),
                w,
                ledger.clone(),
                stop.clone(),
            ))
        })
        .collect();

    // Under way: some tokens already minted and revoked before the backup starts.
    while ledger
        .lock()
        .expect("ledger")
        .values()
        .filter(|m| m.revoked)
        .count()
        < 15
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let before = ledger.lock().expect("ledger").clone();
    let backup = srv.dir.path().join("backup.db");
    let out = tokio::process::Command::new(bin())
        .args(["backup", "--db", &srv.db_url, "--to"])
        .arg(&backup)
        .output()
        .await
        .expect("run backup");
    assert!(
        out.status.success(),
        "backup failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("backed up"));
    let during = ledger.lock().expect("ledger").len();
    eprintln!(
        "tokens minted: {} before the backup started, {} by the time it finished",
        before.len(),
        during
    );
    // The load keeps going after the backup, then stops.
    while ledger.lock().expect("ledger").len() < during + 5 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.expect("a load task panicked");
    }
    let (after_secret, after) = srv
        .mint(&dev, "minted after the backup", &["messages.read"], None)
        .await;

    // A second backup to the same name is refused; the first one is untouched.
    let again = Command::new(bin())
        .args(["backup", "--db", &srv.db_url, "--to"])
        .arg(&backup)
        .output()
        .expect("run backup again");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // Serve the copy.
    let restored_url = format!("sqlite://{}", backup.display());
    let (mut restored, base) = serve(&restored_url, &srv.dir.path().join("restored.log"));
    let http = reqwest::Client::new();
    let signed_in: serde_json::Value = http
        .post(format!("{base}/v1/sessions"))
        .json(&json!({"tenant": support::TENANT, "email": dev.email, "password": "user-password-123"}))
        .send()
        .await
        .expect("sign in on the restored server")
        .json()
        .await
        .expect("session json");
    let session = signed_in["session_token"]
        .as_str()
        .expect("a session on the restored server");
    let list: serde_json::Value = http
        .get(format!("{base}/v1/tokens"))
        .bearer_auth(session)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("list json");
    let status: HashMap<&str, &str> = list["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| {
            (
                t["id"].as_str().expect("id"),
                t["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert_eq!(
        status.get(kept["id"].as_str().expect("id")),
        Some(&"active")
    );
    assert!(
        !status.contains_key(after["id"].as_str().expect("id")),
        "minted after the backup"
    );
    for (id, m) in &before {
        let want = if m.revoked { "revoked" } else { "active" };
        let got = status.get(id.as_str()).copied();
        // Revoked after the snapshot began is allowed too: the snapshot may be that recent.
        assert!(
            got == Some(want) || (got == Some("revoked") && !m.revoked),
            "token {id}: {got:?} in the backup, {want} before it"
        );
    }
    let use_token = |secret: String| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            http.get(format!("{base}/v1/messages"))
                .bearer_auth(secret)
                .send()
                .await
                .expect("GET /v1/messages")
                .status()
        }
    };
    assert_eq!(use_token(kept_secret).await, StatusCode::OK);
    let revoked = before
        .values()
        .find(|m| m.revoked)
        .expect("a revoked token");
    assert_eq!(
        use_token(revoked.secret.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(use_token(after_secret).await, StatusCode::UNAUTHORIZED);
    let _ = restored.kill();
    let _ = restored.wait();
}
