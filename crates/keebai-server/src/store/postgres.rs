//! The engine for many replicas: PostgreSQL through a `deadpool-postgres` connection pool.
//!
//! Several `keebai-server` processes may share one database, so every rule that the SQLite
//! engine gets from its single write lock is made explicit here:
//!
//! * **Migrations** run in one transaction that first takes a transaction-scoped advisory lock
//!   (`MIGRATION_LOCK`), so replicas starting together apply each version exactly once; the
//!   others wait, then find nothing left to do. DDL is transactional in PostgreSQL, so a failed
//!   migration leaves no half-built schema.
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

use super::migrations::{self, MIGRATIONS};
use super::pg_coherence::PgCoherence;
use super::*;

/// Connections per replica unless `KEEBAI_PG_POOL_SIZE` says otherwise. Three replicas use 48
/// of PostgreSQL's default 100 connections.
const DEFAULT_POOL_SIZE: usize = 16;

/// Advisory lock key serialising migrations across replicas (ASCII "keebaimg").
const MIGRATION_LOCK: i64 = 0x6b65_6562_6169_6d67;

/// How long a request may wait for a free pooled connection before the store reports itself
/// unavailable (the HTTP layer turns that into an error instead of hanging).
const POOL_WAIT: Duration = Duration::from_secs(30);

/// Connects to PostgreSQL and applies pending migrations.
pub async fn open(url: &str) -> anyhow::Result<DynStore> {
    Ok(Arc::new(PgStore::connect(url).await?) as DynStore)
}

/// The PostgreSQL implementation of [`Store`].
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// `None` when `KEEBAI_PG_AUTH_CACHE=off`.
    coherence: Option<Arc<PgCoherence>>,
    clock: Arc<super::pg_clock::ClockWatch>,
}

impl PgStore {
    /// Builds the pool for `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?options]`),
    /// checks that the server answers and applies pending migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
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
        let pool_size = match std::env::var("KEEBAI_PG_POOL_SIZE") {
            Ok(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .context("KEEBAI_PG_POOL_SIZE must be a positive number")?,
            Err(_) => DEFAULT_POOL_SIZE,
        };
        // `is_closed()` on checkout is enough: a connection that died anyway fails its next
        // query with `Unavailable`, and deadpool drops it.
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = Manager::from_config(config.clone(), NoTls, manager_config);
        let pool = Pool::builder(manager)
            .max_size(pool_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(Duration::from_secs(10)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .context("building the PostgreSQL connection pool")?;
        let cache_on = match std::env::var("KEEBAI_PG_AUTH_CACHE") {
            Ok(v) => match v.as_str() {
                "on" | "1" | "true" | "" => true,
                "off" | "0" | "false" => false,
                _ => anyhow::bail!("KEEBAI_PG_AUTH_CACHE must be `on` or `off`"),
            },
            Err(_) => true,
        };
        let coherence = cache_on.then(|| Arc::new(PgCoherence::new(pool.clone(), &config)));
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

    async fn migrate(&self) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Held until commit: a second replica blocks here and then sees the finished schema.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .await?;
        let current: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
                &[],
            )
            .await?
            .try_get(0)?;
        if current > migrations::latest() {
            return Err(StoreError::Other(anyhow::anyhow!(
                "{}",
                migrations::newer_schema_message(current)
            )));
        }
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            for stmt in migrations::statements(sql) {
                tx.batch_execute(stmt).await?;
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[version, &chrono::Utc::now().timestamp()],
            )
            .await?;
            tracing::info!(version, "applied PostgreSQL migration");
        }
        tx.batch_execute(super::pg_triggers::TRIGGERS_SQL).await?;
        tx.commit().await?;
        Ok(())
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

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn parse_list(text: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("stored list is not JSON: {e}")))
}

const TOKEN_COLS: &str = "id, tenant_id, user_id, name, prefix, hash, scopes, created_at, expires_at, last_used_at, revoked_at, last_used_ip, rotated_from, replaced_by, retire_grace";

