//! Helper for `scripts/bench.sh` (not part of the product):
//!
//! * `seed DB_URL N` — adds N tokens spread over N/10 users of tenant `acme` straight through
//!   the store (no HTTP, no argon2) and 10 messages to list, then mints one PAT for the
//!   benchmark and prints it. The database is throwaway; the printed token exists only for
//!   the run.
//! * `latency BASE SESSION N` — times N sequential create + revoke pairs; prints p50/p99 (ms).
//! * `oracle BASE UNKNOWN REVOKED N` — interleaves N requests with an unknown and N with a
//!   revoked token; prints the median and mean latency of each (µs) and their difference.
//! * `flood BASE SESSION PAT N` — times N revokes (and N token checks with PAT) while idle,
//!   then again while 200 bogus sign-ins run from ten loopback addresses (so each one reaches
//!   the argon2 check); prints the p50s and the ratios.

use std::time::{Duration, Instant};

use keebai_api::TokenSecret;
use keebai_server::config::DbUrl;
use keebai_server::domain::{new_id, now};
use keebai_server::store::{self, MessageRow, RoleRow, TokenRow, UserId, UserRow};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("seed") => {
            seed(
                &args[1].parse().map_err(anyhow::Error::msg)?,
                args[2].parse()?,
            )
            .await
        }
        Some("latency") => latency(&args[1], &args[2], args[3].parse()?).await,
        Some("oracle") => oracle(&args[1], &args[2], &args[3], args[4].parse()?).await,
        Some("flood") => flood(&args[1], &args[2], &args[3], args[4].parse()?).await,
        _ => anyhow::bail!("usage: bench_tool seed|latency|oracle|flood …"),
    }
}

async fn seed(db: &DbUrl, n: usize) -> anyhow::Result<()> {
    let store = store::open(db).await?;
    let tenant = store
        .tenant_by_slug("acme")
        .await?
        .ok_or_else(|| anyhow::anyhow!("run init first"))?;
    let role = RoleRow {
        id: new_id().into(),
        tenant_id: tenant.id.clone(),
        name: format!("bench-{}", new_id()),
        permissions: vec!["messages.read".into(), "developer.manage_tokens".into()],
        builtin: false,
    };
    store.insert_role(&role).await?;
    let now = now().timestamp();
    let mut bench_pat = None;
    let mut role_holder: Option<UserId> = None;
    for u in 0..n.div_ceil(10) {
        let user = UserRow {
            id: new_id().into(),
            tenant_id: tenant.id.clone(),
            email: format!("bench{u}-{}@acme.test", new_id()),
            name: "Bench".into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$bm9wZQ$bm9wZQ".into(),
            role_ids: vec![role.id.clone()],
            disabled: false,
        };
        store.insert_user(&user).await?;
        role_holder.get_or_insert_with(|| user.id.clone());
        for t in 0..10 {
            let secret = TokenSecret::generate_pat().map_err(|e| anyhow::anyhow!("{e}"))?;
            let row = TokenRow {
                id: new_id().into(),
                tenant_id: tenant.id.clone(),
                user_id: user.id.clone(),
                name: format!("bench {u}/{t}"),
                prefix: secret.prefix().to_owned(),
                hash: secret.sha256().to_hex(),
                scopes: vec!["messages.read".into()],
                created_at: now,
                expires_at: None,
                last_used_at: None,
                revoked_at: None,
                last_used_ip: None,
                rotated_from: None,
                replaced_by: None,
                retire_grace: None,
            };
            store.insert_token_within_limit(&row, now, 10).await?;
            if bench_pat.is_none() {
                bench_pat = Some(secret);
            }
        }
    }
    // A listing to serve: 10 short messages of about 100 characters, like a team's chat.
    for m in 0..10 {
        store
            .insert_message(&MessageRow {
                id: new_id(),
                tenant_id: tenant.id.clone(),
                author_id: role_holder.clone().unwrap_or_default(),
                body: format!(
                    "bench message {m}: {}",
                    "lorem ipsum dolor sit amet ".repeat(3)
                ),
                created_at: now + m,
            })
            .await?;
    }
    if let Some(p) = bench_pat {
        println!("{}", p.expose());
    }
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn latency(base: &str, session: &str, n: usize) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let (mut creates, mut revokes) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let t0 = Instant::now();
        let resp = http
            .post(format!("{base}/v1/tokens"))
            .bearer_auth(session)
            .json(&serde_json::json!({"name": format!("latency {i}"), "scopes": ["messages.read"], "expires_at": null}))
            .send()
            .await?;
        anyhow::ensure!(resp.status() == 201, "create: {}", resp.status());
        let body: serde_json::Value = resp.json().await?;
        creates.push(t0.elapsed());
        let id = body["record"]["id"].as_str().unwrap_or_default().to_owned();
        let t1 = Instant::now();
        let resp = http
            .post(format!("{base}/v1/tokens/{id}/revoke"))
            .bearer_auth(session)
            .send()
            .await?;
        anyhow::ensure!(resp.status() == 200, "revoke: {}", resp.status());
        revokes.push(t1.elapsed());
    }
    creates.sort();
    revokes.sort();
    println!(
        "create_p50_ms={:.2} create_p99_ms={:.2} revoke_p50_ms={:.2} revoke_p99_ms={:.2} n={n}",
        percentile(&creates, 0.5),
        percentile(&creates, 0.99),
        percentile(&revokes, 0.5),
        percentile(&revokes, 0.99)
    );
    Ok(())
}

