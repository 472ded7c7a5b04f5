//! The resource API's listing (`GET /v1/messages`) is cached per tenant; these tests pin down
//! that the cache changes the cost of a listing and never its answer: a post is in the very
//! next listing, tenants never see each other's messages, and a cached listing is still
//! behind authentication and the `messages.read` permission. (Across replicas:
//! `replicas.rs`.)

use keebai_testkit as support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{assert_error, TestServer, ADMIN_PASSWORD};

const RW: &[&str] = &["messages.read", "messages.write"];
const DEV: &[&str] = &["developer.manage_tokens", "messages.read", "messages.write"];

fn bodies(list: &Value) -> Vec<String> {
    list["messages"]
        .as_array()
        .expect("messages array")
        .iter()
        .map(|m| m["body"].as_str().expect("body").to_owned())
        .collect()
}

/// A message written straight into the database, dated far in the future so it lists first.
fn insert_behind_sql(user_id: &str, body: &str) -> String {
    format!(
        "INSERT INTO messages (id, tenant_id, author_id, body, created_at) \
         SELECT 'behind-{body}', tenant_id, id, '{body}', 4102444800 FROM users WHERE id = '{user_id}'"
    )
}

#[tokio::test]
async fn a_post_is_in_the_very_next_listing_read_from_the_store() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (pat, _) = srv.mint(&dev, "rw", RW, None).await;

    let (s, list) = srv.get("/v1/messages", &pat).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert!(bodies(&list).is_empty());

    for n in 1..=3 {
        let (s, posted) = srv
            .post("/v1/messages", &pat, json!({"body": format!("post {n}")}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{posted}");
        let (s, list) = srv.get("/v1/messages", &pat).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            bodies(&list)[0],
            format!("post {n}"),
            "newest first, at once"
        );
        assert_eq!(bodies(&list).len(), n);
    }

    // Listings read the store: a row written behind the server's back is in the next one.
    srv.exec_behind(&insert_behind_sql(&dev.user_id, "ghost"))
        .await;
    let (_, list) = srv.get("/v1/messages", &pat).await;
    assert_eq!(bodies(&list)[0], "ghost", "read from the store: {list}");

    // The body is JSON, with its content type.
    let resp = srv
        .http()
        .get(srv.url("/v1/messages"))
        .bearer_auth(&pat)
        .send()
        .await
        .expect("send");
    assert_eq!(
        resp.headers()["content-type"].to_str().expect("ascii"),
        "application/json"
    );
    let list: Value = resp.json().await.expect("json");
    let first = &list["messages"][0];
    assert_eq!(first["author_id"], dev.user_id.as_str());
    assert!(first["id"].is_string() && first["created_at"].is_string());
}

#[tokio::test]
async fn a_cached_listing_still_needs_a_valid_credential_and_messages_read() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (reader, record) = srv.mint(&dev, "reader", &["messages.read"], None).await;
    let (writer, _) = srv.mint(&dev, "writer", &["messages.write"], None).await;
    srv.post("/v1/messages", &writer, json!({"body": "secret plans"}))
        .await;
    let (s, list) = srv.get("/v1/messages", &reader).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bodies(&list), ["secret plans"]); // the listing is now cached

    let (s, body) = srv.get("/v1/messages", &writer).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, body) = srv.get("/v1/messages", &dev.session).await;
    assert_eq!(s, StatusCode::OK, "the session holds messages.read: {body}");

    let id = record["id"].as_str().expect("id");
    let (s, _) = srv
        .post(&format!("/v1/tokens/{id}/revoke"), &dev.session, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = srv.get("/v1/messages", &reader).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(
        !body.to_string().contains("secret plans"),
        "nothing of the listing in a refusal"
    );
}

#[tokio::test]
async fn tenants_never_see_each_others_messages() {
    let mut srv = TestServer::start().await;
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
    let globex = globex["session_token"].as_str().expect("token").to_owned();

    // Both tenants list first, then each posts and lists.
    for session in [&acme.session, &globex] {
        assert!(bodies(&srv.get("/v1/messages", session).await.1).is_empty());
    }
    for (session, text) in [(&acme.session, "acme only"), (&globex, "globex only")] {
        let (s, _) = srv
            .post("/v1/messages", session, json!({"body": text}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    assert_eq!(
        bodies(&srv.get("/v1/messages", &acme.session).await.1),
        ["acme only"]
    );
    assert_eq!(
        bodies(&srv.get("/v1/messages", &globex).await.1),
        ["globex only"]
    );
}

/// A post changes no credential, so it leaves the credential cache alone (SQLite, where the
/// cache is always on); a revoke, by contrast, empties it.
#[tokio::test]
async fn a_post_leaves_credentials_cached_and_a_revoke_does_not() {
    let srv = TestServer::start().await;
    if !srv.is_sqlite() {
        return;
    }
    let dev = srv.user_with(DEV).await;
    let (pat, _) = srv.mint(&dev, "rw", RW, None).await;
    let (s, me) = srv.get("/v1/me", &pat).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["user"]["name"], "Test User");
    srv.exec_behind(&format!(
        "UPDATE users SET name = 'Renamed Behind' WHERE id = '{}'",
        dev.user_id
    ))
    .await;
    let (s, _) = srv
        .post("/v1/messages", &pat, json!({"body": "hello"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, me) = srv.get("/v1/me", &pat).await;
    assert_eq!(
        me["user"]["name"], "Test User",
        "still cached after the post: {me}"
    );
    let (_, list) = srv.get("/v1/messages", &pat).await;
    assert_eq!(bodies(&list), ["hello"], "while the listing was refreshed");

    let (_, other) = srv.mint(&dev, "other", RW, None).await;
    let id = other["id"].as_str().expect("id");
    let (s, _) = srv
        .post(&format!("/v1/tokens/{id}/revoke"), &dev.session, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, me) = srv.get("/v1/me", &pat).await;
    assert_eq!(
        me["user"]["name"], "Renamed Behind",
        "a revoke empties the cache: {me}"
    );
}
