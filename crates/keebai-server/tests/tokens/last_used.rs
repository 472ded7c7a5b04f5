//! Last-used times and durability: recorded within 5 seconds and only for successes, batched
//! rather than written per request, flushed on SIGTERM; acknowledged creates and revokes
//! survive a kill -9.

use super::*;

#[tokio::test]
async fn last_used_is_recorded_within_five_seconds_and_only_for_successes() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, record) = srv.mint(&dev, "used", &["messages.read"], None).await;
    let (_, unused) = srv.mint(&dev, "unused", &["messages.read"], None).await;
    let before = Utc::now().timestamp();
    for _ in 0..20 {
        assert_eq!(srv.get("/v1/messages", &secret).await.0, StatusCode::OK);
    }
    TestServer::wait_for_flush().await;
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    let find = |id: &serde_json::Value| {
        list["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .find(|t| t["id"] == *id)
            .cloned()
            .expect("row")
    };
    let used_at = find(&record["id"])["last_used_at"].as_str().map(|s| {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("time")
            .timestamp()
    });
    assert!(
        used_at.is_some_and(|t| t >= before - 1),
        "last_used_at set: {list}"
    );
    assert_eq!(find(&unused["id"])["last_used_at"], serde_json::Value::Null);
}

#[tokio::test]
async fn last_used_is_batched_not_written_per_request() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, _) = srv.mint(&dev, "busy", &["messages.read"], None).await;
    for _ in 0..200 {
        assert_eq!(srv.get("/v1/messages", &secret).await.0, StatusCode::OK);
    }
    TestServer::wait_for_flush().await;
    // Each flush logs how many rows it wrote; 200 requests within a few seconds must have
    // produced at most a handful of single-row writes, not 200.
    let logs = srv.logs();
    let rows: u64 = logs
        .lines()
        .filter(|l| l.contains("flushed last-used times"))
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["rows"].as_u64())
        .sum();
    assert!(rows >= 1, "at least one flush wrote the use: {logs}");
    assert!(
        rows <= 4,
        "at most one write per token per flush, got {rows}"
    );
}

#[tokio::test]
async fn sigterm_flushes_pending_last_used_times() {
    let mut srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, record) = srv
        .mint(&dev, "flush-on-exit", &["messages.read"], None)
        .await;
    assert_eq!(srv.get("/v1/messages", &secret).await.0, StatusCode::OK);
    srv.terminate();
    srv.spawn();
    let dev2 = srv.sign_in(&dev.email, "user-password-123").await;
    let session = dev2["session_token"].as_str().expect("session");
    let (_, one) = srv
        .get(
            &format!("/v1/tokens/{}", record["id"].as_str().expect("id")),
            session,
        )
        .await;
    assert!(
        one["last_used_at"].is_string(),
        "flushed at shutdown: {one}"
    );
}

#[tokio::test]
async fn acknowledged_creates_and_revokes_survive_a_kill_9() {
    let mut srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (_, kept) = srv.mint(&dev, "kept", &["messages.read"], None).await;
    let (_, gone) = srv.mint(&dev, "revoked", &["messages.read"], None).await;
    let id = gone["id"].as_str().expect("id");
    srv.post(&format!("/v1/tokens/{id}/revoke"), &dev.session, json!({}))
        .await;
    srv.kill9();
    srv.spawn();
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    let statuses: Vec<_> = list["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| (t["id"].clone(), t["status"].clone()))
        .collect();
    assert!(statuses.contains(&(kept["id"].clone(), json!("active"))));
    assert!(statuses.contains(&(gone["id"].clone(), json!("revoked"))));
}
