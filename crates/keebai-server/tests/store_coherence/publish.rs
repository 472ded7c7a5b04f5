//! A publish moves every live replica past the change before it returns, skips silent ones,
//! leaves credential counts alone for an older build's data-only bump, and under stress no
//! stale credential is served.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_publish_moves_every_replica_past_the_change_before_returning() {
    with_scratch(
        "postgres_publish_moves_every_replica_past_the_change_before_returning",
        |url, _admin| async move {
            let (_s1, a) = replica(&url).await;
            let (_s2, b) = replica(&url).await;
            let (_s3, c) = replica(&url).await;
            for round in 0..30 {
                let (eb, ec) = (b.current().expect("b"), c.current().expect("c"));
                let started = Instant::now();
                a.publish().await.expect("publish");
                let took = started.elapsed();
                assert!(
                    moved_past(&b, eb),
                    "round {round}: B still serves epoch {eb}"
                );
                assert!(
                    moved_past(&c, ec),
                    "round {round}: C still serves epoch {ec}"
                );
                assert!(
                    took < pg_coherence::PUBLISH_DEADLINE,
                    "round {round}: healthy replicas ack at once, took {took:?}"
                );
                // The publisher itself, too.
                assert!(moved_past(&a, eb.max(ec)));
            }
        },
    )
    .await;
}

/// A data-only bump announced by a replica of an older build (which cached message listings
/// and announced each post) moves every replica's epoch but leaves the credential count, so a
/// mixed-version cluster does not empty credential caches on every post; this build's own
/// changes move both. Rounds alternate so each kind follows the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_an_older_builds_data_only_bump_leaves_credential_counts_alone() {
    with_scratch(
        "postgres_an_older_builds_data_only_bump_leaves_credential_counts_alone",
        |url, _admin| async move {
            let (_s1, a) = replica(&url).await;
            let (_s2, b) = replica(&url).await;
            let (sql, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(conn);
            for round in 0..10 {
                let data_only = round % 2 == 0;
                wait_until("B is in sync", Duration::from_secs(5), || {
                    b.current().is_some() && b.credentials().is_some()
                })
                .await;
                let (epoch, creds) = (b.current().expect("b"), b.credentials().expect("b"));
                if data_only {
                    // What an older build's message post announced.
                    sql.batch_execute(
                        "WITH e AS (UPDATE auth_epoch SET epoch = epoch + 1, data_bumps = data_bumps + 1
                                    WHERE id = 1 RETURNING epoch, data_bumps)
                         SELECT pg_notify('keebai_auth', e.epoch::text || ':' || e.data_bumps::text) FROM e",
                    )
                    .await
                    .expect("older build's bump");
                    wait_until("B saw the epoch", Duration::from_secs(5), || {
                        b.current().is_some_and(|e| e > epoch)
                    })
                    .await;
                } else {
                    a.publish().await.expect("publish");
                    assert!(moved_past(&b, epoch), "round {round}: B's epoch moved");
                }
                wait_until("B is in sync", Duration::from_secs(5), || {
                    b.credentials().is_some()
                })
                .await;
                let now = b.credentials().expect("b");
                if data_only {
                    assert_eq!(now, creds, "round {round}: credentials stay cached");
                } else {
                    assert!(now > creds, "round {round}: a revoke moves the count");
                }
            }
        },
    )
    .await;
}

/// Who a publish waits for: a replica row whose beat moves but never acks is waited for until
/// the deadline; one whose beat stopped (a crashed replica) is skipped once it has been silent
/// for `LIVE`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_publish_waits_for_live_replicas_and_skips_silent_ones() {
    with_scratch(
        "postgres_publish_waits_for_live_replicas_and_skips_silent_ones",
        |url, admin| async move {
            let (_s1, a) = replica(&url).await;
            admin
                .execute(
                    "INSERT INTO replicas (id, beat, acked_epoch) VALUES ('crashed', 1, 0)",
                    &[],
                )
                .await
                .expect("insert a crashed replica's row");
            tokio::time::sleep(pg_coherence::LIVE + Duration::from_millis(500)).await;
            let started = Instant::now();
            a.publish().await.expect("publish");
            assert!(
                started.elapsed() < Duration::from_millis(700),
                "a silent row is not waited for: {:?}",
                started.elapsed()
            );

            // A replica that beats but never acks: the publish waits for it until the deadline.
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let beater = {
                let stop = Arc::clone(&stop);
                let url = url.clone();
                tokio::spawn(async move {
                    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                        .await
                        .expect("connect");
                    tokio::spawn(conn);
                    let mut beat = 1i64;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        client
                            .execute(
                                "INSERT INTO replicas (id, beat, acked_epoch) VALUES ('deaf', $1, 0)
                                 ON CONFLICT (id) DO UPDATE SET beat = EXCLUDED.beat",
                                &[&beat],
                            )
                            .await
                            .expect("beat");
                        beat += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                })
            };
            tokio::time::sleep(Duration::from_millis(300)).await;
            let started = Instant::now();
            a.publish().await.expect("publish");
            let took = started.elapsed();
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            beater.await.expect("beater");
            assert!(
                took >= pg_coherence::PUBLISH_DEADLINE - Duration::from_millis(50),
                "a live replica that has not acked is waited for: {took:?}"
            );
        },
    )
    .await;
}

