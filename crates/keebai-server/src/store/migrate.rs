//! The one migration runner, used by both engines.
//!
//! The runner owns every decision — which versions are missing, their order, that each runs in
//! its own transaction with its version recorded in the same commit, and that a database
//! newer than this build is refused before anything is touched. An engine only says how to
//! open and close a transaction that keeps other migrating processes out, run a statement,
//! and read and record a version ([`SchemaTarget`]): SQLite with `BEGIN IMMEDIATE`,
//! PostgreSQL with a transaction-scoped advisory lock (replicas starting together) — and which
//! engine it is, so a statement tagged for the other engine is left out
//! ([`super::migrations::statements`]).
//!
//! One transaction per version, re-reading the version each time, means a replica that waited
//! for another one's lock continues from wherever that one got, and a failing migration keeps
//! the versions before it.

use async_trait::async_trait;

use super::migrations::{statements_for, MIGRATIONS};
use super::sql::Engine;
use super::{StoreError, StoreResult};

/// Creates the version table on a database that has none (run inside each transaction, so
/// its creation is covered by the same exclusion as the migrations).
pub const CREATE_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations \
     (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";
/// The database's schema version: the highest one recorded, 0 for an empty database.
pub const READ_VERSION: &str = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
/// Records a version as applied (`?1` version, `?2` unix seconds).
pub const RECORD_VERSION: &str =
    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)";

/// What an engine provides to the runner. Each method acts on one connection; the runner calls
/// `begin`, then statements, then `commit` (or `rollback` after a failure).
#[async_trait]
pub trait SchemaTarget: Send {
    /// The engine, which picks the statements tagged for it.
    fn engine(&self) -> Engine;
    /// Starts a transaction that no other process migrating the same database runs beside.
    async fn begin(&mut self) -> StoreResult<()>;
    /// Runs one statement without parameters.
    async fn execute(&mut self, sql: &str) -> StoreResult<()>;
    /// Runs [`READ_VERSION`].
    async fn version(&mut self) -> StoreResult<i64>;
    /// Runs [`RECORD_VERSION`].
    async fn record(&mut self, version: i64, applied_at: i64) -> StoreResult<()>;
    /// Commits the transaction.
    async fn commit(&mut self) -> StoreResult<()>;
    /// Abandons the transaction; failures are ignored (the connection is discarded anyway).
    async fn rollback(&mut self);
}

/// Why a database whose schema is at `version` is refused by a build that knows up to `known`:
/// an older build could misread or damage what a newer one wrote.
pub fn newer_schema_message(version: i64, known: i64) -> String {
    format!(
        "the database schema is at version {version}, newer than this build knows: this \
         keebai-server knows schema versions up to {known}; upgrade keebai-server to a build \
         that includes version {version} (never run an older build on a database a newer one \
         has migrated)"
    )
}

/// Brings the database to the newest version in [`MIGRATIONS`]; returns the versions applied
/// (empty when it was current).
pub async fn run(target: &mut dyn SchemaTarget) -> StoreResult<Vec<i64>> {
    run_list(target, MIGRATIONS).await
}

/// [`run`] over any ordered list of `(version, statements)`.
pub async fn run_list(
    target: &mut dyn SchemaTarget,
    list: &[(i64, &str)],
) -> StoreResult<Vec<i64>> {
    assert!(
        list.windows(2).all(|w| w[0].0 < w[1].0),
        "migration versions must be strictly increasing"
    );
    let known = list.last().map_or(0, |(v, _)| *v);
    let mut applied = Vec::new();
    loop {
        if let Err(e) = target.begin().await {
            target.rollback().await;
            return Err(e);
        }
        let step = next_step(&mut *target, list, known).await;
        match step {
            Ok(done) => {
                target.commit().await?;
                match done {
                    Some(version) => applied.push(version),
                    None => return Ok(applied),
                }
            }
            Err(e) => {
                target.rollback().await;
                return Err(e);
            }
        }
    }
}

/// Inside one transaction: applies the first missing version and returns it, or `None` when
/// there is nothing left.
async fn next_step(
    target: &mut dyn SchemaTarget,
    list: &[(i64, &str)],
    known: i64,
) -> StoreResult<Option<i64>> {
    target.execute(CREATE_VERSION_TABLE).await?;
    let current = target.version().await?;
    if current > known {
        return Err(StoreError::Other(anyhow::anyhow!(
            "{}",
            newer_schema_message(current, known)
        )));
    }
    let Some((version, sql)) = list.iter().find(|(v, _)| *v > current) else {
        return Ok(None);
    };
    for stmt in statements_for(sql, target.engine()) {
        target.execute(stmt).await?;
    }
    target
        .record(*version, chrono::Utc::now().timestamp())
        .await?;
    tracing::info!(version, "applied schema migration");
    Ok(Some(*version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_released_list_is_strictly_increasing() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(MIGRATIONS.first().map(|m| m.0), Some(1));
    }

    /// Each version commits on its own: a failing one is rolled back whole and the ones before
    /// it stay recorded, so the next start resumes from there.
    #[tokio::test]
    async fn a_failing_version_keeps_the_ones_before_it() {
        let dir = tempfile::tempdir().expect("dir");
        let mut conn = rusqlite::Connection::open(dir.path().join("m.db")).expect("open");
        let list: &[(i64, &str)] = &[
            (1, "CREATE TABLE a (x BIGINT)"),
            (
                2,
                "CREATE TABLE b (x BIGINT); INSERT INTO nowhere VALUES (1)",
            ),
        ];
        let mut target = crate::store::sqlite::SqliteSchema(&mut conn);
        assert!(run_list(&mut target, list).await.is_err());
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("names");
        assert_eq!(
            tables,
            ["a", "schema_migrations"],
            "b rolled back with its version"
        );
        let mut target = crate::store::sqlite::SqliteSchema(&mut conn);
        assert_eq!(
            run_list(&mut target, &list[..1]).await.expect("resume"),
            Vec::<i64>::new(),
            "version 1 was recorded"
        );
        let mut target = crate::store::sqlite::SqliteSchema(&mut conn);
        let newer = run_list(&mut target, &[]).await.expect_err("refused");
        assert!(newer.to_string().contains("version 1"), "{newer}");
    }

    /// A statement tagged for PostgreSQL is not run on SQLite (it would fail there), while the
    /// version is still recorded, so both engines agree on which versions exist.
    #[tokio::test]
    async fn sqlite_leaves_out_what_is_tagged_for_postgres() {
        let dir = tempfile::tempdir().expect("dir");
        let mut conn = rusqlite::Connection::open(dir.path().join("m.db")).expect("open");
        let list: &[(i64, &str)] = &[(
            1,
            "CREATE TABLE a (x TEXT);\n-- engine: postgres\nCREATE EXTENSION IF NOT EXISTS pg_trgm",
        )];
        let mut target = crate::store::sqlite::SqliteSchema(&mut conn);
        assert_eq!(run_list(&mut target, list).await.expect("migrate"), [1]);
        let a: i64 = conn
            .query_row("SELECT COUNT(*) FROM a", [], |r| r.get(0))
            .expect("a exists");
        assert_eq!(a, 0);
    }

    #[test]
    fn the_refusal_names_both_versions_and_what_to_do() {
        let m = newer_schema_message(12, 9);
        assert!(m.contains("version 12"), "{m}");
        assert!(m.contains("up to 9"), "{m}");
        assert!(m.contains("upgrade keebai-server"), "{m}");
    }
}
