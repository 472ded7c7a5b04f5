//! Sign in, list, create, copy, revoke; the member's gate until a refresh; the list from the
//! cache with the server gone; the session restored from the vault, dropped when dead.

use super::*;

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
