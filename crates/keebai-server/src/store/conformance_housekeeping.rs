//! Conformance checks of the housekeeping the sign-in rules need: the per-user session cap
//! and the pruning of expired sessions and old sign-in attempts. The checks share a database
//! with others, so they look only at their own rows.

use super::conformance::fixture;
use super::*;

fn session(user: &UserRow, created_at: i64, expires_at: i64) -> SessionRow {
    SessionRow {
        hash: uuid::Uuid::now_v7().simple().to_string(),
        user_id: user.id.clone(),
        tenant_id: user.tenant_id.clone(),
        created_at,
        expires_at,
    }
}

pub async fn run_all(store: &dyn Store) {
    oldest_sessions_end_beyond_the_cap(store).await;
    expired_sessions_and_old_attempts_are_pruned(store).await;
}

pub async fn oldest_sessions_end_beyond_the_cap(store: &dyn Store) {
    let (_, _, user) = fixture(store, &[]).await;
    let (_, _, other) = fixture(store, &[]).await;
    let all: Vec<_> = (0..5).map(|i| session(&user, 100 + i, i64::MAX)).collect();
    for s in &all {
        store.insert_session(s).await.expect("insert");
    }
    let bystander = session(&other, 1, i64::MAX);
    store.insert_session(&bystander).await.expect("insert");
    assert_eq!(
        store.end_oldest_sessions(&user.id, 3).await.expect("cap"),
        2
    );
    for (i, s) in all.iter().enumerate() {
        let kept = store.session_by_hash(&s.hash).await.expect("get").is_some();
        assert_eq!(kept, i >= 2, "session {i}");
    }
    assert!(store
        .session_by_hash(&bystander.hash)
        .await
        .expect("get")
        .is_some());
    assert_eq!(
        store.end_oldest_sessions(&user.id, 3).await.expect("cap"),
        0
    );
}

pub async fn expired_sessions_and_old_attempts_are_pruned(store: &dyn Store) {
    let (_, _, user) = fixture(store, &[]).await;
    let now = 50_000;
    let expired = session(&user, 10, now);
    let live = session(&user, 10, now + 1);
    store.insert_session(&expired).await.expect("insert");
    store.insert_session(&live).await.expect("insert");
    let account = format!("conformance-{}", uuid::Uuid::now_v7());
    let old = format!("{account}-old");
    let recent = format!("{account}-recent");
    store
        .begin_sign_in_attempt(&account, &old, now - 4000, 0)
        .await
        .expect("old");
    store
        .begin_sign_in_attempt(&account, &recent, now - 10, 0)
        .await
        .expect("recent");
    let pruned = store
        .prune_sessions_and_attempts(now, now - 3600)
        .await
        .expect("prune");
    assert!(pruned >= 2, "{pruned}");
    assert!(store
        .session_by_hash(&expired.hash)
        .await
        .expect("get")
        .is_none());
    assert!(store
        .session_by_hash(&live.hash)
        .await
        .expect("get")
        .is_some());
    let left = store
        .begin_sign_in_attempt(&account, &format!("{account}-probe"), now, 0)
        .await
        .expect("probe");
    assert_eq!(
        left,
        [now - 10, now],
        "the old attempt went, the recent one stayed"
    );
}
