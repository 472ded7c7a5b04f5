//! The conformance checks of [`Store::rotate_token`] and [`Store::retire_predecessor`]: each
//! outcome, that refusals change nothing, and that concurrent rotations of one token make
//! exactly one replacement on every engine.

use std::sync::Arc;

use super::conformance::{fixture, token_for};
use super::*;

pub async fn run_all(store: Arc<dyn Store>) {
    rotation_outcomes(&*store).await;
    first_use_retires_the_predecessor(&*store).await;
    concurrent_rotations_make_one_replacement(store).await;
}

fn successor(old: &TokenRow, now: i64) -> TokenRow {
    let mut new = token_for_user(old, now);
    new.rotated_from = Some(old.id.clone());
    new.expires_at = Some(now + 1000);
    new
}

fn token_for_user(old: &TokenRow, now: i64) -> TokenRow {
    let mut t = token_for(
        &UserRow {
            id: old.user_id.clone(),
            tenant_id: old.tenant_id.clone(),
            email: String::new(),
            name: String::new(),
            password_hash: String::new(),
            role_ids: Vec::new(),
            disabled: false,
        },
        now,
    );
    t.name = old.name.clone();
    t
}

fn rotation(old: &TokenRow, retire: Retirement, now: i64, limit: u32) -> Rotation {
    Rotation {
        old_id: old.id.clone(),
        new: successor(old, now),
        retire,
        now,
        limit,
    }
}

async fn insert(store: &dyn Store, t: &TokenRow) {
    assert!(store
        .insert_token_within_limit(t, t.created_at, u32::MAX)
        .await
        .expect("insert"));
}

pub async fn rotation_outcomes(store: &dyn Store) {
    let (_, _, user) = fixture(store, &["messages.read"]).await;
    let now = 10_000;
    let old = token_for(&user, 100);
    insert(store, &old).await;

    // Revoked at once.
    let r = rotation(&old, Retirement::Now, now, 10);
    let RotationOutcome::Rotated { old: o, new: n } = store.rotate_token(&r).await.expect("rotate")
    else {
        panic!("rotation_outcomes: expected a rotation")
    };
    assert_eq!(o.revoked_at, Some(now));
    assert_eq!(o.replaced_by.as_ref(), Some(&n.id));
    assert_eq!(n.rotated_from.as_ref(), Some(&old.id));
    let stored_new = store.token(&n.id).await.expect("read").expect("new");
    assert_eq!(stored_new, *n);

    // A second rotation of the replaced token: refused, nothing written.
    let again = rotation(&old, Retirement::Now, now + 1, 10);
    assert_eq!(
        store.rotate_token(&again).await.expect("rotate"),
        RotationOutcome::AlreadyReplaced(n.id.clone())
    );
    assert_eq!(store.token(&again.new.id).await.expect("read"), None);

    // Not active (revoked or expired): refused.
    let revoked = token_for(&user, 100);
    insert(store, &revoked).await;
    store.revoke_token(&revoked.id, 200).await.expect("revoke");
    let r = rotation(&revoked, Retirement::Now, now, 10);
    assert_eq!(
        store.rotate_token(&r).await.expect("rotate"),
        RotationOutcome::NotActive
    );
    let mut expired = token_for(&user, 100);
    expired.expires_at = Some(now);
    insert(store, &expired).await;
    let r = rotation(&expired, Retirement::Now, now, 10);
    assert_eq!(
        store.rotate_token(&r).await.expect("rotate"),
        RotationOutcome::NotActive
    );
    let mut missing = token_for(&user, 100);
    missing.id = "no-such-token".into();
    let r = rotation(&missing, Retirement::Now, now, 10);
    assert_eq!(
        store.rotate_token(&r).await.expect("rotate"),
        RotationOutcome::NotFound
    );

    // A grace keeps the old token active: the limit counts it. `n` is the one active token.
    let graced = rotation(&n, Retirement::At(now + 60), now, 1);
    assert_eq!(
        store.rotate_token(&graced).await.expect("rotate"),
        RotationOutcome::LimitReached
    );
    let unchanged = store.token(&n.id).await.expect("read").expect("n");
    assert_eq!(unchanged, *n, "a refused rotation changes nothing");
    let RotationOutcome::Rotated { old: o, .. } = store
        .rotate_token(&rotation(&n, Retirement::At(now + 60), now, 10))
        .await
        .expect("rotate")
    else {
        panic!("rotation_outcomes: a grace under the limit rotates")
    };
    assert_eq!((o.expires_at, o.revoked_at), (Some(now + 60), None));
    assert!(o.is_active(now + 59) && !o.is_active(now + 60));
}

pub async fn first_use_retires_the_predecessor(store: &dyn Store) {
    let (_, _, user) = fixture(store, &["messages.read"]).await;
    let now = 20_000;
    let mut old = token_for(&user, 100);
    old.expires_at = Some(now + 100_000);
    insert(store, &old).await;
    let r = rotation(
        &old,
        Retirement::OnFirstUse {
            grace: 30,
            deadline: now + 7 * 86_400,
        },
        now,
        10,
    );
    let RotationOutcome::Rotated { old: o, new: n } = store.rotate_token(&r).await.expect("rotate")
    else {
        panic!("first_use_retires_the_predecessor: expected a rotation")
    };
    assert_eq!(
        o.expires_at,
        Some(now + 100_000),
        "its own expiry came first"
    );
    assert_eq!(o.retire_grace, Some(30));
    assert!(store
        .retire_predecessor(&n.id, now + 500)
        .await
        .expect("retire"));
    let o = store.token(&old.id).await.expect("read").expect("old");
    assert_eq!((o.expires_at, o.retire_grace), (Some(now + 530), None));
    assert!(
        !store
            .retire_predecessor(&n.id, now + 900)
            .await
            .expect("retire"),
        "only the first use retires"
    );
    let o = store.token(&old.id).await.expect("read").expect("old");
    assert_eq!(o.expires_at, Some(now + 530));
    assert!(!store
        .retire_predecessor(&"no-such-token".into(), now)
        .await
        .expect("retire"));

    // The deadline caps a token that never expired.
    let forever = token_for(&user, 100);
    insert(store, &forever).await;
    let r = rotation(
        &forever,
        Retirement::OnFirstUse {
            grace: 0,
            deadline: now + 50,
        },
        now,
        10,
    );
    let RotationOutcome::Rotated { old: o, .. } = store.rotate_token(&r).await.expect("rotate")
    else {
        panic!("first_use_retires_the_predecessor: expected a rotation")
    };
    assert_eq!(o.expires_at, Some(now + 50));
}

pub async fn concurrent_rotations_make_one_replacement(store: Arc<dyn Store>) {
    let (_, _, user) = fixture(&*store, &["messages.read"]).await;
    let now = 30_000;
    let old = token_for(&user, 100);
    insert(&*store, &old).await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = Arc::clone(&store);
            let r = rotation(&old, Retirement::At(now + 60), now, 10);
            tokio::spawn(async move { store.rotate_token(&r).await.expect("rotate") })
        })
        .collect();
    let mut rotated = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.expect("task") {
            RotationOutcome::Rotated { .. } => rotated += 1,
            RotationOutcome::AlreadyReplaced(_) => refused += 1,
            other => panic!("concurrent_rotations_make_one_replacement: {other:?}"),
        }
    }
    assert_eq!((rotated, refused), (1, 7));
    assert_eq!(store.tokens_of_user(&user.id).await.expect("list").len(), 2);
}
