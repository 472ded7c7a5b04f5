//! Inventory pages under concurrent inserts: the tokens that existed when paging began are each
//! listed exactly once, whatever is created meanwhile; a page never repeats a token.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;

use super::support::TestServer;
use super::{all_pages, seed_tokens, tenant_id, token_ids, AUDIT, MANAGE};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_neither_skip_nor_repeat_tokens_while_others_are_created() {
    let srv = Arc::new(TestServer::start().await);
    let admin = srv.admin().await;
    let tenant = tenant_id(&srv, &admin.session).await;
    let dev = srv.user_with(&[MANAGE, "messages.read"]).await;
    // 150 of the admin's tokens (dev's stay free for the inserter) over 30 seconds of a day long past: five share each second, so the id
    // decides their order within it, as it does for tokens created in one busy second.
    let base = 1_700_000_000;
    let seeded = seed_tokens(&srv, &tenant, &admin.user_id, 150, |i| {
        base + (i / 5) as i64
    })
    .await;
    let auditor = srv.user_with(&[AUDIT]).await;

    // Tokens are created (and revoked again, to stay under the 10-active limit) through the
    // API for as long as the paging runs.
    let stop = Arc::new(AtomicBool::new(false));
    let created = Arc::new(AtomicUsize::new(0));
    let inserter = {
        let (srv, stop, created, dev) = (
            Arc::clone(&srv),
            Arc::clone(&stop),
            Arc::clone(&created),
            dev.clone(),
        );
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let (_, record) = srv.mint(&dev, "concurrent", &["messages.read"], None).await;
                let id = record["id"].as_str().expect("id");
                let (s, b) = srv
                    .post(&format!("/v1/tokens/{id}/revoke"), &dev.session, json!({}))
                    .await;
                assert_eq!(s, StatusCode::OK, "{b}");
                created.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    // Let a few inserts land first so that paging starts among them.
    while created.load(Ordering::Relaxed) < 3 {
        assert!(!inserter.is_finished(), "the inserter stopped early");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Page by 7, and before each next page wait for another token to be created, so that
    // inserts certainly land between the pages (and possibly during them).
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/admin/tokens?limit=7&cursor={c}"),
            None => "/v1/admin/tokens?limit=7".to_owned(),
        };
        let (s, page) = srv.get(&path, &auditor.session).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        listed.extend(token_ids(&page));
        pages += 1;
        let Some(next) = page["next_cursor"].as_str() else {
            break;
        };
        cursor = Some(next.to_owned());
        let seen_before = created.load(Ordering::Relaxed);
        while created.load(Ordering::Relaxed) == seen_before {
            assert!(!inserter.is_finished(), "the inserter stopped early");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    stop.store(true, Ordering::Relaxed);
    inserter.await.expect("inserter");
    assert!(pages > 20, "{pages} pages");
    // The same walk with nothing created meanwhile, through the shared helper, for contrast.
    let quiet = all_pages(&srv, &auditor.session, "", 50).await;
    assert_eq!(
        quiet.iter().rev().take(150).collect::<Vec<_>>(),
        listed.iter().rev().take(150).collect::<Vec<_>>()
    );

    let mut seen = HashSet::new();
    for id in &listed {
        assert!(seen.insert(id), "{id} listed twice");
    }
    for id in &seeded {
        assert!(seen.contains(id), "seeded token {id} skipped");
    }
    // The seeded tokens are the oldest, so they come last, in (created_at, id) order.
    let tail: Vec<&String> = listed.iter().rev().take(150).collect();
    let mut want: Vec<&String> = seeded.iter().collect();
    want.sort_by_key(|id| {
        let i = seeded.iter().position(|s| s == *id).expect("seeded");
        (base + (i / 5) as i64, (*id).clone())
    });
    assert_eq!(tail, want, "oldest last, ties broken by id");

    // A limit of 1 walks the same listing.
    let (s, first) = srv.get("/v1/admin/tokens?limit=1", &auditor.session).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(token_ids(&first).len(), 1);
    assert!(first["next_cursor"].is_string(), "{first}");
}
