//! The limit of 10 active tokens a user: the eleventh refused, a revoke frees a slot, the
//! limit is per user, and 50 concurrent creates at 9 active make exactly one.

use super::*;

#[tokio::test]
async fn the_eleventh_token_is_refused_and_a_revoke_frees_a_slot() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let mut ids = Vec::new();
    for i in 0..10 {
        let (_, r) = srv
            .mint(&dev, &format!("t{i}"), &["messages.read"], None)
            .await;
        ids.push(r["id"].as_str().expect("id").to_owned());
    }
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"eleventh","scopes":["messages.read"],"expires_at":null}),
        )
        .await;
    assert_error(s, &body, StatusCode::CONFLICT, "token_limit_reached");
    let (s, _) = srv
        .post(
            &format!("/v1/tokens/{}/revoke", ids[3]),
            &dev.session,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    srv.mint(&dev, "eleventh", &["messages.read"], None).await;
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(list["active_count"], 10);
    assert_eq!(
        list["tokens"].as_array().expect("tokens").len(),
        11,
        "revoked rows stay listed"
    );
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"twelfth","scopes":["messages.read"]}),
        )
        .await;
    assert_error(s, &body, StatusCode::CONFLICT, "token_limit_reached");
}

#[tokio::test]
async fn the_limit_is_per_user() {
    let srv = TestServer::start().await;
    let a = srv.user_with(DEV).await;
    let b = srv.user_with(DEV).await;
    for i in 0..10 {
        srv.mint(&a, &format!("a{i}"), &["messages.read"], None)
            .await;
    }
    srv.mint(&b, "b0", &["messages.read"], None).await;
}

#[tokio::test]
async fn fifty_concurrent_creates_at_nine_active_yield_exactly_one_success() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    for i in 0..9 {
        srv.mint(&dev, &format!("t{i}"), &["messages.read"], None)
            .await;
    }
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (http, url, session) = (
            srv.http().clone(),
            srv.url("/v1/tokens"),
            dev.session.clone(),
        );
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(session)
                .json(&json!({"name": format!("race{i}"), "scopes": ["messages.read"], "expires_at": null}))
                .send()
                .await
                .expect("send")
                .status()
        }));
    }
    let mut created = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.expect("join") {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => conflicts += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((created, conflicts), (1, 49));
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(list["active_count"], 10);
}