fn token_row(r: &Row) -> StoreResult<TokenRow> {
    Ok(TokenRow {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        user_id: r.try_get(2)?,
        name: r.try_get(3)?,
        prefix: r.try_get(4)?,
        hash: r.try_get(5)?,
        scopes: parse_list(r.try_get(6)?)?,
        created_at: r.try_get(7)?,
        expires_at: r.try_get(8)?,
        last_used_at: r.try_get(9)?,
        revoked_at: r.try_get(10)?,
        last_used_ip: r.try_get(11)?,
        rotated_from: r.try_get(12)?,
        replaced_by: r.try_get(13)?,
        retire_grace: r.try_get(14)?,
    })
}

const ROLE_COLS: &str = "id, tenant_id, name, permissions, builtin";

fn role_row(r: &Row) -> StoreResult<RoleRow> {
    Ok(RoleRow {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        name: r.try_get(2)?,
        permissions: parse_list(r.try_get(3)?)?,
        builtin: r.try_get(4)?,
    })
}

fn tenant_row(r: &Row) -> StoreResult<TenantRow> {
    Ok(TenantRow {
        id: r.try_get(0)?,
        slug: r.try_get(1)?,
        name: r.try_get(2)?,
    })
}

/// A user with their role ids (byte-wise sorted, as SQLite returns them) in one statement, so
/// the hot authentication path costs one round trip and sees one snapshot.
const USER_SELECT: &str = r#"SELECT u.id, u.tenant_id, u.email, u.name, u.password_hash,
    ARRAY(SELECT ur.role_id FROM user_roles ur WHERE ur.user_id = u.id ORDER BY ur.role_id COLLATE "C")
    FROM users u"#;

fn user_row(r: &Row) -> StoreResult<UserRow> {
    Ok(UserRow {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        email: r.try_get(2)?,
        name: r.try_get(3)?,
        password_hash: r.try_get(4)?,
        role_ids: r.try_get(5)?,
    })
}

fn audit_row(r: &Row) -> StoreResult<AuditRow> {
    Ok(AuditRow {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        at: r.try_get(2)?,
        actor: r.try_get(3)?,
        action: r.try_get(4)?,
        target: r.try_get(5)?,
        ip: r.try_get(6)?,
        detail: r.try_get(7)?,
    })
}

