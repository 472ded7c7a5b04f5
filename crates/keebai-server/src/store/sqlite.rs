//! The embedded engine: one SQLite file in WAL mode behind a small connection pool.
//!
//! rusqlite is blocking, so every operation runs on tokio's blocking pool with a connection
//! checked out of [`Pool`]. Writes that must not race (the 10-active-token limit) use
//! `BEGIN IMMEDIATE`, which takes SQLite's single write lock before reading the count.
//! `synchronous = FULL` makes a commit durable before the call returns, so an acknowledged
//! create or revoke survives a crash.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use tokio::sync::Semaphore;

mod admin;
mod audit;
mod directory;
mod inventory;
mod messages;
mod policy;
mod sessions;
mod tokens;
mod usage;

use super::migrate;
use super::rows::{self, json_list, Columns, TOKEN_COLS};
use super::*;

const POOL_SIZE: usize = 8;

/// A fixed-size pool of connections to one database file.
struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl Pool {
    fn connect(path: &Path) -> rusqlite::Result<Connection> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // The bundled SQLite plans with STAT4, which makes a cached statement re-prepare (parse
        // and plan again) whenever a bound value changes; the query-planner stability guarantee
        // keeps one plan per statement, so the statement cache actually saves the parse. (Seen
        // in a profile: re-preparing was over a third of an authenticated request.)
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        Ok(conn)
    }

    fn checkout(&self) -> rusqlite::Result<Connection> {
        let idle = self.idle.lock().map(|mut v| v.pop()).unwrap_or(None);
        match idle {
            Some(c) => Ok(c),
            // A connection is lost only if a closure panicked while holding it; replace it.
            None => Self::connect(&self.path),
        }
    }

    fn checkin(&self, conn: Connection) {
        if let Ok(mut v) = self.idle.lock() {
            v.push(conn);
        }
    }
}

/// The SQLite implementation of [`Store`].
#[derive(Clone)]
pub struct SqliteStore {
    pool: Arc<Pool>,
    /// An exclusive lock on `<db>.lock`, held while the store is open: SQLite serves one
    /// process (several replicas use PostgreSQL), which is what makes the credential cache's
    /// in-process invalidation exact.
    _owner: Arc<std::fs::File>,
    coherence: Arc<LocalCoherence>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the database folder {}", dir.display()))?;
        }
        let owner = lock_owner(path)?;
        let first = Pool::connect(path)
            .with_context(|| format!("opening SQLite database {}", path.display()))?;
        let store = Self {
            pool: Arc::new(Pool {
                path: path.to_owned(),
                idle: Mutex::new(vec![first]),
                permits: Semaphore::new(POOL_SIZE),
            }),
            _owner: Arc::new(owner),
            coherence: Arc::default(),
        };
        migrate_file(Arc::clone(&store.pool))
            .await
            .context("applying migrations")?;
        Ok(store)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    async fn with_conn<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let _permit = self
            .pool
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("pool closed".into()))?;
        let pool = Arc::clone(&self.pool);
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.checkout()?;
            let out = f(&mut conn);
            pool.checkin(conn);
            out
        })
        .await
        .map_err(|e| StoreError::Other(anyhow::anyhow!("database task failed: {e}")))?
        .map_err(map_err)
    }

    /// Like [`Self::with_conn`] for short reads on the hot path (authentication, listings).
    /// Handing a ~10 µs query to the blocking pool (or `block_in_place`, which hands the
    /// worker's queue to another thread) costs more than the query itself. In WAL mode
    /// readers never wait for writers, so these reads run inline on the async worker, as any
    /// other few-microsecond computation would. Writes keep using the blocking pool because
    /// they may wait on SQLite's write lock.
    async fn with_read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let _permit = self
            .pool
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("pool closed".into()))?;
        let mut conn = self.pool.checkout().map_err(map_err)?;
        let out = f(&mut conn);
        self.pool.checkin(conn);
        out.map_err(map_err)
    }
}

fn lock_owner(path: &Path) -> anyhow::Result<std::fs::File> {
    let lock_path = PathBuf::from(format!("{}.lock", path.display()));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("opening {}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "{} is in use by another keebai-server process; SQLite serves one process \
             (stop the other one, or use PostgreSQL for several replicas)",
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(anyhow::Error::new(e).context(format!("locking {}", lock_path.display())))
        }
    }
}

fn map_err(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode as C;
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == C::ConstraintViolation => {
            StoreError::Conflict("unique constraint")
        }
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, C::DatabaseBusy | C::DatabaseLocked | C::CannotOpen) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(e.into()),
    }
}

/// The SQLite side of the migration runner: `BEGIN IMMEDIATE` takes the write lock first, so
/// a second process (which the lock file already keeps out) could not interleave.
pub(crate) struct SqliteSchema<'c>(pub(crate) &'c mut Connection);

