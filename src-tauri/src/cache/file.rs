//! The cache's file: opened 0600 with its companions, checked, migrated ([`MIGRATIONS`]), and
//! set aside — renamed and kept — when it is damaged or was written by a newer app.

use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::Connection;

use super::{storage_err, FILE_NAME};
use crate::error::{AppError, AppResult};
use crate::private_files;

/// Files SQLite may keep beside the database.
const COMPANIONS: &[&str] = &["-wal", "-shm", "-journal"];

/// Schema versions, applied in order at open, each in its own transaction.
pub const MIGRATIONS: &[&str] = &[
    // 1: one row per account with the whole list as JSON; the list is always replaced whole.
    "CREATE TABLE token_lists (
        account     TEXT PRIMARY KEY,
        fetched_at  TEXT NOT NULL,
        list_json   TEXT NOT NULL
    );",
    // 2: one table for every kind of data, today's lists carried forward.
    "CREATE TABLE entries (
        account     TEXT NOT NULL,
        kind        TEXT NOT NULL,
        key         TEXT NOT NULL DEFAULT '',
        fetched_at  TEXT NOT NULL,
        json        TEXT NOT NULL,
        PRIMARY KEY (account, kind, key)
    );
    INSERT INTO entries (account, kind, key, fetched_at, json)
        SELECT account, 'token_list', '', fetched_at, list_json FROM token_lists;
    DROP TABLE token_lists;",
    // 3: a token's hourly usage counts packed (`usage_hours.rs`) beside its usage entry, whose
    // JSON then holds the addresses only. Entries written by version 2 keep their counts in
    // the JSON and are read as they are until the next sync replaces them.
    "CREATE TABLE usage_hours (
        account     TEXT NOT NULL,
        token_id    TEXT NOT NULL,
        hours       BLOB NOT NULL,
        PRIMARY KEY (account, token_id)
    );",
];

/// Why an existing file can't be used as it is.
pub(super) enum Unusable {
    Corrupt(String),
    Newer(usize),
}

/// Opens (creating if needed) `cache.db` in `dir` and brings its schema up to date. A file
/// that can't be used is set aside and replaced by an empty cache; the notice says so.
pub(super) fn open(dir: &Path) -> AppResult<(Connection, Option<String>)> {
    private_files::private_dir(dir).map_err(storage_err)?;
    let path = dir.join(FILE_NAME);
    let conn = open_file(dir, &path)?;
    match prepare(conn) {
        Ok(conn) => Ok((conn, None)),
        Err(Err(e)) => Err(e),
        Err(Ok(why)) => {
            let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
            let (tag, reason) = match &why {
                Unusable::Corrupt(e) => ("corrupt", format!("could not be read ({e})")),
                Unusable::Newer(v) => (
                    "newer",
                    format!("was written by a newer version of the app (schema {v})"),
                ),
            };
            let aside = dir.join(format!("{FILE_NAME}.{tag}-{stamp}"));
            set_aside(dir, &aside)?;
            tracing::warn!(aside = %aside.display(), "{reason}; the cache was set aside");
            let conn = prepare(open_file(dir, &path)?).map_err(|e| match e {
                Err(e) => e,
                Ok(_) => storage_err("a new cache file could not be made"),
            })?;
            let notice = format!(
                "The offline copy on this computer {reason}, so it was set aside as {} and \
                 a new one was started. Your data comes back at the next sync.",
                aside.file_name().map_or_else(
                    || aside.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                )
            );
            Ok((conn, Some(notice)))
        }
    }
}

/// Creates (or tightens) the file 0600 before SQLite opens it, so SQLite's companions follow.
fn open_file(dir: &Path, path: &Path) -> AppResult<Connection> {
    drop(private_files::open_append(path).map_err(storage_err)?);
    for suffix in COMPANIONS {
        private_files::tighten(&dir.join(format!("{FILE_NAME}{suffix}"))).map_err(storage_err)?;
    }
    Connection::open(path).map_err(storage_err)
}

/// Renames `cache.db` and its companions to `aside` (+ the same suffixes): a WAL left beside a
/// new file of the same name would be replayed into it.
fn set_aside(dir: &Path, aside: &Path) -> AppResult<()> {
    std::fs::rename(dir.join(FILE_NAME), aside).map_err(storage_err)?;
    for suffix in COMPANIONS {
        let from = dir.join(format!("{FILE_NAME}{suffix}"));
        if from.exists() {
            let mut to: PathBuf = aside.to_path_buf();
            to.as_mut_os_string().push(suffix);
            std::fs::rename(&from, &to).map_err(storage_err)?;
        }
    }
    Ok(())
}

/// Settings and migrations. `Err(Ok(_))`: the file can't be used and should be set aside;
/// `Err(Err(_))`: any other failure (a full disk, a folder we may not write), reported as is.
pub(super) fn prepare(mut conn: Connection) -> Result<Connection, Result<Unusable, AppError>> {
    let version: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(classify)?;
    if version > MIGRATIONS.len() {
        return Err(Ok(Unusable::Newer(version)));
    }
    // Reads every page once: a damaged file shows here rather than halfway through a sync.
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(classify)?;
    if check != "ok" {
        return Err(Ok(Unusable::Corrupt(check)));
    }
    // A forgotten entry is overwritten, not just unlinked from the b-tree: "removed on sign
    // out" must hold for the file's bytes too.
    conn.pragma_update(None, "secure_delete", true)
        .map_err(|e| Err(storage_err(e)))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        // A step that fails leaves the file at its version (one transaction each); a file that
        // claims a version its tables don't match can't be carried forward, so it is set aside
        // rather than keeping the app from starting.
        let step = |conn: &mut Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
            tx.commit()
        };
        step(&mut conn).map_err(|e| match classify(e) {
            Ok(why) => Ok(why),
            Err(e) => Ok(Unusable::Corrupt(format!(
                "its schema could not be brought to version {}: {}",
                i + 1,
                e.message
            ))),
        })?;
    }
    Ok(conn)
}

/// A file that is not a database or is damaged is set aside; anything else is an error.
fn classify(e: rusqlite::Error) -> Result<Unusable, AppError> {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            Ok(Unusable::Corrupt(e.to_string()))
        }
        _ => Err(storage_err(e)),
    }
}
