//! Crash safety: `kill -9` at random moments during a stream of creates and revokes; after a
//! restart, every create and revoke the server acknowledged is there.

use keebai_testkit as support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use support::TestServer;

#[tokio::test]
async fn acknowledged_writes_survive_random_kill_9() {
    let mut srv = TestServer::start().await;
    let dev = srv
        .user_with(&["developer.manage_tokens", "messages.read"])
        .await;
    let created: Arc<Mutex<Vec<String>>> = Arc::default();
    let revoked: Arc<Mutex<HashSet<String>>> = Arc::default();
    for round in 0..5u64 {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut workers = Vec::new();
        for w in 0..4 {
            let (http, base, session) = (srv.http().clone(), srv.base.clone(), dev.session.clone());
            let (created, revoked, stop) = (
                Arc::clone(&created),
                Arc::clone(&revoked),
                Arc::clone(&stop),
            );
            workers.push(tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    i += 1;
                    // Revoke the oldest unrevoked token when near the limit, else create one.
                    let victim = {
                        let c = created.lock().expect("lock");
                        let r = revoked.lock().expect("lock");
                        let live: Vec<_> = c.iter().filter(|id| !r.contains(*id)).cloned().collect();
                        (live.len() >= 6).then(|| live[(i + w) % live.len()].clone())
                    };
                    let result = match &victim {
                        Some(id) => http.post(format!("{base}/v1/tokens/{id}/revoke")).bearer_auth(&session).send().await,
                        None => http.post(format!("{base}/v1/tokens")).bearer_auth(&session)
                            .json(&json!({"name": format!("r{round}w{w}i{i}"), "scopes": ["messages.read"], "expires_at": null}))
                            .send().await,
                    };
                    let Ok(resp) = result else { break };
                    let status = resp.status();
                    let Ok(body) = resp.json::<serde_json::Value>().await else { break };
                    match (&victim, status) {
                        (Some(id), StatusCode::OK) => { revoked.lock().expect("lock").insert(id.clone()); }
                        (None, StatusCode::CREATED) => created.lock().expect("lock").push(body["record"]["id"].as_str().expect("id").to_owned()),
                        _ => {}
                    }
                }
            }));
        }
        // A pseudo-random moment from the round number and the clock: 50–400 ms in.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let wait = 50 + u64::from(nanos % 350) + round * 7;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        srv.kill9();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for w in workers {
            let _ = w.await;
        }
        srv.spawn();
        let (s, list) = srv.get("/v1/tokens", &dev.session).await;
        assert_eq!(s, StatusCode::OK, "the session survived the crash: {list}");
        let rows = list["tokens"].as_array().expect("tokens");
        let status_of = |id: &str| {
            rows.iter()
                .find(|t| t["id"] == id)
                .map(|t| t["status"].as_str().unwrap_or("").to_owned())
        };
        for id in created.lock().expect("lock").iter() {
            assert!(
                status_of(id).is_some(),
                "round {round}: acknowledged create {id} lost"
            );
        }
        for id in revoked.lock().expect("lock").iter() {
            assert_eq!(
                status_of(id).as_deref(),
                Some("revoked"),
                "round {round}: acknowledged revoke of {id} lost"
            );
        }
        // Acknowledged work happened in this round, or the test proves nothing.
        assert!(!created.lock().expect("lock").is_empty());
    }
    assert!(
        !revoked.lock().expect("lock").is_empty(),
        "the stream included revokes"
    );
}
