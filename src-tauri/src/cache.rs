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
//! A token's usage is the exception to "one JSON row": its hourly counts — thousands a token —
//! are packed into `usage_hours(account, token_id, hours)` ([`usage_hours`]), and the entry's
//! JSON keeps the rest; [`Cache::usage`] and [`Cache::all_usage`] put the two back together.
//!
//! The token list has a small companion, its head ([`list_head`]): the first rows and what the
//! counts and reminders need, written in the same transaction, so a launch paints the first
//! screen of a large cache without decoding all of it.
//!
//! Schema versions are [`MIGRATIONS`], applied in order at open; `PRAGMA user_version` records
//! how far a file got. Version 1 held one row per account in `token_lists`; version 2 carries
//! those rows into `entries`; version 3 adds `usage_hours`. A file that is not a database, is damaged, or was written by a
//! newer app (a `user_version` beyond [`MIGRATIONS`]) is set aside — renamed
//! `cache.db.corrupt-<time>` or `cache.db.newer-<time>`, kept for whoever wants it — and a new
//! empty cache is made; [`Cache::take_notice`] says so once.
//!
//! The file is 0600 (and any `-wal`, `-shm` or `-journal` beside it, tightened at open); SQLite
//! creates those companions with the database file's own mode, so they start 0600 too.
//! **Sign out** removes the account's rows ([`Cache::forget`]) unless the user keeps an offline
//! copy.

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use keebai_api::wire::{TokenList, TokenRecord, TokenUsage};
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{AppError, AppResult};

mod file;
pub mod list_head;
pub mod usage_hours;
pub use file::MIGRATIONS;

/// The cache's file name in the data folder.
pub const FILE_NAME: &str = "cache.db";
/// What an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `GET /v1/tokens`.
    TokenList,
    /// The list's first rows and counts ([`list_head::ListHead`]), written with it.
    TokenListHead,
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
            Self::TokenListHead => "token_list_head",
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

/// A `fetched_at` as the cache stores it (RFC 3339).
fn parse_time(at: &str) -> AppResult<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(at)
        .map_err(storage_err)?
        .with_timezone(&Utc))
}

/// The two entries a token list is stored as: the list and its head.
fn list_rows(list: &TokenList) -> AppResult<[(Kind, String, String); 2]> {
    Ok([
        (
            Kind::TokenList,
            String::new(),
            serde_json::to_string(list).map_err(storage_err)?,
        ),
        (
            Kind::TokenListHead,
            String::new(),
            serde_json::to_string(&list_head::ListHead::of(list)).map_err(storage_err)?,
        ),
    ])
}

impl Cache {
    /// Opens (creating if needed) `cache.db` in `dir` and brings its schema up to date. A file
    /// that can't be used is set aside and replaced by an empty cache (see the module docs).
    pub fn open_in(dir: &Path) -> AppResult<Self> {
        let (conn, notice) = file::open(dir)?;
        Ok(Self::with(conn, notice))
    }

    /// An in-memory cache, for tests.
    pub fn in_memory() -> AppResult<Self> {
        let conn = Connection::open_in_memory().map_err(storage_err)?;
        file::prepare(conn)
            .map(|c| Self::with(c, None))
            .map_err(|e| {
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
        let conn = self.conn.lock().map_err(storage_err_poisoned)?;
        upsert(&conn, account, kind, key, &at.to_rfc3339(), &json)
    }

    /// Stores the account's token list, each listed token's usage (by token id) and the sync's
    /// summary as one snapshot: one transaction, so a sync cut short leaves the previous
    /// snapshot whole. Usage of tokens no longer listed is dropped with it; the summary it
    /// replaces is kept as the previous sync's.
    pub fn store_snapshot<S: Serialize>(
        &self,
        account: &str,
        list: &TokenList,
        usage: &[(String, TokenUsage)],
        summary: &S,
        at: DateTime<Utc>,
    ) -> AppResult<()> {
        let at_text = at.to_rfc3339();
        let mut rows = Vec::from(list_rows(list)?);
        let mut hours = Vec::with_capacity(usage.len());
        for (id, u) in usage {
            // The counts go packed into `usage_hours`; the entry keeps the rest.
            let rest = TokenUsage {
                buckets: Vec::new(),
                last_used_ip: u.last_used_ip.clone(),
                addresses: u.addresses.clone(),
            };
            rows.push((
                Kind::Usage,
                id.clone(),
                serde_json::to_string(&rest).map_err(storage_err)?,
            ));
            hours.push((id, usage_hours::encode(&u.buckets)));
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
        tx.execute(
            "DELETE FROM usage_hours WHERE account = ?1",
            params![account],
        )
        .map_err(storage_err)?;
        for (id, packed) in hours {
            tx.execute(
                "INSERT INTO usage_hours (account, token_id, hours) VALUES (?1, ?2, ?3)",
                params![account, id, packed],
            )
            .map_err(storage_err)?;
        }
        for (kind, key, json) in rows {
            upsert(&tx, account, kind, &key, &at_text, &json)?;
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
                fetched_at: parse_time(&at)?,
            })
        })
        .transpose()
    }

