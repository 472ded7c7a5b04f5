//! The engine for many replicas: PostgreSQL through a `deadpool-postgres` connection pool.
//!
//! Several `keebai-server` processes may share one database, so every rule that the SQLite
//! engine gets from its single write lock is made explicit here:
//!
//! * **Migrations** run through the shared runner ([`super::migrate`]), one transaction per
//!   version, each first taking a transaction-scoped advisory lock (`MIGRATION_LOCK`), so
//!   replicas starting together apply each version exactly once; the others wait, then find
//!   nothing left to do. DDL is transactional in PostgreSQL, so a failed migration leaves no
//!   half-built schema.
//! * **The active-token limit** locks the owner's `users` row (`FOR NO KEY UPDATE`) before the
//!   conditional insert. Creates for one user therefore queue up across every replica, and the
//!   count runs in a statement that starts after the lock was granted, so under READ COMMITTED
//!   it sees every token committed by the previous holder. `NO KEY UPDATE` (not `UPDATE`) keeps
//!   foreign-key checks of other rows pointing at the user (sessions, messages) from blocking.
//! * **Revocation** is a single `UPDATE … RETURNING` committed before the call returns. The
//!   domain's credential cache is kept coherent across replicas by
//!   [`super::pg_coherence::PgCoherence`] (LISTEN/NOTIFY, heartbeats and a time fence), and the
//!   domain publishes every revoke through it before answering, so every replica's next
//!   request sees it. `KEEBAI_PG_AUTH_CACHE=off` turns the credential cache off (every
//!   request reads the database).
//! * **Last-used times** from each replica's batch are written in one statement that only moves
//!   a stored time forward; the rows are locked in id order first, so two replicas flushing
//!   overlapping batches cannot deadlock.
//!
//! Engine-neutral conventions (see [`super`]) hold: ids are text, times unix seconds in
//! `BIGINT`, lists JSON text. Text ordering uses `COLLATE "C"` so listings sort byte-wise exactly
//! as SQLite does, whatever the database's default collation.
//!
//! The connection is plain TCP (`NoTls`), meant for loopback or a private network; see
//! `docs/postgres.md` for putting TLS in front. [`ScratchDatabase`] gives tests a throwaway
//! database per run.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::{NoTls, Row};

mod admin;
mod audit;
mod directory;
mod inventory;
mod messages;
mod policy;
#[cfg(any(test, feature = "testing"))]
mod scratch;
mod sessions;
mod tokens;
mod usage;

use super::pg_coherence::PgCoherence;
use super::rows::{
    audit_row, json_list, message_row, parse_list, role_row, tenant_row, token_row, Columns,
    ROLE_COLS, TOKEN_COLS,
};
use super::*;
use super::{migrate, sql};
use crate::config::PgSettings;
#[cfg(any(test, feature = "testing"))]
pub use scratch::{with_database, ScratchDatabase};

/// Advisory lock key serialising migrations across replicas (ASCII "keebaimg").
const MIGRATION_LOCK: i64 = 0x6b65_6562_6169_6d67;

/// How long a request may wait for a free pooled connection before the store reports itself
/// unavailable (the HTTP layer turns that into an error instead of hanging).
const POOL_WAIT: Duration = Duration::from_secs(30);

/// Connects to PostgreSQL with `settings` and applies pending migrations.
pub async fn open(url: &str, settings: &PgSettings) -> anyhow::Result<DynStore> {
    Ok(Arc::new(PgStore::connect_with(url, settings).await?) as DynStore)
}

/// The PostgreSQL implementation of [`Store`].
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// `None` when the credential cache is off ([`PgSettings::auth_cache`]).
    coherence: Option<Arc<PgCoherence>>,
    clock: Arc<super::pg_clock::ClockWatch>,
}

