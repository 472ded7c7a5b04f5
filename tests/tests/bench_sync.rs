//! The figure of a full sync of 10,000 tokens from a local server (issue: "< 2 s"), for
//! `scripts/bench-sync.sh`, which seeds the tenant, serves it on loopback and runs this against
//! it with a release build. Not a test: it asserts only that the sync is whole, and prints
//! `BENCH name value` lines.
//!
//! The sync measured is the Inventory's (`AppService::list_inventory`): the one list in the app
//! that holds thousands of tokens (a user's own list holds at most 10 working ones). It reads
//! every page (500 tokens each) and then stores the whole list in `cache.db` in one write, as
//! the app does. For scale, from the same run: the same pages fetched and decoded with a plain
//! HTTP client and no cache, and `GET /healthz`.

use std::time::{Duration, Instant};

use keebai_keys::app_service::{AppService, SignIn};

const ROUNDS: usize = 5;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by scripts/bench-sync.sh"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn report(name: &str, v: &[f64]) {
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(0.0, f64::max);
    println!("BENCH {name}_median_ms {:.1}", median(v.to_vec()));
    println!("BENCH {name}_min_ms {min:.1}");
    println!("BENCH {name}_max_ms {max:.1}");
}

/// Every page of the inventory with a plain client: what the sync costs without the app.
async fn pages_alone(base: &str, session: &str) -> usize {
    let client = reqwest::Client::new();
    let mut cursor: Option<String> = None;
    let mut n = 0;
    loop {
        let mut url = format!("{base}/v1/admin/tokens?limit=500");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: serde_json::Value = client
            .get(url)
            .bearer_auth(session)
            .send()
            .await
            .expect("page")
            .json()
            .await
            .expect("JSON");
        n += page["tokens"].as_array().map_or(0, Vec::len);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return n,
        }
    }
}

#[tokio::test]
#[ignore = "a benchmark: run scripts/bench-sync.sh"]
async fn full_sync_of_the_seeded_tenant() {
    let base = env("KEEBAI_BENCH_URL");
    let expected: usize = env("KEEBAI_BENCH_TOKENS").parse().expect("a count");
    let data = tempfile::tempdir().expect("data dir");
    let vault = std::sync::Arc::new(keebai_keys::session_vault::MemoryVault::default());
    let app = AppService::new(data.path(), vault, None).expect("service");
    app.sign_in(SignIn {
        server: base.clone(),
        tenant: "acme".into(),
        email: env("KEEBAI_BENCH_EMAIL"),
        password: keebai_api::wire::Password::new(env("KEEBAI_BENCH_PASSWORD")),
    })
    .await
    .expect("sign in");

    // One untimed round warms the server's page cache and the connection.
    let first = app.list_inventory().await.expect("sync");
    assert!(!first.offline && first.complete, "a whole sync");
    assert_eq!(first.tokens.len(), expected, "every seeded token");

    let mut sync = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let view = app.list_inventory().await.expect("sync");
        sync.push(ms(t.elapsed()));
        assert_eq!(view.tokens.len(), expected);
    }
    report("inventory_sync", &sync);

    let session = env("KEEBAI_BENCH_SESSION");
    let mut alone = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        assert_eq!(pages_alone(&base, &session).await, expected);
        alone.push(ms(t.elapsed()));
    }
    report("pages_alone", &alone);

    let client = reqwest::Client::new();
    let mut health = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .expect("healthz");
        health.push(ms(t.elapsed()));
    }
    println!("BENCH healthz_median_ms {:.2}", median(health));
    println!(
        "BENCH cache_db_bytes {}",
        std::fs::metadata(data.path().join("cache.db")).map_or(0, |m| m.len())
    );
}
