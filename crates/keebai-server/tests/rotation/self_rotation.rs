//! A token rotates itself; what a token reads of itself and what answers tell its holder.

use super::*;

#[tokio::test]
async fn a_token_reads_its_own_record_whatever_its_scopes() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, record) = srv.mint(&dev, "reader", &["messages.read"], None).await;
    let (s, me) = srv.get("/v1/tokens/self", &secret).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["id"], record["id"]);
    assert_eq!(me["prefix"], record["prefix"]);
    assert!(!me.to_string().contains(&secret[12..]), "never the secret");
    let (s, body) = srv.get("/v1/tokens/self", &dev.session).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    srv.post(
        &format!("/v1/tokens/{}/revoke", id(&record)),
        &dev.session,
        json!({}),
    )
    .await;
    let (s, body) = srv.get("/v1/tokens/self", &secret).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn a_token_rotates_itself_and_survives_a_lost_answer() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (old_secret, old) = srv
        .mint(
            &dev,
            "n8n nightly sync",
            &["developer.rotate_self", "messages.read"],
            None,
        )
        .await;
    let (s, first) = srv
        .post("/v1/tokens/self/rotate", &old_secret, json!({}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["record"]["rotated_from"], old["id"]);
    assert_eq!(first["record"]["scopes"], old["scopes"]);
    assert_eq!(
        first["replaced"]["status"], "active",
        "retire defaults to on_first_use"
    );

    // The job lost that answer and retries: 409, and its old token still works.
    let (s, body) = srv
        .post("/v1/tokens/self/rotate", &old_secret, json!({}))
        .await;
    assert_error(s, &body, StatusCode::CONFLICT, "conflict");
    assert!(
        works(&srv, &old_secret).await,
        "not locked out after the retry"
    );
    let new_secret = first["token"].as_str().expect("secret");
    assert!(
        works(&srv, new_secret).await,
        "the replacement was not revoked"
    );
    assert!(
        !works(&srv, &old_secret).await,
        "retired by the new token's first use"
    );

    let (_, events) = srv.get("/v1/audit-events?limit=20", &dev.session).await;
    let rotated: Vec<_> = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "token.rotated")
        .collect();
    assert_eq!(rotated.len(), 1, "the refused retry recorded nothing");
    assert_eq!(rotated[0]["detail"]["self_rotation"], true);
    assert_eq!(rotated[0]["detail"]["retire"], "on_first_use");
    assert_eq!(rotated[0]["detail"]["replacement"], first["record"]["id"]);
}

#[tokio::test]
async fn self_rotation_needs_the_scope_and_a_token() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (plain, _) = srv.mint(&dev, "plain", &["messages.read"], None).await;
    let resp = srv
        .http()
        .post(srv.url("/v1/tokens/self/rotate"))
        .bearer_auth(&plain)
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        resp.headers()["keebai-required-permission"],
        "developer.rotate_self"
    );
    let (s, body) = srv
        .post("/v1/tokens/self/rotate", &dev.session, json!({}))
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn self_rotation_modes_and_the_limit() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let scopes = ["developer.rotate_self", "messages.read"];
    let (a, _) = srv.mint(&dev, "a", &scopes, None).await;
    let (s, body) = srv
        .post(
            "/v1/tokens/self/rotate",
            &a,
            json!({"retire": "after_grace"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert!(!works(&srv, &a).await, "after_grace 0: stops at once");

    let (b, _) = srv.mint(&dev, "b", &scopes, None).await;
    let (s, body) = srv
        .post(
            "/v1/tokens/self/rotate",
            &b,
            json!({"retire": "after_grace", "grace_seconds": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert!(works(&srv, &b).await);
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    assert!(!works(&srv, &b).await, "after the grace");

    // Fill up to the limit: a self-rotation that keeps the old token alive needs a slot.
    let active = list(&srv, &dev).await["active_count"].as_u64().expect("n");
    let mut last = String::new();
    for i in active..10 {
        last = srv.mint(&dev, &format!("fill{i}"), &scopes, None).await.0;
    }
    let (s, body) = srv.post("/v1/tokens/self/rotate", &last, json!({})).await;
    assert_error(s, &body, StatusCode::CONFLICT, "token_limit_reached");
    assert!(works(&srv, &last).await);
    let (s, body) = srv
        .post(
            "/v1/tokens/self/rotate",
            &last,
            json!({"retire": "after_grace"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "at the limit, at once: {body}");
}

#[tokio::test]
async fn pat_answers_carry_the_tokens_expiry_and_scopes() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let soon =
        (Utc::now() + chrono::Duration::days(5)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (expiring, record) = srv
        .mint(&dev, "x", &["messages.read", "messages.write"], Some(&soon))
        .await;
    let (forever, _) = srv.mint(&dev, "y", &["messages.read"], None).await;
    let head = |bearer: String, path: &'static str| {
        let req = srv.http().get(srv.url(path)).bearer_auth(bearer);
        async move { req.send().await.expect("request") }
    };

    let r = head(expiring.clone(), "/v1/messages").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["keebai-token-expires"].to_str().expect("ascii"),
        record["expires_at"].as_str().expect("time")
    );
    assert_eq!(
        r.headers()["keebai-token-scopes"],
        "messages.read,messages.write"
    );

    // An error answer tells it too, and a 403 names what was missing.
    let r = head(forever.clone(), "/v1/tokens").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.headers().get("keebai-token-expires").is_none(),
        "never expires"
    );
    assert_eq!(r.headers()["keebai-token-scopes"], "messages.read");
    assert_eq!(
        r.headers()["keebai-required-permission"],
        "developer.manage_tokens"
    );

    // Effective scopes: the token's ∩ the user's now.
    let admin = srv.admin().await;
    srv.put(
        &format!("/v1/roles/{}", dev.role_id),
        &admin.session,
        json!({"permissions": ["developer.manage_tokens", "messages.read"]}),
    )
    .await;
    let r = head(expiring.clone(), "/v1/messages").await;
    assert_eq!(r.headers()["keebai-token-scopes"], "messages.read");

    // Sessions get none of them, not even on a 403.
    let member = srv.user_with(&["messages.read"]).await;
    for (path, want) in [
        ("/v1/messages", StatusCode::OK),
        ("/v1/tokens", StatusCode::FORBIDDEN),
    ] {
        let r = head(member.session.clone(), path).await;
        assert_eq!(r.status(), want);
        for h in [
            "keebai-token-expires",
            "keebai-token-scopes",
            "keebai-required-permission",
        ] {
            assert!(
                r.headers().get(h).is_none(),
                "{h} on a session answer to {path}"
            );
        }
    }
}

#[tokio::test]
async fn the_builtin_admin_holds_rotate_self() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let (_, me) = srv.get("/v1/me", &admin.session).await;
    assert!(
        me["permissions"]
            .as_array()
            .expect("perms")
            .contains(&json!("developer.rotate_self")),
        "{me}"
    );
    let (_, catalog) = srv.get("/v1/permissions", &admin.session).await;
    let entry = catalog["permissions"]
        .as_array()
        .expect("catalog")
        .iter()
        .find(|p| p["key"] == "developer.rotate_self")
        .expect("in the catalog")
        .clone();
    assert_eq!(entry["group"], "Developer");
    assert_eq!(entry["label"], "Rotate itself");
}
