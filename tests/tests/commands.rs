//! The app's command layer (`AppService`, exactly what the Tauri commands call) against a real
//! keebai-server on port 0: sign in, list, create, copy, revoke, permission refresh, and every
//! error code surfacing as its `code`.

use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use keebai_api::wire::{Password, TokenStatus};
use keebai_e2e::{files_containing, DemoServer, ADMIN, DEVELOPER, MEMBER, TENANT};
use keebai_keys::app_service::{AppService, NewToken, SignIn};
use keebai_keys::clipboard_guard::SecretClipboard;
use keebai_keys::error::ErrorCode;
use keebai_keys::session_vault::{MemoryVault, SessionVault};
use keebai_keys::settings::Account;

/// Stands in for the OS clipboard here; the real one is covered by `clipboard.rs`.
#[derive(Default)]
struct RecordingClipboard(Mutex<String>);

impl SecretClipboard for RecordingClipboard {
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

struct App {
    service: AppService,
    clipboard: Arc<RecordingClipboard>,
    dir: tempfile::TempDir,
}

fn app() -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let clipboard = Arc::new(RecordingClipboard::default());
    let service = AppService::new(
        dir.path(),
        Arc::new(MemoryVault::default()),
        Some(Arc::clone(&clipboard) as Arc<dyn SecretClipboard>),
    )
    .expect("service");
    App {
        service,
        clipboard,
        dir,
    }
}

fn form(server: &str, (email, password): (&str, &str)) -> SignIn {
    SignIn {
        server: server.to_owned(),
        tenant: TENANT.to_owned(),
        email: email.to_owned(),
        password: Password::new(password),
    }
}

