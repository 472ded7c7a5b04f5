//! Conformance checks of the tenant-wide inventory: every filter means the same on both
//! engines, pages follow each other without gaps or repeats, nothing of another tenant shows,
//! and a bulk revoke changes exactly what it answers (nothing in a dry run or over the cap).

use super::conformance::{fixture, token_for};
use super::*;

const NOW: i64 = 1_000_000;
const DAY: i64 = 86_400;

pub async fn run_all(store: &dyn Store) {
    filters_select_the_same_tokens(store).await;
    pages_cover_everything_once_newest_first(store).await;
    bulk_revoke_changes_exactly_what_it_answers(store).await;
    owners_trail_holds_events_about_their_tokens(store).await;
}

async fn insert(store: &dyn Store, t: &TokenRow) {
    assert!(store
        .insert_token_within_limit(t, NOW, 1000)
        .await
        .expect("insert"));
}

async fn names(store: &dyn Store, tenant: &TenantId, f: TokenFilter) -> Vec<String> {
    let mut n: Vec<String> = store
        .token_inventory(tenant, &f, NOW, None, 100)
        .await
        .expect("inventory")
        .into_iter()
        .map(|r| r.token.name)
        .collect();
    n.sort();
    n
}

pub async fn filters_select_the_same_tokens(store: &dyn Store) {
    let (t, _, alice) = fixture(store, &[]).await;
    let bob = UserRow {
        id: super::conformance::id().into(),
        email: format!("{}@example.test", super::conformance::id()),
        name: "Bob".into(),
        ..alice.clone()
    };
    store.insert_user(&bob).await.expect("bob");
    let (_, _, stranger) = fixture(store, &[]).await;
    let mk = |u: &UserRow, name: &str, at: i64| TokenRow {
        name: name.into(),
        ..token_for(u, at)
    };
    let mut old_unused = mk(&alice, "Old CI 50%", NOW - 40 * DAY);
    old_unused.scopes = vec!["messages.read".into(), "admin.manage_users".into()];
    let mut used = mk(&alice, "deploy", NOW - 40 * DAY);
    used.last_used_at = Some(NOW - DAY);
    let mut expiring = mk(&bob, "expiring", NOW - DAY);
    expiring.expires_at = Some(NOW + 3 * DAY);
    let mut expired = mk(&bob, "expired", NOW - 10 * DAY);
    expired.expires_at = Some(NOW - DAY);
    let mut revoked = mk(&bob, "revoked", NOW - 5 * DAY);
    revoked.revoked_at = Some(NOW - DAY);
    revoked.expires_at = Some(NOW + DAY);
    for tok in [&old_unused, &used, &expiring, &expired, &revoked] {
        insert(store, tok).await;
    }
    insert(store, &mk(&stranger, "stranger", NOW)).await;

    let all = store
        .token_inventory(&t.id, &TokenFilter::default(), NOW, None, 100)
        .await
        .expect("all");
    assert_eq!(all.len(), 5, "another tenant's token never shows");
    let row = all.iter().find(|r| r.token.id == expiring.id).expect("row");
    assert_eq!(
        (
            row.owner_email.as_str(),
            row.owner_name.as_str(),
            &row.token
        ),
        (bob.email.as_str(), "Bob", &expiring)
    );
    let f = |edit: fn(&mut TokenFilter)| {
        let mut f = TokenFilter::default();
        edit(&mut f);
        f
    };
    let cases: Vec<(TokenFilter, Vec<&str>)> = vec![
        (
            f(|f| f.status = Some(StatusIs::Active)),
            vec!["Old CI 50%", "deploy", "expiring"],
        ),
        (f(|f| f.status = Some(StatusIs::Expired)), vec!["expired"]),
        (f(|f| f.status = Some(StatusIs::Revoked)), vec!["revoked"]),
        (f(|f| f.q = Some("ci 50%".into())), vec!["Old CI 50%"]),
        (f(|f| f.q = Some("%".into())), vec!["Old CI 50%"]),
        (f(|f| f.q = Some("ci_5".into())), vec![]),
        // Shorter than a trigram: PostgreSQL's trigram indexes cannot narrow these, and the
        // answer must not depend on whether the planner uses them.
        (f(|f| f.q = Some("Ex".into())), vec!["expired", "expiring"]),
        (f(|f| f.q = Some("y".into())), vec!["deploy"]),
        (f(|f| f.q = Some("5".into())), vec!["Old CI 50%"]),
        (
            f(|f| f.q = Some("_p".into())),
            vec!["Old CI 50%", "deploy", "expired", "expiring", "revoked"],
        ),
        (
            f(|f| f.q = Some("KBAI_PK_0".into())),
            vec!["Old CI 50%", "deploy", "expired", "expiring", "revoked"],
        ),
        (
            f(|f| f.scope = Some("admin.manage_users".into())),
            vec!["Old CI 50%"],
        ),
        (f(|f| f.scope = Some("messages".into())), vec![]),
        (
            f(|f| f.unused_since = Some(NOW - 30 * DAY)),
            vec!["Old CI 50%"],
        ),
        (f(|f| f.expiring_by = Some(NOW + 7 * DAY)), vec!["expiring"]),
        (
            f(|f| f.no_expiry = Some(true)),
            vec!["Old CI 50%", "deploy"],
        ),
        (
            f(|f| f.no_expiry = Some(false)),
            vec!["expired", "expiring", "revoked"],
        ),
    ];
    for (filter, want) in cases {
        assert_eq!(
            names(store, &t.id, filter.clone()).await,
            want,
            "{filter:?}"
        );
    }
    let by_user = TokenFilter {
        user_id: Some(bob.id.clone()),
        no_expiry: Some(false),
        ..TokenFilter::default()
    };
    assert_eq!(
        names(store, &t.id, by_user).await,
        ["expired", "expiring", "revoked"]
    );
    let strangers = TokenFilter {
        user_id: Some(stranger.id.clone()),
        ..TokenFilter::default()
    };
    assert!(names(store, &t.id, strangers).await.is_empty());
}

