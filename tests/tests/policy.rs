//! The token policy through the app's command layer (`AppService::token_policy`,
//! `set_token_policy`, `create_token`, `list_inventory`) against a real `keebai-server demo`:
//! only a role admin saves it, everyone reads it, a create that breaks it gets the server's
//! refusal naming it, the Inventory's "Breaks token policy" holds exactly the server's
//! `violates_policy` tokens, and with the server stopped both come from the cache.

use chrono::{Duration, Utc};
use keebai_api::wire::{InventoryPage, TokenPolicy};
use keebai_e2e::{app_signed_in, DemoServer, ADMIN, DEVELOPER};
use keebai_keys::app_service::NewToken;
use keebai_keys::error::ErrorCode;

fn token(expires_in_days: Option<i64>) -> NewToken {
    NewToken {
        name: "policy check".into(),
        scopes: vec!["messages.read".into()],
        expires_at: expires_in_days.map(|d| Utc::now() + Duration::days(d)),
    }
}

/// The ids the server's own `violates_policy=true` filter selects, sorted.
async fn server_breakers(server: &DemoServer) -> Vec<String> {
    let http = server.http();
    let admin = http.sign_in(ADMIN).await;
    let page: InventoryPage = http
        .client
        .get(format!(
            "{}/v1/admin/tokens?violates_policy=true&limit=500",
            http.base
        ))
        .bearer_auth(admin.expose())
        .send()
        .await
        .expect("GET /v1/admin/tokens")
        .json()
        .await
        .expect("inventory json");
    let mut ids: Vec<String> = page.tokens.into_iter().map(|t| t.record.id).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn admins_save_it_creates_obey_it_and_the_inventory_finds_its_breakers_also_offline() {
    let mut server = DemoServer::demo();
    let (admin, _a) = app_signed_in(&server, ADMIN).await;
    let (dev, _d) = app_signed_in(&server, DEVELOPER).await;

    let open = dev.token_policy().await.expect("read");
    assert_eq!(open.policy, TokenPolicy::default());
    assert!(!open.offline);
    let before = admin.list_inventory().await.expect("inventory");
    assert!(
        before.breaks_policy.is_empty(),
        "the default policy asks nothing"
    );

    let month = TokenPolicy {
        max_lifetime_days: Some(30),
        require_expiration: true,
    };
    let refused = dev.set_token_policy(month).await.expect_err("a developer");
    assert_eq!(refused.code, ErrorCode::Forbidden, "{refused:?}");
    let saved = admin.set_token_policy(month).await.expect("save");
    assert_eq!(saved.policy, month);
    assert_eq!(dev.token_policy().await.expect("read").policy, month);

    let err = dev.create_token(token(None)).await.expect_err("no expiry");
    assert_eq!(err.code, ErrorCode::InvalidRequest);
    assert!(err.message.contains("token policy"), "{}", err.message);
    let err = dev
        .create_token(token(Some(31)))
        .await
        .expect_err("too long");
    assert!(err.message.contains("at most 30 days"), "{}", err.message);
    dev.create_token(token(Some(30)))
        .await
        .expect("exactly the maximum");
    dev.discard_created_token().expect("discard");

    let inventory = admin.list_inventory().await.expect("inventory");
    assert_eq!(inventory.policy, Some(month));
    let mut breakers = inventory.breaks_policy.clone();
    breakers.sort();
    assert!(
        !breakers.is_empty(),
        "the demo's unexpiring tokens break a 30-day maximum"
    );
    assert_eq!(
        breakers,
        server_breakers(&server).await,
        "the app's rule is the server's"
    );

    server.stop();
    let cached = admin.token_policy().await.expect("the cached policy");
    assert!(cached.offline);
    assert_eq!(cached.policy, month);
    let offline = admin.list_inventory().await.expect("the cached inventory");
    assert!(offline.offline);
    let mut offline_breakers = offline.breaks_policy.clone();
    offline_breakers.sort();
    assert_eq!(offline_breakers, breakers);
    let err = admin
        .set_token_policy(TokenPolicy::default())
        .await
        .expect_err("saving needs the server");
    assert_eq!(err.code, ErrorCode::ServerUnreachable);
}
