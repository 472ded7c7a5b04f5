//! The Activity screen's data through the app's command layer (`AppService::list_activity`,
//! what the `list_activity` command calls) against a real `keebai-server demo`: the user's own
//! audit trail or, with Audit API Tokens, the tenant's; read across pages; kept for offline
//! review, also after a launch with the server down.

use std::collections::HashSet;
use std::sync::Arc;

use keebai_api::wire::Password;
use keebai_e2e::{DemoServer, ADMIN, DEVELOPER, TENANT};
use keebai_keys::app_service::{AppService, NewToken, SignIn};
use keebai_keys::error::ErrorCode;
use keebai_keys::session_vault::MemoryVault;

fn form(server: &DemoServer, (email, password): (&str, &str)) -> SignIn {
    SignIn {
        server: server.url.clone(),
        tenant: TENANT.to_owned(),
        email: email.to_owned(),
        password: Password::new(password),
    }
}

fn token(name: &str) -> NewToken {
    NewToken {
        name: name.to_owned(),
        scopes: vec!["messages.read".to_owned()],
        expires_at: None,
    }
}

#[tokio::test]
async fn own_events_for_a_developer_the_tenants_for_an_auditor() {
    let server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let dev = AppService::new(dir.path(), Arc::new(MemoryVault::default()), None).expect("service");
    let me = dev
        .sign_in(form(&server, DEVELOPER))
        .await
        .expect("sign in")
        .user
        .id;
    let created = dev
        .create_token(token("activity probe"))
        .await
        .expect("create");
    dev.discard_created_token().expect("discard");
    dev.revoke_token(&created.record.id).await.expect("revoke");

    let view = dev.list_activity().await.expect("activity");
    assert!(!view.whole_tenant && !view.offline && view.complete);
    assert!(
        view.events
            .iter()
            .all(|e| e.actor.as_deref() == Some(me.as_str())),
        "only the developer's own"
    );
    let about: Vec<&str> = view
        .events
        .iter()
        .filter(|e| e.target.as_deref() == Some(created.record.id.as_str()))
        .map(|e| e.action.as_str())
        .collect();
    // Newest first: the revoke, then the creation.
    assert_eq!(about, ["token.revoked", "token.created"]);
    assert!(view.events.iter().any(|e| e.action == "session.created"));
    assert!(
        view.events.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first"
    );

    // The admin holds Audit API Tokens: the tenant's events, the developer's among them.
    let admin_dir = tempfile::tempdir().expect("tempdir");
    let admin =
        AppService::new(admin_dir.path(), Arc::new(MemoryVault::default()), None).expect("service");
    admin.sign_in(form(&server, ADMIN)).await.expect("sign in");
    let tenant = admin.list_activity().await.expect("activity");
    assert!(tenant.whole_tenant);
    assert!(tenant
        .events
        .iter()
        .any(|e| e.actor.as_deref() == Some(me.as_str()) && e.action == "token.revoked"));
}

#[tokio::test]
async fn more_than_a_page_is_read_whole_and_in_order() {
    let server = DemoServer::demo();
    let http = server.http();
    let session = http.sign_in(DEVELOPER).await;
    // 260 tokens created and revoked: 520 events, more than the 500 of one page.
    for n in 0..260 {
        let created: serde_json::Value = http
            .client
            .post(format!("{}/v1/tokens", http.base))
            .bearer_auth(session.expose())
            .json(&serde_json::json!({"name": format!("page {n}"), "scopes": ["messages.read"], "expires_at": null}))
            .send()
            .await
            .expect("mint")
            .json()
            .await
            .expect("json");
        let id = created["record"]["id"].as_str().expect("id");
        let revoked = http
            .client
            .post(format!("{}/v1/tokens/{id}/revoke", http.base))
            .bearer_auth(session.expose())
            .send()
            .await
            .expect("revoke");
        assert_eq!(revoked.status(), 200);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let app = AppService::new(dir.path(), Arc::new(MemoryVault::default()), None).expect("service");
    app.sign_in(form(&server, DEVELOPER))
        .await
        .expect("sign in");
    let view = app.list_activity().await.expect("activity");
    assert!(view.complete);
    let ids: HashSet<&str> = view.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), view.events.len(), "no event twice across pages");
    let tokens = view
        .events
        .iter()
        .filter(|e| e.action.starts_with("token."))
        .count();
    assert_eq!(tokens, 520, "every token event, across the page boundary");
    assert!(
        view.events.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first"
    );
}

#[tokio::test]
async fn the_trail_is_kept_for_offline_review_also_after_a_launch_with_the_server_down() {
    let mut server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::default());
    let first = AppService::new(dir.path(), vault.clone(), None).expect("service");
    first
        .sign_in(form(&server, DEVELOPER))
        .await
        .expect("sign in");
    let online = first.list_activity().await.expect("activity");
    assert!(!online.events.is_empty());

    server.stop();
    let offline = first.list_activity().await.expect("the cached copy");
    assert!(offline.offline);
    assert_eq!(offline.events, online.events);
    assert_eq!(
        offline.fetched_at, online.fetched_at,
        "it says how old it is"
    );
    drop(first);

    // A launch with the server down: the session from the vault and the cache, no network.
    let again = AppService::new(dir.path(), vault, None).expect("service");
    again
        .restore_session()
        .await
        .expect("restore")
        .expect("a session");
    let cached = again
        .list_activity()
        .await
        .expect("the cached copy after a launch");
    assert!(cached.offline);
    assert_eq!(cached.events, online.events);
}

#[tokio::test]
async fn with_nothing_cached_and_the_server_gone_it_says_so() {
    let mut server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = AppService::new(dir.path(), Arc::new(MemoryVault::default()), None).expect("service");
    app.sign_in(form(&server, DEVELOPER))
        .await
        .expect("sign in");
    server.stop();
    let e = app.list_activity().await.expect_err("nothing to show");
    assert_eq!(e.code, ErrorCode::ServerUnreachable, "{e:?}");
}
