//! Revoking from the security admins' desk across three PostgreSQL replicas: a token revoked
//! by an administrator through replica A — one by one with a reason, or many in one bulk
//! revoke — is refused by B and C on the very next request, although both had it in their
//! credential caches: the revoke publishes (once, for a whole batch) before it answers. The
//! same holds for every credential of a user disabled through A, and for a bulk revoke under
//! load (after a dry run that changes nothing).
//!
//! PostgreSQL only, like every `replicas*` test (see `tests/replicas.rs`).

use keebai_testkit as support;

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

/// A bulk revoke under load: eight workers keep using six tokens on B and C; a dry run through
/// A changes nothing (the tokens keep working after it answers), then the bulk revoke of those
/// six leaves no success on B or C for any request started after it answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bulk_revoke_under_load_leaves_no_success_after_it_answers() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    with_replicas(
        "a_bulk_revoke_under_load_leaves_no_success_after_it_answers",
        |c| async move {
            let session = c.admin().await;
            let mut pats = Vec::new();
            for _ in 0..6 {
                pats.push(c.mint(c.a(), &session, &["messages.read"]).await);
            }
            let ids: Vec<String> = pats.iter().map(|(_, id)| id.clone()).collect();
            let c = Arc::new(c);
            let stop = Arc::new(AtomicBool::new(false));
            let workers: Vec<_> = (0..8)
                .map(|w| {
                    let (c, stop) = (Arc::clone(&c), Arc::clone(&stop));
                    let pat = pats[w % pats.len()].0.clone();
                    tokio::spawn(async move {
                        let replica = &c.replicas[1 + w % 2];
                        let mut seen = Vec::new();
                        while !stop.load(Ordering::Relaxed) {
                            let started = Instant::now();
                            let (status, _) = c.get(replica, "/v1/messages", &pat).await;
                            seen.push((started, status));
                        }
                        seen
                    })
                })
                .collect();
            tokio::time::sleep(Duration::from_millis(600)).await;
            let body = |dry_run: bool| {
                json!({"ids": ids, "reason": "rotating every key after an incident", "dry_run": dry_run})
            };
            let (s, preview) = c
                .send_json(Method::POST, c.a(), "/v1/admin/tokens/revoke", &session, body(true))
                .await;
            assert_eq!(s, StatusCode::OK, "{preview}");
            assert_eq!(preview["tokens"].as_array().map(Vec::len), Some(6));
            let previewed = Instant::now();
            tokio::time::sleep(Duration::from_millis(500)).await;
            let (s, done) = c
                .send_json(Method::POST, c.a(), "/v1/admin/tokens/revoke", &session, body(false))
                .await;
            let revoked = Instant::now();
            assert_eq!((s, &done["revoked"]), (StatusCode::OK, &json!(6)), "{done}");
            tokio::time::sleep(Duration::from_millis(600)).await;
            stop.store(true, Ordering::Relaxed);
            let (mut ok_after_preview, mut after) = (0, Vec::new());
            for w in workers {
                for (started, status) in w.await.expect("join") {
                    if started >= revoked {
                        after.push(status);
                    } else if started >= previewed && status == StatusCode::OK {
                        ok_after_preview += 1;
                    }
                }
            }
            assert!(ok_after_preview > 10, "the dry run changed nothing: {ok_after_preview}");
            assert!(after.len() > 10, "the load went on: {}", after.len());
            assert!(
                after.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
                "every request started after the bulk revoke answered is 401: {after:?}"
            );
        },
    )
    .await;
}
