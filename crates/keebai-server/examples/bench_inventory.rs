//! Helper for `scripts/bench-inventory.sh` (not part of the product):
//!
//! * `seed DB_URL TOKENS USERS` — fills tenant `acme` (made by `keebai-server init`) with USERS
//!   users and TOKENS tokens in a realistic mix, by batched SQL inserts straight into the
//!   database: going through the store one row at a time would take minutes on PostgreSQL.
//!   The rows are what the server writes itself (same columns, JSON scopes, display prefixes),
//!   but the hashes are random, so no seeded token is usable as a credential. Prints
//!   `key=value` lines: the engine's version, a user to filter by, one token's prefix text,
//!   and the mix.
//! * `measure BASE USER_ID PREFIX_TEXT ROUNDS` — with the session in `BENCH_SESSION` (kept out
//!   of argv), times `GET /v1/admin/tokens` for each filter: the first page and a deep page
//!   (reached by following `next_cursor`), at limit 100 and 500, ROUNDS sequential requests
//!   after a warm-up, each followed by a `/healthz` request so every case carries its own
//!   yardstick from the same moments. Prints one tab-separated line per measurement.

use std::time::{Duration, Instant};

use keebai_server::domain::new_id;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("seed") => seed(&args[1], args[2].parse()?, args[3].parse()?).await,
        Some("measure") => measure(&args[1], &args[2], &args[3], args[4].parse()?).await,
        _ => anyhow::bail!(
            "usage: bench_inventory seed DB TOKENS USERS | measure BASE USER PREFIX N"
        ),
    }
}

/// splitmix64: a seeded generator is enough here, and keeps `rand` out of the crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// True with probability `pct`/100.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

const DAY: i64 = 86_400;
const NAMES: &[&str] = &[
    "ci deploy",
    "laptop",
    "grafana",
    "terraform",
    "backup job",
    "github actions",
    "staging",
    "local dev",
    "zapier",
    "monitoring",
    "data export",
    "cli",
];
const SCOPES: &[&str] = &[
    r#"["messages.read"]"#,
    r#"["messages.read","messages.write"]"#,
    r#"["contacts.read"]"#,
    r#"["contacts.read","contacts.write"]"#,
    r#"["messages.read","contacts.read"]"#,
    r#"["developer.manage_tokens"]"#,
    r#"["messages.read","developer.rotate_self"]"#,
];

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn opt(v: Option<i64>) -> String {
    v.map_or("NULL".into(), |v| v.to_string())
}

