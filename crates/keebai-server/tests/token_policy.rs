//! The tenant token policy (`GET/PUT /v1/tenant/token-policy`): who may read and set it, what
//! it refuses, creation at its boundaries (422 naming the policy), rotation capped by it,
//! existing tokens left alone but found by the inventory's `violates_policy` and bulk-revoked
//! from it, the `policy.changed` event, and one tenant's policy never reaching another.

use keebai_testkit as support;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{assert_error, TestServer};

const DEV: &[&str] = &["developer.manage_tokens", "messages.read"];
const POLICY: &str = "/v1/tenant/token-policy";

fn in_days(days: i64, plus_secs: i64) -> String {
    (Utc::now() + Duration::days(days) + Duration::seconds(plus_secs))
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn create(srv: &TestServer, session: &str, expires_at: Value) -> (StatusCode, Value) {
    srv.post(
        "/v1/tokens",
        session,
        json!({"name": "ci", "scopes": ["messages.read"], "expires_at": expires_at}),
    )
    .await
}

async fn set(srv: &TestServer, session: &str, policy: Value) {
    let (s, body) = srv.put(POLICY, session, policy.clone()).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body, policy);
}

#[tokio::test]
async fn anyone_reads_it_only_role_admins_set_it_and_bad_policies_are_refused() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv.user_with(DEV).await;
    let (s, body) = srv.get(POLICY, &dev.session).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        body,
        json!({"max_lifetime_days": null, "require_expiration": false}),
        "the default"
    );
    let (s, body) = srv
        .put(
            POLICY,
            &dev.session,
            json!({"max_lifetime_days": 30, "require_expiration": true}),
        )
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");

    let roles_admin = srv
        .user_with(&[
            "admin.manage_roles",
            "developer.manage_tokens",
            "messages.read",
        ])
        .await;
    let (pat, _) = srv
        .mint(&roles_admin, "automation", &["admin.manage_roles"], None)
        .await;
    let (narrow, _) = srv
        .mint(&roles_admin, "reader", &["messages.read"], None)
        .await;
    // The contract asks `admin.manage_roles` and nothing more: a PAT holding it keeps the
    // policy (automation), while a PAT of the same user without that scope may not.
    let (s, body) = srv
        .put(
            POLICY,
            &pat,
            json!({"max_lifetime_days": 30, "require_expiration": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["max_lifetime_days"], 30);
    let (s, body) = srv
        .put(
            POLICY,
            &narrow,
            json!({"max_lifetime_days": null, "require_expiration": false}),
        )
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (_, now) = srv.get(POLICY, &narrow).await;
    assert_eq!(
        now["max_lifetime_days"], 30,
        "the refused write changed nothing"
    );
    set(
        &srv,
        &pat,
        json!({"max_lifetime_days": null, "require_expiration": false}),
    )
    .await;

    for (bad, field) in [
        (
            json!({"max_lifetime_days": 0, "require_expiration": false}),
            "max_lifetime_days",
        ),
        (
            json!({"max_lifetime_days": 3651, "require_expiration": false}),
            "max_lifetime_days",
        ),
        (
            json!({"max_lifetime_days": -1, "require_expiration": false}),
            "max_lifetime_days",
        ),
        (
            json!({"max_lifetime_days": "90", "require_expiration": false}),
            "max_lifetime_days",
        ),
        (json!({"max_lifetime_days": 30}), "require_expiration"),
        (
            json!({"max_lifetime_days": 30, "require_expiration": true, "grace": 1}),
            "grace",
        ),
    ] {
        let (s, body) = srv.put(POLICY, &admin.session, bad.clone()).await;
        assert_error(
            s,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        );
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains(field), "{bad}: {message}");
    }
    let (_, body) = srv.get(POLICY, &dev.session).await;
    assert_eq!(
        body["max_lifetime_days"],
        Value::Null,
        "nothing was changed"
    );

    set(
        &srv,
        &roles_admin.session,
        json!({"max_lifetime_days": 3650, "require_expiration": false}),
    )
    .await;
    let (_, body) = srv.get(POLICY, &dev.session).await;
    assert_eq!(body["max_lifetime_days"], 3650);
}

