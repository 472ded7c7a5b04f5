//! What a token reaches: revoke is immediate, idempotent and keeps the row; another user's
//! token is 404; a PAT may not mint tokens; a PAT holds its scopes intersected with the
//! user's current permissions.

use super::*;

#[tokio::test]
async fn revoke_is_immediate_idempotent_and_keeps_the_row() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, record) = srv.mint(&dev, "to revoke", &["messages.read"], None).await;
    let id = record["id"].as_str().expect("id");
    assert_eq!(srv.get("/v1/messages", &secret).await.0, StatusCode::OK);
    let (s, revoked) = srv
        .post(&format!("/v1/tokens/{id}/revoke"), &dev.session, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(revoked["status"], "revoked");
    assert!(revoked["revoked_at"].is_string());
    let (s, body) = srv.get("/v1/messages", &secret).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (s, again) = srv
        .post(&format!("/v1/tokens/{id}/revoke"), &dev.session, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        again["revoked_at"], revoked["revoked_at"],
        "idempotent: the first time stands"
    );
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(list["tokens"][0]["status"], "revoked");
    assert_eq!(list["tokens"][0]["name"], "to revoke");
}

#[tokio::test]
async fn another_users_token_is_404_on_get_and_revoke() {
    let srv = TestServer::start().await;
    let a = srv.user_with(DEV).await;
    let b = srv.user_with(DEV).await;
    let (secret, record) = srv.mint(&a, "a's", &["messages.read"], None).await;
    let id = record["id"].as_str().expect("id");
    let (s, body) = srv.get(&format!("/v1/tokens/{id}"), &b.session).await;
    assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");
    let (s, body) = srv
        .post(&format!("/v1/tokens/{id}/revoke"), &b.session, json!({}))
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");
    let (s, missing) = srv.get("/v1/tokens/does-not-exist", &b.session).await;
    assert_eq!(
        missing, body,
        "someone else's token looks exactly like a missing one"
    );
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        srv.get("/v1/messages", &secret).await.0,
        StatusCode::OK,
        "still works"
    );
    let (_, list) = srv.get("/v1/tokens", &b.session).await;
    assert_eq!(list["tokens"], json!([]), "b never sees a's tokens");
}

#[tokio::test]
async fn a_pat_may_not_mint_tokens() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, _) = srv
        .mint(
            &dev,
            "minter",
            &["developer.manage_tokens", "messages.read"],
            None,
        )
        .await;
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &secret,
            json!({"name":"child","scopes":["messages.read"],"expires_at":null}),
        )
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, _) = srv.get("/v1/tokens", &secret).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "listing with a manage_tokens-scoped PAT is allowed"
    );
}

#[tokio::test]
async fn pat_permissions_are_scopes_intersected_with_the_users_current_permissions() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (reader, _) = srv.mint(&dev, "reader", &["messages.read"], None).await;
    let (writer, _) = srv.mint(&dev, "writer", &["messages.write"], None).await;
    // A scope missing → 403 on the resource.
    let (s, body) = srv
        .post("/v1/messages", &reader, json!({"body": "hi"}))
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, _) = srv
        .post("/v1/messages", &writer, json!({"body": "hi"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, body) = srv.get("/v1/messages", &writer).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, msgs) = srv.get("/v1/messages", &reader).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(msgs["messages"][0]["body"], "hi");
    assert_eq!(
        msgs["messages"][0]["author_id"],
        dev.user_id.as_str(),
        "a PAT acts as its creator"
    );

    // Taking messages.write away from the role takes it away from the token at once.
    let admin = srv.admin().await;
    let (s, _) = srv
        .put(
            &format!("/v1/roles/{}", dev.role_id),
            &admin.session,
            json!({"permissions": ["developer.manage_tokens", "messages.read"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = srv
        .post("/v1/messages", &writer, json!({"body": "again"}))
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (_, me) = srv.get("/v1/me", &writer).await;
    assert_eq!(
        me["permissions"],
        json!([]),
        "the token's effective permissions are now empty"
    );
    let (_, me) = srv.get("/v1/me", &reader).await;
    assert_eq!(me["permissions"], json!(["messages.read"]));
    assert_eq!(me["user"]["id"], dev.user_id.as_str());
    assert_eq!(me["tenant"]["slug"], "acme");
}
