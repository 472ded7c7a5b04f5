//! The credential cache's coherence protocol across three real `keebai-server` replicas on one
//! PostgreSQL database, driven over HTTP (the rest of the cross-replica rules are in
//! `tests/replicas.rs`):
//!
//! * revocation through A is effective on B and C before the revoke call returns, under load
//!   served from their credential caches (proven by a change made behind the caches' back);
//! * a message posted through A is in the very next listing on B and C, under load;
//! * a permission taken from a role through A is gone on B at the very next request;
//! * the same with B's cache-coherence listener killed or stalled at the moment of the revoke.
//!
//! PostgreSQL only: needs `KEEBAI_TEST_PG_URL` (see `scripts/pg.sh`). Without it each test
//! prints a skip notice, or fails when `KEEBAI_REQUIRE_PG=1` (CI). The tests take a shared lock
//! so only one trio of servers runs at a time on small CI machines.

use keebai_testkit as support;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::cluster::*;

/// Constant load until `stop`: `workers` tasks send `GET /v1/messages` with `pat`, worker `w`
/// to replica `on[w % on.len()]`; each records (start time, `observe(status, body)`) per
/// request.
fn messages_load<T: Send + 'static>(
    c: &Arc<Cluster>,
    on: &'static [usize],
    workers: usize,
    pat: &str,
    stop: &Arc<AtomicBool>,
    observe: fn(StatusCode, &Value) -> T,
) -> Vec<tokio::task::JoinHandle<Vec<(Instant, T)>>> {
    (0..workers)
        .map(|w| {
            let (c, pat, stop) = (Arc::clone(c), pat.to_owned(), Arc::clone(stop));
            tokio::spawn(async move {
                let replica = &c.replicas[on[w % on.len()]];
                let mut seen = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let (status, body) = c.get(replica, "/v1/messages", &pat).await;
                    seen.push((started, observe(status, &body)));
                }
                seen
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn revocation_is_immediate_on_every_replica_under_load() {
    with_replicas(
        "revocation_is_immediate_on_every_replica_under_load",
        |c| async move {
            let session = c.admin().await;
            let (pat, id) = c.mint(c.a(), &session, &["messages.read"]).await;
            let c = Arc::new(c);
            let stop = Arc::new(AtomicBool::new(false));
            // (started, status) of every request, from 8 workers on B and C.
            let workers = messages_load(&c, &[1, 2], 8, &pat, &stop, |status, _| status);
            tokio::time::sleep(Duration::from_millis(700)).await;
            // The load is really served from the caches of B and C (not the database).
            for r in [c.b(), c.c()] {
                r.cache_in_sync().await;
                c.assert_served_from_cache(r, &pat).await;
            }
            let (status, record) = c
                .send_json(
                    reqwest::Method::POST,
                    c.a(),
                    &format!("/v1/tokens/{id}/revoke"),
                    &session,
                    json!({}),
                )
                .await;
            let revoked = Instant::now();
            assert_eq!(status, StatusCode::OK, "{record}");
            assert_eq!(record["status"], "revoked");
            let (next_on_b, body) = c.get(c.b(), "/v1/messages", &pat).await;
            assert_eq!(
                next_on_b,
                StatusCode::UNAUTHORIZED,
                "the very next request on B: {body}"
            );
            tokio::time::sleep(Duration::from_millis(700)).await;
            stop.store(true, Ordering::Relaxed);
            let mut before_ok = 0;
            let mut after = Vec::new();
            for w in workers {
                for (started, status) in w.await.expect("join") {
                    if started >= revoked {
                        after.push(status);
                    } else if status == StatusCode::OK {
                        before_ok += 1;
                    }
                }
            }
            assert!(
                before_ok > 20,
                "the load was real: {before_ok} successes before"
            );
            assert!(
                after.len() > 20,
                "and went on: {} requests after",
                after.len()
            );
            let ok_after = after.iter().filter(|s| **s == StatusCode::OK).count();
            assert_eq!(
                ok_after,
                0,
                "no success after the revoke call returned ({} requests)",
                after.len()
            );
            assert!(
                after.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
                "every later request is 401: {after:?}"
            );
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_message_posted_through_one_replica_is_in_the_next_listing_on_every_replica() {
    with_replicas(
        "a_message_posted_through_one_replica_is_in_the_next_listing_on_every_replica",
        |c| async move {
            let session = c.admin().await;
            let (pat, _) = c
                .mint(c.a(), &session, &["messages.read", "messages.write"])
                .await;
            let c = Arc::new(c);
            let stop = Arc::new(AtomicBool::new(false));
            // (started, listing held the new message) of every listing, from 8 workers on B, C.
            let workers = messages_load(&c, &[1, 2], 8, &pat, &stop, |status, list| {
                assert_eq!(status, StatusCode::OK, "{list}");
                list.to_string().contains("posted through A")
            });
            tokio::time::sleep(Duration::from_millis(700)).await;
            let (status, posted) = c
                .send_json(
                    reqwest::Method::POST,
                    c.a(),
                    "/v1/messages",
                    &pat,
                    json!({"body": "posted through A"}),
                )
                .await;
            let answered = Instant::now();
            assert_eq!(status, StatusCode::CREATED, "{posted}");
            for r in [c.b(), c.c()] {
                let (_, list) = c.get(r, "/v1/messages", &pat).await;
                assert_eq!(
                    list["messages"][0]["body"], "posted through A",
                    "the very next listing on {}: {list}",
                    r.name
                );
            }
            tokio::time::sleep(Duration::from_millis(700)).await;
            stop.store(true, Ordering::Relaxed);
            let (mut before, mut after, mut stale_after) = (0, 0, 0);
            for w in workers {
                for (started, has_it) in w.await.expect("join") {
                    if started < answered {
                        before += 1;
                    } else {
                        after += 1;
                        stale_after += usize::from(!has_it);
                    }
                }
            }
            assert!(
                before > 20 && after > 20,
                "real load: {before} before, {after} after"
            );
            assert_eq!(
                stale_after, 0,
                "no listing started after the post answered may miss it ({after} listings)"
            );
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_permission_removed_through_one_replica_is_gone_on_the_others() {
    with_replicas(
        "a_permission_removed_through_one_replica_is_gone_on_the_others",
        |c| async move {
            let admin = c.admin().await;
            let (status, role) = c
                .send_json(
                    reqwest::Method::POST,
                    c.a(),
                    "/v1/roles",
                    &admin,
                    json!({"name": "Readers", "permissions": ["developer.manage_tokens", "messages.read"]}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{role}");
            let role_id = role["id"].as_str().expect("role id").to_owned();
            let (status, user) = c
                .send_json(
                    reqwest::Method::POST,
                    c.a(),
                    "/v1/users",
                    &admin,
                    json!({"email": "reader@acme.test", "name": "Reader",
                           "password": "reader-password-for-tests", "role_ids": [role_id]}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{user}");
            let reader = c
                .sign_in(c.b(), "reader@acme.test", "reader-password-for-tests")
                .await;
            let (pat, _) = c.mint(c.b(), &reader, &["messages.read"]).await;
            for r in [c.b(), c.c()] {
                let (status, body) = c.get(r, "/v1/messages", &pat).await;
                assert_eq!(status, StatusCode::OK, "replica {}: {body}", r.name);
                r.cache_in_sync().await;
                c.assert_served_from_cache(r, &pat).await;
            }
            let (status, body) = c
                .send_json(
                    reqwest::Method::PUT,
                    c.a(),
                    &format!("/v1/roles/{role_id}"),
                    &admin,
                    json!({"permissions": ["developer.manage_tokens"]}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            for r in [c.b(), c.c()] {
                let (status, body) = c.get(r, "/v1/messages", &pat).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "replica {}: {body}", r.name);
                assert_eq!(body["error"]["code"], "forbidden");
            }
            // And back: granting it again through A works on B at once too.
            let (status, _) = c
                .send_json(
                    reqwest::Method::PUT,
                    c.a(),
                    &format!("/v1/roles/{role_id}"),
                    &admin,
                    json!({"permissions": ["developer.manage_tokens", "messages.read"]}),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
            let (status, _) = c.get(c.b(), "/v1/messages", &pat).await;
            assert_eq!(status, StatusCode::OK);
        },
    )
    .await;
}

/// The backend pid of a replica's listener connection (other than `not`), by its
/// application_name.
async fn listener_pid(sql: &tokio_postgres::Client, replica_id: &str, not: Option<i32>) -> i32 {
    let name = format!("keebai-server coherence {replica_id}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rows = sql
            .query(
                "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
                &[&name],
            )
            .await
            .expect("pg_stat_activity");
        if let Some(pid) = rows
            .iter()
            .map(|r| r.get::<_, i32>(0))
            .find(|p| Some(*p) != not)
        {
            return pid;
        }
        assert!(Instant::now() < deadline, "no listener connection `{name}`");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn signal(sig: &str, pid: i32) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .expect("run kill")
        .success();
    assert!(
        ok,
        "kill {sig} {pid} (the tests run as root or as postgres)"
    );
}

/// B's listener connection is killed (`pg_terminate_backend`), then in a second round stalled
/// (SIGSTOP on its PostgreSQL backend: the socket stays open but nothing moves), while B serves
/// a token from its cache under load; a revoke through A right then still leaves no 200 on B for
/// any request started after it returned.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_whose_listener_is_killed_or_stalled_never_serves_a_revoked_token() {
    with_replicas(
        "a_replica_whose_listener_is_killed_or_stalled_never_serves_a_revoked_token",
        |c| async move {
            let session = c.admin().await;
            let sql = c.sql().await;
            let c = Arc::new(c);
            let mut old_pid = None;
            for stall in [false, true] {
                let (pat, id) = c.mint(c.a(), &session, &["messages.read"]).await;
                assert_eq!(c.get(c.b(), "/v1/messages", &pat).await.0, StatusCode::OK);
                let replica_id = c.b().cache_in_sync().await;
                c.assert_served_from_cache(c.b(), &pat).await;
                let pid = listener_pid(&sql, &replica_id, old_pid).await;
                old_pid = Some(pid);

                let stop = Arc::new(AtomicBool::new(false));
                let workers = messages_load(&c, &[1], 4, &pat, &stop, |status, _| status);
                tokio::time::sleep(Duration::from_millis(300)).await;
                let mark = c.b().log_len();
                // Resumes the backend however this round ends (a stopped backend would block
                // dropping the database).
                struct Resume(Option<i32>);
                impl Drop for Resume {
                    fn drop(&mut self) {
                        if let Some(pid) = self.0.take() {
                            let _ = Command::new("kill")
                                .args(["-CONT", &pid.to_string()])
                                .status();
                        }
                    }
                }
                let mut resume = Resume(None);
                if stall {
                    signal("-STOP", pid);
                    resume.0 = Some(pid);
                } else {
                    sql.execute("SELECT pg_terminate_backend($1)", &[&pid])
                        .await
                        .expect("terminate B's listener");
                }
                let (status, record) = c
                    .send_json(
                        reqwest::Method::POST,
                        c.a(),
                        &format!("/v1/tokens/{id}/revoke"),
                        &session,
                        json!({}),
                    )
                    .await;
                let revoked = Instant::now();
                let (next_on_b, body) = c.get(c.b(), "/v1/messages", &pat).await;
                tokio::time::sleep(Duration::from_millis(300)).await;
                drop(resume);
                stop.store(true, Ordering::Relaxed);
                assert_eq!(status, StatusCode::OK, "{record}");
                assert_eq!(
                    next_on_b,
                    StatusCode::UNAUTHORIZED,
                    "stalled: {stall}; the very next request on B: {body}"
                );
                let (mut before_ok, mut after) = (0, Vec::new());
                for w in workers {
                    for (started, status) in w.await.expect("join") {
                        if started >= revoked {
                            after.push(status);
                        } else if status == StatusCode::OK {
                            before_ok += 1;
                        }
                    }
                }
                assert!(before_ok > 20, "the load was real: {before_ok} before");
                assert!(
                    after.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
                    "stalled: {stall}; every request started after the revoke returned is 401: \
                     {after:?}"
                );
                // B noticed, turned its cache off, and came back on a new connection.
                c.b()
                    .wait_for_event(mark, CACHE_OFF, Duration::from_secs(10))
                    .await;
                c.b()
                    .wait_for_event(mark, CACHE_IN_SYNC, Duration::from_secs(10))
                    .await;
            }
        },
    )
    .await;
}
