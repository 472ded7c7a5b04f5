//! What the app leaves on this computer, through the command layer against a real server: the
//! data folder 0700 and every file in it 0600 (a folder and files left readable by others are
//! tightened), and **Sign out** removing the account's cached token list unless "Keep an
//! offline copy after signing out" is on. The log's cap and rotation are unit-tested in
//! `src-tauri/src/log_file.rs`.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use keebai_api::wire::Password;
use keebai_e2e::{files_containing, DemoServer, DEVELOPER, TENANT};
use keebai_keys::app_service::{AppService, SignIn};
use keebai_keys::cache::Cache;
use keebai_keys::private_files::mode_of;
use keebai_keys::session_vault::MemoryVault;
use keebai_keys::settings::Account;

fn form(server: &str, email: &str) -> SignIn {
    SignIn {
        server: server.to_owned(),
        tenant: TENANT.to_owned(),
        email: email.to_owned(),
        password: Password::new(DEVELOPER.1),
    }
}

fn loosen(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Every folder and file under `dir` with its mode.
fn modes(dir: &Path) -> Vec<(String, bool, u32)> {
    let mut out = vec![(dir.display().to_string(), true, mode_of(dir).expect("mode"))];
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(modes(&path));
        } else {
            out.push((
                path.display().to_string(),
                false,
                mode_of(&path).expect("mode"),
            ));
        }
    }
    out
}

#[tokio::test]
async fn the_data_folder_is_the_users_only_even_when_it_was_not() {
    let server = DemoServer::demo();
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("keebaikeys");
    // A folder an older version (or a loose umask) left readable by everyone.
    std::fs::create_dir_all(dir.join("logs")).expect("mkdir");
    std::fs::write(
        dir.join("settings.json"),
        br#"{"clipboard_clear_seconds": 45}"#,
    )
    .expect("write");
    std::fs::write(dir.join("cache.db"), b"").expect("write");
    std::fs::write(dir.join("logs/keebai-keys.log"), b"an old line\n").expect("write");
    for file in ["settings.json", "cache.db", "logs/keebai-keys.log"] {
        loosen(&dir.join(file), 0o644);
    }
    loosen(&dir.join("logs"), 0o755);
    loosen(&dir, 0o755);

    // What the app does at start: the log first, then the service.
    keebai_keys::private_files::private_dir(&dir).expect("private dir");
    keebai_keys::logging::init(&dir);
    let app = AppService::new(&dir, Arc::new(MemoryVault::default()), None).expect("service");
    app.sign_in(form(&server.url, DEVELOPER.0))
        .await
        .expect("sign in");
    app.list_tokens().await.expect("list");
    app.set_clipboard_timeout(60).expect("settings saved");

    let all = modes(&dir);
    for name in ["settings.json", "cache.db", "keebai-keys.log"] {
        assert!(
            all.iter().any(|(p, _, _)| p.ends_with(name)),
            "{name}: {all:?}"
        );
    }
    for (path, is_dir, mode) in &all {
        let want = if *is_dir { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{path} is {mode:o}");
    }
    let log = std::fs::read_to_string(dir.join("logs/keebai-keys.log")).expect("log");
    assert!(
        log.starts_with("an old line\n") && log.contains("signed in"),
        "{log}"
    );
}

#[tokio::test]
async fn sign_out_removes_the_accounts_cached_list_unless_an_offline_copy_is_kept() {
    let server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::default());
    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    assert!(
        !app.config().expect("config").keep_offline_copy,
        "off by default"
    );

    // Signed in with capitals in the email: the same account as the lowercase one.
    app.sign_in(form(&server.url, "Dev@ACME.test"))
        .await
        .expect("sign in");
    let list = app.list_tokens().await.expect("list");
    let prefix = list
        .tokens
        .first()
        .expect("the demo's tokens")
        .prefix
        .clone();
    let account = Account {
        server: server.url.clone(),
        tenant: TENANT.to_owned(),
        email: DEVELOPER.0.to_owned(),
    };
    let cached = || {
        Cache::open_in(dir.path())
            .expect("cache")
            .load(&account.key())
    };
    assert!(cached().expect("load").is_some());
    assert!(!files_containing(dir.path(), &prefix).is_empty());

    app.sign_out().await.expect("sign out");
    assert_eq!(cached().expect("load"), None);
    // Gone from the file's bytes too, not only from its index.
    assert_eq!(
        files_containing(dir.path(), &prefix),
        Vec::<std::path::PathBuf>::new()
    );

    // With the setting on (saved, so a new run sees it), sign-out keeps the list.
    assert!(app.set_keep_offline_copy(true).expect("set"));
    drop(app);
    let app = AppService::new(dir.path(), vault, None).expect("service");
    assert!(app.config().expect("config").keep_offline_copy);
    app.sign_in(form(&server.url, DEVELOPER.0))
        .await
        .expect("sign in");
    let online = app.list_tokens().await.expect("list");
    app.sign_out().await.expect("sign out");
    let kept = cached().expect("load").expect("kept after sign-out");
    assert_eq!(kept.value.tokens, online.tokens);

    // Turned off again: the next sign-out removes it.
    assert!(!app.set_keep_offline_copy(false).expect("set"));
    app.sign_in(form(&server.url, DEVELOPER.0))
        .await
        .expect("sign in");
    app.sign_out().await.expect("sign out");
    assert_eq!(cached().expect("load"), None);
}

/// Sign-out removes the session from the keyring even when the cache cannot be cleared (here
/// another process holds `cache.db` locked), so the next launch does not sign back in with a
/// session the user ended — one the server may still honour if it could not be reached.
#[tokio::test]
async fn a_sign_out_whose_cache_cannot_be_cleared_still_leaves_the_keyring_empty() {
    use keebai_keys::session_vault::SessionVault;

    let server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::default());
    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    app.sign_in(form(&server.url, DEVELOPER.0))
        .await
        .expect("sign in");
    app.list_tokens().await.expect("list");
    let account = Account {
        server: server.url.clone(),
        tenant: TENANT.to_owned(),
        email: DEVELOPER.0.to_owned(),
    };
    assert!(vault.load(&account.key()).expect("vault").is_some());

    let side = rusqlite::Connection::open(dir.path().join(keebai_keys::cache::FILE_NAME))
        .expect("side connection");
    side.execute_batch("BEGIN EXCLUSIVE")
        .expect("lock the cache");
    let refused = app.sign_out().await.expect_err("the cache is locked");
    assert!(!refused.message.is_empty());
    assert!(
        vault.load(&account.key()).expect("vault").is_none(),
        "the session left the keyring although the cache could not be cleared"
    );
    side.execute_batch("ROLLBACK").expect("unlock");
    drop(app);

    let next = AppService::new(dir.path(), vault, None).expect("service");
    assert!(
        next.restore_session().await.expect("restore").is_none(),
        "the next launch is signed out"
    );
}
