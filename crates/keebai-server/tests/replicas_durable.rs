//! Announcements that survive the announcer (PostgreSQL): a revoke commits together with its
//! epoch bump (`store::pg_triggers`), so when the replica that revoked dies right after the
//! commit — before it could publish — every other replica still refuses the token within the
//! heartbeat fence. And only real changes are announced: re-revoking bumps nothing.
//!
//! Needs the `fault-injection` feature (the test command enables it) to kill a replica at
//! that exact point.
#![cfg(feature = "fault-injection")]

use keebai_testkit as support;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::cluster::*;

async fn epoch(c: &Cluster) -> i64 {
    c.sql()
        .await
        .query_one("SELECT epoch FROM auth_epoch WHERE id = 1", &[])
        .await
        .expect("epoch")
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revoke_is_refused_everywhere_even_if_its_replica_dies_before_publishing() {
    with_replicas(
        "a_revoke_is_refused_everywhere_even_if_its_replica_dies_before_publishing",
        |c| async move {
            let session = c.admin().await;
            let (pat, id) = c.mint(c.a(), &session, &["messages.read"]).await;
            for r in [c.b(), c.c()] {
                assert_eq!(c.get(r, "/v1/messages", &pat).await.0, StatusCode::OK);
                r.cache_in_sync().await;
                c.assert_served_from_cache(r, &pat).await;
            }
            let doomed = Replica::spawn_with_env(
                "D",
                &c.db_url,
                &[("KEEBAI_FAULT_EXIT_AFTER_COMMIT", "revoke")],
            );
            let answer = c
                .http
                .post(doomed.url(&format!("/v1/tokens/{id}/revoke")))
                .bearer_auth(&session)
                .json(&json!({}))
                .send()
                .await;
            assert!(answer.is_err(), "D died before answering: {answer:?}");
            let revoked_at: Option<i64> = c
                .sql()
                .await
                .query_one("SELECT revoked_at FROM tokens WHERE id = $1", &[&id])
                .await
                .expect("row")
                .get(0);
            assert!(revoked_at.is_some(), "the revoke committed");
            // Within the heartbeat fence (1 s) every other replica refuses it, and keeps
            // refusing: nothing waits for a 30 s cache entry to age out.
            let started = Instant::now();
            for r in [c.b(), c.c()] {
                loop {
                    let (s, _) = c.get(r, "/v1/messages", &pat).await;
                    if s == StatusCode::UNAUTHORIZED {
                        break;
                    }
                    assert!(
                        started.elapsed() < Duration::from_secs(5),
                        "replica {} still accepts the revoked token",
                        r.name
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            for _ in 0..20 {
                for r in [c.a(), c.b(), c.c()] {
                    assert_eq!(
                        c.get(r, "/v1/messages", &pat).await.0,
                        StatusCode::UNAUTHORIZED
                    );
                }
            }
            drop(doomed);
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn re_revoking_announces_nothing() {
    with_replicas("re_revoking_announces_nothing", |c| async move {
        let session = c.admin().await;
        let (_, id) = c.mint(c.a(), &session, &["messages.read"]).await;
        let path = format!("/v1/tokens/{id}/revoke");
        let before = epoch(&c).await;
        let (s, _) = c
            .send_json(Method::POST, c.a(), &path, &session, json!({}))
            .await;
        assert_eq!(s, StatusCode::OK);
        let after_first = epoch(&c).await;
        assert!(after_first > before, "the revoke was announced");
        for i in 0..20 {
            let r = [c.a(), c.b(), c.c()][i % 3];
            let (s, body) = c
                .send_json(Method::POST, r, &path, &session, json!({}))
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
            assert_eq!(body["status"], "revoked");
        }
        assert_eq!(
            epoch(&c).await,
            after_first,
            "20 idempotent revokes announced nothing"
        );
    })
    .await;
}
