//! Revoking other users' tokens with a reason: one by one (`POST /v1/admin/tokens/{id}/revoke`)
//! and in bulk (`POST /v1/admin/tokens/revoke`, by ids or filter, with a dry run); the reason
//! and the administrator in the owner's audit trail.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::support::{assert_error, Caller, TestServer};
use super::{seed_tokens, tenant_id, token_ids, AUDIT, MANAGE};

/// The `token.revoked` events about `token_id` in the trail as `who` sees it.
async fn revoke_events(srv: &TestServer, who: &Caller, token_id: &str) -> Vec<Value> {
    let (s, events) = srv.get("/v1/audit-events?limit=500", &who.session).await;
    assert_eq!(s, StatusCode::OK, "{events}");
    events["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "token.revoked" && e["target"] == token_id)
        .cloned()
        .collect()
}

#[tokio::test]
async fn an_admin_revoke_needs_a_reason_and_the_trail_says_who_and_why() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv.user_with(&[MANAGE, "messages.read"]).await;
    let (pat, record) = srv.mint(&dev, "laptop", &["messages.read"], None).await;
    let id = record["id"].as_str().expect("id");
    let path = format!("/v1/admin/tokens/{id}/revoke");
    let auditor = srv.user_with(&[AUDIT]).await;

    for (body, what) in [
        (json!({}), "no reason"),
        (json!({"reason": "left", "why": "x"}), "an unknown field"),
        (json!({"reason": 7}), "a reason that is not text"),
    ] {
        let (s, b) = srv.post(&path, &auditor.session, body).await;
        assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
        assert!(b.to_string().len() < 1000, "{what}: {b}");
    }
    for reason in ["", "   ", "two\nlines", &"x".repeat(501)] {
        let (s, b) = srv
            .post(&path, &auditor.session, json!({"reason": reason}))
            .await;
        assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
        assert_eq!(b["error"]["field"], "reason", "{b}");
    }
    let (s, _) = srv.get("/v1/messages", &pat).await;
    assert_eq!(s, StatusCode::OK, "refused revokes changed nothing");

    let (s, b) = srv
        .post(
            &path,
            &auditor.session,
            json!({"reason": "  laptop stolen "}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (b["id"].as_str(), &b["status"]),
        (Some(id), &json!("revoked"))
    );
    let (s, b2) = srv.get("/v1/messages", &pat).await;
    assert_error(s, &b2, StatusCode::UNAUTHORIZED, "unauthorized");
    let events = revoke_events(&srv, &admin, id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["actor"], auditor.user_id.as_str());
    assert_eq!(
        events[0]["detail"],
        json!({"reason": "laptop stolen", "owner": dev.user_id})
    );
    // The owner, without developer.audit_tokens, sees it in their own trail.
    assert_eq!(revoke_events(&srv, &dev, id).await, events);

    // Idempotent: the same answer, nothing recorded again.
    let (s, again) = srv
        .post(&path, &auditor.session, json!({"reason": "again"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["revoked_at"], b["revoked_at"]);
    assert_eq!(revoke_events(&srv, &admin, id).await.len(), 1);

    let (s, b) = srv
        .post(
            "/v1/admin/tokens/no-such-token/revoke",
            &auditor.session,
            json!({"reason": "r"}),
        )
        .await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_dry_run_changes_nothing_and_the_bulk_revoke_then_revokes_exactly_that() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let dev = srv.user_with(&[MANAGE, "messages.read"]).await;
    let ops = srv.user_with(&[MANAGE, "messages.read"]).await;
    let mut dev_pats = Vec::new();
    for i in 0..3 {
        dev_pats.push(
            srv.mint(&dev, &format!("dev {i}"), &["messages.read"], None)
                .await,
        );
    }
    let (ops_pat, _) = srv.mint(&ops, "ops", &["messages.read"], None).await;
    let auditor = srv.user_with(&[AUDIT]).await;
    let filter = json!({"user_id": dev.user_id});

    let (s, dry) = srv
        .post(
            "/v1/admin/tokens/revoke",
            &auditor.session,
            json!({"filter": filter, "reason": "offboarding", "dry_run": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{dry}");
    assert_eq!(
        (&dry["revoked"], &dry["dry_run"]),
        (&json!(3), &json!(true))
    );
    let mut would = token_ids(&dry);
    would.sort();
    let mut dev_ids: Vec<String> = dev_pats
        .iter()
        .map(|(_, r)| r["id"].as_str().expect("id").to_owned())
        .collect();
    dev_ids.sort();
    assert_eq!(would, dev_ids);
    for t in dry["tokens"].as_array().expect("tokens") {
        assert_eq!(
            (&t["status"], &t["owner"]["id"]),
            (&json!("active"), &json!(dev.user_id))
        );
    }
    for (pat, _) in &dev_pats {
        let (s, _) = srv.get("/v1/messages", pat).await;
        assert_eq!(s, StatusCode::OK, "a dry run revokes nothing");
    }
    assert!(revoke_events(&srv, &admin, &dev_ids[0]).await.is_empty());

    let (s, done) = srv
        .post(
            "/v1/admin/tokens/revoke",
            &auditor.session,
            json!({"filter": filter, "reason": "offboarding"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(
        (&done["revoked"], &done["dry_run"]),
        (&json!(3), &json!(false))
    );
    let mut revoked = token_ids(&done);
    revoked.sort();
    assert_eq!(revoked, dev_ids, "exactly what the dry run showed");
    for (pat, _) in &dev_pats {
        let (s, b) = srv.get("/v1/messages", pat).await;
        assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let (s, _) = srv.get("/v1/messages", &ops_pat).await;
    assert_eq!(s, StatusCode::OK, "another user's token is untouched");
    for id in &dev_ids {
        let events = revoke_events(&srv, &admin, id).await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["actor"], auditor.user_id.as_str());
        assert_eq!(
            events[0]["detail"],
            json!({"reason": "offboarding", "owner": dev.user_id, "bulk": 3})
        );
    }

    // By ids: unknown and no-longer-active ids are left out of the answer.
    let ops_id = {
        let (_, page) = srv
            .get(
                &format!("/v1/admin/tokens?user_id={}", ops.user_id),
                &auditor.session,
            )
            .await;
        token_ids(&page)[0].clone()
    };
    let (s, by_ids) = srv
        .post(
            "/v1/admin/tokens/revoke",
            &auditor.session,
            json!({"ids": [ops_id, dev_ids[0], "no-such-token"], "reason": "rotation overdue"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{by_ids}");
    assert_eq!(token_ids(&by_ids), [ops_id]);
    let (s, _) = srv.get("/v1/messages", &ops_pat).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_bulk_revokes_are_refused_whole() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let auditor = srv.user_with(&[AUDIT]).await;
    let many: Vec<String> = (0..1001).map(|i| format!("id-{i}")).collect();
    for (body, field) in [
        (json!({"reason": "r"}), "ids"),
        (json!({"ids": [], "reason": "r"}), "ids"),
        (json!({"ids": many, "reason": "r"}), "ids"),
        (json!({"ids": ["a"], "filter": {}, "reason": "r"}), "ids"),
        (json!({"ids": ["a"], "reason": " "}), "reason"),
        (
            json!({"filter": {"unused_days": 0}, "reason": "r"}),
            "unused_days",
        ),
    ] {
        let (s, b) = srv
            .post("/v1/admin/tokens/revoke", &auditor.session, body.clone())
            .await;
        assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
        assert_eq!(b["error"]["field"], field, "{body}: {b}");
    }
    for body in [
        json!({"ids": ["a"]}),
        json!({"ids": ["a"], "reason": "r", "force": true}),
        json!({"filter": {"owner": "x"}, "reason": "r"}),
    ] {
        let (s, b) = srv
            .post("/v1/admin/tokens/revoke", &auditor.session, body.clone())
            .await;
        assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    }

    // A filter matching more than 1000 active tokens is refused and revokes none of them.
    let tenant = tenant_id(&srv, &admin.session).await;
    seed_tokens(&srv, &tenant, &admin.user_id, 1001, |i| {
        1_700_000_000 + i as i64
    })
    .await;
    let (s, b) = srv
        .post(
            "/v1/admin/tokens/revoke",
            &auditor.session,
            json!({"filter": {"status": "active"}, "reason": "spring cleaning"}),
        )
        .await;
    assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert_eq!(b["error"]["field"], "filter", "{b}");
    let (s, revoked) = srv
        .get("/v1/admin/tokens?status=revoked", &auditor.session)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(token_ids(&revoked).is_empty(), "{revoked}");
    let (s, b) = srv
        .post(
            "/v1/admin/tokens/revoke",
            &auditor.session,
            json!({"filter": {"q": "seed-1000"}, "reason": "spring cleaning", "dry_run": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["revoked"], 1, "a narrower filter is fine: {b}");
}
