//! `GET /v1/admin/tokens`: who may list, what each filter selects, and how bad input is
//! refused.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::{assert_error, TestServer};
use super::{seed_tokens, tenant_id, token_ids, AUDIT, MANAGE};

#[tokio::test]
async fn every_admin_token_endpoint_needs_credentials_and_audit_tokens() {
    let srv = TestServer::start().await;
    let member = srv.user_with(&[MANAGE]).await;
    let (pat, record) = srv.mint(&member, "mine", &[MANAGE], None).await;
    let id = record["id"].as_str().expect("id");
    let revoke_one = format!("/v1/admin/tokens/{id}/revoke");
    let calls = [
        (Method::GET, "/v1/admin/tokens".to_owned(), None),
        (
            Method::POST,
            revoke_one.clone(),
            Some(json!({"reason": "r"})),
        ),
        (
            Method::POST,
            "/v1/admin/tokens/revoke".to_owned(),
            Some(json!({"ids": [id], "reason": "r", "dry_run": true})),
        ),
    ];
    for (method, path, body) in &calls {
        let (s, b) = srv.call(method.clone(), path, None, body.clone()).await;
        assert_error(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
        for who in [&member.session, &pat] {
            let (s, b) = srv
                .call(method.clone(), path, Some(who), body.clone())
                .await;
            assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
        }
    }
    // A PAT acts with its scopes ∩ its user's permissions: an auditor's PAT without the scope
    // is refused, one with it is let in.
    let auditor = srv.user_with(&[AUDIT, MANAGE]).await;
    let (narrow, _) = srv.mint(&auditor, "narrow", &[MANAGE], None).await;
    let (wide, _) = srv.mint(&auditor, "wide", &[AUDIT], None).await;
    let (s, b) = srv.get("/v1/admin/tokens", &narrow).await;
    assert_error(s, &b, StatusCode::FORBIDDEN, "forbidden");
    for who in [&auditor.session, &wide] {
        let (s, b) = srv.get("/v1/admin/tokens", who).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(token_ids(&b).contains(&id.to_owned()), "{b}");
    }
    let (s, b) = srv
        .post(
            &revoke_one,
            &wide,
            json!({"reason": "found in a public repository"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "revoked");
    let (s, b) = srv
        .post(
            "/v1/admin/tokens/revoke",
            &auditor.session,
            json!({"ids": [id], "reason": "r", "dry_run": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["revoked"], 0, "already revoked: nothing to do: {b}");
}

#[tokio::test]
async fn the_inventory_shows_every_users_tokens_with_owner_and_each_filter_narrows_it() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let tenant = tenant_id(&srv, &admin.session).await;
    let dev = srv.user_with(&[MANAGE, "messages.read"]).await;
    let (_, ci) = srv
        .mint(&dev, "CI deploy 100%", &["messages.read"], None)
        .await;
    let (_, soon) = srv
        .mint(&dev, "short", &[MANAGE], Some("2099-01-01T00:00:00Z"))
        .await;
    let (_, gone) = srv.mint(&admin, "admin's", &[MANAGE], None).await;
    let gone_id = gone["id"].as_str().expect("id");
    let (s, _) = srv
        .post(
            &format!("/v1/tokens/{gone_id}/revoke"),
            &admin.session,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let old = seed_tokens(&srv, &tenant, &dev.user_id, 1, |_| 1_000_000).await;
    let auditor = srv.user_with(&[AUDIT]).await;

    let (s, page) = srv.get("/v1/admin/tokens", &auditor.session).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(
        page["next_cursor"],
        serde_json::Value::Null,
        "one page: {page}"
    );
    let listed = page["tokens"].as_array().expect("tokens");
    assert_eq!(listed.len(), 4, "{page}");
    assert_eq!(listed[3]["id"], old[0].as_str(), "newest first: {page}");
    let row = listed.iter().find(|t| t["id"] == ci["id"]).expect("ci");
    assert_eq!(
        row["owner"],
        json!({"id": dev.user_id, "email": dev.email, "name": "Test User"})
    );
    for field in [
        "name",
        "prefix",
        "scopes",
        "created_at",
        "status",
        "replaced_by",
    ] {
        assert_eq!(row[field], ci[field], "TokenRecord.{field}");
    }

    let soon_id = soon["id"].as_str().expect("id");
    srv.exec_behind(&format!(
        "UPDATE tokens SET expires_at = {} WHERE id = '{soon_id}'",
        unix_now() + 5 * 86_400
    ))
    .await;
    let sorted = |ids: &[&str]| {
        let mut v: Vec<String> = ids.iter().map(|i| (*i).to_owned()).collect();
        v.sort();
        v
    };
    let (ci_id, old_id) = (ci["id"].as_str().expect("id"), old[0].as_str());
    let session = &auditor.session;
    let user_filter = format!("user_id={}", dev.user_id);
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("status=revoked", sorted(&[gone_id])),
        ("status=expired", vec![]),
        (&user_filter, sorted(&[ci_id, soon_id, old_id])),
        ("q=deploy%20100%25", sorted(&[ci_id])),
        // The prefix's tail after `kbai_pk_` (the marker itself is refused in any URL).
        ("q=PK_SEED", sorted(&[old_id])),
        ("scope=messages.read", sorted(&[ci_id, old_id])),
        ("unused_days=30", sorted(&[old_id])),
        ("expiring_within_days=7", sorted(&[soon_id])),
        ("expiring_within_days=4", vec![]),
        ("no_expiry=false", sorted(&[soon_id])),
        ("no_expiry=true&status=active", sorted(&[ci_id, old_id])),
    ];
    for (query, want) in cases {
        assert_eq!(filtered(&srv, session, query).await, want, "{query}");
    }
}

fn unix_now() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock");
    i64::try_from(d.as_secs()).expect("seconds")
}

/// The ids (sorted) that `GET /v1/admin/tokens?<query>` lists.
async fn filtered(srv: &TestServer, session: &str, query: &str) -> Vec<String> {
    let (s, page) = srv.get(&format!("/v1/admin/tokens?{query}"), session).await;
    assert_eq!(s, StatusCode::OK, "{query}: {page}");
    let mut ids = token_ids(&page);
    ids.sort();
    ids
}

#[tokio::test]
async fn bad_inventory_parameters_are_refused_clearly() {
    let srv = TestServer::start().await;
    let auditor = srv.user_with(&[AUDIT]).await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("unused_days=0", "unused_days"),
        ("expiring_within_days=3651", "expiring_within_days"),
        ("scope=no.such", "scope"),
        ("cursor=not-a-cursor", "cursor"),
    ] {
        let (s, b) = srv
            .get(&format!("/v1/admin/tokens?{query}"), &auditor.session)
            .await;
        assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
        assert_eq!(b["error"]["field"], field, "{query}: {b}");
    }
    for query in ["owner=x", "status=lost", "limit=ten", "no_expiry=maybe"] {
        let (s, b) = srv
            .get(&format!("/v1/admin/tokens?{query}"), &auditor.session)
            .await;
        assert_error(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    }
    // Anything that looks like a credential is refused in a URL, a prefix included.
    let (s, b) = srv
        .get("/v1/admin/tokens?q=kbai_pk_a1b2", &auditor.session)
        .await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid_request");
    let (s, b) = srv
        .get("/v1/admin/tokens?limit=500", &auditor.session)
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}
