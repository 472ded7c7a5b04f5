//! The cache's own tests: entries, modes, migrations from a version-1 file, files set aside.

use std::path::{Path, PathBuf};

use super::*;
use crate::private_files;
use keebai_api::wire::TokenStatus;

fn record(id: &str, status: TokenStatus) -> TokenRecord {
    TokenRecord {
        id: id.into(),
        name: "Local dev".into(),
        prefix: "kbai_pk_a1b2".into(),
        scopes: vec!["messages.read".into()],
        created_at: Utc::now(),
        expires_at: None,
        last_used_at: None,
        revoked_at: None,
        status,
        rotated_from: None,
        replaced_by: None,
    }
}

#[test]
fn stores_loads_updates_and_forgets() {
    let cache = Cache::in_memory().expect("cache");
    assert_eq!(cache.load("a").expect("load"), None);
    let list = TokenList {
        tokens: vec![
            record("t1", TokenStatus::Active),
            record("t2", TokenStatus::Active),
        ],
        active_count: 2,
        active_limit: 10,
    };
    let at = Utc::now();
    cache.store("a", &list, at).expect("store");
    let back = cache.load("a").expect("load").expect("some");
    assert_eq!(back.value, list);
    cache
        .update_record("a", &record("t2", TokenStatus::Revoked))
        .expect("update");
    let back = cache.load("a").expect("load").expect("some");
    assert_eq!(back.value.tokens[1].status, TokenStatus::Revoked);
    assert_eq!(cache.load("b").expect("load"), None);
    cache.forget("a").expect("forget");
    assert_eq!(cache.load("a").expect("load"), None);
}

#[cfg(unix)]
#[test]
fn the_file_and_its_companions_are_private_even_when_they_were_not() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let loose = std::fs::Permissions::from_mode(0o644);
    drop(Cache::open_in(dir.path()).expect("create"));
    assert_eq!(
        private_files::mode_of(&dir.path().join(FILE_NAME)).expect("mode"),
        0o600
    );
    std::fs::set_permissions(dir.path().join(FILE_NAME), loose.clone()).expect("chmod");
    for suffix in ["-wal", "-shm"] {
        let companion = dir.path().join(format!("{FILE_NAME}{suffix}"));
        std::fs::write(&companion, b"").expect("write");
        std::fs::set_permissions(&companion, loose.clone()).expect("chmod");
    }
    let cache = Cache::open_in(dir.path()).expect("reopen");
    for suffix in ["", "-wal", "-shm"] {
        let path = dir.path().join(format!("{FILE_NAME}{suffix}"));
        assert_eq!(
            private_files::mode_of(&path).expect("mode"),
            0o600,
            "{suffix}"
        );
    }
    // A WAL-mode write: the files SQLite itself creates take the database's mode.
    std::fs::remove_file(dir.path().join("cache.db-wal")).expect("rm");
    std::fs::remove_file(dir.path().join("cache.db-shm")).expect("rm");
    {
        let conn = cache.conn.lock().expect("conn");
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .expect("wal");
        assert_eq!(mode, "wal");
    }
    let list = TokenList {
        tokens: vec![record("t1", TokenStatus::Active)],
        active_count: 1,
        active_limit: 10,
    };
    cache.store("a", &list, Utc::now()).expect("store");
    for suffix in ["-wal", "-shm"] {
        let path = dir.path().join(format!("{FILE_NAME}{suffix}"));
        assert_eq!(
            private_files::mode_of(&path).expect("mode"),
            0o600,
            "{suffix}"
        );
    }
}

#[test]
fn migrations_are_idempotent_on_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    Cache::open_in(dir.path()).expect("first open");
    let again = Cache::open_in(dir.path()).expect("second open");
    assert_eq!(again.load("x").expect("load"), None);
}

pub(super) fn list_of(ids: &[&str]) -> TokenList {
    TokenList {
        tokens: ids
            .iter()
            .map(|id| record(id, TokenStatus::Active))
            .collect(),
        active_count: u32::try_from(ids.len()).expect("small"),
        active_limit: 10,
    }
}

/// Files in `dir` whose names start with `prefix`.
fn named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect()
}

#[test]
fn a_file_written_by_the_version_1_schema_is_carried_forward() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = list_of(&["t1", "t2", "t3"]);
    let fetched_at = DateTime::parse_from_rfc3339("2026-11-30T08:15:00+00:00")
        .expect("time")
        .with_timezone(&Utc);
    {
        // Exactly what version 1 wrote: its table, its row, user_version 1.
        let conn = Connection::open(dir.path().join(FILE_NAME)).expect("open");
        conn.execute_batch(MIGRATIONS[0]).expect("v1 schema");
        conn.execute(
            "INSERT INTO token_lists (account, fetched_at, list_json) VALUES (?1, ?2, ?3)",
            params![
                "dev@acme.test@acme@http://127.0.0.1:8080",
                fetched_at.to_rfc3339(),
                serde_json::to_string(&list).expect("json")
            ],
        )
        .expect("row");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
    }
    let cache = Cache::open_in(dir.path()).expect("open and migrate");
    assert_eq!(cache.take_notice(), None, "nothing was set aside");
    let back = cache
        .load("dev@acme.test@acme@http://127.0.0.1:8080")
        .expect("load")
        .expect("the list survived");
    assert_eq!(back.value, list);
    assert_eq!(back.fetched_at, fetched_at);
    let version: usize = cache
        .conn
        .lock()
        .expect("conn")
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, MIGRATIONS.len());
    // The old table is gone, so nothing is kept twice.
    let old: Option<String> = cache
        .conn
        .lock()
        .expect("conn")
        .query_row(
            "SELECT name FROM sqlite_master WHERE name = 'token_lists'",
            [],
            |r| r.get(0),
        )
        .optional()
        .expect("query");
    assert_eq!(old, None);
}

