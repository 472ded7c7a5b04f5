//! Cached data made large for the desktop's tests and benchmarks, written into a quit app's
//! `cache.db` the way the app itself would have cached it from a server holding that much.

use std::path::Path;

/// Grows the token list cached in the (quit) app's `cache.db` under `app_data` to `rows`
/// records: copies of its first record with their own id, name and prefix, revoked (only 10
/// may be active). What the app then shows offline is what it would have cached from a server
/// holding that many; the JSON is the app's own, so the shape cannot drift from it.
pub fn grow_cached_list(app_data: &Path, rows: usize) {
    let path = app_data.join("cache.db");
    let conn = rusqlite::Connection::open(&path).expect("cache.db");
    let (account, json): (String, String) = conn
        .query_row(
            "SELECT account, json FROM entries WHERE kind = 'token_list'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("one cached token list");
    let mut list: serde_json::Value = serde_json::from_str(&json).expect("cached list json");
    let tokens = list["tokens"].as_array_mut().expect("tokens");
    let template = tokens[0].clone();
    let created = template["created_at"].clone();
    for n in tokens.len()..rows {
        let mut t = template.clone();
        t["id"] = format!("00000000-0000-4000-8000-{n:012}").into();
        t["name"] = format!("cached {n}").into();
        t["prefix"] = format!("kbai_pk_{:04x}", n % 0x1_0000).into();
        t["status"] = "revoked".into();
        t["revoked_at"] = created.clone();
        t["rotated_from"] = serde_json::Value::Null;
        t["replaced_by"] = serde_json::Value::Null;
        tokens.push(t);
    }
    conn.execute(
        "UPDATE entries SET json = ?1 WHERE account = ?2 AND kind = 'token_list'",
        rusqlite::params![list.to_string(), account],
    )
    .expect("grown list stored");
    // Its head (the first rows and counts, written with the list) keeps its rows: the grown
    // ones are appended, revoked. Only the total changes.
    let head: String = conn
        .query_row(
            "SELECT json FROM entries WHERE account = ?1 AND kind = 'token_list_head'",
            [&account],
            |r| r.get(0),
        )
        .expect("the list's head");
    let mut head: serde_json::Value = serde_json::from_str(&head).expect("head json");
    head["total"] = rows.into();
    conn.execute(
        "UPDATE entries SET json = ?1 WHERE account = ?2 AND kind = 'token_list_head'",
        rusqlite::params![head.to_string(), account],
    )
    .expect("grown head stored");
}