/// The domain's credential cache (`AuthCache`) on three stores of one database, stressed over
/// many rounds: readers on B and C keep reading one token through their caches while A revokes
/// it and publishes; no read that started after the publish returned may see the token
/// unrevoked. Some rounds kill B's listener or freeze C's listener backend right before the
/// revoke, so the reconnect and the time fence are exercised at random points too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_no_stale_credential_is_served_after_a_publish_under_stress() {
    use keebai_server::domain::auth_cache::{AuthCache, Source};
    use keebai_server::store::Store;
    use std::collections::BTreeSet;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    with_scratch(
        "postgres_no_stale_credential_is_served_after_a_publish_under_stress",
        |url, admin| async move {
            let (sa, _a) = replica(&url).await;
            let (sb, b) = replica(&url).await;
            let (sc, c) = replica(&url).await;
            let (_, _, user) = conformance::fixture(&sa, &["messages.read"]).await;
            let cache_a = AuthCache::new(sa.cache_coherence());
            let stores: Vec<(Arc<PgStore>, Arc<AuthCache>)> = [sb.clone(), sc.clone()]
                .into_iter()
                .map(|s| {
                    let cache = Arc::new(AuthCache::new(s.cache_coherence()));
                    (Arc::new(s), cache)
                })
                .collect();
            // The token of the current round; readers follow it.
            let current: Arc<Mutex<(usize, String)>> =
                Arc::new(Mutex::new((usize::MAX, String::new())));
            let stop = Arc::new(AtomicBool::new(false));
            // (round, started, revoked as seen, from the cache)
            type Seen = (usize, Instant, bool, bool);
            let mut readers = Vec::new();
            for r in 0..6 {
                let (store, cache) = stores[r % 2].clone();
                let (current, stop, user) = (Arc::clone(&current), Arc::clone(&stop), user.clone());
                readers.push(tokio::spawn(async move {
                    let mut seen: Vec<Seen> = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let (round, hash) = current.lock().expect("lock").clone();
                        if round == usize::MAX {
                            tokio::task::yield_now().await;
                            continue;
                        }
                        let started = Instant::now();
                        let epoch = cache.epoch();
                        if let Some(entry) = cache.get(&hash) {
                            let Source::Pat(t) = &entry.source else {
                                panic!("a PAT")
                            };
                            seen.push((round, started, t.revoked_at.is_some(), true));
                            // About a thousand reads a second per reader: load, not a spin.
                            tokio::time::sleep(Duration::from_micros(500)).await;
                            continue;
                        }
                        let t = store
                            .token_by_hash(&hash)
                            .await
                            .expect("read")
                            .expect("the token exists");
                        seen.push((round, started, t.revoked_at.is_some(), false));
                        cache.put(
                            hash,
                            Source::Pat(Box::new(t)),
                            user.clone(),
                            BTreeSet::new(),
                            epoch,
                        );
                    }
                    seen
                }));
            }
            let rounds = 40;
            let mut published = Vec::new();
            for round in 0..rounds {
                let token = conformance::token_for(&user, 1);
                assert!(sa
                    .insert_token_within_limit(&token, 2, 10)
                    .await
                    .expect("insert"));
                *current.lock().expect("lock") = (round, token.hash.clone());
                tokio::time::sleep(Duration::from_millis(40)).await;
                let mut frozen = None;
                if round % 5 == 1 {
                    let pid = listener_pid(&admin, &b).await;
                    admin
                        .execute("SELECT pg_terminate_backend($1)", &[&pid])
                        .await
                        .expect("terminate");
                }
                if round % 7 == 3 {
                    let pid = listener_pid(&admin, &c).await;
                    std::process::Command::new("kill")
                        .args(["-STOP", &pid.to_string()])
                        .status()
                        .expect("kill -STOP");
                    frozen = Some(pid);
                }
                sa.revoke_token(&token.id, 3).await.expect("revoke");
                let publish = cache_a.invalidate().await;
                published.push(Instant::now());
                tokio::time::sleep(Duration::from_millis(40)).await;
                if let Some(pid) = frozen {
                    std::process::Command::new("kill")
                        .args(["-CONT", &pid.to_string()])
                        .status()
                        .expect("kill -CONT");
                }
                publish.expect("publish");
            }
            stop.store(true, Ordering::Relaxed);
            let (mut stale, mut hits, mut total) = (Vec::new(), 0usize, 0usize);
            for r in readers {
                for (round, started, revoked, cached) in r.await.expect("join") {
                    total += 1;
                    hits += usize::from(cached);
                    if started >= published[round] && !revoked {
                        stale.push((round, cached));
                    }
                }
            }
            eprintln!("{total} reads, {hits} from the caches, over {rounds} revokes");
            assert!(
                stale.is_empty(),
                "{} stale reads after a publish, (round, from the cache) first: {:?}",
                stale.len(),
                &stale[..stale.len().min(10)]
            );
            // Rounds start cold and the kill/freeze rounds turn caches off for a while, so
            // not every read can hit; a quarter proves the caches really served.
            assert!(hits * 4 > total, "reads from the caches: {hits} of {total}");
        },
    )
    .await;
}
