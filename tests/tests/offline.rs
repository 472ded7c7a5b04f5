//! Offline launch and the end of a session, through the command layer (`AppService`, exactly
//! what the Tauri commands call) against a real keebai-server: a launch with the server down
//! restores the session from the keyring (here the in-memory vault) and the cached profile
//! without the network, serves the cached data marked offline and refuses what needs the
//! server; a 401 at the next sync ends the session, its keyring entry and its cache; a cache
//! from before the profile was kept falls back to the sign-in screen's "Can't reach the server".

use std::sync::Arc;

use keebai_e2e::{files_containing, DemoServer, DEVELOPER, TENANT};
use keebai_keys::app_service::{AppService, NewToken, SignIn};
use keebai_keys::cache::{Cache, FILE_NAME, MIGRATIONS};
use keebai_keys::error::ErrorCode;
use keebai_keys::session_vault::{MemoryVault, SessionVault};
use keebai_keys::settings::Account;

fn form(server: &str) -> SignIn {
    SignIn {
        server: server.to_owned(),
        tenant: TENANT.to_owned(),
        email: DEVELOPER.0.to_owned(),
        password: keebai_api::wire::Password::new(DEVELOPER.1),
    }
}

fn account(server: &DemoServer) -> Account {
    Account {
        server: server.url.clone(),
        tenant: TENANT.to_owned(),
        email: DEVELOPER.0.to_owned(),
    }
}

#[tokio::test]
async fn a_launch_with_the_server_down_shows_the_cached_session_and_list_then_syncs_back() {
    let mut server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::default());
    let first = AppService::new(dir.path(), vault.clone(), None).expect("service");
    first.sign_in(form(&server.url)).await.expect("sign in");
    let online = first.list_tokens().await.expect("list");
    let groups = first.list_permissions().await.expect("scopes");
    drop(first);
    server.stop();

    // The next launch: no network needed to come back signed in.
    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    let restored = app
        .restore_session()
        .await
        .expect("restore needs no server")
        .expect("a session");
    assert_eq!(restored.user.email, DEVELOPER.0);
    assert!(restored.can_manage_tokens);
    let painted = app
        .cached_tokens(None)
        .expect("cached")
        .expect("a cached list");
    assert_eq!(painted.tokens, online.tokens);
    assert_eq!(painted.fetched_at, online.fetched_at);
    assert_eq!(painted.total as usize, online.tokens.len());
    // The first screen of a large cache: the list's first rows in its order, the whole
    // list's counts and reminders.
    assert!(
        online.tokens.len() > 3,
        "the demo developer has more than a screenful here"
    );
    let head = app
        .cached_tokens(Some(3))
        .expect("cached")
        .expect("a cached list");
    assert_eq!(head.tokens, online.tokens[..3]);
    assert_eq!(head.total, painted.total);
    assert_eq!(head.active_count, online.active_count);
    assert_eq!(
        serde_json::to_value(&head.attention).expect("json"),
        serde_json::to_value(&online.attention).expect("json")
    );
    assert_eq!(head.fetched_at, online.fetched_at);
    let more = app
        .cached_tokens(Some(10_000))
        .expect("cached")
        .expect("a cached list");
    assert_eq!(
        more.tokens, online.tokens,
        "asking for more rows than there are"
    );

    // The sync finds the server gone: the session stays, marked offline.
    let synced = app.sync().await.expect("offline is not an error");
    assert!(synced.offline);
    assert_eq!(synced.user.email, DEVELOPER.0);
    let list = app.list_tokens().await.expect("the cached list");
    assert!(list.offline);
    assert_eq!(list.tokens, online.tokens);
    assert_eq!(
        list.fetched_at, online.fetched_at,
        "data as of the last sync"
    );
    let cached_groups = app.list_permissions().await.expect("the cached catalog");
    assert_eq!(
        serde_json::to_value(&cached_groups).expect("json"),
        serde_json::to_value(&groups).expect("json")
    );
    let e = app
        .create_token(NewToken {
            name: "offline".into(),
            scopes: vec!["messages.read".into()],
            expires_at: None,
        })
        .await
        .expect_err("needs the server");
    assert_eq!(e.code, ErrorCode::ServerUnreachable);
    let e = app
        .revoke_token(&online.tokens[0].id)
        .await
        .expect_err("needs the server");
    assert_eq!(e.code, ErrorCode::ServerUnreachable);
    assert!(app.sync().await.expect("still signed in").offline);

    // The server is back with the same data: Sync brings the app online again.
    server.serve_again();
    let back = app.sync().await.expect("sync");
    assert!(!back.offline);
    assert!(back.synced_at > restored.synced_at);
    let fresh = app.list_tokens().await.expect("list");
    assert!(!fresh.offline);
    assert!(fresh.fetched_at > online.fetched_at);

    // What made this possible holds no secret.
    let secret = vault
        .load(&account(&server).key())
        .expect("vault")
        .expect("the session stays in the keyring");
    assert!(files_containing(dir.path(), secret.expose()).is_empty());
}

