//! `GET /v1/audit-events` narrowed by actor, action, target and time: each filter keeps exactly
//! its events (also across cursor pages), bad filters answer 422 naming the field, and a filter
//! never widens what the caller may see (own events only without `developer.audit_tokens`).

use keebai_testkit as support;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{assert_error, TestServer};

const DEV: &[&str] = &["developer.manage_tokens", "messages.read"];

fn events(list: &Value) -> &Vec<Value> {
    list["events"].as_array().expect("events")
}

fn at(event: &Value) -> DateTime<Utc> {
    event["at"].as_str().expect("at").parse().expect("RFC 3339")
}

/// Query strings carry RFC 3339 times; `+` must be escaped there.
fn q(time: DateTime<Utc>) -> String {
    time.to_rfc3339().replace('+', "%2B")
}

#[tokio::test]
async fn each_filter_keeps_exactly_its_events() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv.user_with(DEV).await;
    let (_, a) = srv.mint(&dev, "kept", &["messages.read"], None).await;
    let (_, b) = srv.mint(&dev, "revoked", &["messages.read"], None).await;
    let (a, b) = (a["id"].as_str().expect("id"), b["id"].as_str().expect("id"));
    let (s, _) = srv
        .post(&format!("/v1/tokens/{b}/revoke"), &dev.session, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);

    let get = |query: String| {
        let session = admin.session.clone();
        let srv = &srv;
        async move {
            let (s, body) = srv
                .get(&format!("/v1/audit-events?limit=500&{query}"), &session)
                .await;
            assert_eq!(s, StatusCode::OK, "{query}: {body}");
            body
        }
    };

    let revoked = get("action=token.revoked".into()).await;
    assert!(!events(&revoked).is_empty());
    assert!(events(&revoked)
        .iter()
        .all(|e| e["action"] == "token.revoked"));
    assert!(events(&revoked).iter().any(|e| e["target"] == b));

    let about_b = get(format!("target={b}")).await;
    let mut actions: Vec<_> = events(&about_b)
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    actions.sort_unstable();
    assert_eq!(actions, ["token.created", "token.revoked"], "{about_b}");
    assert!(events(&get(format!("target={a}")).await)
        .iter()
        .all(|e| e["target"] == a && e["action"] == "token.created"));

    let by_dev = get(format!("actor={}", dev.user_id)).await;
    assert!(
        events(&by_dev).len() >= 4,
        "sign-in, two creations, a revoke"
    );
    assert!(events(&by_dev)
        .iter()
        .all(|e| e["actor"] == dev.user_id.as_str()));
    let all = get(String::new()).await;
    assert!(
        events(&all).len() > events(&by_dev).len(),
        "the admin's own events too"
    );

    let combined = get(format!("actor={}&action=token.created", dev.user_id)).await;
    assert_eq!(events(&combined).len(), 2, "{combined}");

    // Time: `since` is inclusive, `until` exclusive.
    let newest = at(&events(&all)[0]);
    let just_newest = get(format!("since={}", q(newest))).await;
    assert!(events(&just_newest).iter().all(|e| at(e) >= newest));
    assert!(!events(&just_newest).is_empty(), "since is inclusive");
    let before_newest = get(format!("until={}", q(newest))).await;
    assert!(events(&before_newest).iter().all(|e| at(e) < newest));
    assert_eq!(
        events(&just_newest).len() + events(&before_newest).len(),
        events(&all).len(),
        "the two ranges split the trail exactly"
    );
    let future = get(format!("since={}", q(Utc::now() + Duration::hours(1)))).await;
    assert!(events(&future).is_empty(), "{future}");
    assert!(events(&get("action=no.such".into()).await).is_empty());
}

#[tokio::test]
async fn filtered_pages_follow_the_cursor_without_repeats() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv.user_with(DEV).await;
    for i in 0..5 {
        srv.mint(&dev, &format!("t{i}"), &["messages.read"], None)
            .await;
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (s, page) = srv
            .get(
                &format!("/v1/audit-events?limit=2&action=token.created{cursor}"),
                &admin.session,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for e in events(&page) {
            assert_eq!(e["action"], "token.created");
            seen.push(e["id"].as_str().expect("id").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(unique.len(), 5);
}

#[tokio::test]
async fn a_filter_never_widens_what_a_caller_may_see() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv.user_with(DEV).await;
    srv.mint(&admin, "admin's", &["messages.read"], None).await;
    let (s, body) = srv
        .get(
            &format!("/v1/audit-events?actor={}", admin.user_id),
            &dev.session,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(events(&body).is_empty(), "another user's trail: {body}");
    let (_, body) = srv
        .get("/v1/audit-events?action=token.created", &dev.session)
        .await;
    assert!(events(&body).is_empty(), "dev minted nothing: {body}");
}

/// The contract's name for a role's change is `role.changed` (builds before schema 15 stored
/// `role.updated`, which the filter by the contract's name never found).
#[tokio::test]
async fn a_role_change_is_found_by_the_contracts_action_name() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv.user_with(DEV).await;
    let (s, _) = srv
        .put(
            &format!("/v1/roles/{}", dev.role_id),
            &admin.session,
            json!({"permissions": ["developer.manage_tokens"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = srv
        .get("/v1/audit-events?action=role.changed", &admin.session)
        .await;
    assert_eq!(s, StatusCode::OK);
    let found = events(&body);
    assert_eq!(found.len(), 1, "{body}");
    assert_eq!(found[0]["action"], "role.changed");
    assert_eq!(found[0]["target"], dev.role_id.as_str());
    assert_eq!(found[0]["actor"], admin.user_id.as_str());
}

#[tokio::test]
async fn bad_filters_answer_422_naming_the_field() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let now = Utc::now();
    for (query, field) in [
        ("since=yesterday".to_owned(), "since"),
        ("until=2026-13-40T00:00:00Z".to_owned(), "until"),
        (format!("since={}&until={}", q(now), q(now)), "until"),
        (
            format!("since={}&until={}", q(now), q(now - Duration::days(1))),
            "until",
        ),
        ("actor=".to_owned(), "actor"),
        (format!("action={}", "x".repeat(129)), "action"),
        ("target=".to_owned(), "target"),
    ] {
        let (s, body) = srv
            .get(&format!("/v1/audit-events?{query}"), &admin.session)
            .await;
        assert_error(
            s,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        );
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains(field), "{query}: {message}");
    }
}
