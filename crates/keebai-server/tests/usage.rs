//! `GET /v1/tokens/{id}/usage` and what counts as a use: hourly UTC counts of *successful*
//! requests (a refused request is not a use, and moves neither `last_used_at` nor a count),
//! the latest use's client address, and who may read it (the owner, or an auditor).

use keebai_testkit as support;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{assert_error, TestServer};

const DEV: &[&str] = &["developer.manage_tokens", "messages.read", "messages.write"];

fn total(usage: &Value) -> u64 {
    usage["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["count"].as_u64().expect("count"))
        .sum()
}

fn hours(usage: &Value) -> Vec<DateTime<Utc>> {
    usage["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["hour"].as_str().expect("hour").parse().expect("RFC 3339"))
        .collect()
}

#[tokio::test]
async fn successful_requests_are_counted_per_hour_with_the_latest_address() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (reader, record) = srv.mint(&dev, "reader", &["messages.read"], None).await;
    let id = record["id"].as_str().expect("id");
    let started = Utc::now();
    for _ in 0..5 {
        assert_eq!(srv.get("/v1/messages", &reader).await.0, StatusCode::OK);
    }
    // Refused for a missing scope (403) and for a bad body (the scope check comes first, so
    // also 403): neither is a successful request.
    for _ in 0..3 {
        let (s, body) = srv
            .post("/v1/messages", &reader, json!({"body": "nope"}))
            .await;
        assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    let ended = Utc::now();
    let path = format!("/v1/tokens/{id}/usage");
    // At once: this server's unflushed counts are part of the answer.
    let (s, usage) = srv.get(&path, &dev.session).await;
    assert_eq!(s, StatusCode::OK, "{usage}");
    assert_eq!(total(&usage), 5, "counted before the flush: {usage}");
    TestServer::wait_for_flush().await;

    let (s, usage) = srv.get(&path, &dev.session).await;
    assert_eq!(s, StatusCode::OK, "{usage}");
    assert_eq!(
        total(&usage),
        5,
        "the five 200s, not the 403s, and not twice: {usage}"
    );
    let hs = hours(&usage);
    assert!(
        !hs.is_empty() && hs.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {usage}"
    );
    let first_hour = started.timestamp() - started.timestamp().rem_euclid(3600);
    for h in hs.iter().map(DateTime::timestamp) {
        assert_eq!(h % 3600, 0, "whole UTC hours: {usage}");
        assert!(
            (first_hour..=ended.timestamp()).contains(&h),
            "the hour(s) of the test run: {usage}"
        );
    }
    assert_eq!(usage["last_used_ip"], "127.0.0.1");

    let (_, rec) = srv.get(&format!("/v1/tokens/{id}"), &dev.session).await;
    let last: DateTime<Utc> = rec["last_used_at"]
        .as_str()
        .expect("last_used_at set")
        .parse()
        .expect("RFC 3339");
    assert!(last.timestamp() >= started.timestamp() && last <= ended);
}

#[tokio::test]
async fn a_refused_request_is_not_a_use() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (reader, record) = srv.mint(&dev, "refused", &["messages.read"], None).await;
    let id = record["id"].as_str().expect("id");
    let (s, _) = srv
        .post("/v1/messages", &reader, json!({"body": "no write scope"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = srv.get("/v1/tokens", &reader).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no developer.manage_tokens scope");
    TestServer::wait_for_flush().await;

    let (_, rec) = srv.get(&format!("/v1/tokens/{id}"), &dev.session).await;
    assert!(
        rec["last_used_at"].is_null(),
        "never used successfully: {rec}"
    );
    let (s, usage) = srv
        .get(&format!("/v1/tokens/{id}/usage"), &dev.session)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        usage,
        json!({"buckets": [], "last_used_ip": null, "addresses": []})
    );
}

#[tokio::test]
async fn the_owner_and_auditors_may_read_usage_and_nobody_else() {
    let srv = TestServer::start().await;
    let owner = srv.user_with(DEV).await;
    let (_, record) = srv.mint(&owner, "watched", &["messages.read"], None).await;
    let path = format!("/v1/tokens/{}/usage", record["id"].as_str().expect("id"));

    assert_eq!(srv.get(&path, &owner.session).await.0, StatusCode::OK);
    let (owner_pat, _) = srv
        .mint(&owner, "manager", &["developer.manage_tokens"], None)
        .await;
    assert_eq!(
        srv.get(&path, &owner_pat).await.0,
        StatusCode::OK,
        "the owner's PAT with developer.manage_tokens"
    );

    let auditor = srv.user_with(&["developer.audit_tokens"]).await;
    let (s, body) = srv.get(&path, &auditor.session).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "an auditor reads any token of the tenant: {body}"
    );

    let stranger = srv.user_with(DEV).await;
    let (s, body) = srv.get(&path, &stranger.session).await;
    assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");
    let (s, body) = srv
        .get("/v1/tokens/no-such-token/usage", &auditor.session)
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");

    let (reader_pat, _) = srv.mint(&owner, "reader", &["messages.read"], None).await;
    let (s, body) = srv.get(&path, &reader_pat).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");

    let nobody = srv.user_with(&["messages.read"]).await;
    let (s, body) = srv.get(&path, &nobody.session).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, body) = srv.call(reqwest::Method::GET, &path, None, None).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn an_auditor_of_another_tenant_gets_404() {
    let mut srv = TestServer::start().await;
    let owner = srv.user_with(DEV).await;
    let (_, record) = srv.mint(&owner, "acme's", &["messages.read"], None).await;
    srv.terminate();
    srv.init_tenant("globex", "admin@globex.test");
    srv.spawn();
    let (s, globex) = srv
        .call(
            reqwest::Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"tenant": "globex", "email": "admin@globex.test", "password": support::ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{globex}");
    assert!(
        globex["permissions"]
            .as_array()
            .expect("permissions")
            .contains(&json!("developer.audit_tokens")),
        "globex's Admin audits tokens: {globex}"
    );
    let session = globex["session_token"].as_str().expect("token");
    let path = format!("/v1/tokens/{}/usage", record["id"].as_str().expect("id"));
    let (s, body) = srv.get(&path, session).await;
    assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn every_client_address_is_kept_with_its_first_and_last_use_and_count() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (reader, record) = srv.mint(&dev, "reader", &["messages.read"], None).await;
    let id = record["id"].as_str().expect("id");
    let from = |addr: &str| {
        reqwest::Client::builder()
            .local_address(addr.parse::<std::net::IpAddr>().expect("ip"))
            .build()
            .expect("client")
    };
    let before = Utc::now() - chrono::Duration::seconds(1);
    for (addr, n) in [("127.0.0.2", 3), ("127.0.0.3", 2), ("127.0.0.2", 1)] {
        for _ in 0..n {
            let r = from(addr)
                .get(srv.url("/v1/messages"))
                .bearer_auth(&reader)
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), StatusCode::OK);
        }
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    // Refused requests are not uses, from any address.
    let r = from("127.0.0.4")
        .post(srv.url("/v1/messages"))
        .bearer_auth(&reader)
        .json(&json!({"body": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The same answer before and after the flush: pending uses are merged in.
    for _ in 0..2 {
        let (s, usage) = srv
            .get(&format!("/v1/tokens/{id}/usage"), &dev.session)
            .await;
        assert_eq!(s, StatusCode::OK, "{usage}");
        let addrs = usage["addresses"].as_array().expect("addresses");
        let ips: Vec<&str> = addrs
            .iter()
            .map(|a| a["ip"].as_str().expect("ip"))
            .collect();
        assert_eq!(ips, ["127.0.0.2", "127.0.0.3"], "most recently seen first");
        assert_eq!(addrs[0]["count"], 4);
        assert_eq!(addrs[1]["count"], 2);
        let first: DateTime<Utc> = addrs[0]["first_seen"]
            .as_str()
            .expect("t")
            .parse()
            .expect("time");
        let last: DateTime<Utc> = addrs[0]["last_seen"]
            .as_str()
            .expect("t")
            .parse()
            .expect("time");
        assert!(first >= before && last > first, "{first} {last}");
        assert_eq!(usage["last_used_ip"], "127.0.0.2");
        TestServer::wait_for_flush().await;
    }
}