impl PgStore {
    /// Builds the pool for `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?options]`),
    /// checks that the server answers and applies pending migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_with(url, &PgSettings::from_env()?).await
    }

    /// [`PgStore::connect`] with settings given rather than read from the environment.
    pub async fn connect_with(url: &str, settings: &PgSettings) -> anyhow::Result<Self> {
        // The parser's errors name the bad option, never echo the URL, so the password stays
        // out of messages.
        let mut config =
            tokio_postgres::Config::from_str(url).context("invalid PostgreSQL connection URL")?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            // Shows in pg_stat_activity, which is how an operator tells replicas' sessions apart.
            config.application_name("keebai-server");
        }
        // `is_closed()` on checkout is enough: a connection that died anyway fails its next
        // query with `Unavailable`, and deadpool drops it.
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = Manager::from_config(config.clone(), NoTls, manager_config);
        let pool = Pool::builder(manager)
            .max_size(settings.pool_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(Duration::from_secs(10)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .context("building the PostgreSQL connection pool")?;
        let coherence = settings
            .auth_cache
            .then(|| Arc::new(PgCoherence::new(pool.clone(), &config)));
        let clock = super::pg_clock::ClockWatch::start(pool.clone()).await;
        let store = Self {
            pool,
            coherence,
            clock,
        };
        store
            .migrate()
            .await
            .context("connecting to PostgreSQL and applying migrations")?;
        Ok(store)
    }

    /// The credential-cache coherence of this store, unless `KEEBAI_PG_AUTH_CACHE=off`.
    pub fn coherence(&self) -> Option<&Arc<PgCoherence>> {
        self.coherence.as_ref()
    }

    async fn client(&self) -> StoreResult<deadpool_postgres::Object> {
        Ok(self.pool.get().await?)
    }

    /// Applies the missing migrations through the shared runner, then (re)installs the
    /// triggers that announce credential changes, under the same lock.
    async fn migrate(&self) -> StoreResult<()> {
        let mut client = self.client().await?;
        migrate::run(&mut PgSchema(&mut client)).await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute(super::pg_triggers::TRIGGERS_SQL).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The PostgreSQL side of the migration runner. Each transaction first takes the advisory
/// [`MIGRATION_LOCK`], held until it ends: a replica starting beside another one waits here and
/// then reads the version that one left. DDL is transactional, so a failed migration leaves
/// no half-built schema.
struct PgSchema<'c>(&'c mut deadpool_postgres::Object);

#[async_trait]
impl migrate::SchemaTarget for PgSchema<'_> {
    fn engine(&self) -> sql::Engine {
        sql::Engine::Postgres
    }

    async fn begin(&mut self) -> StoreResult<()> {
        self.0.batch_execute("BEGIN").await?;
        self.0
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        Ok(())
    }

    async fn execute(&mut self, sql: &str) -> StoreResult<()> {
        Ok(self.0.batch_execute(sql).await?)
    }

    async fn version(&mut self) -> StoreResult<i64> {
        Ok(self
            .0
            .query_one(migrate::READ_VERSION, &[])
            .await?
            .try_get(0)?)
    }

    async fn record(&mut self, version: i64, applied_at: i64) -> StoreResult<()> {
        self.0
            .execute(&sql::pg(migrate::RECORD_VERSION), &[&version, &applied_at])
            .await?;
        Ok(())
    }

    async fn commit(&mut self) -> StoreResult<()> {
        Ok(self.0.batch_execute("COMMIT").await?)
    }

    async fn rollback(&mut self) {
        let _ = self.0.batch_execute("ROLLBACK").await;
    }
}

/// The error and its causes on one line (tokio-postgres puts the server's message in the
/// source, not in `Display`).
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(code) = e.code() {
            // Mirrors the SQLite engine, which reports every constraint failure as a conflict.
            if *code == SqlState::UNIQUE_VIOLATION {
                return StoreError::Conflict("unique constraint");
            }
            if *code == SqlState::FOREIGN_KEY_VIOLATION {
                return StoreError::Conflict("foreign key constraint");
            }
            let c = code.code();
            // Class 08: connection exception; 57P0x: the server is shutting down or starting;
            // 53300: too many connections. All are "try again later", not bugs.
            if c.starts_with("08") || c.starts_with("57P") || c == "53300" {
                return StoreError::Unavailable(describe(&e));
            }
            return StoreError::Other(e.into());
        }
        let io = std::error::Error::source(&e)
            .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some());
        let text = e.to_string();
        if e.is_closed()
            || io
            || text.starts_with("error connecting")
            || text.starts_with("timeout waiting")
        {
            StoreError::Unavailable(describe(&e))
        } else {
            StoreError::Other(e.into())
        }
    }
}

