//! A database migrated by a newer build is refused, on both engines, with a message that says
//! what to do: an older build could misread or damage what a newer one wrote.

mod support;

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
