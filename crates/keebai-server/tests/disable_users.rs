//! Disabling and enabling users (`PUT /v1/users/{id}`) over real HTTP, on SQLite or
//! PostgreSQL: the person who left loses every session and token at once, stays in the
//! inventory marked `owner_disabled`, can sign in again when enabled but gets no token back;
//! the last administrator cannot be disabled; nothing crosses tenants. The same across
//! replicas is `tests/replicas_inventory.rs`.

use keebai_testkit as support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{assert_error, TestServer, ADMIN_PASSWORD};

const MANAGE: &str = "developer.manage_tokens";

fn ids(page: &Value) -> Vec<String> {
    let mut v: Vec<String> = page["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_disabled_user_loses_sessions_and_tokens_and_enabling_restores_sign_in_only() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv.user_with(&[MANAGE, "messages.read"]).await;
    let (pat1, r1) = srv.mint(&dev, "ci", &["messages.read"], None).await;
    let (pat2, r2) = srv.mint(&dev, "laptop", &[MANAGE], None).await;
    let mut dev_tokens = vec![
        r1["id"].as_str().expect("id").to_owned(),
        r2["id"].as_str().expect("id").to_owned(),
    ];
    dev_tokens.sort();
    let path = format!("/v1/users/{}", dev.user_id);

    // Who may: admin.manage_users, with a session.
    let (s, b) = srv
        .put(&path, &dev.session, json!({"disabled": true}))
        .await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
    let (admin_pat, _) = srv
        .mint(&admin, "admin pat", &["admin.manage_users"], None)
        .await;
    let (s, b) = srv.put(&path, &admin_pat, json!({"disabled": true})).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
    let (s, b) = srv
        .call(Method::PUT, &path, None, Some(json!({"disabled": true})))
        .await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    for (body, what) in [
        (json!({"disabled": "yes"}), "not a bool"),
        (json!({"suspended": true}), "an unknown field"),
        (json!({"name": "  "}), "an empty name"),
    ] {
        let (s, b) = srv.put(&path, &admin.session, body).await;
        assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
        assert!(!b.to_string().contains("password"), "{what}: {b}");
    }
    let (s, b) = srv
        .put(
            "/v1/users/no-such-user",
            &admin.session,
            json!({"disabled": true}),
        )
        .await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let (s, _) = srv.get("/v1/messages", &pat1).await;
    assert_eq!(s, StatusCode::OK, "refusals changed nothing");

    let (s, user) = srv
        .put(
            &path,
            &admin.session,
            json!({"disabled": true, "name": "Left Co"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{user}");
    assert_eq!(
        (&user["disabled"], &user["name"]),
        (&json!(true), &json!("Left Co"))
    );
    for cred in [&dev.session, &pat1, &pat2] {
        let (s, b) = srv.get("/v1/me", cred).await;
        assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let (s, b) = srv
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"tenant": "acme", "email": dev.email, "password": "user-password-123"})),
        )
        .await;
    assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(
        b["error"]["message"], "missing or invalid credentials",
        "{b}"
    );

    // The inventory keeps their tokens, revoked and marked.
    let (s, page) = srv
        .get("/v1/admin/tokens?owner_disabled=true", &admin.session)
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(ids(&page), dev_tokens);
    for t in page["tokens"].as_array().expect("tokens") {
        assert_eq!(
            (&t["status"], &t["owner_disabled"]),
            (&json!("revoked"), &json!(true))
        );
    }
    let (_, enabled) = srv
        .get("/v1/admin/tokens?owner_disabled=false", &admin.session)
        .await;
    assert!(
        ids(&enabled).iter().all(|i| !dev_tokens.contains(i)),
        "{enabled}"
    );
    // The trail: who disabled them, and each token revoked with the reason.
    let (_, events) = srv.get("/v1/audit-events?limit=500", &admin.session).await;
    let events = events["events"].as_array().expect("events").clone();
    assert!(events.iter().any(|e| e["action"] == "user.disabled"
        && e["target"] == dev.user_id.as_str()
        && e["actor"] == admin.user_id.as_str()));
    for id in &dev_tokens {
        let e = events
            .iter()
            .find(|e| e["action"] == "token.revoked" && e["target"] == id.as_str())
            .unwrap_or_else(|| panic!("no revoke event for {id}"));
        assert_eq!(
            e["detail"],
            json!({"reason": "owner disabled", "owner": dev.user_id})
        );
    }

    // Enabled again: sign-in works, no token comes back.
    let (s, user) = srv
        .put(&path, &admin.session, json!({"disabled": false}))
        .await;
    assert_eq!(s, StatusCode::OK, "{user}");
    assert_eq!(user["disabled"], false);
    let again = srv.sign_in(&dev.email, "user-password-123").await;
    assert_eq!(again["user"]["disabled"], false);
    for pat in [&pat1, &pat2] {
        let (s, _) = srv.get("/v1/me", pat).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "no token comes back");
    }
    let (_, users) = srv.get("/v1/users", &admin.session).await;
    let listed = users["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["id"] == dev.user_id.as_str())
        .expect("dev listed");
    assert_eq!(listed["disabled"], false);
}

#[tokio::test]
async fn the_last_administrator_cannot_be_disabled() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let me = format!("/v1/users/{}", admin.user_id);
    // Someone who may manage users but holds less than the admin cannot disable them.
    let junior = srv.user_with(&["admin.manage_users"]).await;
    let (s, b) = srv
        .put(&me, &junior.session, json!({"disabled": true}))
        .await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
    let (s, b) = srv
        .put(&me, &admin.session, json!({"disabled": true}))
        .await;
    assert_error(s, &b, StatusCode::CONFLICT, "conflict");
    srv.sign_in(support::ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let (s, second) = srv
        .post(
            "/v1/users",
            &admin.session,
            json!({"email": "second@acme.test", "name": "Second", "password": "second-admin-password",
                   "role_ids": [admin.role_id]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    let second_path = format!("/v1/users/{}", second["id"].as_str().expect("id"));
    let (s, b) = srv
        .put(&second_path, &admin.session, json!({"disabled": true}))
        .await;
    assert_eq!(s, StatusCode::OK, "another admin remains: {b}");
    // A disabled administrator does not count: the first is the last one again.
    let (s, b) = srv
        .put(&me, &admin.session, json!({"disabled": true}))
        .await;
    assert_error(s, &b, StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn another_tenants_user_cannot_be_disabled() {
    let mut srv = TestServer::start().await;
    let dev = srv.user_with(&[MANAGE]).await;
    srv.terminate();
    srv.init_tenant("globex", "admin@globex.test");
    srv.spawn();
    let (s, globex) = srv
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"tenant": "globex", "email": "admin@globex.test", "password": ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{globex}");
    let globex = globex["session_token"].as_str().expect("session");
    let (s, b) = srv
        .put(
            &format!("/v1/users/{}", dev.user_id),
            globex,
            json!({"disabled": true}),
        )
        .await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let (s, b) = srv
        .get("/v1/admin/tokens?owner_disabled=false", globex)
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(ids(&b).is_empty(), "{b}");
    srv.sign_in(&dev.email, "user-password-123").await;
}
