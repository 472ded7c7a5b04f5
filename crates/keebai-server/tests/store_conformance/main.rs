//! The storage conformance suite ([`keebai_server::store::conformance`]) against every engine.
//!
//! SQLite always runs, on a fresh file. PostgreSQL runs when `KEEBAI_TEST_PG_URL` names a server
//! (the test command starts one with `scripts/pg.sh start`): each run gets its own
//! `keebai_test_<uuid>` database, dropped afterwards. Without the variable the PostgreSQL test
//! prints a skip notice, unless `KEEBAI_REQUIRE_PG=1` (set by CI), where it fails, so a CI
//! machine without PostgreSQL can never pass by silently skipping.

use std::sync::Arc;

use keebai_server::store::postgres::{PgStore, ScratchDatabase};
use keebai_server::store::sqlite::SqliteStore;
use keebai_server::store::{conformance, migrations, DirectoryStore, DynStore, StoreError};

use keebai_testkit::pg_admin_url;
use keebai_testkit::with_scratch_database as on_scratch_database;

mod trigram;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: DynStore = Arc::new(
        SqliteStore::open(&dir.path().join("conformance.db"))
            .await
            .expect("open sqlite"),
    );
    assert_eq!(store.engine(), "sqlite");
    conformance::run_all(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_passes_the_conformance_suite() {
    let Some(admin) = pg_admin_url("postgres_passes_the_conformance_suite") else {
        return;
    };
    let db = ScratchDatabase::create(&admin)
        .await
        .expect("create scratch database");
    let store: DynStore = Arc::new(PgStore::connect(db.url()).await.expect("open postgres"));
    assert_eq!(store.engine(), "postgres");
    // Run inside a task so a failed check still lets us drop the database.
    let outcome = tokio::spawn(conformance::run_all(Arc::clone(&store))).await;
    drop(store);
    db.drop_database().await.expect("drop scratch database");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Several replicas starting at once on an empty database: the advisory lock lets exactly one
/// apply each migration, and all of them come up.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_migrations_are_safe_when_replicas_start_together() {
    let Some(admin) = pg_admin_url("postgres_migrations_are_safe_when_replicas_start_together")
    else {
        return;
    };
    let db = ScratchDatabase::create(&admin)
        .await
        .expect("create scratch database");
    let url = db.url().to_owned();
    let outcome = tokio::spawn(async move {
        let starts: Vec<_> = (0..6)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move { PgStore::connect(&url).await })
            })
            .collect();
        for s in starts {
            s.await.expect("join").expect("every replica starts");
        }
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        let rows = client
            .query(
                "SELECT version FROM schema_migrations ORDER BY version",
                &[],
            )
            .await
            .expect("schema_migrations");
        let versions: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
        let expected: Vec<i64> = migrations::MIGRATIONS.iter().map(|(v, _)| *v).collect();
        assert_eq!(versions, expected, "each version applied exactly once");
    })
    .await;
    db.drop_database().await.expect("drop scratch database");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Every pooled connection killed server-side (a PostgreSQL restart or failover looks like
/// this): the store reports at most a transient `Unavailable`, never a permanent failure, and
/// serves again from fresh connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_recovers_when_its_connections_are_killed() {
    let Some(admin) = pg_admin_url("postgres_recovers_when_its_connections_are_killed") else {
        return;
    };
    let db = ScratchDatabase::create(&admin)
        .await
        .expect("create scratch database");
    let (url, name) = (db.url().to_owned(), db.name().to_owned());
    let outcome = tokio::spawn(async move {
        let store: DynStore = Arc::new(PgStore::connect(&url).await.expect("open postgres"));
        let (tenant, _, user) = conformance::fixture(&*store, &["messages.read"]).await;
        // Warm several pooled connections so the kill hits more than one.
        let warm: Vec<_> = (0..8)
            .map(|_| {
                let store = Arc::clone(&store);
                let id = user.id.clone();
                tokio::spawn(async move { store.user_permissions(&id).await })
            })
            .collect();
        for w in warm {
            w.await.expect("join").expect("warm-up query");
        }
        let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .expect("connect admin");
        tokio::spawn(conn);
        let killed = client
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                &[&name],
            )
            .await
            .expect("terminate backends");
        assert!(!killed.is_empty(), "the store had open connections");
        let mut recovered = false;
        for _ in 0..20 {
            match store.tenant(&tenant.id).await {
                Ok(found) => {
                    assert_eq!(found, Some(tenant.clone()));
                    recovered = true;
                    break;
                }
                Err(StoreError::Unavailable(_)) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(other) => panic!("a killed connection is `Unavailable`, got {other:?}"),
            }
        }
        assert!(recovered, "the store serves again from new connections");
        assert_eq!(
            store.user_permissions(&user.id).await.expect("perms"),
            ["messages.read"]
        );
    })
    .await;
    db.drop_database().await.expect("drop scratch database");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// A server that cannot be reached is reported as such (not as an internal error), and the