fn new_token(name: &str, scopes: &[&str], days: Option<i64>) -> NewToken {
    NewToken {
        name: name.to_owned(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        expires_at: days.map(|d| Utc::now() + Duration::days(d)),
    }
}

#[tokio::test]
async fn sign_in_list_create_copy_revoke() {
    let server = DemoServer::demo();
    let http = server.http();
    let app = app();

    let session = app
        .service
        .sign_in(form(&server.url, DEVELOPER))
        .await
        .expect("sign in");
    assert!(session.can_manage_tokens);
    assert_eq!(session.tenant.slug, TENANT);
    assert!(session.keyring.persisted);

    let list = app.service.list_tokens().await.expect("list");
    assert!(!list.offline);
    assert_eq!(list.active_limit, 10);
    let active = list
        .tokens
        .iter()
        .filter(|t| t.status == TokenStatus::Active)
        .count();
    assert_eq!(list.active_count as usize, active);
    for status in [TokenStatus::Expired, TokenStatus::Revoked] {
        assert!(list.tokens.iter().any(|t| t.status == status), "{status:?}");
    }

    // Only permissions the developer holds are offered as scopes.
    let groups = app.service.list_permissions().await.expect("permissions");
    let keys: Vec<&str> = groups
        .iter()
        .flat_map(|g| g.permissions.iter().map(|p| p.key.as_str()))
        .collect();
    assert!(keys.contains(&"messages.read"));
    assert!(!keys.contains(&"admin.manage_roles"), "{keys:?}");

    let created = app
        .service
        .create_token(new_token("CI smoke", &["messages.read"], Some(90)))
        .await
        .expect("create");
    let secret = serde_json::to_value(&created.token).expect("json");
    let secret = secret.as_str().expect("string").to_owned();
    assert!(secret.starts_with("kbai_pk_") && secret.len() == 72);
    assert_eq!(created.record.prefix, secret[..12]);
    assert_eq!(created.record.scopes, vec!["messages.read".to_string()]);
    assert!(created.record.expires_at.is_some());

    // The token works as a script would use it.
    assert_eq!(http.status_of("/v1/messages", &secret).await, 200);

    // Copy goes to the clipboard from Rust; after discard the secret is gone from the app.
    let copy = app.service.copy_created_token().expect("copy");
    assert_eq!(copy.clear_after_seconds, 30);
    assert_eq!(app.clipboard.read_text().expect("read"), secret);
    app.service.discard_created_token().expect("discard");
    assert!(!app.service.holds_created_token());
    let again = app
        .service
        .copy_created_token()
        .expect_err("no secret left");
    assert_eq!(again.code, ErrorCode::NoCreatedToken);

    let list = app.service.list_tokens().await.expect("list");
    assert!(list.tokens.iter().any(|t| t.id == created.record.id));

    let revoked = app
        .service
        .revoke_token(&created.record.id)
        .await
        .expect("revoke");
    assert_eq!(revoked.status, TokenStatus::Revoked);
    assert_eq!(http.status_of("/v1/messages", &secret).await, 401);
    let list = app.service.list_tokens().await.expect("list");
    let row = list
        .tokens
        .iter()
        .find(|t| t.id == created.record.id)
        .expect("row stays");
    assert_eq!(row.status, TokenStatus::Revoked);

    // Nothing the app wrote contains the token.
    assert_eq!(
        files_containing(app.dir.path(), &secret),
        Vec::<std::path::PathBuf>::new()
    );
    assert!(
        files_containing(app.dir.path(), "CI smoke").len() == 1,
        "the cache holds the list"
    );

    // Quitting takes a still-copied token off the clipboard, and leaves other text alone.
    let second = app
        .service
        .create_token(new_token("CI smoke 2", &["messages.read"], Some(30)))
        .await
        .expect("create");
    app.service.copy_created_token().expect("copy");
    app.service.shutdown();
    assert_eq!(app.clipboard.read_text().expect("read"), "");
    assert!(!app.service.holds_created_token());
    drop(second);

    let third = app
        .service
        .create_token(new_token("CI smoke 3", &["messages.read"], Some(30)))
        .await
        .expect("create");
    app.service.copy_created_token().expect("copy");
    app.clipboard
        .write_secret("copied by the user")
        .expect("write");
    app.service.sign_out().await.expect("sign out");
    assert_eq!(
        app.clipboard.read_text().expect("read"),
        "copied by the user"
    );
    drop(third);

    let e = app.service.list_tokens().await.expect_err("signed out");
    assert_eq!(e.code, ErrorCode::NotSignedIn);
}

#[tokio::test]
async fn member_gets_the_gate_until_a_refresh_after_the_grant() {
    let server = DemoServer::demo();
    let http = server.http();
    let app = app();
    let session = app
        .service
        .sign_in(form(&server.url, MEMBER))
        .await
        .expect("sign in");
    assert!(!session.can_manage_tokens);
    let e = app.service.list_tokens().await.expect_err("forbidden");
    assert_eq!(e.code, ErrorCode::Forbidden);

    let admin = http.sign_in(ADMIN).await;
    http.grant_to_members(&admin, "developer.manage_tokens")
        .await;

    let refreshed = app.service.refresh_session().await.expect("refresh");
    assert!(refreshed.can_manage_tokens);
    let list = app.service.list_tokens().await.expect("list after grant");
    assert_eq!(list.tokens.len(), 0);
}

#[tokio::test]
async fn sign_in_errors_have_their_codes() {
    let server = DemoServer::demo();
    let app = app();

    let e = app
        .service
        .sign_in(form(&server.url, (DEVELOPER.0, "wrong-password")))
        .await
        .expect_err("bad password");
    assert_eq!(e.code, ErrorCode::Unauthorized);

    let e = app
        .service
        .sign_in(form("not a server", DEVELOPER))
        .await
        .expect_err("bad url");
    assert_eq!(e.code, ErrorCode::InvalidServerUrl);

    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let e = app
        .service
        .sign_in(form(&format!("http://127.0.0.1:{port}"), DEVELOPER))
        .await
        .expect_err("unreachable");
    assert_eq!(e.code, ErrorCode::ServerUnreachable);

    // TLS to a plain-HTTP server fails the handshake.
    let tls_url = server.url.replacen("http://", "https://", 1);
    let e = app
        .service
        .sign_in(form(&tls_url, DEVELOPER))
        .await
        .expect_err("tls");
    assert_eq!(e.code, ErrorCode::TlsError, "{e:?}");

    // Five failures for one account within a minute: the next attempt is rate limited.
    let mut last = None;
    for _ in 0..6 {
        last = Some(
            app.service
                .sign_in(form(&server.url, (MEMBER.0, "wrong-password")))
                .await
                .expect_err("bad password"),
        );
    }
    assert_eq!(last.map(|e| e.code), Some(ErrorCode::RateLimited));
}

#[tokio::test]
async fn token_errors_have_their_codes() {
    let server = DemoServer::demo();
    let app = app();
    app.service
        .sign_in(form(&server.url, DEVELOPER))
        .await
        .expect("sign in");

    // invalid_request: an empty name, and an expiry in the past.
    let e = app
        .service
        .create_token(new_token("   ", &["messages.read"], Some(30)))
        .await
        .expect_err("empty name");
    assert_eq!(e.code, ErrorCode::InvalidRequest);
    let e = app
        .service
        .create_token(new_token("past", &["messages.read"], Some(-1)))
        .await
        .expect_err("past expiry");
    assert_eq!(e.code, ErrorCode::InvalidRequest);

    // forbidden: a scope the developer does not hold.
    let e = app
        .service
        .create_token(new_token("too much", &["admin.manage_users"], Some(30)))
        .await
        .expect_err("scope not held");
    assert_eq!(e.code, ErrorCode::Forbidden);

    // not_found: revoking something that isn't ours.
    let e = app
        .service
        .revoke_token("no-such-token")
        .await
        .expect_err("unknown id");
    assert_eq!(e.code, ErrorCode::NotFound);

    // token_limit_reached: fill up to 10 active, then one more.
    let list = app.service.list_tokens().await.expect("list");
    for i in list.active_count..list.active_limit {
        app.service
            .create_token(new_token(&format!("filler {i}"), &["messages.read"], None))
            .await
            .expect("create up to the limit");
    }
    let e = app
        .service
        .create_token(new_token("eleventh", &["messages.read"], Some(30)))
        .await
        .expect_err("over the limit");
    assert_eq!(e.code, ErrorCode::TokenLimitReached);
    let list = app.service.list_tokens().await.expect("list");
    assert_eq!(list.active_count, list.active_limit);
}

#[tokio::test]
async fn a_session_ended_elsewhere_surfaces_as_unauthorized() {
    let server = DemoServer::demo();
    let http = server.http();
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::default());
    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    app.sign_in(form(&server.url, DEVELOPER))
        .await
        .expect("sign in");
    let account = app.config().expect("config").last_account.expect("account");
    let session = vault
        .load(&Account::key(&account))
        .expect("vault")
        .expect("stored session");
    let response = http
        .client
        .delete(format!("{}/v1/sessions/current", server.url))
        .bearer_auth(session.expose())
        .send()
        .await
        .expect("DELETE");
    assert_eq!(response.status(), 204);

    let e = app.list_tokens().await.expect_err("session is gone");
    assert_eq!(e.code, ErrorCode::Unauthorized);
    // The app forgot the dead session, here and in the vault.
    let e = app.refresh_session().await.expect_err("signed out");
    assert_eq!(e.code, ErrorCode::NotSignedIn);
    assert!(vault.load(&account.key()).expect("vault").is_none());
}

