//! Revoking from the security admins' desk across three PostgreSQL replicas: a token revoked
//! by an administrator through replica A — one by one with a reason, or many in one bulk
//! revoke — is refused by B and C on the very next request, although both had it in their
//! credential caches: the revoke publishes (once, for a whole batch) before it answers. The
//! same holds for every credential of a user disabled through A.
//!
//! PostgreSQL only, like every `replicas*` test (see `tests/replicas.rs`).

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::cluster::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn admin_revokes_single_and_bulk_are_effective_on_every_replica_before_answering() {
    with_replicas(
        "admin_revokes_single_and_bulk_are_effective_on_every_replica_before_answering",
        |c| async move {
            let session = c.admin().await;
            let mut pats = Vec::new();
            for _ in 0..5 {
                pats.push(c.mint(c.a(), &session, &["messages.read"]).await);
            }
            let (keep, _) = c.mint(c.a(), &session, &["messages.read"]).await;
            // Every PAT is in B's and C's caches.
            // (The cache starts with a replica's first authenticated request.)
            for r in [c.b(), c.c()] {
                for (pat, _) in pats.iter().chain([&(keep.clone(), String::new())]) {
                    let (s, b) = c.get(r, "/v1/messages", pat).await;
                    assert_eq!(s, StatusCode::OK, "{b}");
                }
                r.cache_in_sync().await;
                c.assert_served_from_cache(r, &pats[0].0).await;
            }

            let (pat, id) = &pats[0];
            let (s, record) = c
                .send_json(
                    Method::POST,
                    c.a(),
                    &format!("/v1/admin/tokens/{id}/revoke"),
                    &session,
                    json!({"reason": "leaked in a log"}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{record}");
            for r in [c.b(), c.c()] {
                let (s, b) = c.get(r, "/v1/messages", pat).await;
                assert_eq!(
                    s,
                    StatusCode::UNAUTHORIZED,
                    "next request on {}: {b}",
                    r.name
                );
            }

            // That publish emptied every cache: warm B and C again with the other tokens.
            for r in [c.b(), c.c()] {
                for (pat, _) in &pats[1..] {
                    let (s, b) = c.get(r, "/v1/messages", pat).await;
                    assert_eq!(s, StatusCode::OK, "{b}");
                }
                c.assert_served_from_cache(r, &pats[1].0).await;
            }
            let ids: Vec<&String> = pats[1..].iter().map(|(_, id)| id).collect();
            let (s, done) = c
                .send_json(
                    Method::POST,
                    c.a(),
                    "/v1/admin/tokens/revoke",
                    &session,
                    json!({"ids": ids, "reason": "contractor left"}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{done}");
            assert_eq!(done["revoked"], 4, "{done}");
            for r in [c.b(), c.c()] {
                for (pat, _) in &pats[1..] {
                    let (s, b) = c.get(r, "/v1/messages", pat).await;
                    assert_eq!(
                        s,
                        StatusCode::UNAUTHORIZED,
                        "next request on {}: {b}",
                        r.name
                    );
                }
                let (s, b) = c.get(r, "/v1/messages", &keep).await;
                assert_eq!(s, StatusCode::OK, "a token not named stays valid: {b}");
            }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_disabled_users_credentials_are_refused_on_every_replica_before_answering() {
    with_replicas(
        "a_disabled_users_credentials_are_refused_on_every_replica_before_answering",
        |c| async move {
            let admin = c.admin().await;
            let (s, role) = c
                .send_json(
                    Method::POST,
                    c.a(),
                    "/v1/roles",
                    &admin,
                    json!({"name": "Devs", "permissions": ["developer.manage_tokens", "messages.read"]}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{role}");
            let (s, user) = c
                .send_json(
                    Method::POST,
                    c.a(),
                    "/v1/users",
                    &admin,
                    json!({"email": "leaver@acme.test", "name": "Leaver",
                           "password": "leaver-password-1", "role_ids": [role["id"]]}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{user}");
            let session = c.sign_in(c.a(), "leaver@acme.test", "leaver-password-1").await;
            let (pat, _) = c.mint(c.a(), &session, &["messages.read"]).await;
            for r in [c.b(), c.c()] {
                for cred in [&session, &pat] {
                    let (s, b) = c.get(r, "/v1/messages", cred).await;
                    assert_eq!(s, StatusCode::OK, "{b}");
                }
                r.cache_in_sync().await;
                c.assert_served_from_cache(r, &pat).await;
            }
            let (s, b) = c
                .send_json(
                    Method::PUT,
                    c.a(),
                    &format!("/v1/users/{}", user["id"].as_str().expect("id")),
                    &admin,
                    json!({"disabled": true}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
            for r in [c.b(), c.c()] {
                for cred in [&session, &pat] {
                    let (s, b) = c.get(r, "/v1/messages", cred).await;
                    assert_eq!(s, StatusCode::UNAUTHORIZED, "next request on {}: {b}", r.name);
                }
            }
        },
    )
    .await;
}
