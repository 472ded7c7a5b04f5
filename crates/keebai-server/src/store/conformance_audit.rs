//! Conformance checks of the audit trail and the demo's messages: pages newest first, and what
//! goes in comes back.

use super::conformance::{fixture, id};
use super::*;

pub async fn run_all(store: &dyn Store) {
    audit_pages_newest_first(store).await;
    audit_filters_narrow(store).await;
    messages_round_trip(store).await;
}

pub async fn audit_pages_newest_first(store: &dyn Store) {
    let (t, _, user) = fixture(store, &[]).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let e = AuditRow {
            id: id(),
            tenant_id: t.id.clone(),
            at: 100 + i / 2,
            actor: Some(if i == 4 {
                "someone-else".into()
            } else {
                user.id.to_string()
            }),
            action: "token.created".into(),
            target: Some(format!("target-{i}")),
            ip: Some("127.0.0.1".into()),
            detail: (i == 2).then(|| r#"{"replacement":"x"}"#.into()),
        };
        store.append_audit(&e).await.expect("append");
        ids.push(e);
    }
    let page1 = store
        .audit_events(&t.id, None, &AuditFilter::default(), None, 3)
        .await
        .expect("page");
    assert_eq!(page1.len(), 3);
    assert_eq!(page1[0], ids[4]);
    let last = page1.last().expect("row");
    let cursor = AuditCursor {
        at: last.at,
        id: last.id.clone(),
    };
    let page2 = store
        .audit_events(&t.id, None, &AuditFilter::default(), Some(&cursor), 3)
        .await
        .expect("page");
    assert_eq!(page2.len(), 2);
    let mut seen: Vec<_> = page1.iter().chain(&page2).map(|e| e.id.clone()).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "pages neither skip nor repeat");
    let own = store
        .audit_events(
            &t.id,
            Some(user.id.as_str()),
            &AuditFilter::default(),
            None,
            10,
        )
        .await
        .expect("own");
    assert_eq!(own.len(), 4);
}

/// Each filter keeps exactly its events, alone and combined, and the time range is
/// `since ≤ at < until`.
pub async fn audit_filters_narrow(store: &dyn Store) {
    let (t, _, user) = fixture(store, &[]).await;
    let me = user.id.to_string();
    let events = [
        (100, "token.created", Some(me.as_str()), "tok-a"),
        (101, "token.revoked", Some(me.as_str()), "tok-a"),
        (102, "token.created", Some("admin-x"), "tok-b"),
        (103, "session.created", Some(me.as_str()), "sess"),
        (104, "session.failed", None, "sess"),
    ];
    for (at, action, actor, target) in events {
        let row = AuditRow {
            id: id(),
            tenant_id: t.id.clone(),
            at,
            actor: actor.map(str::to_owned),
            action: action.into(),
            target: Some(target.into()),
            ip: None,
            detail: None,
        };
        store.append_audit(&row).await.expect("append");
    }
    let tenant = &t.id;
    let list = |f: AuditFilter| async move {
        store
            .audit_events(tenant, None, &f, None, 50)
            .await
            .expect("listing")
            .into_iter()
            .map(|e| e.at)
            .collect::<Vec<_>>()
    };
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        list(AuditFilter::default()).await,
        [104, 103, 102, 101, 100]
    );
    assert_eq!(
        list(AuditFilter {
            actor: some(&me),
            ..Default::default()
        })
        .await,
        [103, 101, 100]
    );
    assert_eq!(
        list(AuditFilter {
            action: some("token.created"),
            ..Default::default()
        })
        .await,
        [102, 100]
    );
    assert_eq!(
        list(AuditFilter {
            target: some("tok-a"),
            ..Default::default()
        })
        .await,
        [101, 100]
    );
    assert_eq!(
        list(AuditFilter {
            actor: some(&me),
            action: some("token.created"),
            ..Default::default()
        })
        .await,
        [100]
    );
    assert_eq!(
        list(AuditFilter {
            since: Some(101),
            until: Some(103),
            ..Default::default()
        })
        .await,
        [102, 101]
    );
    assert_eq!(
        list(AuditFilter {
            since: Some(105),
            ..Default::default()
        })
        .await,
        Vec::<i64>::new()
    );
    assert_eq!(
        list(AuditFilter {
            action: some("no.such"),
            ..Default::default()
        })
        .await,
        Vec::<i64>::new()
    );
}

pub async fn messages_round_trip(store: &dyn Store) {
    let (t, _, user) = fixture(store, &[]).await;
    for i in 0..3 {
        let m = MessageRow {
            id: id(),
            tenant_id: t.id.clone(),
            author_id: user.id.clone(),
            body: format!("hello {i} — ünïcödé"),
            created_at: 100 + i,
        };
        store.insert_message(&m).await.expect("insert");
    }
    let got = store.messages(&t.id, 2).await.expect("list");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].body, "hello 2 — ünïcödé");
}
