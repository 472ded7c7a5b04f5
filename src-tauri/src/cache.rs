//! The local cache of each account's token list (SQLite, `cache.db` in the data folder), so the
//! table can still be shown, marked as offline, when the server is unreachable.
//!
//! It holds exactly what `GET /v1/tokens` returns: names, prefixes, scopes and times. Token
//! secrets never reach it; the only secret the app ever sees is discarded after its one display.
//!
//! The file is 0600 (and any `-wal`, `-shm` or `-journal` beside it, tightened at open); SQLite
//! creates those companions with the database file's own mode, so they start 0600 too.
//! **Sign out** removes the account's list ([`Cache::forget`]) unless the user keeps an offline
//! copy.

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use keebai_api::wire::{TokenList, TokenRecord};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{AppError, AppResult};
use crate::private_files;

/// The cache's file name in the data folder.
pub const FILE_NAME: &str = "cache.db";
/// Files SQLite may keep beside the database.
const COMPANIONS: &[&str] = &["-wal", "-shm", "-journal"];

/// Schema versions, applied in order at open; `PRAGMA user_version` records how far a file got.
const MIGRATIONS: &[&str] = &[
    // 1: one row per account with the whole list as JSON; the list is always replaced whole.
    "CREATE TABLE token_lists (
        account     TEXT PRIMARY KEY,
        fetched_at  TEXT NOT NULL,
        list_json   TEXT NOT NULL
    );",
];

pub struct Cache {
    conn: Mutex<Connection>,
}

/// A list read back from the cache, with when it was fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedList {
    pub list: TokenList,
    pub fetched_at: DateTime<Utc>,
}

fn storage_err(e: impl std::fmt::Display) -> AppError {
    AppError::local_storage("cache", e)
}

impl Cache {
    /// Opens (creating if needed) `cache.db` in `dir` and brings its schema up to date.
    pub fn open_in(dir: &Path) -> AppResult<Self> {
        private_files::private_dir(dir).map_err(storage_err)?;
        let path = dir.join(FILE_NAME);
        // Created (or tightened) 0600 before SQLite opens it, so SQLite's companions follow.
        drop(private_files::open_append(&path).map_err(storage_err)?);
        for suffix in COMPANIONS {
            private_files::tighten(&dir.join(format!("{FILE_NAME}{suffix}")))
                .map_err(storage_err)?;
        }
        let conn = Connection::open(&path).map_err(storage_err)?;
        Self::from_connection(conn)
    }

    /// An in-memory cache, for tests.
    pub fn in_memory() -> AppResult<Self> {
        Self::from_connection(Connection::open_in_memory().map_err(storage_err)?)
    }

    fn from_connection(mut conn: Connection) -> AppResult<Self> {
        // A forgotten list is overwritten, not just unlinked from the b-tree: "removed on sign
        // out" must hold for the file's bytes too.
        conn.pragma_update(None, "secure_delete", true)
            .map_err(storage_err)?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    pub fn store(&self, account: &str, list: &TokenList, at: DateTime<Utc>) -> AppResult<()> {
        let json = serde_json::to_string(list).map_err(storage_err)?;
        self.conn
            .lock()
            .map_err(storage_err_poisoned)?
            .execute(
                "INSERT INTO token_lists (account, fetched_at, list_json) VALUES (?1, ?2, ?3)
                 ON CONFLICT(account) DO UPDATE SET fetched_at = ?2, list_json = ?3",
                params![account, at.to_rfc3339(), json],
            )
            .map_err(storage_err)?;
        Ok(())
    }

    pub fn load(&self, account: &str) -> AppResult<Option<CachedList>> {
        let row: Option<(String, String)> = self
            .conn
            .lock()
            .map_err(storage_err_poisoned)?
            .query_row(
                "SELECT fetched_at, list_json FROM token_lists WHERE account = ?1",
                params![account],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(storage_err)?;
        row.map(|(at, json)| {
            Ok(CachedList {
                list: serde_json::from_str(&json).map_err(storage_err)?,
                fetched_at: DateTime::parse_from_rfc3339(&at)
                    .map_err(storage_err)?
                    .with_timezone(&Utc),
            })
        })
        .transpose()
    }

    /// Replaces one record in an account's cached list (after a revoke).
    pub fn update_record(&self, account: &str, record: &TokenRecord) -> AppResult<()> {
        if let Some(mut cached) = self.load(account)? {
            for r in cached.list.tokens.iter_mut().filter(|r| r.id == record.id) {
                *r = record.clone();
            }
            self.store(account, &cached.list, cached.fetched_at)?;
        }
        Ok(())
    }

    pub fn forget(&self, account: &str) -> AppResult<()> {
        self.conn
            .lock()
            .map_err(storage_err_poisoned)?
            .execute(
                "DELETE FROM token_lists WHERE account = ?1",
                params![account],
            )
            .map_err(storage_err)?;
        Ok(())
    }
}

fn storage_err_poisoned<T>(_: std::sync::PoisonError<T>) -> AppError {
    storage_err("a previous cache operation panicked")
}

fn migrate(conn: &mut Connection) -> AppResult<()> {
    let version: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(storage_err)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction().map_err(storage_err)?;
        tx.execute_batch(sql).map_err(storage_err)?;
        tx.pragma_update(None, "user_version", i + 1)
            .map_err(storage_err)?;
        tx.commit().map_err(storage_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(back.list, list);
        cache
            .update_record("a", &record("t2", TokenStatus::Revoked))
            .expect("update");
        let back = cache.load("a").expect("load").expect("some");
        assert_eq!(back.list.tokens[1].status, TokenStatus::Revoked);
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
}