async fn seed(db: &str, tokens: usize, users: usize) -> anyhow::Result<()> {
    // A fixed seed: both engines get the same mix, so their lines compare like with like.
    let mut rng = Rng(0x6B65_6562_6169);
    let now = chrono::Utc::now().timestamp();
    let pg = if db.starts_with("postgres") {
        let (client, conn) = tokio_postgres::connect(db, tokio_postgres::NoTls).await?;
        tokio::spawn(conn);
        Some(client)
    } else {
        None
    };
    let sqlite = match &pg {
        Some(_) => None,
        None => Some(rusqlite::Connection::open(
            db.strip_prefix("sqlite://").unwrap_or(db),
        )?),
    };
    let tenant: String = match (&pg, &sqlite) {
        (Some(c), _) => c
            .query_one("SELECT id FROM tenants WHERE slug = 'acme'", &[])
            .await?
            .get(0),
        (_, Some(c)) => c.query_row("SELECT id FROM tenants WHERE slug = 'acme'", [], |r| {
            r.get(0)
        })?,
        _ => unreachable!(),
    };

    let mut statements = Vec::new();
    let mut user_ids = Vec::with_capacity(users);
    let mut values = Vec::new();
    let mut disabled_users = 0;
    for u in 0..users {
        let id = new_id();
        // About one owner in twenty has left and been disabled, tokens and all.
        let disabled = rng.chance(5);
        disabled_users += usize::from(disabled);
        values.push(format!(
            "({}, {}, {}, {}, '$argon2id$v=19$m=19456,t=2,p=1$bm9wZQ$bm9wZQ', {})",
            lit(&id),
            lit(&tenant),
            lit(&format!("user{u}@acme.test")),
            lit(&format!("User {u}")),
            if disabled { "TRUE" } else { "FALSE" }
        ));
        user_ids.push(id);
    }
    for chunk in values.chunks(500) {
        statements.push(format!(
            "INSERT INTO users (id, tenant_id, email, name, password_hash, disabled) VALUES {}",
            chunk.join(", ")
        ));
    }

    let (mut revoked, mut expired, mut no_expiry, mut never_used) = (0, 0, 0, 0);
    let mut values = Vec::new();
    let mut prefix_text = String::new();
    for i in 0..tokens {
        let owner = &user_ids[rng.below(users as u64) as usize];
        // Created over the last two years, to the second (some seconds are shared, which the
        // keyset paging must break by id).
        let created = now - rng.below(730 * DAY as u64) as i64;
        let age = now - created;
        let expires = if rng.chance(35) {
            no_expiry += 1;
            None
        } else {
            Some(created + [7, 30, 90, 180, 365, 730][rng.below(6) as usize] * DAY)
        };
        let revoked_at = rng
            .chance(12)
            .then(|| created + rng.below(age as u64 + 1) as i64);
        revoked += usize::from(revoked_at.is_some());
        expired += usize::from(revoked_at.is_none() && expires.is_some_and(|e| e <= now));
        let last_used = if rng.chance(25) {
            never_used += 1;
            None
        } else {
            Some(created + rng.below(age as u64 + 1) as i64)
        };
        let prefix = format!("kbai_pk_{:04x}", rng.below(0x1_0000));
        if i == tokens / 2 {
            prefix_text = prefix["kbai_pk_".len()..].to_owned();
        }
        let hash = format!(
            "{:016x}{:016x}{:016x}{:016x}",
            rng.next(),
            rng.next(),
            rng.next(),
            rng.next()
        );
        values.push(format!(
            "({}, {}, {}, {}, {}, {}, {}, {created}, {}, {}, {}, {})",
            lit(&new_id()),
            lit(&tenant),
            lit(owner),
            lit(&format!(
                "{} {}",
                NAMES[rng.below(NAMES.len() as u64) as usize],
                i % 997
            )),
            lit(&prefix),
            lit(SCOPES[rng.below(SCOPES.len() as u64) as usize]),
            lit(&hash),
            opt(expires),
            opt(last_used),
            opt(revoked_at),
            if last_used.is_some() {
                "'127.0.0.1'"
            } else {
                "NULL"
            },
        ));
    }
    for chunk in values.chunks(1000) {
        statements.push(format!(
            "INSERT INTO tokens (id, tenant_id, user_id, name, prefix, scopes, hash, created_at, \
             expires_at, last_used_at, revoked_at, last_used_ip) VALUES {}",
            chunk.join(", ")
        ));
    }

    let version: String = match (&pg, &sqlite) {
        (Some(c), _) => c.query_one("SHOW server_version", &[]).await?.get(0),
        (_, Some(c)) => c.query_row("SELECT sqlite_version()", [], |r| r.get(0))?,
        _ => unreachable!(),
    };
    match (&pg, sqlite) {
        (Some(c), _) => {
            c.batch_execute("BEGIN").await?;
            for s in &statements {
                c.batch_execute(s).await?;
            }
            c.batch_execute("COMMIT").await?;
            // What autovacuum does within a minute of a bulk load; done now so the plans
            // measured are the ones a settled database gets.
            c.batch_execute("ANALYZE").await?;
        }
        // SQLite: no ANALYZE, since the server never runs one; its plans come from the schema.
        (_, Some(mut c)) => {
            let tx = c.transaction()?;
            for s in &statements {
                tx.execute_batch(s)?;
            }
            tx.commit()?;
        }
        _ => unreachable!(),
    }
    println!("engine_version={version}");
    println!("user_id={}", user_ids[0]);
    println!("prefix_text={prefix_text}");
    println!(
        "mix=tokens {tokens}, users {users} ({disabled_users} disabled), revoked {revoked}, \
         expired {expired}, no expiry {no_expiry}, never used {never_used}"
    );
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

struct Page {
    rows: usize,
    bytes: usize,
    next: Option<String>,
}

async fn get_page(
    http: &reqwest::Client,
    url: &str,
    session: &str,
) -> anyhow::Result<(Duration, Page)> {
    let t = Instant::now();
    let resp = http.get(url).bearer_auth(session).send().await?;
    let status = resp.status();
    let body = resp.bytes().await?;
    let took = t.elapsed();
    anyhow::ensure!(
        status == 200,
        "{url}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    Ok((
        took,
        Page {
            rows: v["tokens"].as_array().map_or(0, Vec::len),
            bytes: body.len(),
            next: v["next_cursor"].as_str().map(str::to_owned),
        },
    ))
}

