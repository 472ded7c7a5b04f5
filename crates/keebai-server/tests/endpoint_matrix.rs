//! Every endpoint at once, from two sides: each permission-gated endpoint answers 403 to a
//! caller holding every permission but its own, and succeeds for a caller holding only that
//! one; and an administrator of another tenant, holding every permission, reaches nothing of
//! this tenant through any endpoint that takes an id or a filter. (Each endpoint's own test
//! file goes deeper; this one keeps a new endpoint from being forgotten.)

use keebai_testkit as support;

use reqwest::Method;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{assert_error, Caller, TestServer, ADMIN_PASSWORD};

const ALL: &[&str] = &[
    "developer.manage_tokens",
    "developer.audit_tokens",
    "developer.rotate_self",
    "messages.read",
    "messages.write",
    "contacts.read",
    "contacts.write",
    "admin.manage_roles",
    "admin.manage_users",
];

fn unique() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// One call of the matrix: method, path, body, the permission it needs, the success status.
type Call = (Method, String, Option<Value>, &'static str, StatusCode);

async fn calls(srv: &TestServer, admin: &Caller) -> Vec<Call> {
    let owner = srv
        .user_with(&["developer.manage_tokens", "messages.read"])
        .await;
    let (_, token) = srv.mint(&owner, "owner's", &["messages.read"], None).await;
    // Holds nothing, so nobody outranks-checks their way to a 403 on the user endpoints.
    let victim = srv.user_with(&[]).await;
    let token = token["id"].as_str().expect("id").to_owned();
    let (s, role) = srv
        .post(
            "/v1/roles",
            &admin.session,
            json!({"name": format!("scratch-{}", unique()), "permissions": []}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{role}");
    let role = role["id"].as_str().expect("id").to_owned();
    let reason = json!({"reason": "matrix"});
    vec![
        (
            Method::GET,
            "/v1/roles".into(),
            None,
            "admin.manage_roles",
            StatusCode::OK,
        ),
        (
            Method::POST,
            "/v1/roles".into(),
            Some(json!({"name": format!("r-{}", unique()), "permissions": []})),
            "admin.manage_roles",
            StatusCode::CREATED,
        ),
        (
            Method::PUT,
            format!("/v1/roles/{role}"),
            Some(json!({"permissions": []})),
            "admin.manage_roles",
            StatusCode::OK,
        ),
        (
            Method::PUT,
            "/v1/tenant/token-policy".into(),
            Some(json!({"max_lifetime_days": null, "require_expiration": false})),
            "admin.manage_roles",
            StatusCode::OK,
        ),
        (
            Method::GET,
            "/v1/users".into(),
            None,
            "admin.manage_users",
            StatusCode::OK,
        ),
        (
            Method::POST,
            "/v1/users".into(),
            Some(
                json!({"email": format!("{}@acme.test", unique()), "name": "New",
                        "password": "matrix-password-1", "role_ids": []}),
            ),
            "admin.manage_users",
            StatusCode::CREATED,
        ),
        (
            Method::PUT,
            format!("/v1/users/{}", victim.user_id),
            Some(json!({"name": "Victim"})),
            "admin.manage_users",
            StatusCode::OK,
        ),
        (
            Method::PUT,
            format!("/v1/users/{}/roles", victim.user_id),
            Some(json!({"role_ids": [victim.role_id]})),
            "admin.manage_users",
            StatusCode::OK,
        ),
        (
            Method::GET,
            "/v1/admin/tokens".into(),
            None,
            "developer.audit_tokens",
            StatusCode::OK,
        ),
        (
            Method::POST,
            "/v1/admin/tokens/revoke".into(),
            Some(json!({"ids": [token], "reason": "matrix", "dry_run": true})),
            "developer.audit_tokens",
            StatusCode::OK,
        ),
        (
            Method::POST,
            format!("/v1/admin/tokens/{token}/revoke"),
            Some(reason),
            "developer.audit_tokens",
            StatusCode::OK,
        ),
        (
            Method::GET,
            "/v1/tokens".into(),
            None,
            "developer.manage_tokens",
            StatusCode::OK,
        ),
        (
            Method::POST,
            "/v1/tokens".into(),
            Some(
                json!({"name": "matrix", "scopes": ["developer.manage_tokens"], "expires_at": null}),
            ),
            "developer.manage_tokens",
            StatusCode::CREATED,
        ),
        (
            Method::GET,
            "/v1/messages".into(),
            None,
            "messages.read",
            StatusCode::OK,
        ),
        (
            Method::POST,
            "/v1/messages".into(),
            Some(json!({"body": "matrix"})),
            "messages.write",
            StatusCode::CREATED,
        ),
    ]
}

#[tokio::test]
async fn every_gated_endpoint_refuses_without_its_permission_and_serves_with_it() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let mut with = std::collections::HashMap::new();
    let mut without = std::collections::HashMap::new();
    for (method, path, body, permission, ok) in calls(&srv, &admin).await {
        if !with.contains_key(permission) {
            let others: Vec<&str> = ALL.iter().copied().filter(|p| *p != permission).collect();
            with.insert(permission, srv.user_with(&[permission]).await);
            without.insert(permission, srv.user_with(&others).await);
        }
        let (s, refused) = srv
            .call(
                method.clone(),
                &path,
                Some(without[permission].session.as_str()),
                body.clone(),
            )
            .await;
        assert_error(s, &refused, StatusCode::FORBIDDEN, "forbidden");
        let (s, served) = srv
            .call(
                method.clone(),
                &path,
                Some(with[permission].session.as_str()),
                body,
            )
            .await;
        assert_eq!(s, ok, "{method} {path} with only {permission}: {served}");
    }
}

#[tokio::test]
async fn another_tenants_administrator_reaches_nothing_through_any_endpoint() {
    let mut srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv
        .user_with(&["developer.manage_tokens", "messages.read", "messages.write"])
        .await;
    let (pat, token) = srv.mint(&dev, "acme's", &["messages.read"], None).await;
    let token = token["id"].as_str().expect("id").to_owned();
    let (s, _) = srv
        .post("/v1/messages", &dev.session, json!({"body": "acme only"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = srv
        .put(
            "/v1/tenant/token-policy",
            &admin.session,
            json!({"max_lifetime_days": 30, "require_expiration": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
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
    let g = globex["session_token"]
        .as_str()
        .expect("session")
        .to_owned();

    // Every id of acme's, through every endpoint that takes one: 404, and nothing changes.
    let reason = json!({"reason": "cross-tenant"});
    for (method, path, body) in [
        (
            Method::PUT,
            format!("/v1/roles/{}", dev.role_id),
            Some(json!({"permissions": []})),
        ),
        (
            Method::PUT,
            format!("/v1/users/{}", dev.user_id),
            Some(json!({"disabled": true})),
        ),
        (
            Method::PUT,
            format!("/v1/users/{}/roles", dev.user_id),
            Some(json!({"role_ids": []})),
        ),
        (Method::GET, format!("/v1/tokens/{token}"), None),
        (Method::GET, format!("/v1/tokens/{token}/usage"), None),
        (
            Method::POST,
            format!("/v1/tokens/{token}/revoke"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/v1/tokens/{token}/rotate"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/v1/admin/tokens/{token}/revoke"),
            Some(reason),
        ),
    ] {
        let (s, body) = srv
            .call(method.clone(), &path, Some(g.as_str()), body)
            .await;
        assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (s, bulk) = srv
        .post(
            "/v1/admin/tokens/revoke",
            &g,
            json!({"ids": [token], "reason": "cross-tenant"}),
        )
        .await;
    assert_eq!((s, &bulk["revoked"]), (StatusCode::OK, &json!(0)), "{bulk}");

    // Every listing and filter naming acme's things: only globex's own, or nothing.
    let (_, users) = srv.get("/v1/users", &g).await;
    let (_, roles) = srv.get("/v1/roles", &g).await;
    let (_, messages) = srv.get("/v1/messages", &g).await;
    for (what, listing) in [
        ("users", &users),
        ("roles", &roles),
        ("messages", &messages),
    ] {
        let text = listing.to_string();
        for acme in [
            dev.user_id.as_str(),
            dev.role_id.as_str(),
            "acme only",
            "acme.test",
        ] {
            assert!(!text.contains(acme), "{what} shows {acme}: {text}");
        }
    }
    for path in [
        format!("/v1/admin/tokens?user_id={}", dev.user_id),
        format!("/v1/audit-events?actor={}", dev.user_id),
        format!("/v1/audit-events?target={token}"),
    ] {
        let (s, page) = srv.get(&path, &g).await;
        assert_eq!(s, StatusCode::OK, "{path}: {page}");
        let list = page["tokens"].as_array().or(page["events"].as_array());
        assert_eq!(list.map(Vec::len), Some(0), "{path}: {page}");
    }
    let (_, policy) = srv.get("/v1/tenant/token-policy", &g).await;
    assert_eq!(
        policy,
        json!({"max_lifetime_days": null, "require_expiration": false}),
        "globex keeps its own policy"
    );

    // Acme is untouched: its token works, its user and role are as they were.
    let (s, _) = srv.get("/v1/messages", &pat).await;
    assert_eq!(s, StatusCode::OK);
    let (_, me) = srv.get("/v1/me", &dev.session).await;
    assert!(
        me["permissions"]
            .as_array()
            .is_some_and(|p| p.contains(&json!("developer.manage_tokens"))),
        "{me}"
    );
}
