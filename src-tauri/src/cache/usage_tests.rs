//! The cached usage: hourly counts packed beside the entry, put back together on reading,
//! dropped with the snapshot they came in or on sign-out, and version-2 entries (counts inside
//! the JSON) still read after the migration.

use chrono::Duration;
use keebai_api::wire::{UsageAddress, UsageBucket};

use super::tests::list_of;
use super::*;

fn usage_of(n: i64, now: DateTime<Utc>) -> TokenUsage {
    let start = DateTime::<Utc>::from_timestamp(now.timestamp() / 3600 * 3600, 0).expect("hour");
    TokenUsage {
        buckets: (0..n)
            .map(|h| UsageBucket {
                hour: start - Duration::hours(n - h),
                count: 1 + (h as u64 % 9),
            })
            .collect(),
        last_used_ip: Some("203.0.113.7".into()),
        addresses: vec![UsageAddress {
            ip: "203.0.113.7".into(),
            first_seen: start - Duration::days(3),
            last_seen: start,
            count: 12,
        }],
    }
}

fn packed_rows(cache: &Cache, account: &str) -> usize {
    cache
        .conn
        .lock()
        .expect("conn")
        .query_row(
            "SELECT count(*) FROM usage_hours WHERE account = ?1",
            params![account],
            |r| r.get(0),
        )
        .expect("count")
}

#[test]
fn usage_reads_back_whole_one_token_or_all() {
    let cache = Cache::in_memory().expect("cache");
    let now = Utc::now();
    let (long, short) = (usage_of(2160, now), usage_of(3, now));
    let usage = vec![
        ("t1".to_string(), long.clone()),
        ("t2".to_string(), short.clone()),
    ];
    cache
        .store_snapshot(
            "a",
            &list_of(&["t1", "t2"]),
            &usage,
            &serde_json::json!({}),
            now,
        )
        .expect("store");
    assert_eq!(
        cache.usage("a", "t1").expect("t1").expect("some").value,
        long
    );
    let all = cache.all_usage("a").expect("all");
    assert_eq!((all.len(), &all["t1"], &all["t2"]), (2, &long, &short));
    assert_eq!(cache.usage("a", "t3").expect("t3"), None);
    assert!(cache.all_usage("b").expect("b").is_empty());
    // The entry's JSON no longer carries the counts: they are only in the packed table.
    let json: String = cache
        .conn
        .lock()
        .expect("conn")
        .query_row(
            "SELECT json FROM entries WHERE account = 'a' AND kind = 'usage' AND key = 't1'",
            [],
            |r| r.get(0),
        )
        .expect("entry");
    assert!(json.contains("\"buckets\":[]"), "{json}");
}

#[test]
fn packed_usage_goes_with_its_snapshot_and_with_sign_out() {
    let cache = Cache::in_memory().expect("cache");
    let now = Utc::now();
    let one = |id: &str| vec![(id.to_string(), usage_of(24, now))];
    let empty = serde_json::json!({});
    cache
        .store_snapshot("a", &list_of(&["t1"]), &one("t1"), &empty, now)
        .expect("first");
    cache
        .store_snapshot("b", &list_of(&["t9"]), &one("t9"), &empty, now)
        .expect("b");
    cache
        .store_snapshot("a", &list_of(&["t2"]), &one("t2"), &empty, now)
        .expect("second");
    assert_eq!(cache.usage("a", "t1").expect("t1"), None);
    assert_eq!(
        packed_rows(&cache, "a"),
        1,
        "t1's counts went with its entry"
    );
    cache.forget("a").expect("forget");
    assert_eq!((packed_rows(&cache, "a"), packed_rows(&cache, "b")), (0, 1));
}

#[test]
fn damaged_packed_counts_are_an_error_not_an_empty_history() {
    let cache = Cache::in_memory().expect("cache");
    let now = Utc::now();
    let usage = vec![("t1".to_string(), usage_of(48, now))];
    cache
        .store_snapshot("a", &list_of(&["t1"]), &usage, &serde_json::json!({}), now)
        .expect("store");
    cache
        .conn
        .lock()
        .expect("conn")
        .execute("UPDATE usage_hours SET hours = x'0105'", [])
        .expect("damage");
    assert!(cache.usage("a", "t1").is_err());
    assert!(cache.all_usage("a").is_err());
}

#[test]
fn usage_written_by_the_version_2_schema_is_read_after_the_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = Utc::now();
    let old = usage_of(72, now);
    {
        // Exactly what version 2 wrote: the counts inside the entry's JSON.
        let conn = Connection::open(dir.path().join(FILE_NAME)).expect("open");
        conn.execute_batch(&MIGRATIONS[..2].join("\n"))
            .expect("v2 schema");
        conn.execute(
            "INSERT INTO entries (account, kind, key, fetched_at, json)
             VALUES ('a', 'usage', 't1', ?1, ?2)",
            params![now.to_rfc3339(), serde_json::to_string(&old).expect("json")],
        )
        .expect("row");
        conn.pragma_update(None, "user_version", 2)
            .expect("version");
    }
    let cache = Cache::open_in(dir.path()).expect("open and migrate");
    assert_eq!(cache.take_notice(), None, "nothing was set aside");
    assert_eq!(
        cache.usage("a", "t1").expect("t1").expect("some").value,
        old
    );
    assert_eq!(cache.all_usage("a").expect("all")["t1"], old);
}