fn message_row(r: &Row) -> StoreResult<MessageRow> {
    Ok(MessageRow {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        author_id: r.try_get(2)?,
        body: r.try_get(3)?,
        created_at: r.try_get(4)?,
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

    async fn insert_tenant(&self, t: &TenantRow) -> StoreResult<()> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("INSERT INTO tenants (id, slug, name) VALUES ($1, $2, $3)")
            .await?;
        c.execute(&st, &[&t.id, &t.slug, &t.name]).await?;
        Ok(())
    }

    async fn tenant(&self, id: &str) -> StoreResult<Option<TenantRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("SELECT id, slug, name FROM tenants WHERE id = $1")
            .await?;
        c.query_opt(&st, &[&id])
            .await?
            .as_ref()
            .map(tenant_row)
            .transpose()
    }

    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<TenantRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("SELECT id, slug, name FROM tenants WHERE slug = $1")
            .await?;
        c.query_opt(&st, &[&slug])
            .await?
            .as_ref()
            .map(tenant_row)
            .transpose()
    }

    async fn has_tenants(&self) -> StoreResult<bool> {
        let c = self.client().await?;
        Ok(c.query_one("SELECT EXISTS (SELECT 1 FROM tenants)", &[])
            .await?
            .try_get(0)?)
    }

    async fn insert_role(&self, r: &RoleRow) -> StoreResult<()> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "INSERT INTO roles ({ROLE_COLS}) VALUES ($1, $2, $3, $4, $5)"
            ))
            .await?;
        c.execute(
            &st,
            &[
                &r.id,
                &r.tenant_id,
                &r.name,
                &json_list(&r.permissions),
                &r.builtin,
            ],
        )
        .await?;
        Ok(())
    }

    async fn role(&self, tenant_id: &str, id: &str) -> StoreResult<Option<RoleRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {ROLE_COLS} FROM roles WHERE tenant_id = $1 AND id = $2"
            ))
            .await?;
        c.query_opt(&st, &[&tenant_id, &id])
            .await?
            .as_ref()
            .map(role_row)
            .transpose()
    }

    async fn roles(&self, tenant_id: &str) -> StoreResult<Vec<RoleRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                r#"SELECT {ROLE_COLS} FROM roles WHERE tenant_id = $1 ORDER BY builtin DESC, name COLLATE "C""#
            ))
            .await?;
        c.query(&st, &[&tenant_id])
            .await?
            .iter()
            .map(role_row)
            .collect()
    }

    async fn insert_user(&self, u: &UserRow) -> StoreResult<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let st = tx
            .prepare_cached(
                "INSERT INTO users (id, tenant_id, email, name, password_hash) VALUES ($1, $2, $3, $4, $5)",
            )
            .await?;
        tx.execute(
            &st,
            &[&u.id, &u.tenant_id, &u.email, &u.name, &u.password_hash],
        )
        .await?;
        if !u.role_ids.is_empty() {
            let st = tx.prepare_cached(INSERT_USER_ROLES).await?;
            tx.execute(&st, &[&u.id, &u.role_ids]).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn user(&self, tenant_id: &str, id: &str) -> StoreResult<Option<UserRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "{USER_SELECT} WHERE u.tenant_id = $1 AND u.id = $2"
            ))
            .await?;
        c.query_opt(&st, &[&tenant_id, &id])
            .await?
            .as_ref()
            .map(user_row)
            .transpose()
    }

    async fn user_by_email(&self, tenant_id: &str, email: &str) -> StoreResult<Option<UserRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "{USER_SELECT} WHERE u.tenant_id = $1 AND u.email = $2"
            ))
            .await?;
        c.query_opt(&st, &[&tenant_id, &email])
            .await?
            .as_ref()
            .map(user_row)
            .transpose()
    }

    async fn users(&self, tenant_id: &str) -> StoreResult<Vec<UserRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                r#"{USER_SELECT} WHERE u.tenant_id = $1 ORDER BY u.email COLLATE "C""#
            ))
            .await?;
        c.query(&st, &[&tenant_id])
            .await?
            .iter()
            .map(user_row)
            .collect()
    }

    async fn change_administration(
        &self,
        tenant_id: &str,
        change: &AdminWrite,
        rule: AdminRule,
    ) -> StoreResult<bool> {
        let mut c = self.client().await?;
        admin::change_administration(&mut c, tenant_id, change, rule).await
    }

    async fn user_permissions(&self, user_id: &str) -> StoreResult<Vec<String>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT r.permissions FROM roles r JOIN user_roles ur ON ur.role_id = r.id WHERE ur.user_id = $1",
            )
            .await?;
        let mut all = Vec::new();
        for row in c.query(&st, &[&user_id]).await? {
            all.extend(parse_list(row.try_get(0)?)?);
        }
        // Sorted in Rust, so the order is byte-wise like the SQLite engine's.
        all.sort();
        all.dedup();
        Ok(all)
    }

    async fn insert_session(&self, s: &SessionRow) -> StoreResult<()> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "INSERT INTO sessions (hash, user_id, tenant_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .await?;
        c.execute(
            &st,
            &[
                &s.hash,
                &s.user_id,
                &s.tenant_id,
                &s.created_at,
                &s.expires_at,
            ],
        )
        .await?;
        Ok(())
    }

    async fn session_by_hash(&self, hash: &str) -> StoreResult<Option<SessionRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT hash, user_id, tenant_id, created_at, expires_at FROM sessions WHERE hash = $1",
            )
            .await?;
        let Some(r) = c.query_opt(&st, &[&hash]).await? else {
            return Ok(None);
        };
        Ok(Some(SessionRow {
            hash: r.try_get(0)?,
            user_id: r.try_get(1)?,
            tenant_id: r.try_get(2)?,
            created_at: r.try_get(3)?,
            expires_at: r.try_get(4)?,
        }))
    }

    async fn delete_session(&self, hash: &str) -> StoreResult<()> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("DELETE FROM sessions WHERE hash = $1")
            .await?;
        c.execute(&st, &[&hash]).await?;
        Ok(())
    }

    async fn end_oldest_sessions(&self, user_id: &str, keep: u32) -> StoreResult<u64> {
        let c = self.client().await?;
        Ok(c.execute(
            "DELETE FROM sessions WHERE user_id = $1 AND hash NOT IN
               (SELECT hash FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, hash DESC LIMIT $2)",
            &[&user_id, &i64::from(keep)],
        )
        .await?)
    }

    async fn prune_sessions_and_attempts(
        &self,
        now: i64,
        attempts_before: i64,
    ) -> StoreResult<u64> {
        let c = self.client().await?;
        let a = c
            .execute("DELETE FROM sessions WHERE expires_at <= $1", &[&now])
            .await?;
        let b = c
            .execute(
                "DELETE FROM sign_in_attempts WHERE at < $1",
                &[&attempts_before],
            )
            .await?;
        Ok(a + b)
    }

    async fn begin_sign_in_attempt(
        &self,
        account: &str,
        id: &str,
        now: i64,
        window_start: i64,
    ) -> StoreResult<Vec<i64>> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Serialise attempts on one account across replicas; the statements after the lock
        // take fresh snapshots (READ COMMITTED), so each sees every earlier attempt.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1::text))",
            &[&account],
        )
        .await?;
        tx.execute(
            "DELETE FROM sign_in_attempts WHERE account = $1 AND at < $2",
            &[&account, &window_start],
        )
        .await?;
        tx.execute(
            "INSERT INTO sign_in_attempts (id, account, at) VALUES ($1, $2, $3)",
            &[&id, &account, &now],
        )
        .await?;
        let rows = tx
            .query(
                r#"SELECT at FROM sign_in_attempts WHERE account = $1 ORDER BY at, id COLLATE "C""#,
                &[&account],
            )
            .await?;
        tx.commit().await?;
        Ok(rows.iter().map(|r| r.get::<_, i64>(0)).collect())
    }

    async fn forget_sign_in_attempt(&self, id: &str) -> StoreResult<()> {
        let c = self.client().await?;
        c.execute("DELETE FROM sign_in_attempts WHERE id = $1", &[&id])
            .await?;
        Ok(())
    }

    async fn clear_sign_in_attempts(&self, account: &str) -> StoreResult<()> {
        let c = self.client().await?;
        c.execute(
            "DELETE FROM sign_in_attempts WHERE account = $1",
            &[&account],
        )
        .await?;
        Ok(())
    }

    async fn insert_token_within_limit(
        &self,
        t: &TokenRow,
        now: i64,
        limit: u32,
    ) -> StoreResult<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let lock = tx.prepare_cached(LOCK_USER).await?;
        tx.query_opt(&lock, &[&t.user_id]).await?;
        // A separate statement from the lock on purpose: under READ COMMITTED its snapshot is
        // taken after the lock was granted, so the count includes the previous holder's insert.
        let inserted = insert_within_limit(&tx, t, now, limit).await?;
        tx.commit().await?;
        Ok(inserted)
    }

    async fn token(&self, id: &str) -> StoreResult<Option<TokenRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!("SELECT {TOKEN_COLS} FROM tokens WHERE id = $1"))
            .await?;
        c.query_opt(&st, &[&id])
            .await?
            .as_ref()
            .map(token_row)
            .transpose()
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!("SELECT {TOKEN_COLS} FROM tokens WHERE hash = $1"))
            .await?;
        c.query_opt(&st, &[&hash])
            .await?
            .as_ref()
            .map(token_row)
            .transpose()
    }

    async fn active_token_by_hash(&self, hash: &str, now: i64) -> StoreResult<Option<TokenRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {TOKEN_COLS} FROM tokens WHERE hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)"
            ))
            .await?;
        c.query_opt(&st, &[&hash, &now])
            .await?
            .as_ref()
            .map(token_row)
            .transpose()
    }

    async fn tokens_of_user(&self, user_id: &str) -> StoreResult<Vec<TokenRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                r#"SELECT {TOKEN_COLS} FROM tokens WHERE user_id = $1 ORDER BY created_at DESC, id COLLATE "C" DESC"#
            ))
            .await?;
        c.query(&st, &[&user_id])
            .await?
            .iter()
            .map(token_row)
            .collect()
    }

    async fn revoke_token(&self, id: &str, now: i64) -> StoreResult<Option<TokenRow>> {
        let c = self.client().await?;
        // One statement: it waits for any concurrent revoke of the row and then keeps the
        // first time, so the returned row is the state after both, never a stale snapshot.
        let st = c
            .prepare_cached(&format!(
                "UPDATE tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING {TOKEN_COLS}"
            ))
            .await?;
        c.query_opt(&st, &[&id, &now])
            .await?
            .as_ref()
            .map(token_row)
            .transpose()
    }

    async fn rotate_token(&self, r: &Rotation) -> StoreResult<RotationOutcome> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let select = format!("SELECT {TOKEN_COLS} FROM tokens WHERE id = $1");
        // The old token's owner, read before the lock only to know whose lock to take.
        let Some(owner) = tx
            .query_opt("SELECT user_id FROM tokens WHERE id = $1", &[&r.old_id])
            .await?
        else {
            return Ok(RotationOutcome::NotFound);
        };
        let user_id: String = owner.try_get(0)?;
        let lock = tx.prepare_cached(LOCK_USER).await?;
        tx.query_opt(&lock, &[&user_id]).await?;
        // Under READ COMMITTED each statement after the lock sees what the previous holder
        // committed (a concurrent rotation's `replaced_by`, a create's row).
        let old = match tx.query_opt(&select, &[&r.old_id]).await? {
            Some(row) => token_row(&row)?,
            None => return Ok(RotationOutcome::NotFound),
        };
        if let Some(by) = old.replaced_by {
            return Ok(RotationOutcome::AlreadyReplaced(by));
        }
        if !old.is_active(r.now) {
            return Ok(RotationOutcome::NotActive);
        }
        match r.retire {
            Retirement::Now => {
                tx.execute(
                    "UPDATE tokens SET revoked_at = $2 WHERE id = $1",
                    &[&old.id, &r.now],
                )
                .await?
            }
            Retirement::At(at) => {
                tx.execute(
                    "UPDATE tokens SET expires_at = $2 WHERE id = $1 AND (expires_at IS NULL OR expires_at > $2)",
                    &[&old.id, &at],
                )
                .await?
            }
            Retirement::OnFirstUse { grace, deadline } => {
                tx.execute(
                    "UPDATE tokens SET retire_grace = $3,
                            expires_at = LEAST(COALESCE(expires_at, $2::bigint), $2::bigint)
                      WHERE id = $1",
                    &[&old.id, &deadline, &grace],
                )
                .await?
            }
        };
        let t = &r.new;
        if !insert_within_limit(&tx, t, r.now, r.limit).await? {
            return Ok(RotationOutcome::LimitReached);
        }
        let old = tx
            .query_one(
                &format!("UPDATE tokens SET replaced_by = $2 WHERE id = $1 RETURNING {TOKEN_COLS}"),
                &[&old.id, &t.id],
            )
            .await?;
        let old = token_row(&old)?;
        tx.commit().await?;
        Ok(RotationOutcome::Rotated {
            old: Box::new(old),
            new: Box::new(t.clone()),
        })
    }

    async fn retire_predecessor(&self, new_id: &str, now: i64) -> StoreResult<bool> {
        let c = self.client().await?;
        let n = c
            .execute(
                "UPDATE tokens SET retire_grace = NULL,
                        expires_at = LEAST(COALESCE(expires_at, $2::bigint + retire_grace), $2::bigint + retire_grace)
                  WHERE replaced_by = $1 AND retire_grace IS NOT NULL",
                &[&new_id, &now],
            )
            .await?;
        Ok(n > 0)
    }

    async fn record_token_use(&self, uses: &[TokenUse]) -> StoreResult<UseWrites> {
        let batch = normalize_uses(uses);
        if batch.last.is_empty() {
            return Ok(UseWrites::default());
        }
        let ids: Vec<&str> = batch.last.iter().map(|(id, _, _)| id.as_str()).collect();
        let ats: Vec<i64> = batch.last.iter().map(|(_, at, _)| *at).collect();
        let ips: Vec<Option<&str>> = batch.last.iter().map(|(_, _, ip)| ip.as_deref()).collect();
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Rows are locked in id order before updating, so two replicas flushing overlapping
        // batches queue instead of deadlocking (and their hourly upserts below, which touch
        // only rows of tokens locked here, queue behind the same locks). The UPDATE re-checks
        // `last_used_at < at` against the newest row version, so an earlier time never
        // replaces a later one.
        let last = tx
            .prepare_cached(
                r#"WITH batch AS (
                       SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[]) AS b(id, at, ip)
                   ), locked AS MATERIALIZED (
                       SELECT t.id FROM tokens t WHERE t.id = ANY($1::text[])
                       ORDER BY t.id COLLATE "C" FOR NO KEY UPDATE
                   )
                   UPDATE tokens t SET last_used_at = batch.at, last_used_ip = batch.ip
                   FROM batch, locked
                   WHERE t.id = batch.id AND t.id = locked.id
                     AND (t.last_used_at IS NULL OR t.last_used_at < batch.at)"#,
            )
            .await?;
        let mut w = UseWrites {
            last_used: tx.execute(&last, &[&ids, &ats, &ips]).await?,
            buckets: 0,
        };
        if !batch.hours.is_empty() {
            let h_ids: Vec<&str> = batch.hours.iter().map(|(id, _, _)| id.as_str()).collect();
            let hours: Vec<i64> = batch.hours.iter().map(|(_, h, _)| *h).collect();
            let counts: Vec<i64> = batch.hours.iter().map(|(_, _, n)| *n).collect();
            let add = tx
                .prepare_cached(
                    r#"INSERT INTO token_usage (token_id, hour, count)
                       SELECT b.id, b.hour, b.count
                       FROM UNNEST($1::text[], $2::bigint[], $3::bigint[]) AS b(id, hour, count)
                       WHERE EXISTS (SELECT 1 FROM tokens t WHERE t.id = b.id)
                       ORDER BY b.id COLLATE "C", b.hour
                       ON CONFLICT (token_id, hour)
                       DO UPDATE SET count = token_usage.count + EXCLUDED.count"#,
                )
                .await?;
            w.buckets = tx.execute(&add, &[&h_ids, &hours, &counts]).await?;
        }
        if !batch.addresses.is_empty() {
            let a = &batch.addresses;
            let a_ids: Vec<&str> = a.iter().map(|(id, _)| id.as_str()).collect();
            let ips: Vec<&str> = a.iter().map(|(_, u)| u.ip.as_str()).collect();
            let firsts: Vec<i64> = a.iter().map(|(_, u)| u.first_seen).collect();
            let lasts: Vec<i64> = a.iter().map(|(_, u)| u.last_seen).collect();
            let counts: Vec<i64> = a
                .iter()
                .map(|(_, u)| i64::try_from(u.count).unwrap_or(i64::MAX))
                .collect();
            let seen = tx
                .prepare_cached(
                    r#"INSERT INTO token_addresses (token_id, ip, first_seen, last_seen, count)
                       SELECT b.id, b.ip, b.first_seen, b.last_seen, b.count
                       FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[])
                            AS b(id, ip, first_seen, last_seen, count)
                       WHERE EXISTS (SELECT 1 FROM tokens t WHERE t.id = b.id)
                       ORDER BY b.id COLLATE "C", b.ip COLLATE "C"
                       ON CONFLICT (token_id, ip) DO UPDATE SET
                          first_seen = LEAST(token_addresses.first_seen, EXCLUDED.first_seen),
                          last_seen = GREATEST(token_addresses.last_seen, EXCLUDED.last_seen),
                          count = token_addresses.count + EXCLUDED.count"#,
                )
                .await?;
            tx.execute(&seen, &[&a_ids, &ips, &firsts, &lasts, &counts])
                .await?;
            let trim = tx
                .prepare_cached(
                    r#"DELETE FROM token_addresses d
                       USING (SELECT token_id, ip, ROW_NUMBER() OVER (
                                  PARTITION BY token_id ORDER BY last_seen DESC, ip COLLATE "C" DESC) AS n
                              FROM token_addresses WHERE token_id = ANY($1::text[])) r
                       WHERE d.token_id = r.token_id AND d.ip = r.ip AND r.n > $2::bigint"#,
                )
                .await?;
            tx.execute(&trim, &[&a_ids, &i64::from(MAX_ADDRESSES)])
                .await?;
        }
        tx.commit().await?;
        Ok(w)
    }

    async fn token_addresses(&self, token_id: &str) -> StoreResult<Vec<AddressUse>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                r#"SELECT ip, first_seen, last_seen, count FROM token_addresses
                   WHERE token_id = $1 ORDER BY last_seen DESC, ip COLLATE "C" DESC"#,
            )
            .await?;
        c.query(&st, &[&token_id])
            .await?
            .iter()
            .map(|r| {
                Ok(AddressUse {
                    ip: r.try_get(0)?,
                    first_seen: r.try_get(1)?,
                    last_seen: r.try_get(2)?,
                    count: u64::try_from(r.try_get::<_, i64>(3)?).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn token_usage(&self, token_id: &str, since_hour: i64) -> StoreResult<Vec<(i64, u64)>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT hour, count FROM token_usage WHERE token_id = $1 AND hour >= $2 ORDER BY hour",
            )
            .await?;
        let hours = c
            .query(&st, &[&token_id, &since_hour])
            .await?
            .iter()
            .map(|r| {
                let (h, n): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
                Ok((h, u64::try_from(n).unwrap_or(0)))
            })
            .collect::<Result<Vec<_>, tokio_postgres::Error>>()?;
        Ok(hours)
    }

    async fn prune_usage(&self, before_hour: i64) -> StoreResult<u64> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("DELETE FROM token_usage WHERE hour < $1")
            .await?;
        Ok(c.execute(&st, &[&before_hour]).await?)
    }

    async fn append_audit(&self, e: &AuditRow) -> StoreResult<()> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "INSERT INTO audit_events (id, tenant_id, at, actor, action, target, ip, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .await?;
        c.execute(
            &st,
            &[
                &e.id,
                &e.tenant_id,
                &e.at,
                &e.actor,
                &e.action,
                &e.target,
                &e.ip,
                &e.detail,
            ],
        )
        .await?;
        Ok(())
    }

    async fn audit_events(
        &self,
        tenant_id: &str,
        actor: Option<&str>,
        before: Option<&AuditCursor>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRow>> {
        let (b_at, b_id) = before.map_or((i64::MAX, ""), |b| (b.at, b.id.as_str()));
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                r#"SELECT id, tenant_id, at, actor, action, target, ip, detail FROM audit_events
                   WHERE tenant_id = $1 AND ($2::text IS NULL OR actor = $2::text)
                     AND (at < $3::bigint OR (at = $3::bigint AND ($4::text = '' OR id COLLATE "C" < $4::text)))
                   ORDER BY at DESC, id COLLATE "C" DESC LIMIT $5::bigint"#,
            )
            .await?;
        c.query(&st, &[&tenant_id, &actor, &b_at, &b_id, &i64::from(limit)])
            .await?
            .iter()
            .map(audit_row)
            .collect()
    }

    async fn insert_message(&self, m: &MessageRow) -> StoreResult<()> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "INSERT INTO messages (id, tenant_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .await?;
        c.execute(
            &st,
            &[&m.id, &m.tenant_id, &m.author_id, &m.body, &m.created_at],
        )
        .await?;
        Ok(())
    }

    async fn messages(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<MessageRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                r#"SELECT id, tenant_id, author_id, body, created_at FROM messages
                   WHERE tenant_id = $1 ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $2::bigint"#,
            )
            .await?;
        c.query(&st, &[&tenant_id, &i64::from(limit)])
            .await?
            .iter()
            .map(message_row)
            .collect()
    }
}

