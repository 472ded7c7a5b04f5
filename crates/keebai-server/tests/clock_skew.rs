//! A PostgreSQL replica whose clock is more than a second off the database's stops serving
//! (503 everywhere, `/healthz` included, with the reason in its log): it could not tell an
//! expired token from a live one. The offset is injected (`fault-injection`): a test cannot
//! move the machine's clock.
#![cfg(feature = "fault-injection")]

use keebai_testkit as support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::StatusCode;

async fn serve_with_offset(db_url: &str, offset_ms: i64) -> (StatusCode, String, String) {
    let log = tempfile::NamedTempFile::new().expect("log");
    let mut child = Command::new(support::bin())
        .args(["serve", "--db", db_url, "--listen", "127.0.0.1:0"])
        .env("KEEBAI_FAULT_CLOCK_OFFSET_MS", offset_ms.to_string())
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(log.reopen().expect("log file"))
        .spawn()
        .expect("serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("address")
        .to_owned();
    let resp = reqwest::get(format!("{base}/healthz"))
        .await
        .expect("healthz");
    let status = resp.status();
    let body = resp.text().await.expect("body");
    let _ = child.kill();
    let _ = child.wait();
    (
        status,
        body,
        std::fs::read_to_string(log.path()).expect("log"),
    )
}

#[tokio::test]
async fn a_replica_whose_clock_is_off_stops_serving() {
    if std::env::var("KEEBAI_TEST_ENGINE").as_deref() != Ok("postgres") {
        return; // SQLite shares the serving process's clock.
    }
    let dir = support::run_dir();
    let db = support::fresh_db_url(dir.path()).await;
    let ok = Command::new(support::bin())
        .args([
            "init",
            "--db",
            &db,
            "--tenant",
            "acme",
            "--admin-email",
            "a@acme.test",
        ])
        .env("KEEBAI_ADMIN_PASSWORD", "admin-password-123")
        .stdout(Stdio::null())
        .status()
        .expect("init");
    assert!(ok.success());

    let (status, _, _) = serve_with_offset(&db, 300).await;
    assert_eq!(status, StatusCode::OK, "300 ms is within the tolerance");

    for offset in [-5000, 5000] {
        let (status, body, log) = serve_with_offset(&db, offset).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{offset}: {body}");
        assert!(
            body.contains("clock") && body.contains("unavailable"),
            "{body}"
        );
        assert!(log.contains("stops serving"), "the log says why: {log}");
    }
}