#[test]
fn kinds_and_keys_are_kept_apart_and_forget_removes_all_of_an_account() {
    let cache = Cache::in_memory().expect("cache");
    let at = Utc::now();
    cache.store("a", &list_of(&["t1"]), at).expect("list");
    cache
        .put("a", Kind::Me, "", &serde_json::json!({"who": "a"}), at)
        .expect("me");
    cache
        .put("b", Kind::Me, "", &serde_json::json!({"who": "b"}), at)
        .expect("me b");
    let me: Cached<serde_json::Value> = cache.get("a", Kind::Me, "").expect("get").expect("some");
    assert_eq!(me.value["who"], "a");
    assert!(cache
        .get::<serde_json::Value>("a", Kind::Permissions, "")
        .expect("get")
        .is_none());
    cache.forget("a").expect("forget");
    assert_eq!(cache.load("a").expect("load"), None);
    assert!(cache
        .get::<serde_json::Value>("a", Kind::Me, "")
        .expect("get")
        .is_none());
    assert!(cache
        .get::<serde_json::Value>("b", Kind::Me, "")
        .expect("get")
        .is_some());
}

#[test]
fn a_corrupt_file_is_set_aside_kept_and_replaced_with_a_notice_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let garbage =
        b"this is not a SQLite database, just bytes a crash or a disk left behind\n".repeat(40);
    std::fs::write(dir.path().join(FILE_NAME), &garbage).expect("write");
    let cache = Cache::open_in(dir.path()).expect("opens anyway");
    let notice = cache.take_notice().expect("a notice");
    assert!(notice.contains("could not be read"), "{notice}");
    assert_eq!(cache.take_notice(), None, "said once");
    let aside = named(dir.path(), "cache.db.corrupt-");
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(notice.contains(&*aside[0].file_name().expect("name").to_string_lossy()));
    assert_eq!(
        std::fs::read(&aside[0]).expect("kept"),
        garbage,
        "kept as it was"
    );
    // The new cache works and stays.
    cache
        .store("a", &list_of(&["t1"]), Utc::now())
        .expect("store");
    drop(cache);
    let again = Cache::open_in(dir.path()).expect("reopen");
    assert_eq!(again.take_notice(), None);
    assert!(again.load("a").expect("load").is_some());
}

#[test]
fn a_file_from_a_newer_version_is_set_aside_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let newer = MIGRATIONS.len() + 5;
    {
        let conn = Connection::open(dir.path().join(FILE_NAME)).expect("open");
        conn.execute_batch("CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('kept');")
            .expect("schema");
        conn.pragma_update(None, "user_version", newer)
            .expect("version");
    }
    let cache = Cache::open_in(dir.path()).expect("opens anyway");
    let notice = cache.take_notice().expect("a notice");
    assert!(notice.contains("newer version"), "{notice}");
    let aside = named(dir.path(), "cache.db.newer-");
    assert_eq!(aside.len(), 1, "{aside:?}");
    let kept = Connection::open(&aside[0]).expect("open the kept file");
    let (x, version): (String, usize) = (
        kept.query_row("SELECT x FROM future", [], |r| r.get(0))
            .expect("its data"),
        kept.query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version"),
    );
    assert_eq!((x.as_str(), version), ("kept", newer));
    assert_eq!(cache.load("a").expect("the new one is empty"), None);
}

#[test]
fn a_snapshot_replaces_the_usage_whole_and_keeps_the_previous_summary() {
    let cache = Cache::in_memory().expect("cache");
    let at = Utc::now();
    let usage = |ids: &[&str]| -> Vec<(String, TokenUsage)> {
        ids.iter()
            .map(|id| {
                let u = TokenUsage {
                    buckets: Vec::new(),
                    last_used_ip: Some(format!("203.0.113.{}", id.len())),
                    addresses: Vec::new(),
                };
                (id.to_string(), u)
            })
            .collect()
    };
    let summary = |n: u32| serde_json::json!({"sync": n});
    cache
        .store_snapshot(
            "a",
            &list_of(&["t1", "t2"]),
            &usage(&["t1", "t2"]),
            &summary(1),
            at,
        )
        .expect("first");
    cache
        .store_snapshot("b", &list_of(&["t9"]), &usage(&["t9"]), &summary(9), at)
        .expect("another account");
    cache
        .store_snapshot(
            "a",
            &list_of(&["t2", "t3"]),
            &usage(&["t2", "t3"]),
            &summary(2),
            at,
        )
        .expect("second");
    let all = cache.all_usage("a").expect("all");
    let mut keys: Vec<&str> = all.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["t2", "t3"], "t1's usage went with it; b's is b's");
    let latest: Cached<serde_json::Value> = cache
        .get("a", Kind::SyncLatest, "")
        .expect("get")
        .expect("latest");
    let previous: Cached<serde_json::Value> = cache
        .get("a", Kind::SyncPrevious, "")
        .expect("get")
        .expect("previous");
    assert_eq!(
        (latest.value["sync"].clone(), previous.value["sync"].clone()),
        (2.into(), 1.into())
    );
}