#[tokio::test]
async fn creation_obeys_the_policy_at_its_boundaries() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv.user_with(DEV).await;
    set(
        &srv,
        &admin.session,
        json!({"max_lifetime_days": null, "require_expiration": true}),
    )
    .await;
    let (s, body) = create(&srv, &dev.session, Value::Null).await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("token policy requires an expiry")),
        "{body}"
    );
    let (s, _) = create(&srv, &dev.session, json!(in_days(3000, 0))).await;
    assert_eq!(s, StatusCode::CREATED, "no maximum: any expiry");

    set(
        &srv,
        &admin.session,
        json!({"max_lifetime_days": 90, "require_expiration": false}),
    )
    .await;
    let (s, body) = create(&srv, &dev.session, Value::Null).await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 90 days")),
        "a maximum implies an expiry: {body}"
    );
    let (s, body) = create(&srv, &dev.session, json!(in_days(90, 0))).await;
    assert_eq!(s, StatusCode::CREATED, "exactly the maximum: {body}");
    let (s, body) = create(&srv, &dev.session, json!(in_days(90, 3600))).await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let message = body["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("token policy") && message.contains("no later than"),
        "{message}"
    );
    let (s, _) = create(&srv, &dev.session, json!(in_days(1, 0))).await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn a_rotation_gets_a_lifetime_within_the_maximum() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv.user_with(DEV).await;
    let (_, year) = srv
        .mint(&dev, "a year", &["messages.read"], Some(&in_days(365, 0)))
        .await;
    let (_, short) = srv
        .mint(&dev, "a week", &["messages.read"], Some(&in_days(7, 0)))
        .await;
    set(
        &srv,
        &admin.session,
        json!({"max_lifetime_days": 30, "require_expiration": true}),
    )
    .await;
    for (old, days) in [(&year, 30), (&short, 7)] {
        let id = old["id"].as_str().expect("id");
        let (s, body) = srv
            .post(&format!("/v1/tokens/{id}/rotate"), &dev.session, json!({}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let expires: DateTime<Utc> = body["record"]["expires_at"]
            .as_str()
            .expect("an expiry")
            .parse()
            .expect("RFC 3339");
        let want = Utc::now() + Duration::days(days);
        assert!(
            (expires - want).num_seconds().abs() < 120,
            "{} rotated to {expires}, want about {want}",
            old["name"]
        );
    }
}

#[tokio::test]
async fn tightening_changes_no_token_but_the_inventory_finds_and_bulk_revokes_the_breakers() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv.user_with(DEV).await;
    let (forever_secret, forever) = srv.mint(&dev, "forever", &["messages.read"], None).await;
    let (_, year) = srv
        .mint(&dev, "a year", &["messages.read"], Some(&in_days(365, 0)))
        .await;
    let (_, month) = srv
        .mint(&dev, "a month", &["messages.read"], Some(&in_days(30, 0)))
        .await;
    let ids = |v: &Value| -> Vec<String> {
        let mut ids: Vec<String> = v["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .map(|t| t["id"].as_str().expect("id").to_owned())
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<&Value>| {
        v.sort_by_key(|r| r["id"].as_str().map(str::to_owned));
        v.into_iter()
            .map(|r| r["id"].as_str().expect("id").to_owned())
            .collect::<Vec<_>>()
    };
    let (_, none) = srv
        .get("/v1/admin/tokens?violates_policy=true", &admin.session)
        .await;
    assert!(ids(&none).is_empty(), "the default policy: {none}");

    set(
        &srv,
        &admin.session,
        json!({"max_lifetime_days": 90, "require_expiration": true}),
    )
    .await;
    let (s, _) = srv.get("/v1/messages", &forever_secret).await;
    assert_eq!(s, StatusCode::OK, "tightening revokes nothing by itself");
    let (s, breakers) = srv
        .get("/v1/admin/tokens?violates_policy=true", &admin.session)
        .await;
    assert_eq!(s, StatusCode::OK, "{breakers}");
    assert_eq!(ids(&breakers), sorted(vec![&forever, &year]));
    let (_, keepers) = srv
        .get(
            &format!(
                "/v1/admin/tokens?violates_policy=false&user_id={}",
                dev.user_id
            ),
            &admin.session,
        )
        .await;
    assert_eq!(ids(&keepers), sorted(vec![&month]));

    let filter = json!({"filter": {"violates_policy": true}, "reason": "breaks the 90-day policy"});
    let mut dry = filter.clone();
    dry["dry_run"] = json!(true);
    let (s, preview) = srv
        .post("/v1/admin/tokens/revoke", &admin.session, dry)
        .await;
    assert_eq!(s, StatusCode::OK, "{preview}");
    assert_eq!(ids(&preview), ids(&breakers));
    let (s, done) = srv
        .post("/v1/admin/tokens/revoke", &admin.session, filter)
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["revoked"], 2);
    let (s, _) = srv.get("/v1/messages", &forever_secret).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, after) = srv
        .get("/v1/admin/tokens?violates_policy=true", &admin.session)
        .await;
    assert!(ids(&after).is_empty(), "{after}");

    let (_, events) = srv
        .get("/v1/audit-events?action=policy.changed", &admin.session)
        .await;
    let event = &events["events"][0];
    assert_eq!(event["actor"], admin.user_id.as_str());
    assert_eq!(
        event["detail"]["policy"],
        json!({"max_lifetime_days": 90, "require_expiration": true})
    );
    assert_eq!(
        event["detail"]["previous_policy"],
        json!({"max_lifetime_days": null, "require_expiration": false})
    );
}

#[tokio::test]
async fn one_tenants_policy_never_reaches_another() {
    let mut srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
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
    let globex = globex["session_token"].as_str().expect("token");
    set(
        &srv,
        globex,
        json!({"max_lifetime_days": 7, "require_expiration": true}),
    )
    .await;
    let (_, acme) = srv.get(POLICY, &dev.session).await;
    assert_eq!(
        acme,
        json!({"max_lifetime_days": null, "require_expiration": false})
    );
    let (s, body) = create(&srv, &dev.session, Value::Null).await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "acme still allows no expiry: {body}"
    );
}
