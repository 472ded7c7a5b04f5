//! The Audit screen's figure (issue: "with 100,000 cached tokens and 90 days of hourly usage for
//! 1,000 of them, every audit view's query < 50 ms"): what `audit_views` does, in its parts and
//! whole — read the cached list, the cached usage and the two latest sync summaries back from a
//! real `cache.db` file, compute the eight views and what changed, and write the report as the
//! JSON the command hands the window. Run with `cargo bench -p keebai-keys --bench
//! audit_views`; figures go in docs/benchmarks.md.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use keebai_api::wire::{
    TokenList, TokenRecord, TokenStatus, TokenUsage, UsageAddress, UsageBucket,
};
use keebai_keys::audit_rules::{audit_with_usage, UsageFacts};
use keebai_keys::cache::{Cache, Kind};
use keebai_keys::dto::AuditReport;
use keebai_keys::sync_changes::{changes, summarize, SyncSummary};
use keebai_keys::usage_rules::WorkHours;

const TOKENS: usize = 100_000;
const WITH_USAGE: usize = 1_000;
const ACCOUNT: &str = "bench";

fn token(i: usize, now: DateTime<Utc>) -> TokenRecord {
    let age = Duration::days((i % 400) as i64);
    TokenRecord {
        id: format!("{i:08}"),
        name: format!("token {i}"),
        prefix: format!("kbai_pk_{:04x}", i % 0xffff),
        scopes: if i.is_multiple_of(3) {
            vec!["messages.read".into(), "messages.write".into()]
        } else {
            vec!["messages.read".into()]
        },
        created_at: now - age,
        expires_at: (!i.is_multiple_of(4)).then(|| now - age + Duration::days(120)),
        last_used_at: (!i.is_multiple_of(5)).then(|| now - Duration::hours((i % 2000) as i64)),
        revoked_at: (i.is_multiple_of(10)).then(|| now - Duration::days(1)),
        status: if i.is_multiple_of(10) {
            TokenStatus::Revoked
        } else {
            TokenStatus::Active
        },
        rotated_from: None,
        replaced_by: None,
    }
}

/// 90 days of hourly counts (every hour used) and three addresses.
fn usage(i: usize, now: DateTime<Utc>) -> TokenUsage {
    let start = now - Duration::hours(90 * 24);
    TokenUsage {
        buckets: (0..90 * 24)
            .map(|h| UsageBucket {
                hour: start + Duration::hours(h),
                count: 1 + (h as u64 + i as u64) % 40,
            })
            .collect(),
        last_used_ip: Some("203.0.113.1".into()),
        addresses: (0..3)
            .map(|a| UsageAddress {
                ip: format!("203.0.113.{a}"),
                first_seen: now - Duration::days(3 * a + 2),
                last_seen: now,
                count: 100,
            })
            .collect(),
    }
}

fn bench(c: &mut Criterion) {
    let now = Utc::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = Cache::open_in(dir.path()).expect("cache");
    let tokens: Vec<TokenRecord> = (0..TOKENS).map(|i| token(i, now)).collect();
    let list = TokenList {
        active_count: 10,
        active_limit: 10,
        tokens,
    };
    let used: Vec<(String, TokenUsage)> = list
        .tokens
        .iter()
        .filter(|t| t.status == TokenStatus::Active)
        .take(WITH_USAGE)
        .enumerate()
        .map(|(i, t)| (t.id.clone(), usage(i, now)))
        .collect();
    // Two syncs, so "what changed" has a previous summary to compare with.
    for _ in 0..2 {
        let summary = summarize(&list, &used, now);
        cache
            .store_snapshot(ACCOUNT, &list, &used, &summary, now)
            .expect("store");
    }
    let hours = WorkHours::default();
    let size = std::fs::metadata(dir.path().join(keebai_keys::cache::FILE_NAME))
        .expect("cache.db")
        .len();
    println!("cache.db: {:.1} MiB", size as f64 / (1024.0 * 1024.0));

    let read_list = || cache.load(ACCOUNT).expect("load").expect("cached").value;
    // As the app reads it: every cached usage of the account in one query, kept for the listed
    // tokens.
    let read_usage = |tokens: &[TokenRecord]| {
        let mut all: HashMap<String, TokenUsage> = cache.all_usage(ACCOUNT).expect("all_usage");
        let wanted: std::collections::HashSet<&str> =
            tokens.iter().map(|t| t.id.as_str()).collect();
        all.retain(|id, _| wanted.contains(id.as_str()));
        all
    };
    let list_now = read_list();
    let usage_now = read_usage(&list_now.tokens);
    assert_eq!(usage_now.len(), WITH_USAGE);

    let mut g =
        c.benchmark_group("audit_views, 100,000 cached tokens, 1,000 with 90 days of usage");
    g.sample_size(10);
    g.bench_function("read the cached list", |b| b.iter(read_list));
    g.bench_function("read the cached usage", |b| {
        b.iter(|| read_usage(&list_now.tokens))
    });
    g.bench_function("compute the eight views", |b| {
        b.iter(|| {
            let facts = UsageFacts {
                usage: &usage_now,
                hours: &hours,
                tz: &chrono::Local,
            };
            audit_with_usage(&list_now.tokens, Utc::now(), 30, &facts)
        })
    });
    let read_changes = || {
        let summary = |kind| {
            cache
                .get::<SyncSummary>(ACCOUNT, kind, "")
                .expect("summary")
                .expect("cached")
                .value
        };
        changes(&summary(Kind::SyncPrevious), &summary(Kind::SyncLatest))
    };
    g.bench_function("read the two sync summaries and compare", |b| {
        b.iter(read_changes)
    });
    g.bench_function("the whole audit_views, as JSON for the window", |b| {
        b.iter(|| {
            let l = read_list();
            let u = read_usage(&l.tokens);
            let facts = UsageFacts {
                usage: &u,
                hours: &hours,
                tz: &chrono::Local,
            };
            let at = Utc::now();
            let report = AuditReport {
                views: audit_with_usage(&l.tokens, at, 30, &facts),
                changes: Some(read_changes()),
                tokens: l.tokens,
                stale_days: 30,
                work_hours: hours.clone(),
                offline: true,
                fetched_at: now,
                computed_at: at,
            };
            serde_json::to_string(&report).expect("json").len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
