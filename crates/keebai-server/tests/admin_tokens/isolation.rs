//! Tenant isolation of the admin token endpoints: an auditor of tenant B sees and changes
//! nothing of tenant A — not by listing, filters, cursors, nor by guessing ids.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::{assert_error, TestServer, ADMIN_PASSWORD};
use super::{token_ids, MANAGE};

#[tokio::test]
async fn nothing_of_one_tenant_is_visible_or_revocable_from_another() {
    let mut srv = TestServer::start().await;
    let dev = srv.user_with(&[MANAGE, "messages.read"]).await;
    let (pat, record) = srv.mint(&dev, "acme's", &["messages.read"], None).await;
    let id = record["id"].as_str().expect("id").to_owned();
    for i in 0..2 {
        srv.mint(&dev, &format!("more {i}"), &["messages.read"], None)
            .await;
    }
    srv.terminate();
    srv.init_tenant("globex", "admin@globex.test");
    srv.spawn();
    let acme = srv.admin().await;
    let (s, globex) = srv
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"tenant": "globex", "email": "admin@globex.test", "password": ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{globex}");
    let globex = globex["session_token"]
        .as_str()
        .expect("session")
        .to_owned();
    let (own_pat, own) = {
        let (s, b) = srv
            .post(
                "/v1/tokens",
                &globex,
                json!({"name": "globex's", "scopes": [MANAGE], "expires_at": null}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        (
            b["token"].as_str().expect("secret").to_owned(),
            b["record"].clone(),
        )
    };

    // Listing, with or without filters naming acme's user or token: only globex's own.
    for query in [
        String::new(),
        format!("user_id={}", dev.user_id),
        "q=acme".into(),
        format!("q={}", &record["prefix"].as_str().expect("prefix")[8..]),
        "status=active".into(),
    ] {
        let (s, page) = srv.get(&format!("/v1/admin/tokens?{query}"), &globex).await;
        assert_eq!(s, StatusCode::OK, "{query}: {page}");
        let ids = token_ids(&page);
        assert!(
            ids.iter().all(|i| *i == own["id"]),
            "{query}: globex sees only its own: {page}"
        );
    }
    // A cursor of acme's listing is no use in globex's.
    let (s, page) = srv.get("/v1/admin/tokens?limit=1", &acme.session).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let cursor = page["next_cursor"].as_str().expect("cursor");
    let (s, b) = srv
        .get(
            &format!("/v1/admin/tokens?limit=1&cursor={cursor}"),
            &globex,
        )
        .await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert_eq!(b["error"]["field"], "cursor");
    assert!(!b.to_string().contains(&id), "{b}");
    // ... nor in acme's own listing with other filters.
    let (s, b) = srv
        .get(
            &format!("/v1/admin/tokens?limit=1&status=revoked&cursor={cursor}"),
            &acme.session,
        )
        .await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");

    // Revoking acme's token from globex: 404 like an unknown id, and in bulk nothing.
    let (s, b) = srv
        .post(
            &format!("/v1/admin/tokens/{id}/revoke"),
            &globex,
            json!({"reason": "not mine"}),
        )
        .await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    for body in [
        json!({"ids": [id], "reason": "not mine"}),
        json!({"filter": {"user_id": dev.user_id}, "reason": "not mine"}),
        json!({"filter": {}, "reason": "not mine", "dry_run": true}),
    ] {
        let (s, b) = srv
            .post("/v1/admin/tokens/revoke", &globex, body.clone())
            .await;
        assert_eq!(s, StatusCode::OK, "{body}: {b}");
        assert!(
            token_ids(&b).iter().all(|i| *i == own["id"]),
            "{body}: only globex's own: {b}"
        );
    }
    let (s, _) = srv.get("/v1/messages", &pat).await;
    assert_eq!(s, StatusCode::OK, "acme's token still works");
    let (s, _) = srv.get("/v1/me", &own_pat).await;
    assert_eq!(s, StatusCode::OK, "a dry run left globex's own alone");
}
