//! The conformance checks for token usage (`last_used_at`, its address, hourly counts): part
//! of [`super::conformance::run_all`], kept apart because the merge rules are their own topic.

use std::sync::Arc;

use super::conformance::{fixture, token_for};
use super::*;

/// Runs every usage check against `store`.
pub async fn run_all(store: Arc<dyn Store>) {
    last_used_only_moves_forward_with_its_address(&*store).await;
    hourly_counts_add_up_and_old_hours_are_pruned(&*store).await;
    concurrent_flushes_lose_no_count(Arc::clone(&store)).await;
    addresses_merge_and_keep_the_most_recent(&*store).await;
}

pub async fn addresses_merge_and_keep_the_most_recent(store: &dyn Store) {
    let t = new_token(store).await;
    let seen = |ip: &str, first: i64, last: i64, count: u64| AddressUse {
        ip: ip.to_owned(),
        first_seen: first,
        last_seen: last,
        count,
    };
    let batch = |addresses: Vec<AddressUse>| TokenUse {
        token_id: t.id.clone(),
        last_at: addresses.iter().map(|a| a.last_seen).max().unwrap_or(0),
        last_ip: None,
        hours: Vec::new(),
        addresses,
    };
    store
        .record_token_use(&[batch(vec![seen("10.0.0.1", 100, 200, 3)])])
        .await
        .expect("first");
    // Another replica's batch: an earlier first sighting, a later last one, counts add.
    store
        .record_token_use(&[
            batch(vec![
                seen("10.0.0.1", 50, 150, 2),
                seen("10.0.0.2", 300, 300, 1),
            ]),
            batch(vec![seen("10.0.0.1", 120, 400, 1)]),
        ])
        .await
        .expect("second");
    let got = store.token_addresses(&t.id).await.expect("read");
    assert_eq!(
        got,
        [seen("10.0.0.1", 50, 400, 6), seen("10.0.0.2", 300, 300, 1)],
        "most recently seen first"
    );
    // 60 more addresses: only the 50 most recently seen stay.
    let many: Vec<_> = (0..60)
        .map(|i| seen(&format!("192.0.2.{i}"), 1000 + i, 1000 + i, 1))
        .collect();
    store.record_token_use(&[batch(many)]).await.expect("many");
    let got = store.token_addresses(&t.id).await.expect("read");
    assert_eq!(got.len(), MAX_ADDRESSES as usize);
    assert_eq!(got[0].ip, "192.0.2.59");
    assert_eq!(got[49].ip, "192.0.2.10");
    assert!(
        got.iter().all(|a| !a.ip.starts_with("10.")),
        "the oldest went"
    );
}

fn use_of(token: &TokenRow, at: i64, ip: &str, hours: &[(i64, u64)]) -> TokenUse {
    TokenUse {
        token_id: token.id.clone(),
        last_at: at,
        last_ip: Some(ip.to_owned()),
        hours: hours.to_vec(),
        addresses: vec![AddressUse {
            ip: ip.to_owned(),
            first_seen: at,
            last_seen: at,
            count: hours.iter().map(|(_, n)| n).sum(),
        }],
    }
}

async fn new_token(store: &dyn Store) -> TokenRow {
    let (_, _, user) = fixture(store, &[]).await;
    let t = token_for(&user, 10);
    assert!(store
        .insert_token_within_limit(&t, 10, 10)
        .await
        .expect("insert"));
    t
}

async fn last_used(store: &dyn Store, t: &TokenRow) -> (Option<i64>, Option<String>) {
    let row = store.token(&t.id).await.expect("get").expect("row");
    (row.last_used_at, row.last_used_ip)
}