/// message never contains the password.
#[tokio::test]
async fn postgres_unreachable_is_an_error_without_the_password() {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let err = match PgStore::connect("postgres://keebai:s3cret-pw@127.0.0.1:1/keebai").await {
        Ok(_) => panic!("nothing listens on port 1"),
        Err(e) => format!("{e:#}"),
    };
    assert!(!err.contains("s3cret-pw"), "password leaked: {err}");
    assert!(err.contains("unavailable"), "{err}");
}

async fn recorded_versions(client: &tokio_postgres::Client) -> Vec<i64> {
    let rows = client
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .expect("schema_migrations");
    rows.iter().map(|r| r.get(0)).collect()
}

/// A database a newer build migrated is refused before anything is touched, with a message
/// naming both versions and what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_refuses_a_schema_newer_than_the_build() {
    on_scratch_database(
        "postgres_refuses_a_schema_newer_than_the_build",
        |url, client| async move {
            PgStore::connect(&url).await.expect("first start migrates");
            let newer = migrations::latest() + 3;
            client
                .execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)",
                    &[&newer],
                )
                .await
                .expect("bump");
            let err = match PgStore::connect(&url).await {
                Ok(_) => panic!("a newer schema was accepted"),
                Err(e) => format!("{e:#}"),
            };
            assert!(err.contains(&format!("version {newer}")), "{err}");
            assert!(
                err.contains(&format!("up to {}", migrations::latest())),
                "{err}"
            );
            assert!(err.contains("upgrade keebai-server"), "{err}");
            let mut expected: Vec<i64> = migrations::MIGRATIONS.iter().map(|(v, _)| *v).collect();
            expected.push(newer);
            assert_eq!(recorded_versions(&client).await, expected);
        },
    )
    .await;
}

/// An empty database gets every version, once each, and a second start applies nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_an_empty_database_gets_every_version_once() {
    on_scratch_database(
        "postgres_an_empty_database_gets_every_version_once",
        |url, client| async move {
            drop(PgStore::connect(&url).await.expect("migrate"));
            let all: Vec<i64> = migrations::MIGRATIONS.iter().map(|(v, _)| *v).collect();
            assert_eq!(recorded_versions(&client).await, all);
            let store = PgStore::connect(&url).await.expect("restart");
            assert!(!store.has_tenants().await.expect("tables exist"));
            assert_eq!(
                recorded_versions(&client).await,
                all,
                "nothing applied twice"
            );
        },
    )
    .await;
}

/// A database left at schema 6 by an earlier build, with rows in it, is brought to the newest
/// schema in place: migration 7 gives the built-in Admin role `developer.rotate_self`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_an_older_schema_upgrades_in_place() {
    on_scratch_database(
        "postgres_an_older_schema_upgrades_in_place",
        |url, client| async move {
            client
                .batch_execute(
                    "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
                )
                .await
                .expect("table");
            for (v, sql) in migrations::MIGRATIONS.iter().filter(|(v, _)| *v <= 6) {
                client.batch_execute(sql).await.expect("migration");
                client
                    .execute(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)",
                        &[v],
                    )
                    .await
                    .expect("version");
            }
            client
                .batch_execute(
                    r#"INSERT INTO tenants VALUES ('t1', 'acme', 'Acme');
                       INSERT INTO roles VALUES ('r-admin', 't1', 'Admin', '["messages.read","admin.manage_users"]', true);
                       INSERT INTO roles VALUES ('r-custom', 't1', 'Admin-like', '["messages.read","admin.manage_users"]', false);"#,
                )
                .await
                .expect("rows");
            let store = PgStore::connect(&url).await.expect("upgrade");
            let all: Vec<i64> = migrations::MIGRATIONS.iter().map(|(v, _)| *v).collect();
            assert_eq!(recorded_versions(&client).await, all);
            let admin = store.role(&"t1".into(), &"r-admin".into()).await.expect("read").expect("admin");
            assert_eq!(
                admin.permissions,
                ["messages.read", "admin.manage_users", "developer.rotate_self"]
            );
            let custom = store.role(&"t1".into(), &"r-custom".into()).await.expect("read").expect("custom");
            assert_eq!(custom.permissions.len(), 2, "only the built-in Admin changes");
        },
    )
    .await;
}
