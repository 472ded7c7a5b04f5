//! Text a client supplies reaches the logs only as an escaped field: a newline in it cannot
//! start a forged log line (text format, as an operator reading a terminal or a plain file
//! would see it).

use keebai_testkit as support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn a_newline_in_a_sign_in_cannot_forge_a_log_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    let status = Command::new(support::bin())
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
    assert!(status.success());
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).expect("log");
    let mut child = Command::new(support::bin())
        .args([
            "serve",
            "--db",
            &db,
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "text",
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("address")
        .to_owned();
    let forged = "acme\nFORGED 2026-01-01T00:00:00Z ERROR admin password reset for ceo@acme.test\r\nFORGED again";
    let resp = reqwest::Client::new()
        .post(format!("{base}/v1/sessions"))
        .json(&serde_json::json!({"tenant": forged, "email": "x@acme.test\nFORGED email", "password": "wrong-password-1"}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), reqwest::StatusCode::UNAUTHORIZED);
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log_path).expect("read log");
    assert!(
        text.contains("failed sign-in"),
        "the attempt is logged: {text}"
    );
    for l in text.lines() {
        assert!(!l.starts_with("FORGED"), "a forged line: {l:?}\n{text}");
    }
    assert!(text.contains("\\nFORGED"), "kept, escaped: {text}");
}