/// A throwaway database for one test run: created on the server named by an administrative
/// URL (a role allowed to `CREATE DATABASE`), dropped by [`ScratchDatabase::drop_database`].
///
/// Tests use it so runs never see each other's rows and leave nothing behind; the server's
/// integration tests can use it the same way to run against PostgreSQL.
pub struct ScratchDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Creates `keebai_test_<uuid>` next to the database of `admin_url`.
    pub async fn create(admin_url: &str) -> anyhow::Result<Self> {
        let name = format!("keebai_test_{}", uuid::Uuid::now_v7().simple());
        let url = with_database(admin_url, &name);
        let admin = admin_client(admin_url).await?;
        // The name is generated here from hex digits, so formatting it into DDL is safe.
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .map_err(|e| anyhow::anyhow!("CREATE DATABASE {name}: {}", describe(&e)))?;
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }

    /// The URL of the scratch database (same server and credentials as the admin URL).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the database, closing any connection still open to it (PostgreSQL 13+).
    pub async fn drop_database(self) -> anyhow::Result<()> {
        let admin = admin_client(&self.admin_url).await?;
        admin
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await
            .map_err(|e| anyhow::anyhow!("DROP DATABASE {}: {}", self.name, describe(&e)))?;
        Ok(())
    }
}

async fn admin_client(url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(|e| anyhow::anyhow!("connecting to PostgreSQL: {}", describe(&e)))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "admin connection ended");
        }
    });
    Ok(client)
}

/// `postgres://u:p@h:5432/old?x=y` with the database replaced by `db`. Percent-encoded
/// userinfo is kept as it is; a URL without a path gets one.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    // The authority ends at the first '/' after the userinfo (whose password may contain '/').
    let host_start = rest.rfind('@').map_or(0, |i| i + 1);
    let authority_end = rest[host_start..]
        .find('/')
        .map_or(rest.len(), |i| host_start + i);
    let mut out = format!("{scheme}://{}/{db}", &rest[..authority_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_is_replaced_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:55432/postgres", "x"),
            "postgres://postgres@127.0.0.1:55432/x"
        );
        assert_eq!(
            with_database("postgresql://u:p/w@h/db?sslmode=disable", "x"),
            "postgresql://u:p/w@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:1", "x"), "postgres://h:1/x");
    }

    #[tokio::test]
    async fn a_bad_url_fails_without_echoing_the_password() {
        let err = match PgStore::connect("postgres://u:hunter2@127.0.0.1:1/db?bogus=1").await {
            Ok(_) => panic!("a bad URL must not connect"),
            Err(e) => format!("{e:#}"),
        };
        assert!(!err.contains("hunter2"), "{err}");
    }
}
