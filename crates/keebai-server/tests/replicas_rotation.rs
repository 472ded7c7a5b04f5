//! Rotation across three PostgreSQL replicas: the old token stops on every replica when the
//! rotation says so — at once (before the rotate call returns), and on the new token's first
//! use through another replica — even while B and C serve it from their credential caches;
//! and a rotation retried through another replica is refused without side effects.

use keebai_testkit as support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::cluster::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rotation_is_effective_on_every_replica() {
    with_replicas("a_rotation_is_effective_on_every_replica", |c| async move {
        let session = c.admin().await;
        let (old, id) = c.mint(c.a(), &session, &["messages.read"]).await;
        for r in [c.b(), c.c()] {
            // The cache starts with a replica's first authenticated request.
            assert_eq!(c.get(r, "/v1/messages", &old).await.0, StatusCode::OK);
            r.cache_in_sync().await;
            c.assert_served_from_cache(r, &old).await;
        }
        let (s, body) = c
            .send_json(
                Method::POST,
                c.a(),
                &format!("/v1/tokens/{id}/rotate"),
                &session,
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        for r in [c.b(), c.c()] {
            assert_eq!(
                c.get(r, "/v1/messages", &old).await.0,
                StatusCode::UNAUTHORIZED,
                "the old token on {} right after the rotate returned",
                r.name
            );
        }
        let new = body["token"].as_str().expect("token");
        assert_eq!(c.get(c.c(), "/v1/messages", new).await.0, StatusCode::OK);

        // The retry of a client that lost that answer, through another replica.
        let (s, body) = c
            .send_json(
                Method::POST,
                c.b(),
                &format!("/v1/tokens/{id}/rotate"),
                &session,
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        assert_eq!(c.get(c.a(), "/v1/messages", new).await.0, StatusCode::OK);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_first_use_through_one_replica_retires_the_old_token_on_all() {
    with_replicas(
        "the_first_use_through_one_replica_retires_the_old_token_on_all",
        |c| async move {
            let session = c.admin().await;
            let (old, id) = c.mint(c.a(), &session, &["messages.read"]).await;
            let (s, body) = c
                .send_json(
                    Method::POST,
                    c.a(),
                    &format!("/v1/tokens/{id}/rotate"),
                    &session,
                    json!({"retire": "on_first_use"}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
            let new = body["token"].as_str().expect("token");
            for r in [c.a(), c.b(), c.c()] {
                assert_eq!(c.get(r, "/v1/messages", &old).await.0, StatusCode::OK);
                r.cache_in_sync().await;
            }
            c.assert_served_from_cache(c.a(), &old).await;
            // First use through C: from its answer on, the old token is done everywhere.
            assert_eq!(c.get(c.c(), "/v1/messages", new).await.0, StatusCode::OK);
            for r in [c.a(), c.b(), c.c()] {
                assert_eq!(
                    c.get(r, "/v1/messages", &old).await.0,
                    StatusCode::UNAUTHORIZED,
                    "the old token on {} after the new one's first use",
                    r.name
                );
            }
            // Later uses on other replicas change nothing more.
            assert_eq!(c.get(c.a(), "/v1/messages", new).await.0, StatusCode::OK);
            assert_eq!(c.get(c.b(), "/v1/messages", new).await.0, StatusCode::OK);
        },
    )
    .await;
}