async fn measure(base: &str, user: &str, prefix_text: &str, rounds: usize) -> anyhow::Result<()> {
    let session = std::env::var("BENCH_SESSION")?;
    let http = reqwest::Client::new();
    let cases: Vec<(&str, String)> = vec![
        ("no filter", String::new()),
        ("status=active", "status=active".into()),
        ("user_id", format!("user_id={user}")),
        ("q (name text)", "q=deploy".into()),
        ("q (prefix text)", format!("q={prefix_text}")),
        ("scope", "scope=contacts.write".into()),
        ("unused_days=90", "unused_days=90".into()),
        ("expiring_within_days=30", "expiring_within_days=30".into()),
        ("no_expiry=true", "no_expiry=true".into()),
        ("owner_disabled=true", "owner_disabled=true".into()),
        (
            "combined",
            "status=active&scope=messages.read&unused_days=30&owner_disabled=false".into(),
        ),
    ];
    for (name, query) in &cases {
        let url = |limit: u32, cursor: Option<&str>| {
            let mut u = format!("{base}/v1/admin/tokens?limit={limit}");
            if !query.is_empty() {
                u += &format!("&{query}");
            }
            if let Some(c) = cursor {
                u += &format!("&cursor={c}");
            }
            u
        };
        // Walk the whole listing once (500 a page) to find a deep position: the cursor
        // nine tenths of the way through, and how many tokens match in all.
        let (mut cursors, mut matched, mut next) = (Vec::new(), 0, None::<String>);
        loop {
            let (_, page) = get_page(&http, &url(500, next.as_deref()), &session).await?;
            matched += page.rows;
            match page.next {
                Some(c) => {
                    cursors.push((matched, c.clone()));
                    next = Some(c);
                }
                None => break,
            }
        }
        let deep = (!cursors.is_empty()).then(|| cursors[cursors.len() * 9 / 10].clone());
        for limit in [100, 500] {
            let mut pages = vec![("first".to_owned(), None)];
            if let Some((skipped, c)) = &deep {
                pages.push((format!("after {skipped}"), Some(c.as_str())));
            }
            for (page_name, cursor) in pages {
                let target = url(limit, cursor);
                let (mut lat, mut hz) = (Vec::new(), Vec::new());
                let mut last = None;
                for i in 0..rounds + 5 {
                    let (took, page) = get_page(&http, &target, &session).await?;
                    let t = Instant::now();
                    let h = http.get(format!("{base}/healthz")).send().await?;
                    anyhow::ensure!(h.status() == 200, "healthz: {}", h.status());
                    let _ = h.bytes().await?;
                    // The first five are the warm-up (connection, page cache, statement cache).
                    if i >= 5 {
                        lat.push(took);
                        hz.push(t.elapsed());
                    }
                    last = Some(page);
                }
                lat.sort();
                hz.sort();
                let page = last.unwrap_or(Page {
                    rows: 0,
                    bytes: 0,
                    next: None,
                });
                println!(
                    "{name}\t{query}\t{matched}\t{limit}\t{page_name}\t{}\t{}\t{:.2}\t{:.2}\t{:.3}\t{:.3}",
                    page.rows,
                    page.bytes,
                    percentile(&lat, 0.5),
                    percentile(&lat, 0.99),
                    percentile(&hz, 0.5),
                    percentile(&hz, 0.99),
                );
            }
        }
    }
    Ok(())
}
