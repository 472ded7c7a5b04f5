//! Contract-level behaviour of the HTTP surface: limits, content types, unknown fields,
//! health and the OpenAPI document.

use keebai_testkit as support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{assert_error, TestServer};

#[tokio::test]
async fn health_and_openapi() {
    let srv = TestServer::start().await;
    let resp = srv
        .http()
        .get(srv.url("/healthz"))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.json::<Value>().await.expect("json"),
        json!({"status": "ok"})
    );
    let doc: Value = srv
        .http()
        .get(srv.url("/v1/openapi.json"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/v1/sessions",
        "/v1/sessions/current",
        "/v1/me",
        "/v1/permissions",
        "/v1/roles",
        "/v1/roles/{id}",
        "/v1/users",
        "/v1/users/{id}/roles",
        "/v1/tokens",
        "/v1/tokens/{id}",
        "/v1/tokens/{id}/revoke",
        "/v1/tokens/{id}/usage",
        "/v1/messages",
        "/v1/audit-events",
        "/v1/admin/tokens",
        "/v1/admin/tokens/{id}/revoke",
        "/v1/admin/tokens/revoke",
        "/v1/tenant/token-policy",
        "/healthz",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
    let record = &doc["components"]["schemas"]["TokenRecord"]["properties"];
    for field in [
        "id",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "status",
    ] {
        assert!(record[field].is_object(), "TokenRecord.{field} missing");
    }
}

#[tokio::test]
async fn permissions_catalog_is_the_contracts() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let (s, body) = srv.get("/v1/permissions", &admin.session).await;
    assert_eq!(s, StatusCode::OK);
    let keys: Vec<_> = body["permissions"]
        .as_array()
        .expect("perms")
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap_or("").to_owned(),
                p["group"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let want = [
        ("developer.manage_tokens", "Developer"),
        ("developer.audit_tokens", "Developer"),
        ("developer.rotate_self", "Developer"),
        ("messages.read", "Messages"),
        ("messages.write", "Messages"),
        ("contacts.read", "Contacts"),
        ("contacts.write", "Contacts"),
        ("admin.manage_roles", "System"),
        ("admin.manage_users", "System"),
    ];
    assert_eq!(keys, want.map(|(k, g)| (k.to_owned(), g.to_owned())));
    assert_eq!(body["permissions"][0]["label"], "Manage API Tokens");
    let (_, roles) = srv.get("/v1/roles", &admin.session).await;
    let member = roles["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["name"] == "Member")
        .expect("Member");
    assert_eq!(
        member["permissions"],
        json!(["messages.read", "messages.write", "contacts.read"])
    );
    assert_eq!(member["builtin"], true);
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let (status, body) = srv
        .send_head("POST", "/v1/tokens", &admin.session, 64 * 1024 + 1)
        .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "payload_too_large");
    // Exactly at the limit is accepted for reading (and then judged on its content).
    let json = r#"{"name":"x","scopes":["messages.read"],"expires_at":null}"#;
    let padded = format!("{json}{}", " ".repeat(64 * 1024 - json.len()));
    let resp = srv
        .http()
        .post(srv.url("/v1/tokens"))
        .bearer_auth(&admin.session)
        .header("content-type", "application/json")
        .body(padded.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(padded.len(), 64 * 1024);
    assert_eq!(resp.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn unknown_fields_wrong_types_bad_json_and_content_type() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &admin.session,
            json!({"name":"x","scopes":["messages.read"],"expires_at":null,"owner":"someone"}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &admin.session,
            json!({"name":"x","scopes":[1, true]}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &admin.session,
            json!({"scopes":["messages.read"]}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let resp = srv
        .http()
        .post(srv.url("/v1/tokens"))
        .bearer_auth(&admin.session)
        .header("content-type", "application/json")
        .body("{\"name\":")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = srv
        .http()
        .post(srv.url("/v1/tokens"))
        .bearer_auth(&admin.session)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        resp.json::<Value>().await.expect("json")["error"]["code"],
        "unsupported_media_type"
    );
}

#[tokio::test]
async fn roles_and_users_admin_rules() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    // The built-in Admin role keeps every permission.
    let (s, body) = srv
        .put(
            &format!("/v1/roles/{}", admin.role_id),
            &admin.session,
            json!({"permissions": ["messages.read"]}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    // A role manager cannot grant what they do not hold.
    let mgr = srv
        .user_with(&["admin.manage_roles", "messages.read"])
        .await;
    let (s, body) = srv
        .post(
            "/v1/roles",
            &mgr.session,
            json!({"name": "escalate", "permissions": ["developer.audit_tokens"]}),
        )
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, _) = srv
        .post(
            "/v1/roles",
            &mgr.session,
            json!({"name": "readers", "permissions": ["messages.read"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, body) = srv
        .post(
            "/v1/roles",
            &mgr.session,
            json!({"name": "readers", "permissions": []}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let (s, body) = srv
        .post(
            "/v1/roles",
            &mgr.session,
            json!({"name": "bad", "permissions": ["nope.nope"]}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    // Without the permission: 403.
    let (s, body) = srv.get("/v1/users", &mgr.session).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, body) = srv
        .put(
            "/v1/roles/unknown-id",
            &admin.session,
            json!({"permissions": []}),
        )
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");
    // Users: duplicate e-mail, short password, unknown role.
    let (s, body) = srv.post("/v1/users", &admin.session, json!({"email": "admin@acme.test", "name": "Dup", "password": "long-enough-password", "role_ids": []})).await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let (s, body) = srv
        .post(
            "/v1/users",
            &admin.session,
            json!({"email": "new@acme.test", "name": "New", "password": "short", "role_ids": []}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_eq!(body["error"]["field"], "password");
    let (s, body) = srv.post("/v1/users", &admin.session, json!({"email": "new@acme.test", "name": "New", "password": "long-enough-password", "role_ids": ["nope"]})).await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    // Role assignment takes effect at once.
    let member = srv.user_with(&["messages.read"]).await;
    let (s, user) = srv
        .put(
            &format!("/v1/users/{}/roles", member.user_id),
            &admin.session,
            json!({"role_ids": [admin.role_id]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{user}");
    let (_, me) = srv.get("/v1/me", &member.session).await;
    assert_eq!(me["permissions"].as_array().expect("perms").len(), 9);
    let (_, users) = srv.get("/v1/users", &admin.session).await;
    assert!(users["users"]
        .as_array()
        .expect("users")
        .iter()
        .any(|u| u["id"] == member.user_id.as_str()));
}

#[tokio::test]
async fn a_second_server_on_the_same_sqlite_file_is_refused_with_a_clear_error() {
    let srv = TestServer::start().await;
    if !srv.db_url.starts_with("sqlite://") {
        return; // PostgreSQL serves many replicas by design.
    }
    let out = std::process::Command::new(support::bin())
        .args(["serve", "--db", &srv.db_url, "--listen", "127.0.0.1:0"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another keebai-server"), "{err}");
    assert!(err.contains("PostgreSQL"), "{err}");
    // The first server is unaffected.
    let resp = srv
        .http()
        .get(srv.url("/healthz"))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
}

#[test]
fn help_never_prints_the_database_url_from_the_environment() {
    for cmd in [
        &["serve", "--help"][..],
        &["init", "--help"],
        &["demo", "--help"],
    ] {
        let out = std::process::Command::new(support::bin())
            .args(cmd)
            .env(
                "KEEBAI_DB",
                "postgres://keebai:hunter2-secret@db.internal/keebai",
            )
            .output()
            .expect("run");
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("KEEBAI_DB"),
            "the variable is documented: {text}"
        );
        assert!(
            !text.contains("hunter2-secret"),
            "{cmd:?} printed the password"
        );
    }
}

/// A supervisor may signal the server the moment it prints its address; that must still be a
/// graceful stop (exit status 0), not death by the default signal action.
#[tokio::test]
async fn sigterm_right_after_listening_is_a_clean_stop() {
    let mut srv = TestServer::start().await;
    for _ in 0..10 {
        srv.terminate(); // asserts a successful exit
        srv.spawn();
    }
    srv.terminate();
}
