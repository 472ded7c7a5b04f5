//! A replica whose listener connection is killed stops caching and recovers; one whose
//! listener stalls is fenced by time.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_replica_whose_listener_is_killed_stops_caching_and_recovers() {
    with_scratch(
        "postgres_a_replica_whose_listener_is_killed_stops_caching_and_recovers",
        |url, admin| async move {
            let (_s1, a) = replica(&url).await;
            let (_s2, b) = replica(&url).await;
            let pid = listener_pid(&admin, &b).await;
            let before = b.current().expect("in sync");
            admin
                .execute("SELECT pg_terminate_backend($1)", &[&pid])
                .await
                .expect("terminate the listener");
            // A publish racing with the kill: still effective on B when it returns.
            a.publish().await.expect("publish");
            assert!(moved_past(&b, before), "B serves a stale epoch");
            // B reconnects on a new backend and caches again, at the new epoch.
            wait_until("B back in sync", Duration::from_secs(5), || {
                b.current().is_some_and(|e| e > before)
            })
            .await;
            let new_pid = listener_pid(&admin, &b).await;
            assert_ne!(pid, new_pid, "a new listener connection");
            // Killed with no publish in flight: B's cache is off until it has resynced.
            let pid = new_pid;
            admin
                .execute("SELECT pg_terminate_backend($1)", &[&pid])
                .await
                .expect("terminate the listener");
            wait_until("B's cache off", Duration::from_secs(2), || {
                b.current().is_none()
            })
            .await;
            wait_until("B back in sync", Duration::from_secs(5), || {
                b.current().is_some()
            })
            .await;
            let before = b.current().expect("in sync");
            a.publish().await.expect("publish");
            assert!(moved_past(&b, before));
        },
    )
    .await;
}

/// SIGSTOP on the backend of B's listener: B's connection looks open but nothing moves, so
/// neither its acks nor its heartbeats arrive. The publish still returns (within the deadline)
/// and by then B's cache has fenced itself by time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_replica_with_a_stalled_listener_is_fenced_by_time() {
    with_scratch(
        "postgres_a_replica_with_a_stalled_listener_is_fenced_by_time",
        |url, admin| async move {
            let (_s1, a) = replica(&url).await;
            let (_s2, b) = replica(&url).await;
            let pid = listener_pid(&admin, &b).await;
            let before = b.current().expect("in sync");
            let signal = |sig: &str| {
                let ok = std::process::Command::new("kill")
                    .args([sig, &pid.to_string()])
                    .status()
                    .expect("run kill")
                    .success();
                assert!(
                    ok,
                    "kill {sig} {pid} (the tests run as root or as postgres)"
                );
            };
            signal("-STOP");
            let started = Instant::now();
            let published = a.publish().await;
            let took = started.elapsed();
            let fenced = moved_past(&b, before);
            signal("-CONT");
            eprintln!("publish with a stalled replica took {took:?}");
            published.expect("publish");
            assert!(
                fenced,
                "B still served epoch {before} after the publish returned"
            );
            assert!(
                took <= pg_coherence::PUBLISH_DEADLINE + Duration::from_millis(500),
                "a stalled replica delays a publish by at most the deadline: {took:?}"
            );
            wait_until("B back in sync", Duration::from_secs(8), || {
                b.current().is_some_and(|e| e > before)
            })
            .await;
        },
    )
    .await;
}