#[tokio::test]
async fn a_401_at_the_sync_after_a_launch_ends_the_session_its_keyring_entry_and_cache() {
    let server = DemoServer::demo();
    let http = server.http();
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::default());
    let first = AppService::new(dir.path(), vault.clone(), None).expect("service");
    first.sign_in(form(&server.url)).await.expect("sign in");
    first.list_tokens().await.expect("list");
    drop(first);
    // Signed out elsewhere while the app was closed.
    let key = account(&server).key();
    let secret = vault.load(&key).expect("vault").expect("stored");
    let response = http
        .client
        .delete(format!("{}/v1/sessions/current", server.url))
        .bearer_auth(secret.expose())
        .send()
        .await
        .expect("DELETE");
    assert_eq!(response.status(), 204);

    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    assert!(app.restore_session().await.expect("restore").is_some());
    let e = app
        .sync()
        .await
        .expect_err("the server refuses the session");
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert_eq!(e.message, "Your session has ended. Sign in again.");
    assert_eq!(
        app.list_tokens().await.expect_err("signed out").code,
        ErrorCode::NotSignedIn
    );
    assert!(
        vault.load(&key).expect("vault").is_none(),
        "keyring entry gone"
    );
    drop(app);
    let cache = Cache::open_in(dir.path()).expect("cache");
    assert_eq!(
        cache.load(&key).expect("load"),
        None,
        "no offline copy kept"
    );
    let next = AppService::new(dir.path(), vault, None).expect("service");
    assert!(next.restore_session().await.expect("restore").is_none());
}

#[tokio::test]
async fn without_a_cached_profile_an_offline_launch_says_it_cannot_reach_the_server() {
    let mut server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::default());
    let first = AppService::new(dir.path(), vault.clone(), None).expect("service");
    first.sign_in(form(&server.url)).await.expect("sign in");
    let online = first.list_tokens().await.expect("list");
    drop(first);
    server.stop();
    // The cache as the previous version left it: a version-1 file with the list, no profile.
    let path = dir.path().join(FILE_NAME);
    std::fs::remove_file(&path).expect("rm");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(MIGRATIONS[0]).expect("v1 schema");
        let list = keebai_api::wire::TokenList {
            tokens: online.tokens.clone(),
            active_count: online.active_count,
            active_limit: online.active_limit,
        };
        conn.execute(
            "INSERT INTO token_lists (account, fetched_at, list_json) VALUES (?1, ?2, ?3)",
            rusqlite::params![
                account(&server).key(),
                online.fetched_at.to_rfc3339(),
                serde_json::to_string(&list).expect("json")
            ],
        )
        .expect("row");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
    }

    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    let e = app.restore_session().await.expect_err("no profile to show");
    assert_eq!(e.code, ErrorCode::ServerUnreachable);
    assert!(
        e.message.starts_with("Can't reach the server"),
        "{}",
        e.message
    );
    // Nothing was thrown away: the keyring entry and the migrated list wait for the server.
    assert!(vault
        .load(&account(&server).key())
        .expect("vault")
        .is_some());
    drop(app);
    let kept = Cache::open_in(dir.path())
        .expect("cache")
        .load(&account(&server).key())
        .expect("load")
        .expect("the list carried forward");
    assert_eq!(kept.value.tokens, online.tokens);
}

#[tokio::test]
async fn a_corrupt_cache_is_set_aside_and_the_app_says_so_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(FILE_NAME),
        b"not a database: what a crash mid-write or a bad disk leaves".repeat(30),
    )
    .expect("write");
    let vault = Arc::new(MemoryVault::default());
    let app = AppService::new(dir.path(), vault, None).expect("the app starts anyway");
    let notice = app
        .config()
        .expect("config")
        .cache_notice
        .expect("the app says so");
    assert!(notice.contains("cache.db.corrupt-"), "{notice}");
    assert_eq!(app.config().expect("config").cache_notice, None, "once");
    let aside = std::fs::read_dir(dir.path())
        .expect("read_dir")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("cache.db.corrupt-")
        })
        .count();
    assert_eq!(aside, 1, "the old file is kept");
}
