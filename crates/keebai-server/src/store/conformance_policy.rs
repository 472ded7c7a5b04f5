//! Conformance checks of the token policy: a tenant without one has the default, a set policy
//! replaces the previous one for that tenant only, and the inventory's policy test selects the
//! same tokens on both engines (active ones without a required expiry or living too long;
//! `breaks: false` is exactly the rest).

use super::conformance::{fixture, token_for};
use super::*;

const NOW: i64 = 1_000_000;
const DAY: i64 = 86_400;

pub async fn run_all(store: &dyn Store) {
    policy_round_trip(store).await;
    inventory_finds_tokens_that_break_the_policy(store).await;
}

pub async fn policy_round_trip(store: &dyn Store) {
    let (a, _, _) = fixture(store, &[]).await;
    let (b, _, _) = fixture(store, &[]).await;
    assert_eq!(
        store.token_policy(&a.id).await.expect("read"),
        PolicyRow::default()
    );
    let strict = PolicyRow {
        max_lifetime_days: Some(90),
        require_expiration: true,
    };
    store
        .set_token_policy(&a.id, &strict, NOW)
        .await
        .expect("set");
    assert_eq!(store.token_policy(&a.id).await.expect("read"), strict);
    assert_eq!(
        store.token_policy(&b.id).await.expect("read"),
        PolicyRow::default(),
        "another tenant keeps its own"
    );
    let loose = PolicyRow {
        max_lifetime_days: None,
        require_expiration: false,
    };
    store
        .set_token_policy(&a.id, &loose, NOW + 1)
        .await
        .expect("replace");
    assert_eq!(store.token_policy(&a.id).await.expect("read"), loose);
}

async fn names(store: &dyn Store, tenant: &TenantId, breach: Option<PolicyBreach>) -> Vec<String> {
    let filter = TokenFilter {
        policy_breach: breach,
        ..TokenFilter::default()
    };
    let mut n: Vec<String> = store
        .token_inventory(tenant, &filter, NOW, None, 100)
        .await
        .expect("inventory")
        .into_iter()
        .map(|r| r.token.name)
        .collect();
    n.sort();
    n
}

pub async fn inventory_finds_tokens_that_break_the_policy(store: &dyn Store) {
    let (t, _, user) = fixture(store, &[]).await;
    let (_, _, stranger) = fixture(store, &[]).await;
    let mk = |u: &UserRow, name: &str, lifetime_days: Option<i64>| TokenRow {
        name: name.into(),
        expires_at: lifetime_days.map(|d| NOW - DAY + d * DAY),
        ..token_for(u, NOW - DAY)
    };
    let mut revoked = mk(&user, "revoked forever", None);
    revoked.revoked_at = Some(NOW - 1);
    let mut expired = mk(&user, "expired", None);
    expired.expires_at = Some(NOW - 1);
    for tok in [
        mk(&user, "forever", None),
        mk(&user, "a year", Some(365)),
        mk(&user, "ninety", Some(90)),
        mk(&user, "a week", Some(7)),
        revoked,
        expired,
        mk(&stranger, "stranger forever", None),
    ] {
        assert!(store
            .insert_token_within_limit(&tok, NOW - DAY, 1000)
            .await
            .expect("insert"));
    }
    let breach = |expiry_required, max_days: Option<i64>, breaks| {
        Some(PolicyBreach {
            expiry_required,
            max_lifetime_secs: max_days.map(|d| d * DAY),
            breaks,
        })
    };
    let everything = names(store, &t.id, None).await;
    assert_eq!(everything.len(), 6, "{everything:?}");
    assert_eq!(
        names(store, &t.id, breach(true, None, true)).await,
        ["forever"],
        "only active tokens without an expiry"
    );
    assert_eq!(
        names(store, &t.id, breach(false, Some(90), true)).await,
        ["a year", "forever"],
        "a maximum catches unexpiring tokens too; exactly 90 days keeps it"
    );
    assert_eq!(
        names(store, &t.id, breach(false, Some(6), true)).await,
        ["a week", "a year", "forever", "ninety"]
    );
    assert!(names(store, &t.id, breach(false, None, true))
        .await
        .is_empty());
    let kept = names(store, &t.id, breach(false, Some(90), false)).await;
    assert_eq!(
        kept,
        ["a week", "expired", "ninety", "revoked forever"],
        "the complement, revoked and expired included"
    );
    let bulk = store
        .revoke_selected(
            &t.id,
            &Selection::Filter(TokenFilter {
                policy_breach: breach(false, Some(90), true),
                ..TokenFilter::default()
            }),
            NOW,
            100,
            true,
        )
        .await
        .expect("dry run");
    let BulkOutcome::Revoked(rows) = bulk else {
        panic!("not too many")
    };
    let mut would: Vec<_> = rows.into_iter().map(|r| r.token.name).collect();
    would.sort();
    assert_eq!(would, ["a year", "forever"]);
}