async fn oracle(base: &str, unknown: &str, revoked: &str, n: usize) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let url = format!("{base}/v1/messages");
    let (mut u, mut r) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..2 * n {
        let (token, sink) = if i % 2 == 0 {
            (unknown, &mut u)
        } else {
            (revoked, &mut r)
        };
        let t0 = Instant::now();
        let resp = http.get(&url).bearer_auth(token).send().await?;
        anyhow::ensure!(resp.status() == 401);
        let _ = resp.bytes().await?;
        sink.push(t0.elapsed());
    }
    u.sort();
    r.sort();
    let mean =
        |v: &[Duration]| v.iter().map(Duration::as_secs_f64).sum::<f64>() / v.len() as f64 * 1e6;
    let median = |v: &[Duration]| v[v.len() / 2].as_secs_f64() * 1e6;
    println!(
        "unknown_median_us={:.1} revoked_median_us={:.1} unknown_mean_us={:.1} revoked_mean_us={:.1} median_diff_us={:.1} n={n}",
        median(&u),
        median(&r),
        mean(&u),
        mean(&r),
        median(&r) - median(&u)
    );
    Ok(())
}

/// p50 of N revokes (each of a fresh token, minted untimed) and of N token checks.
async fn revoke_and_check(
    http: &reqwest::Client,
    base: &str,
    session: &str,
    pat: &str,
    n: usize,
) -> anyhow::Result<(f64, f64)> {
    let (mut revokes, mut checks) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let resp = http
            .post(format!("{base}/v1/tokens"))
            .bearer_auth(session)
            .json(&serde_json::json!({"name": format!("flood {i}"), "scopes": ["messages.read"], "expires_at": null}))
            .send()
            .await?;
        anyhow::ensure!(resp.status() == 201, "create: {}", resp.status());
        let body: serde_json::Value = resp.json().await?;
        let id = body["record"]["id"].as_str().unwrap_or_default().to_owned();
        let t = Instant::now();
        let resp = http
            .post(format!("{base}/v1/tokens/{id}/revoke"))
            .bearer_auth(session)
            .send()
            .await?;
        anyhow::ensure!(resp.status() == 200, "revoke: {}", resp.status());
        revokes.push(t.elapsed());
        let t = Instant::now();
        let resp = http
            .get(format!("{base}/v1/me"))
            .bearer_auth(pat)
            .send()
            .await?;
        anyhow::ensure!(resp.status() == 200, "check: {}", resp.status());
        checks.push(t.elapsed());
    }
    revokes.sort();
    checks.sort();
    Ok((percentile(&revokes, 0.5), percentile(&checks, 0.5)))
}

async fn flood(base: &str, session: &str, pat: &str, n: usize) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let (idle_revoke, idle_check) = revoke_and_check(&http, base, session, pat, n).await?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut flooders = Vec::new();
    for i in 0..200 {
        let ip: std::net::IpAddr = format!("127.0.0.{}", 2 + i % 10).parse()?;
        let client = reqwest::Client::builder().local_address(ip).build()?;
        let url = format!("{base}/v1/sessions");
        let stop = std::sync::Arc::clone(&stop);
        flooders.push(tokio::spawn(async move {
            let mut sent = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && sent < 3 {
                let body = serde_json::json!({"tenant": "acme", "email": format!("nobody{i}@acme.test"), "password": "not-the-password"});
                let _ = client.post(&url).json(&body).send().await;
                sent += 1;
            }
            sent
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (busy_revoke, busy_check) = revoke_and_check(&http, base, session, pat, n).await?;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut attempts = 0;
    for f in flooders {
        attempts += f.await?;
    }
    println!(
        "idle_revoke_p50_ms={idle_revoke:.2} flood_revoke_p50_ms={busy_revoke:.2} revoke_ratio={:.2} idle_check_p50_ms={idle_check:.2} flood_check_p50_ms={busy_check:.2} check_ratio={:.2} sign_ins={attempts} n={n}",
        busy_revoke / idle_revoke,
        busy_check / idle_check
    );
    Ok(())
}
