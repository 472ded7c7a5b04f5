//! Conformance checks of sign-in sessions and the sign-in throttle's attempts (counted, pruned,
//! cleared, and serialised when concurrent).

use std::sync::Arc;

use super::conformance::{fixture, id};
use super::*;

pub async fn run_all(store: Arc<dyn Store>) {
    sign_in_attempts_count_prune_and_clear(&*store).await;
    sign_in_attempts_serialise_under_concurrency(store).await;
}

pub async fn sessions(store: &dyn Store) {
    let (t, _, user) = fixture(store, &[]).await;
    let s = SessionRow {
        hash: id(),
        user_id: user.id.clone(),
        tenant_id: t.id.clone(),
        created_at: 100,
        expires_at: 200,
    };
    store.insert_session(&s).await.expect("insert");
    assert_eq!(
        store.session_by_hash(&s.hash).await.expect("get"),
        Some(s.clone())
    );
    store.delete_session(&s.hash).await.expect("delete");
    assert_eq!(store.session_by_hash(&s.hash).await.expect("get"), None);
}

pub async fn sign_in_attempts_count_prune_and_clear(store: &dyn Store) {
    let account = format!("acct-{}", id());
    let other = format!("acct-{}", id());
    assert_eq!(
        store
            .begin_sign_in_attempt(&account, &id(), 100, 41)
            .await
            .expect("begin"),
        [100]
    );
    store
        .begin_sign_in_attempt(&other, &id(), 101, 42)
        .await
        .expect("begin");
    let last = id();
    assert_eq!(
        store
            .begin_sign_in_attempt(&account, &last, 120, 61)
            .await
            .expect("begin"),
        [100, 120]
    );
    store.forget_sign_in_attempt(&last).await.expect("forget");
    // The window moved past 100: it is pruned, only the new one remains.
    assert_eq!(
        store
            .begin_sign_in_attempt(&account, &id(), 170, 111)
            .await
            .expect("begin"),
        [170]
    );
    store.clear_sign_in_attempts(&account).await.expect("clear");
    assert_eq!(
        store
            .begin_sign_in_attempt(&account, &id(), 171, 112)
            .await
            .expect("begin"),
        [171]
    );
    assert_eq!(
        store
            .begin_sign_in_attempt(&other, &id(), 102, 43)
            .await
            .expect("begin"),
        [101, 102],
        "accounts are separate"
    );
}

pub async fn sign_in_attempts_serialise_under_concurrency(store: Arc<dyn Store>) {
    let account = format!("acct-{}", id());
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (store, account) = (Arc::clone(&store), account.clone());
        tasks.push(tokio::spawn(async move {
            store
                .begin_sign_in_attempt(&account, &id(), 500, 441)
                .await
                .map(|t| t.len())
        }));
    }
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.expect("join").expect("begin"));
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (1..=20).collect::<Vec<_>>(),
        "each concurrent attempt sees all earlier ones"
    );
}
