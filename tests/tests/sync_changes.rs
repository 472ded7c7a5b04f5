//! What changed since the last sync, through the command layer (`list_tokens` keeps the
//! previous sync's summary; `audit_views` reports the difference) against a real
//! `keebai-server demo`: between two syncs a token is created, another revoked, and the new one
//! used from an address it never used before; the report names each, and nothing else.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use keebai_api::wire::Password;
use keebai_e2e::{DemoServer, DEVELOPER, TENANT};
use keebai_keys::app_service::{AppService, SignIn};
use keebai_keys::session_vault::MemoryVault;
use serde_json::{json, Value};

#[tokio::test]
async fn a_sync_says_what_changed_since_the_one_before() {
    let server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = AppService::new(dir.path(), Arc::new(MemoryVault::default()), None).expect("app");
    app.sign_in(SignIn {
        server: server.url.clone(),
        tenant: TENANT.to_owned(),
        email: DEVELOPER.0.to_owned(),
        password: Password::new(DEVELOPER.1),
    })
    .await
    .expect("sign in");
    app.list_tokens().await.expect("first sync");
    let first = app.audit_views().expect("audit").expect("cached");
    assert_eq!(first.changes, None, "one sync: nothing to compare with");

    // Elsewhere (a script with the developer's session): a token is created and used, and
    // "Local dev" is revoked.
    let http = server.http();
    let session = http.sign_in(DEVELOPER).await;
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("{}/v1/tokens", server.url))
        .bearer_auth(session.expose())
        .json(&json!({"name": "Made elsewhere", "scopes": ["messages.read"], "expires_at": null}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let secret = created["token"].as_str().expect("secret").to_owned();
    let local_dev = first
        .tokens
        .iter()
        .find(|t| t.name == "Local dev")
        .expect("Local dev")
        .id
        .clone();
    let status = client
        .post(format!("{}/v1/tokens/{local_dev}/revoke", server.url))
        .bearer_auth(session.expose())
        .send()
        .await
        .expect("revoke")
        .status();
    assert_eq!(status, 200);
    app.list_tokens().await.expect("second sync");
    let second = app.audit_views().expect("audit").expect("cached");
    let ch = second.changes.expect("two syncs");
    let names = |v: &[keebai_keys::sync_changes::ChangedToken]| {
        v.iter().map(|t| t.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&ch.new_tokens), ["Made elsewhere"]);
    assert_eq!(names(&ch.revoked), ["Local dev"]);
    assert!(ch.used.is_empty() && ch.new_addresses.is_empty(), "{ch:?}");

    // The new token used from 127.0.0.2, an address it never used; then a sync after the
    // server's batched write (at most 5 s later).
    let from = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<IpAddr>().expect("ip"))
        .build()
        .expect("client");
    let status = from
        .get(format!("{}/v1/messages", server.url))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("use")
        .status();
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(5_500)).await;
    app.list_tokens().await.expect("third sync");
    let third = app.audit_views().expect("audit").expect("cached");
    let ch = third.changes.expect("changes");
    assert_eq!(ch.since, second.fetched_at, "since the sync before");
    assert_eq!(names(&ch.used), ["Made elsewhere"]);
    assert_eq!(
        ch.new_addresses
            .iter()
            .map(|a| (a.token.name.as_str(), a.ip.as_str()))
            .collect::<Vec<_>>(),
        [("Made elsewhere", "127.0.0.2")]
    );
    assert!(ch.new_tokens.is_empty() && ch.revoked.is_empty(), "{ch:?}");
}