    /// A token's cached usage, its hourly counts unpacked.
    pub fn usage(&self, account: &str, token_id: &str) -> AppResult<Option<Cached<TokenUsage>>> {
        let Some((_, at, value)) = self.read_usage(account, Some(token_id))?.pop() else {
            return Ok(None);
        };
        let fetched_at = parse_time(&at)?;
        Ok(Some(Cached { value, fetched_at }))
    }

    /// Every cached usage of the account, by token id, in one query (one query a token would
    /// be thousands), the hourly counts unpacked.
    pub fn all_usage(
        &self,
        account: &str,
    ) -> AppResult<std::collections::HashMap<String, TokenUsage>> {
        Ok(self
            .read_usage(account, None)?
            .into_iter()
            .map(|(id, _, usage)| (id, usage))
            .collect())
    }

    /// The account's usage entries — one token's, or all with `None` — each joined with its
    /// packed hourly counts: `(token id, fetched_at as stored, usage)`.
    fn read_usage(
        &self,
        account: &str,
        token_id: Option<&str>,
    ) -> AppResult<Vec<(String, String, TokenUsage)>> {
        let conn = self.conn.lock().map_err(storage_err_poisoned)?;
        let mut st = conn
            .prepare(
                "SELECT e.key, e.fetched_at, e.json, h.hours FROM entries e
                 LEFT JOIN usage_hours h ON h.account = e.account AND h.token_id = e.key
                 WHERE e.account = ?1 AND e.kind = ?2 AND (?3 IS NULL OR e.key = ?3)",
            )
            .map_err(storage_err)?;
        let mut rows = st
            .query(params![account, Kind::Usage.as_str(), token_id])
            .map_err(storage_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage_err)? {
            let json: String = row.get(2).map_err(storage_err)?;
            let mut usage: TokenUsage = serde_json::from_str(&json).map_err(storage_err)?;
            // Borrowed straight from SQLite's row: the packed counts are never copied whole.
            // Entries written by schema version 2 have none and keep the counts in their JSON.
            if let Some(packed) = row
                .get_ref(3)
                .map_err(storage_err)?
                .as_blob_or_null()
                .map_err(storage_err)?
            {
                usage.buckets = usage_hours::decode(packed).map_err(storage_err)?;
            }
            out.push((
                row.get(0).map_err(storage_err)?,
                row.get(1).map_err(storage_err)?,
                usage,
            ));
        }
        Ok(out)
    }

    /// Stores the account's token list, and its head with it (one transaction).
    pub fn store(&self, account: &str, list: &TokenList, at: DateTime<Utc>) -> AppResult<()> {
        let (rows, at) = (list_rows(list)?, at.to_rfc3339());
        let mut conn = self.conn.lock().map_err(storage_err_poisoned)?;
        let tx = conn.transaction().map_err(storage_err)?;
        for (kind, key, json) in rows {
            upsert(&tx, account, kind, &key, &at, &json)?;
        }
        tx.commit().map_err(storage_err)
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
        let mut conn = self.conn.lock().map_err(storage_err_poisoned)?;
        let tx = conn.transaction().map_err(storage_err)?;
        tx.execute("DELETE FROM entries WHERE account = ?1", params![account])
            .map_err(storage_err)?;
        tx.execute(
            "DELETE FROM usage_hours WHERE account = ?1",
            params![account],
        )
        .map_err(storage_err)?;
        tx.commit().map_err(storage_err)
    }
}

/// Writes one entry, replacing the account's previous one of that kind and key.
fn upsert(
    conn: &Connection,
    account: &str,
    kind: Kind,
    key: &str,
    at: &str,
    json: &str,
) -> AppResult<()> {
    conn.execute(
        "INSERT INTO entries (account, kind, key, fetched_at, json)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(account, kind, key) DO UPDATE SET fetched_at = ?4, json = ?5",
        params![account, kind.as_str(), key, at, json],
    )
    .map_err(storage_err)?;
    Ok(())
}

fn storage_err_poisoned<T>(_: std::sync::PoisonError<T>) -> AppError {
    storage_err("a previous cache operation panicked")
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod usage_tests;
