//! Upgrading a database written by an earlier build: migration 7 (rotation) on a SQLite file
//! at schema 6 with a tenant, its built-in roles and a token already in it; and an empty file
//! brought to the newest schema; migration 15 renaming the stored `role.updated` events to the
//! contract's `role.changed`. (The same on PostgreSQL is in `store_conformance/`; the
//! refusal of a newer schema, through the real binary, in `newer_schema.rs`.)

use keebai_server::store::migrations::{latest, statements_for, MIGRATIONS};
use keebai_server::store::sql::Engine;
use keebai_server::store::sqlite::SqliteStore;
use keebai_server::store::{DirectoryStore, TokenStore};

const OLD_ADMIN: &str = r#"["developer.manage_tokens","developer.audit_tokens","messages.read","messages.write","contacts.read","contacts.write","admin.manage_roles","admin.manage_users"]"#;
const MEMBER: &str = r#"["messages.read","messages.write","contacts.read"]"#;

/// A SQLite file as an earlier build left it: the migrations up to `version` applied and
/// recorded, as that build's runner would have.
fn schema_at(path: &std::path::Path, version: i64) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .expect("table");
    for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v <= version) {
        for statement in statements_for(sql, Engine::Sqlite) {
            conn.execute_batch(statement).expect("migration");
        }
        conn.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, 0)",
            [v],
        )
        .expect("version");
    }
    conn
}

#[tokio::test]
async fn schema_6_upgrades_in_place_and_admin_gains_rotate_self() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("v6.db");
    {
        let conn = schema_at(&path, 6);
        conn.execute_batch(&format!(
            "INSERT INTO tenants VALUES ('t1', 'acme', 'Acme');
             INSERT INTO roles VALUES ('r-admin', 't1', 'Admin', '{OLD_ADMIN}', 1);
             INSERT INTO roles VALUES ('r-member', 't1', 'Member', '{MEMBER}', 1);
             INSERT INTO roles VALUES ('r-custom', 't1', 'Admin-like', '{OLD_ADMIN}', 0);
             INSERT INTO users VALUES ('u1', 't1', 'a@acme.test', 'A', 'x');
             INSERT INTO tokens (id, tenant_id, user_id, name, prefix, scopes, hash, created_at)
                  VALUES ('tok1', 't1', 'u1', 'old', 'kbai_pk_0000', '[\"messages.read\"]', 'h1', 100);"
        ))
        .expect("rows");
    }
    let store = SqliteStore::open(&path).await.expect("upgrade");
    let admin = store
        .role(&"t1".into(), &"r-admin".into())
        .await
        .expect("read")
        .expect("admin");
    assert!(admin
        .permissions
        .contains(&"developer.rotate_self".to_owned()));
    assert_eq!(admin.permissions.len(), 9, "{:?}", admin.permissions);
    let member = store
        .role(&"t1".into(), &"r-member".into())
        .await
        .expect("read")
        .expect("member");
    assert!(!member
        .permissions
        .contains(&"developer.rotate_self".to_owned()));
    let custom = store
        .role(&"t1".into(), &"r-custom".into())
        .await
        .expect("read")
        .expect("custom");
    assert_eq!(
        custom.permissions.len(),
        8,
        "only the built-in Admin changes"
    );
    let token = store
        .token(&"tok1".into())
        .await
        .expect("read")
        .expect("token");
    assert_eq!(
        (token.rotated_from, token.replaced_by, token.retire_grace),
        (None, None, None)
    );
    drop(store);
    // Applying again changes nothing (the version is recorded).
    let store = SqliteStore::open(&path).await.expect("reopen");
    let admin = store
        .role(&"t1".into(), &"r-admin".into())
        .await
        .expect("read")
        .expect("admin");
    assert_eq!(admin.permissions.len(), 9);
}

/// The version recorded for each migration, in order.
fn versions(path: &std::path::Path) -> Vec<i64> {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut stmt = conn
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .expect("prepare");
    let rows = stmt.query_map([], |r| r.get(0)).expect("query");
    rows.collect::<Result<_, _>>().expect("versions")
}

#[tokio::test]
async fn an_empty_file_gets_every_version_once_and_reopening_changes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("empty.db");
    let store = SqliteStore::open(&path).await.expect("migrate");
    drop(store);
    let all: Vec<i64> = MIGRATIONS.iter().map(|(v, _)| *v).collect();
    assert_eq!(versions(&path), all);
    assert_eq!(all.last(), Some(&latest()));
    let store = SqliteStore::open(&path).await.expect("reopen");
    assert!(!store.has_tenants().await.expect("tables exist"));
    drop(store);
    assert_eq!(versions(&path), all, "nothing applied twice");
    // Version 14 is recorded, but its statements are PostgreSQL's alone (the trigram indexes).
    let conn = rusqlite::Connection::open(&path).expect("open");
    let trgm: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%trgm%'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(trgm, 0);
}

#[tokio::test]
async fn schema_14_role_updates_become_role_changed() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("v14.db");
    {
        let conn = schema_at(&path, 14);
        conn.execute_batch(
            "INSERT INTO tenants VALUES ('t1', 'acme', 'Acme');
             INSERT INTO audit_events (id, tenant_id, at, actor, action, target)
                  VALUES ('e1', 't1', 100, 'u1', 'role.updated', 'r1'),
                         ('e2', 't1', 101, 'u1', 'role.created', 'r2'),
                         ('e3', 't1', 102, 'u1', 'token.revoked', 'k1');",
        )
        .expect("rows");
    }
    drop(SqliteStore::open(&path).await.expect("upgrade"));
    assert_eq!(versions(&path).last(), Some(&15));
    let conn = rusqlite::Connection::open(&path).expect("open");
    let mut stmt = conn
        .prepare("SELECT id, action FROM audit_events ORDER BY id")
        .expect("prepare");
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        rows,
        [
            ("e1".to_owned(), "role.changed".to_owned()),
            ("e2".to_owned(), "role.created".to_owned()),
            ("e3".to_owned(), "token.revoked".to_owned()),
        ]
    );
}