#[tokio::test]
async fn the_list_is_served_from_the_cache_when_the_server_is_gone() {
    let server = DemoServer::demo();
    let app = app();
    app.service
        .sign_in(form(&server.url, DEVELOPER))
        .await
        .expect("sign in");
    let online = app.service.list_tokens().await.expect("list");
    drop(server);
    let offline = app.service.list_tokens().await.expect("cached list");
    assert!(offline.offline);
    assert_eq!(offline.tokens, online.tokens);
}

#[tokio::test]
async fn a_session_is_restored_from_the_vault_and_dropped_when_dead() {
    let server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::default());
    let first = AppService::new(dir.path(), vault.clone(), None).expect("service");
    first
        .sign_in(form(&server.url, DEVELOPER))
        .await
        .expect("sign in");
    drop(first);

    // A new run with the same data folder and vault resumes without a password.
    let second = AppService::new(dir.path(), vault.clone(), None).expect("service");
    let restored = second.restore_session().await.expect("restore");
    assert_eq!(restored.map(|s| s.user.email), Some(DEVELOPER.0.to_owned()));
    second.sign_out().await.expect("sign out");

    let third = AppService::new(dir.path(), vault, None).expect("service");
    assert!(third.restore_session().await.expect("restore").is_none());
    assert_eq!(
        third
            .config()
            .expect("config")
            .last_account
            .map(|a| a.email),
        Some(DEVELOPER.0.to_owned()),
        "the sign-in form is pre-filled"
    );
}
