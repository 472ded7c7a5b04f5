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
mod messages;
mod sessions;
mod tokens;
mod usage;

use super::migrations::{self, MIGRATIONS};
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
        store
            .with_conn(migrate)
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

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    if current > migrations::latest() {
        return Err(rusqlite::Error::ToSqlConversionFailure(
            migrations::newer_schema_message(current).into(),
        ));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        for stmt in migrations::statements(sql) {
            tx.execute(stmt, [])?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![version, chrono::Utc::now().timestamp()],
        )?;
    }
    tx.commit()
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn parse_list(idx: usize, text: String) -> rusqlite::Result<Vec<String>> {
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

const TOKEN_COLS: &str = "id, tenant_id, user_id, name, prefix, hash, scopes, created_at, expires_at, last_used_at, revoked_at, last_used_ip, rotated_from, replaced_by, retire_grace";

fn token_row(r: &Row<'_>) -> rusqlite::Result<TokenRow> {
    Ok(TokenRow {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        user_id: r.get(2)?,
        name: r.get(3)?,
        prefix: r.get(4)?,
        hash: r.get(5)?,
        scopes: parse_list(6, r.get(6)?)?,
        created_at: r.get(7)?,
        expires_at: r.get(8)?,
        last_used_at: r.get(9)?,
        revoked_at: r.get(10)?,
        last_used_ip: r.get(11)?,
        rotated_from: r.get(12)?,
        replaced_by: r.get(13)?,
        retire_grace: r.get(14)?,
    })
}

fn insert_token(c: &Connection, t: &TokenRow) -> rusqlite::Result<()> {
    c.execute(
        &format!("INSERT INTO tokens ({TOKEN_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
        params![
            t.id, t.tenant_id, t.user_id, t.name, t.prefix, t.hash,
            json_list(&t.scopes), t.created_at, t.expires_at, t.last_used_at, t.revoked_at,
            t.last_used_ip, t.rotated_from, t.replaced_by, t.retire_grace
        ],
    )
    .map(drop)
}

fn active_count(c: &Connection, user_id: &str, now: i64) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT COUNT(*) FROM tokens WHERE user_id = ?1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2)",
        params![user_id, now],
        |r| r.get(0),
    )
}

/// The rotation itself, inside the caller's immediate transaction (see `Store::rotate_token`).
fn rotate_in(tx: &Connection, r: &Rotation) -> rusqlite::Result<RotationOutcome> {
    let one = |id: &str| {
        tx.query_row(
            &format!("SELECT {TOKEN_COLS} FROM tokens WHERE id = ?1"),
            [id],
            token_row,
        )
        .optional()
    };
    let Some(old) = one(&r.old_id)? else {
        return Ok(RotationOutcome::NotFound);
    };
    if let Some(by) = old.replaced_by {
        return Ok(RotationOutcome::AlreadyReplaced(by));
    }
    if !old.is_active(r.now) {
        return Ok(RotationOutcome::NotActive);
    }
    match r.retire {
        Retirement::Now => tx.execute(
            "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1",
            params![old.id, r.now],
        )?,
        Retirement::At(at) => tx.execute(
            "UPDATE tokens SET expires_at = ?2 WHERE id = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
            params![old.id, at],
        )?,
        Retirement::OnFirstUse { grace, deadline } => tx.execute(
            "UPDATE tokens SET retire_grace = ?3,
                    expires_at = CASE WHEN expires_at IS NULL OR expires_at > ?2 THEN ?2 ELSE expires_at END
              WHERE id = ?1",
            params![old.id, deadline, grace],
        )?,
    };
    if active_count(tx, &old.user_id, r.now)? >= i64::from(r.limit) {
        return Ok(RotationOutcome::LimitReached);
    }
    insert_token(tx, &r.new)?;
    tx.execute(
        "UPDATE tokens SET replaced_by = ?2 WHERE id = ?1",
        params![old.id, r.new.id],
    )?;
    let old = one(&r.old_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    Ok(RotationOutcome::Rotated {
        old: Box::new(old),
        new: Box::new(r.new.clone()),
    })
}

fn role_row(r: &Row<'_>) -> rusqlite::Result<RoleRow> {
    Ok(RoleRow {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        name: r.get(2)?,
        permissions: parse_list(3, r.get(3)?)?,
        builtin: r.get(4)?,
    })
}

fn tenant_row(r: &Row<'_>) -> rusqlite::Result<TenantRow> {
    Ok(TenantRow {
        id: r.get(0)?,
        slug: r.get(1)?,
        name: r.get(2)?,
    })
}

fn audit_row(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        at: r.get(2)?,
        actor: r.get(3)?,
        action: r.get(4)?,
        target: r.get(5)?,
        ip: r.get(6)?,
        detail: r.get(7)?,
    })
}

/// Loads a user and their role ids.
fn load_user(
    conn: &Connection,
    where_sql: &str,
    args: &[&str],
) -> rusqlite::Result<Option<UserRow>> {
    let sql =
        format!("SELECT id, tenant_id, email, name, password_hash FROM users WHERE {where_sql}");
    let user = conn
        .query_row(&sql, rusqlite::params_from_iter(args), |r| {
            Ok(UserRow {
                id: r.get(0)?,
                tenant_id: r.get(1)?,
                email: r.get(2)?,
                name: r.get(3)?,
                password_hash: r.get(4)?,
                role_ids: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut user) = user else {
        return Ok(None);
    };
    user.role_ids = role_ids_of(conn, &user.id)?;
    Ok(Some(user))
}

fn role_ids_of(conn: &Connection, user_id: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT role_id FROM user_roles WHERE user_id = ?1 ORDER BY role_id")?;
    let ids = stmt
        .query_map([user_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// The tenant's roles, built-in first, then by name.
fn roles_of(c: &Connection, tenant_id: &str) -> rusqlite::Result<Vec<RoleRow>> {
    let mut s = c.prepare_cached(
        "SELECT id, tenant_id, name, permissions, builtin FROM roles WHERE tenant_id = ?1 ORDER BY builtin DESC, name",
    )?;
    let rows = s.query_map([tenant_id], role_row)?.collect();
    rows
}

/// The tenant's users with their role ids, by email.
fn users_of(c: &Connection, tenant_id: &str) -> rusqlite::Result<Vec<UserRow>> {
    let ids: Vec<String> = {
        let mut s = c.prepare_cached("SELECT id FROM users WHERE tenant_id = ?1 ORDER BY email")?;
        let ids = s
            .query_map([tenant_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(u) = load_user(c, "tenant_id = ?1 AND id = ?2", &[tenant_id, &id])? {
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