pub async fn last_used_only_moves_forward_with_its_address(store: &dyn Store) {
    let t = new_token(store).await;
    let w = store
        .record_token_use(&[use_of(&t, 500, "10.0.0.1", &[(0, 1)])])
        .await
        .expect("record");
    assert_eq!(
        w,
        UseWrites {
            last_used: 1,
            buckets: 1
        }
    );
    let missing = TokenUse {
        token_id: "no-such-token".into(),
        last_at: 900,
        last_ip: None,
        hours: vec![(0, 5)],
        addresses: Vec::new(),
    };
    let w = store
        .record_token_use(&[use_of(&t, 400, "10.0.0.2", &[(0, 1)]), missing])
        .await
        .expect("a use of a token that is gone is ignored, not an error");
    assert_eq!(
        w,
        UseWrites {
            last_used: 0,
            buckets: 1
        }
    );
    assert_eq!(
        last_used(store, &t).await,
        (Some(500), Some("10.0.0.1".into())),
        "an earlier time (and its address) never overwrites a later one"
    );
    store
        .record_token_use(&[use_of(&t, 600, "10.0.0.2", &[(0, 1)])])
        .await
        .expect("record");
    assert_eq!(
        last_used(store, &t).await,
        (Some(600), Some("10.0.0.2".into()))
    );
    assert_eq!(
        store.token_usage(&t.id, 0).await.expect("usage"),
        vec![(0, 3)]
    );
}

pub async fn hourly_counts_add_up_and_old_hours_are_pruned(store: &dyn Store) {
    let (t, other) = (new_token(store).await, new_token(store).await);
    // Two "replicas" flush overlapping hours; one batch even names the token twice.
    store
        .record_token_use(&[
            use_of(&t, 3700, "10.0.0.1", &[(3600, 2), (7200, 1)]),
            use_of(&other, 3700, "10.0.0.9", &[(3600, 9)]),
        ])
        .await
        .expect("record");
    store
        .record_token_use(&[
            use_of(&t, 7300, "10.0.0.1", &[(7200, 4)]),
            use_of(&t, 7250, "10.0.0.3", &[(7200, 2), (10800, 1)]),
        ])
        .await
        .expect("record");
    assert_eq!(
        store.token_usage(&t.id, 0).await.expect("usage"),
        vec![(3600, 2), (7200, 7), (10800, 1)]
    );
    let row = store.token(&t.id).await.expect("get").expect("row");
    assert_eq!(
        row.last_used_ip.as_deref(),
        Some("10.0.0.1"),
        "the latest use's address"
    );
    assert_eq!(
        store.token_usage(&t.id, 7200).await.expect("usage"),
        vec![(7200, 7), (10800, 1)],
        "from the given hour on"
    );
    assert_eq!(
        store.token_usage(&other.id, 0).await.expect("usage"),
        vec![(3600, 9)],
        "tokens are counted apart"
    );
    // The suite shares one database: prune only hours no other check uses.
    let pruned = store.prune_usage(7200).await.expect("prune");
    assert!(pruned >= 2, "the two 3600 hours at least: {pruned}");
    assert_eq!(
        store.token_usage(&t.id, 0).await.expect("usage"),
        vec![(7200, 7), (10800, 1)]
    );
    assert!(store
        .token_usage(&other.id, 0)
        .await
        .expect("usage")
        .is_empty());
    assert_eq!(
        store
            .token_usage(&"no-such-token".into(), 0)
            .await
            .expect("usage"),
        Vec::new()
    );
}

/// Eight flushers (replicas) writing overlapping batches in opposite token orders: nothing
/// deadlocks for good, nothing is lost, the latest time wins.
pub async fn concurrent_flushes_lose_no_count(store: Arc<dyn Store>) {
    let (a, b) = (new_token(&*store).await, new_token(&*store).await);
    let mut tasks = Vec::new();
    for f in 0..8i64 {
        let (store, a, b) = (Arc::clone(&store), a.clone(), b.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..25i64 {
                let at = 1_000_000 + f * 100 + i;
                let ip = format!("10.0.{f}.{i}");
                let mut batch = vec![
                    use_of(&a, at, &ip, &[(0, 1)]),
                    use_of(&b, at, &ip, &[(0, 1)]),
                ];
                if f % 2 == 1 {
                    batch.reverse();
                }
                store.record_token_use(&batch).await.expect("flush");
            }
        }));
    }
    for t in tasks {
        t.await.expect("join");
    }
    for t in [&a, &b] {
        let hours = store.token_usage(&t.id, 0).await.expect("usage");
        assert_eq!(hours, vec![(0, 200)], "every count arrives");
        let row = store.token(&t.id).await.expect("get").expect("row");
        assert_eq!(row.last_used_ip.as_deref(), Some("10.0.7.24"));
        assert_eq!(row.last_used_at, Some(1_000_724), "the latest time wins");
    }
}