impl From<PoolError> for StoreError {
    fn from(e: PoolError) -> Self {
        match e {
            PoolError::Backend(e) => match StoreError::from(e) {
                // Whatever stopped a new connection (refused, auth, too many), the store
                // cannot serve right now.
                StoreError::Other(e) => StoreError::Unavailable(format!("{e:#}")),
                other => other,
            },
            PoolError::Timeout(kind) => {
                StoreError::Unavailable(format!("no database connection available ({kind:?})"))
            }
            PoolError::Closed => StoreError::Unavailable("connection pool closed".into()),
            other => StoreError::Other(anyhow::anyhow!("connection pool: {other}")),
        }
    }
}

/// A user with their role ids (byte-wise sorted, as SQLite returns them) in one statement, so
/// the hot authentication path costs one round trip and sees one snapshot.
const USER_SELECT: &str = r#"SELECT u.id, u.tenant_id, u.email, u.name, u.password_hash,
    ARRAY(SELECT ur.role_id FROM user_roles ur WHERE ur.user_id = u.id ORDER BY ur.role_id COLLATE "C"),
    u.disabled
    FROM users u"#;

fn user_row(r: &Row) -> StoreResult<UserRow> {
    Ok(UserRow {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        email: r.try_get(2)?,
        name: r.try_get(3)?,
        password_hash: r.try_get(4)?,
        role_ids: r.try_get(5)?,
        disabled: r.try_get(6)?,
    })
}

/// Inserts `user`'s role assignments in one statement.
const INSERT_USER_ROLES: &str =
    "INSERT INTO user_roles (user_id, role_id) SELECT $1::text, UNNEST($2::text[])";

/// Inserts `t` unless its owner already has `limit` active tokens at `now`. The caller holds
/// the owner's [`LOCK_USER`] lock, so the count and the insert serialise per user.
async fn insert_within_limit(
    tx: &deadpool_postgres::Transaction<'_>,
    t: &TokenRow,
    now: i64,
    limit: u32,
) -> StoreResult<bool> {
    let insert = tx
        .prepare_cached(&format!(
            "INSERT INTO tokens ({TOKEN_COLS})
             SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text,
                    $8::bigint, $9::bigint, $10::bigint, $11::bigint, $12::text,
                    $15::text, $16::text, $17::bigint
             WHERE (SELECT COUNT(*) FROM tokens
                    WHERE user_id = $3::text AND revoked_at IS NULL
                      AND (expires_at IS NULL OR expires_at > $13::bigint)) < $14::bigint"
        ))
        .await?;
    let inserted = tx
        .execute(
            &insert,
            &[
                &t.id,
                &t.tenant_id,
                &t.user_id,
                &t.name,
                &t.prefix,
                &t.hash,
                &json_list(&t.scopes),
                &t.created_at,
                &t.expires_at,
                &t.last_used_at,
                &t.revoked_at,
                &t.last_used_ip,
                &now,
                &i64::from(limit),
                &t.rotated_from,
                &t.replaced_by,
                &t.retire_grace,
            ],
        )
        .await?;
    Ok(inserted == 1)
}

/// Serialises writes that depend on "everything this user has" (token count, role set) across
/// replicas. See the module docs for why `NO KEY UPDATE`.
const LOCK_USER: &str = "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE";

#[async_trait]
impl Store for PgStore {
    fn engine(&self) -> &'static str {
        "postgres"
    }

    fn clock_skew_ms(&self) -> Option<i64> {
        self.clock.too_far()
    }

    fn cache_coherence(&self) -> Option<Arc<dyn CacheCoherence>> {
        self.coherence.clone().map(|c| c as Arc<dyn CacheCoherence>)
    }
}

impl Columns for Row {
    fn text(&self, i: usize) -> StoreResult<String> {
        Ok(self.try_get(i)?)
    }

    fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        Ok(self.try_get(i)?)
    }

    fn int(&self, i: usize) -> StoreResult<i64> {
        Ok(self.try_get(i)?)
    }

    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        Ok(self.try_get(i)?)
    }

    fn flag(&self, i: usize) -> StoreResult<bool> {
        Ok(self.try_get(i)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_bad_url_fails_without_echoing_the_password() {
        let err = match PgStore::connect("postgres://u:hunter2@127.0.0.1:1/db?bogus=1").await {
            Ok(_) => panic!("a bad URL must not connect"),
            Err(e) => format!("{e:#}"),
        };
        assert!(!err.contains("hunter2"), "{err}");
    }
}
