//! Create, list, validation, expiry and the contract's error bodies.

use super::*;

#[tokio::test]
async fn create_returns_the_secret_once_and_lists_only_the_record() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, record) = srv
        .mint(&dev, "  Zapier production ", &["messages.read"], None)
        .await;
    assert!(secret.starts_with("kbai_pk_") && secret.len() == 72);
    assert_eq!(record["name"], "Zapier production", "the name is trimmed");
    assert_eq!(record["prefix"], &secret[..12]);
    assert_eq!(record["status"], "active");
    assert_eq!(record["expires_at"], serde_json::Value::Null);
    assert_eq!(record["last_used_at"], serde_json::Value::Null);
    assert_eq!(record["revoked_at"], serde_json::Value::Null);
    assert_eq!(record["scopes"], json!(["messages.read"]));

    let (s, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["active_count"], 1);
    assert_eq!(list["active_limit"], 10);
    assert_eq!(list["tokens"][0], record);
    let (s, one) = srv
        .get(
            &format!("/v1/tokens/{}", record["id"].as_str().expect("id")),
            &dev.session,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one, record);
    for body in [list.to_string(), one.to_string()] {
        assert!(
            !body.contains(&secret[12..]),
            "the secret is never returned after creation"
        );
    }
}

#[tokio::test]
async fn list_is_newest_first_and_shows_every_status() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (_, a) = srv.mint(&dev, "first", &["messages.read"], None).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, b) = srv.mint(&dev, "second", &["messages.read"], None).await;
    srv.post(
        &format!("/v1/tokens/{}/revoke", a["id"].as_str().expect("id")),
        &dev.session,
        json!({}),
    )
    .await;
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    let names: Vec<_> = list["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| t["name"].clone())
        .collect();
    assert_eq!(names, [json!("second"), json!("first")]);
    assert_eq!(list["tokens"][1]["status"], "revoked");
    assert_eq!(list["tokens"][0]["id"], b["id"]);
    assert_eq!(list["active_count"], 1);
}

#[tokio::test]
async fn without_manage_tokens_403_then_200_after_an_admin_grants_it() {
    let srv = TestServer::start().await;
    let member = srv.user_with(&["messages.read"]).await;
    let (s, body) = srv.get("/v1/tokens", &member.session).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &member.session,
            json!({"name":"x","scopes":["messages.read"],"expires_at":null}),
        )
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");

    let admin = srv.admin().await;
    let (s, role) = srv
        .put(
            &format!("/v1/roles/{}", member.role_id),
            &admin.session,
            json!({"permissions": ["messages.read", "developer.manage_tokens"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{role}");
    assert_eq!(
        role["permissions"],
        json!(["messages.read", "developer.manage_tokens"])
    );
    // The same session sees the new permission: permissions are read at each request.
    let (s, _) = srv.get("/v1/tokens", &member.session).await;
    assert_eq!(s, StatusCode::OK);
    let (s, me) = srv.get("/v1/me", &member.session).await;
    assert_eq!(s, StatusCode::OK);
    assert!(me["permissions"]
        .as_array()
        .expect("perms")
        .contains(&json!("developer.manage_tokens")));
}

#[tokio::test]
async fn scopes_must_be_held_known_and_present() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"x","scopes":["contacts.read"],"expires_at":null}),
        )
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"x","scopes":["messages.read","admin.manage_roles"]}),
        )
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"x","scopes":["messages.delete"]}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_eq!(body["error"]["field"], "scopes");
    let (s, body) = srv
        .post("/v1/tokens", &dev.session, json!({"name":"x","scopes":[]}))
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(
        list["tokens"],
        json!([]),
        "nothing was created by refused requests"
    );
}

#[tokio::test]
async fn names_are_validated() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    for bad in [
        json!(""),
        json!("   "),
        json!("x".repeat(101)),
        json!("line\nbreak"),
        json!("bell\u{7}"),
    ] {
        let (s, body) = srv
            .post(
                "/v1/tokens",
                &dev.session,
                json!({"name": bad, "scopes":["messages.read"]}),
            )
            .await;
        assert_error(
            s,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        );
        assert_eq!(body["error"]["field"], "name");
    }
    // 100 characters (not bytes), SQL-ish text and duplicates are all fine.
    srv.mint(&dev, &"é".repeat(100), &["messages.read"], None)
        .await;
    srv.mint(&dev, "'); DROP TABLE tokens;--", &["messages.read"], None)
        .await;
    srv.mint(&dev, "'); DROP TABLE tokens;--", &["messages.read"], None)
        .await;
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(list["active_count"], 3);
}

#[tokio::test]
async fn expiry_must_be_in_the_future() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let past = (Utc::now() - ChronoDuration::minutes(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"x","scopes":["messages.read"],"expires_at": past}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_eq!(body["error"]["field"], "expires_at");
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"x","scopes":["messages.read"],"expires_at": "next tuesday"}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let in90 = (Utc::now() + ChronoDuration::days(90)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (_, record) = srv
        .mint(&dev, "ninety", &["messages.read"], Some(&in90))
        .await;
    assert_eq!(record["expires_at"], in90.as_str());
}

#[tokio::test]
async fn expired_token_gets_401_and_lists_as_expired() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let soon = (Utc::now() + ChronoDuration::seconds(3)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (secret, record) = srv
        .mint(&dev, "short-lived", &["messages.read"], Some(&soon))
        .await;
    let (s, _) = srv.get("/v1/messages", &secret).await;
    assert_eq!(s, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let (s, body) = srv.get("/v1/messages", &secret).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(list["tokens"][0]["id"], record["id"]);
    assert_eq!(list["tokens"][0]["status"], "expired");
    assert_eq!(list["active_count"], 0, "expired tokens don't count");
}

#[tokio::test]
async fn method_and_path_errors_have_contract_bodies() {
    let srv = TestServer::start().await;
    let (s, body) = srv.call(Method::DELETE, "/v1/tokens", None, None).await;
    assert_error(
        s,
        &body,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    let (s, body) = srv.call(Method::GET, "/v1/nowhere", None, None).await;
    assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");
}