pub async fn pages_cover_everything_once_newest_first(store: &dyn Store) {
    let (t, _, user) = fixture(store, &[]).await;
    // Pairs share a second, so the id decides their order.
    let mut made = Vec::new();
    for i in 0..7 {
        let tok = token_for(&user, NOW - 100 + i / 2);
        insert(store, &tok).await;
        made.push(tok);
    }
    made.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    let mut seen = Vec::new();
    let mut after: Option<Position> = None;
    loop {
        let page = store
            .token_inventory(&t.id, &TokenFilter::default(), NOW, after.as_ref(), 3)
            .await
            .expect("page");
        let Some(last) = page.last() else { break };
        after = Some(Position {
            created_at: last.token.created_at,
            id: last.token.id.clone(),
        });
        seen.extend(page.into_iter().map(|r| r.token));
    }
    assert_eq!(seen, made);
}

pub async fn bulk_revoke_changes_exactly_what_it_answers(store: &dyn Store) {
    let (t, _, user) = fixture(store, &[]).await;
    let (_, _, stranger) = fixture(store, &[]).await;
    let mut toks = Vec::new();
    for i in 0..4 {
        let tok = token_for(&user, NOW - 10 + i);
        insert(store, &tok).await;
        toks.push(tok);
    }
    let mut gone = token_for(&user, NOW - 20);
    gone.expires_at = Some(NOW - 1);
    insert(store, &gone).await;
    let foreign = token_for(&stranger, NOW);
    insert(store, &foreign).await;
    let everything = Selection::Filter(TokenFilter::default());

    let over = store
        .revoke_selected(&t.id, &everything, NOW, 3, false)
        .await
        .expect("over the cap");
    assert_eq!(over, BulkOutcome::TooMany);
    let dry = store
        .revoke_selected(&t.id, &everything, NOW, 4, true)
        .await
        .expect("dry run");
    let BulkOutcome::Revoked(dry) = dry else {
        panic!("dry run: {dry:?}")
    };
    assert_eq!(dry.len(), 4, "only active tokens are candidates");
    for tok in toks.iter().chain([&gone]) {
        let now = store.token(&tok.id).await.expect("read").expect("row");
        assert_eq!(now.revoked_at, None, "neither the cap nor a dry run writes");
    }

    let ids = Selection::Ids(vec![
        toks[0].id.clone(),
        foreign.id.clone(),
        gone.id.clone(),
    ]);
    let BulkOutcome::Revoked(done) = store
        .revoke_selected(&t.id, &ids, NOW, 10, false)
        .await
        .expect("by ids")
    else {
        panic!("by ids")
    };
    assert_eq!(
        done.len(),
        1,
        "another tenant's and inactive tokens are left alone"
    );
    assert_eq!(done[0].token.id, toks[0].id);
    assert_eq!(done[0].token.revoked_at, Some(NOW));
    let foreign_now = store.token(&foreign.id).await.expect("read").expect("row");
    assert_eq!(foreign_now.revoked_at, None);

    let BulkOutcome::Revoked(rest) = store
        .revoke_selected(&t.id, &everything, NOW + 1, 10, false)
        .await
        .expect("by filter")
    else {
        panic!("by filter")
    };
    let mut got: Vec<_> = rest.iter().map(|r| r.token.id.clone()).collect();
    got.sort();
    let mut want: Vec<_> = toks[1..].iter().map(|t| t.id.clone()).collect();
    want.sort();
    assert_eq!(got, want);
    for tok in &toks[1..] {
        let now = store.token(&tok.id).await.expect("read").expect("row");
        assert_eq!(now.revoked_at, Some(NOW + 1));
    }
}

/// An owner's trail holds what others did to their tokens (an administrator's revoke), and
/// nothing about other users' tokens.
pub async fn owners_trail_holds_events_about_their_tokens(store: &dyn Store) {
    let (t, _, owner) = fixture(store, &[]).await;
    let tok = token_for(&owner, NOW);
    insert(store, &tok).await;
    let event = |actor: &str, target: &str| AuditRow {
        id: super::conformance::id(),
        tenant_id: t.id.clone(),
        at: NOW,
        actor: Some(actor.into()),
        action: "token.revoked".into(),
        target: Some(target.into()),
        ip: None,
        detail: Some(r#"{"reason":"r"}"#.into()),
    };
    let about_mine = event("an-admin", tok.id.as_str());
    let about_other = event("an-admin", "someone-elses-token");
    for e in [&about_mine, &about_other] {
        store.append_audit(e).await.expect("append");
    }
    let own = store
        .audit_events(
            &t.id,
            Some(owner.id.as_str()),
            &AuditFilter::default(),
            None,
            10,
        )
        .await
        .expect("own");
    assert_eq!(own, vec![about_mine]);
}
