//! A database migrated by a newer build is refused, on both engines, with a message that says
//! what to do: an older build could misread or damage what a newer one wrote. These run the
//! real binary on the test's database (a SQLite file, or a PostgreSQL database with
//! `KEEBAI_TEST_ENGINE=postgres`).

use keebai_testkit as support;

use keebai_server::store::migrations;
use support::TestServer;

#[tokio::test]
async fn a_schema_newer_than_the_build_is_refused_clearly() {
    let mut srv = TestServer::start().await;
    srv.exec_behind("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)")
        .await;
    srv.terminate();
    let out = std::process::Command::new(support::bin())
        .args(["serve", "--db", &srv.db_url, "--listen", "127.0.0.1:0"])
        .output()
        .expect("run");
    assert!(!out.status.success(), "served a newer schema");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("version 999") && err.contains("newer than this build"),
        "{err}"
    );
    assert!(
        err.contains("upgrade keebai-server"),
        "says what to do: {err}"
    );
}

/// `init` is refused the same way as `serve`, names both versions, and writes nothing: the
/// tenant it was asked for does not exist afterwards.
#[tokio::test]
async fn init_refuses_a_newer_schema_and_writes_nothing() {
    let mut srv = TestServer::start().await;
    let newer = migrations::latest() + 1;
    srv.exec_behind(&format!(
        "INSERT INTO schema_migrations (version, applied_at) VALUES ({newer}, 0)"
    ))
    .await;
    srv.terminate();
    let out = std::process::Command::new(support::bin())
        .args(["init", "--db", &srv.db_url, "--tenant", "newer"])
        .args(["--admin-email", "admin@newer.test"])
        .env("KEEBAI_ADMIN_PASSWORD", "a-long-enough-password-1")
        .output()
        .expect("run");
    assert!(!out.status.success(), "init ran on a newer schema");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("version {newer}")), "{err}");
    assert!(
        err.contains(&format!("up to {}", migrations::latest())),
        "names the build's version: {err}"
    );
    assert!(err.contains("upgrade keebai-server"), "{err}");
    assert_eq!(
        count(
            &srv.db_url,
            "SELECT COUNT(*) FROM tenants WHERE slug = 'newer'"
        )
        .await,
        0,
        "no tenant created"
    );
    assert_eq!(
        count(&srv.db_url, "SELECT MAX(version) FROM schema_migrations").await,
        newer,
        "the newer version is left as it was"
    );
}

/// One number read straight from the database behind the (stopped) server.
async fn count(db_url: &str, sql: &str) -> i64 {
    if let Some(path) = db_url.strip_prefix("sqlite://") {
        let c = rusqlite::Connection::open(path).expect("open the SQLite file");
        c.query_row(sql, [], |r| r.get(0)).expect(sql)
    } else {
        let (client, conn) = tokio_postgres::connect(db_url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        client.query_one(sql, &[]).await.expect(sql).get(0)
    }
}