#[async_trait]
impl migrate::SchemaTarget for SqliteSchema<'_> {
    fn engine(&self) -> sql::Engine {
        sql::Engine::Sqlite
    }

    async fn begin(&mut self) -> StoreResult<()> {
        self.0.execute_batch("BEGIN IMMEDIATE").map_err(map_err)
    }

    async fn execute(&mut self, sql: &str) -> StoreResult<()> {
        self.0.execute(sql, []).map(drop).map_err(map_err)
    }

    async fn version(&mut self) -> StoreResult<i64> {
        self.0
            .query_row(migrate::READ_VERSION, [], |r| r.get(0))
            .map_err(map_err)
    }

    async fn record(&mut self, version: i64, applied_at: i64) -> StoreResult<()> {
        self.0
            .execute(migrate::RECORD_VERSION, params![version, applied_at])
            .map(drop)
            .map_err(map_err)
    }

    async fn commit(&mut self) -> StoreResult<()> {
        self.0.execute_batch("COMMIT").map_err(map_err)
    }

    async fn rollback(&mut self) {
        let _ = self.0.execute_batch("ROLLBACK");
    }
}

/// Runs the migration runner on a blocking thread: every step of [`SqliteSchema`] completes
/// without waiting on anything async, so the runner's future is driven to completion there.
async fn migrate_file(pool: Arc<Pool>) -> StoreResult<Vec<i64>> {
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.checkout().map_err(map_err)?;
        let out = handle.block_on(migrate::run(&mut SqliteSchema(&mut conn)));
        pool.checkin(conn);
        out
    })
    .await
    .map_err(|e| StoreError::Other(anyhow::anyhow!("migration task failed: {e}")))?
}

fn token_row(r: &Row<'_>) -> rusqlite::Result<TokenRow> {
    rows::token_row(r).map_err(into_sqlite)
}

fn role_row(r: &Row<'_>) -> rusqlite::Result<RoleRow> {
    rows::role_row(r).map_err(into_sqlite)
}

fn tenant_row(r: &Row<'_>) -> rusqlite::Result<TenantRow> {
    rows::tenant_row(r).map_err(into_sqlite)
}

fn audit_row(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
    rows::audit_row(r).map_err(into_sqlite)
}

/// Loads a user and their role ids.
fn load_user(
    conn: &Connection,
    where_sql: &str,
    args: &[&str],
) -> rusqlite::Result<Option<UserRow>> {
    let sql = format!(
        "SELECT id, tenant_id, email, name, password_hash, disabled FROM users WHERE {where_sql}"
    );
    let user = conn
        .query_row(&sql, rusqlite::params_from_iter(args), |r| {
            Ok(UserRow {
                id: r.get(0)?,
                tenant_id: r.get(1)?,
                email: r.get(2)?,
                name: r.get(3)?,
                password_hash: r.get(4)?,
                role_ids: Vec::new(),
                disabled: r.get(5)?,
            })
        })
        .optional()?;
    let Some(mut user) = user else {
        return Ok(None);
    };
    user.role_ids = role_ids_of(conn, &user.id)?;
    Ok(Some(user))
}

fn role_ids_of(conn: &Connection, user_id: &UserId) -> rusqlite::Result<Vec<RoleId>> {
    let mut stmt =
        conn.prepare_cached("SELECT role_id FROM user_roles WHERE user_id = ?1 ORDER BY role_id")?;
    let ids = stmt
        .query_map([user_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<RoleId>>>()?;
    Ok(ids)
}

/// The tenant's roles, built-in first, then by name.
fn roles_of(c: &Connection, tenant_id: &TenantId) -> rusqlite::Result<Vec<RoleRow>> {
    let mut s = c.prepare_cached(
        "SELECT id, tenant_id, name, permissions, builtin FROM roles WHERE tenant_id = ?1 ORDER BY builtin DESC, name",
    )?;
    let rows = s.query_map([tenant_id], role_row)?.collect();
    rows
}

/// The tenant's users with their role ids, by email.
fn users_of(c: &Connection, tenant_id: &TenantId) -> rusqlite::Result<Vec<UserRow>> {
    let ids: Vec<UserId> = {
        let mut s = c.prepare_cached("SELECT id FROM users WHERE tenant_id = ?1 ORDER BY email")?;
        let ids = s
            .query_map([tenant_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(u) = load_user(
            c,
            "tenant_id = ?1 AND id = ?2",
            &[tenant_id.as_str(), id.as_str()],
        )? {
            out.push(u);
        }
    }
    Ok(out)
}

#[async_trait]
impl Store for SqliteStore {
    fn engine(&self) -> &'static str {
        "sqlite"
    }

    fn cache_coherence(&self) -> Option<Arc<dyn CacheCoherence>> {
        Some(Arc::clone(&self.coherence) as Arc<dyn CacheCoherence>)
    }
}

fn message_row(r: &Row<'_>) -> rusqlite::Result<MessageRow> {
    rows::message_row(r).map_err(into_sqlite)
}

/// rusqlite's row callbacks return its own error; a mapping error travels inside one.
fn into_sqlite(e: StoreError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Null, Box::new(e))
}

impl Columns for Row<'_> {
    fn text(&self, i: usize) -> StoreResult<String> {
        self.get(i).map_err(map_err)
    }

    fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        self.get(i).map_err(map_err)
    }

    fn int(&self, i: usize) -> StoreResult<i64> {
        self.get(i).map_err(map_err)
    }

    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        self.get(i).map_err(map_err)
    }

    fn flag(&self, i: usize) -> StoreResult<bool> {
        self.get(i).map_err(map_err)
    }
}
