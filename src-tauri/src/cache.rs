//! The local offline store (SQLite, `cache.db` in the data folder): every kind of data the app
//! fetches, per account, read back with when it was fetched, so each screen can still show its
//! data, marked offline, when the server is unreachable.
//!
//! One table, `entries(account, kind, key, fetched_at, json)`: a row per account ([`Kind`] says
//! what it holds; `key` tells apart several of one kind, e.g. a token's usage later, and is
//! empty for the singletons). It holds exactly what the server returned for the list, `me` and
//! the permission catalog: names, prefixes, scopes, times. No secret ever reaches it; the only
//! secret the app sees is discarded after its one display, and the session token lives in the
//! keyring.
//!
//! Schema versions are [`MIGRATIONS`], applied in order at open; `PRAGMA user_version` records
//! how far a file got. Version 1 held one row per account in `token_lists`; version 2 carries
//! those rows into `entries`. A file that is not a database, is damaged, or was written by a
//! newer app (a `user_version` beyond [`MIGRATIONS`]) is set aside — renamed
//! `cache.db.corrupt-<time>` or `cache.db.newer-<time>`, kept for whoever wants it — and a new
//! empty cache is made; [`Cache::take_notice`] says so once.
//!
//! The file is 0600 (and any `-wal`, `-shm` or `-journal` beside it, tightened at open); SQLite
//! creates those companions with the database file's own mode, so they start 0600 too.
//! **Sign out** removes the account's rows ([`Cache::forget`]) unless the user keeps an offline
//! copy.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use keebai_api::wire::{TokenList, TokenRecord};
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::private_files;

/// The cache's file name in the data folder.
pub const FILE_NAME: &str = "cache.db";
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
];

/// What an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `GET /v1/tokens`.
    TokenList,
    /// `GET /v1/me`: the user, the tenant and the permissions (no credential).
    Me,
    /// `GET /v1/permissions`: the catalog, for the scope labels.
    Permissions,
    /// `GET /v1/audit-events`, its newest pages: the Activity screen.
    Activity,
    /// `GET /v1/admin/tokens`, every page: the Inventory screen.
    Inventory,
    /// `GET /v1/tenant/token-policy`: the Token policy screen and the Inventory's policy view.
    Policy,
    /// `GET /v1/tokens/{id}/usage`, keyed by the token's id: the usage-based Audit views and a
    /// token's detail panel.
    Usage,
    /// The latest sync's summary, and the one before it: what changed since the last sync.
    SyncLatest,
    SyncPrevious,
}

impl Kind {
    /// The stable name stored in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TokenList => "token_list",
            Self::Me => "me",
            Self::Permissions => "permissions",
            Self::Activity => "activity",
            Self::Inventory => "inventory",
            Self::Policy => "token_policy",
            Self::Usage => "usage",
            Self::SyncLatest => "sync_latest",
            Self::SyncPrevious => "sync_previous",
        }
    }
}

/// A value read back from the cache, with when it was fetched from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cached<T> {
    pub value: T,
    pub fetched_at: DateTime<Utc>,
}

/// A token list read back from the cache.
pub type CachedList = Cached<TokenList>;

pub struct Cache {
    conn: Mutex<Connection>,
    notice: Mutex<Option<String>>,
}

fn storage_err(e: impl std::fmt::Display) -> AppError {
    AppError::local_storage("cache", e)
}

/// Why an existing file can't be used as it is.
enum Unusable {
    Corrupt(String),
    Newer(usize),
}

impl Cache {
    /// Opens (creating if needed) `cache.db` in `dir` and brings its schema up to date. A file
    /// that can't be used is set aside and replaced by an empty cache (see the module docs).
    pub fn open_in(dir: &Path) -> AppResult<Self> {
        private_files::private_dir(dir).map_err(storage_err)?;
        let path = dir.join(FILE_NAME);
        let conn = open_file(dir, &path)?;
        match prepare(conn) {
            Ok(conn) => Ok(Self::with(conn, None)),
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
                Ok(Self::with(conn, Some(notice)))
            }
        }
    }

    /// An in-memory cache, for tests.
    pub fn in_memory() -> AppResult<Self> {
        let conn = Connection::open_in_memory().map_err(storage_err)?;
        prepare(conn).map(|c| Self::with(c, None)).map_err(|e| {
            e.err()
                .unwrap_or_else(|| storage_err("in-memory cache unusable"))
        })
    }

    fn with(conn: Connection, notice: Option<String>) -> Self {
        Self {
            conn: Mutex::new(conn),
            notice: Mutex::new(notice),
        }
    }

    /// What happened to an unusable cache file at open, once: later calls answer `None`.
    pub fn take_notice(&self) -> Option<String> {
        self.notice.lock().ok().and_then(|mut n| n.take())
    }

    /// Stores `value` as the account's entry of `kind`/`key`, replacing the previous one.
    pub fn put<T: Serialize>(
        &self,
        account: &str,
        kind: Kind,
        key: &str,
        value: &T,
        at: DateTime<Utc>,
    ) -> AppResult<()> {
        let json = serde_json::to_string(value).map_err(storage_err)?;
        self.conn
            .lock()
            .map_err(storage_err_poisoned)?
            .execute(
                "INSERT INTO entries (account, kind, key, fetched_at, json)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(account, kind, key) DO UPDATE SET fetched_at = ?4, json = ?5",
                params![account, kind.as_str(), key, at.to_rfc3339(), json],
            )
            .map_err(storage_err)?;
        Ok(())
    }

    /// Stores the account's token list, each listed token's usage (by token id) and the sync's
    /// summary as one snapshot: one transaction, so a sync cut short leaves the previous
    /// snapshot whole. Usage of tokens no longer listed is dropped with it; the summary it
    /// replaces is kept as the previous sync's.
    pub fn store_snapshot<U: Serialize, S: Serialize>(
        &self,
        account: &str,
        list: &TokenList,
        usage: &[(String, U)],
        summary: &S,
        at: DateTime<Utc>,
    ) -> AppResult<()> {
        let at_text = at.to_rfc3339();
        let mut rows = vec![(
            Kind::TokenList,
            String::new(),
            serde_json::to_string(list).map_err(storage_err)?,
        )];
        for (id, u) in usage {
            rows.push((
                Kind::Usage,
                id.clone(),
                serde_json::to_string(u).map_err(storage_err)?,
            ));
        }
        rows.push((
            Kind::SyncLatest,
            String::new(),
            serde_json::to_string(summary).map_err(storage_err)?,
        ));
        let mut conn = self.conn.lock().map_err(storage_err_poisoned)?;
        let tx = conn.transaction().map_err(storage_err)?;
        tx.execute(
            "DELETE FROM entries WHERE account = ?1 AND kind = ?2",
            params![account, Kind::SyncPrevious.as_str()],
        )
        .map_err(storage_err)?;
        tx.execute(
            "UPDATE entries SET kind = ?3 WHERE account = ?1 AND kind = ?2",
            params![
                account,
                Kind::SyncLatest.as_str(),
                Kind::SyncPrevious.as_str()
            ],
        )
        .map_err(storage_err)?;
        tx.execute(
            "DELETE FROM entries WHERE account = ?1 AND kind = ?2",
            params![account, Kind::Usage.as_str()],
        )
        .map_err(storage_err)?;
        for (kind, key, json) in rows {
            tx.execute(
                "INSERT INTO entries (account, kind, key, fetched_at, json)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(account, kind, key) DO UPDATE SET fetched_at = ?4, json = ?5",
                params![account, kind.as_str(), key, at_text, json],
            )
            .map_err(storage_err)?;
        }
        tx.commit().map_err(storage_err)
    }

    /// The account's entry of `kind`/`key`, with when it was fetched.
    pub fn get<T: DeserializeOwned>(
        &self,
        account: &str,
        kind: Kind,
        key: &str,
    ) -> AppResult<Option<Cached<T>>> {
        let row: Option<(String, String)> = self
            .conn
            .lock()
            .map_err(storage_err_poisoned)?
            .query_row(
                "SELECT fetched_at, json FROM entries
                 WHERE account = ?1 AND kind = ?2 AND key = ?3",
                params![account, kind.as_str(), key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(storage_err)?;
        row.map(|(at, json)| {
            Ok(Cached {
                value: serde_json::from_str(&json).map_err(storage_err)?,
                fetched_at: DateTime::parse_from_rfc3339(&at)
                    .map_err(storage_err)?
                    .with_timezone(&Utc),
            })
        })
        .transpose()
    }

    /// Every entry of `kind` of the account, by key, in one query (a token's usage for each of
    /// thousands of tokens would otherwise be as many queries).
    pub fn get_all<T: DeserializeOwned>(
        &self,
        account: &str,
        kind: Kind,
    ) -> AppResult<std::collections::HashMap<String, T>> {
        let conn = self.conn.lock().map_err(storage_err_poisoned)?;
        let mut st = conn
            .prepare("SELECT key, json FROM entries WHERE account = ?1 AND kind = ?2")
            .map_err(storage_err)?;
        let rows = st
            .query_map(params![account, kind.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(storage_err)?;
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (key, json) = row.map_err(storage_err)?;
            out.insert(key, serde_json::from_str(&json).map_err(storage_err)?);
        }
        Ok(out)
    }

    /// Stores the account's token list.
    pub fn store(&self, account: &str, list: &TokenList, at: DateTime<Utc>) -> AppResult<()> {
        self.put(account, Kind::TokenList, "", list, at)
    }

    /// The account's token list as last fetched.
    pub fn load(&self, account: &str) -> AppResult<Option<CachedList>> {
        self.get(account, Kind::TokenList, "")
    }

    /// Replaces one record in an account's cached list (after a revoke or a rotation).
    pub fn update_record(&self, account: &str, record: &TokenRecord) -> AppResult<()> {
        if let Some(mut cached) = self.load(account)? {
            for r in cached.value.tokens.iter_mut().filter(|r| r.id == record.id) {
                *r = record.clone();
            }
            self.store(account, &cached.value, cached.fetched_at)?;
        }
        Ok(())
    }

    /// Removes everything cached for the account (overwritten: `secure_delete`).
    pub fn forget(&self, account: &str) -> AppResult<()> {
        self.conn
            .lock()
            .map_err(storage_err_poisoned)?
            .execute("DELETE FROM entries WHERE account = ?1", params![account])
            .map_err(storage_err)?;
        Ok(())
    }
}

fn storage_err_poisoned<T>(_: std::sync::PoisonError<T>) -> AppError {
    storage_err("a previous cache operation panicked")
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
fn prepare(mut conn: Connection) -> Result<Connection, Result<Unusable, AppError>> {
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

#[cfg(test)]
mod tests;
