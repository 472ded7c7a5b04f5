//! Secret hygiene: after creating and using tokens and sessions, no full secret appears in
//! the database files or the server's logs (debug level, JSON).

use keebai_testkit as support;

use reqwest::StatusCode;
use serde_json::json;
use support::{TestServer, ADMIN_PASSWORD};

#[tokio::test]
async fn no_secret_in_the_database_files_or_the_logs() {
    let mut srv = TestServer::start().await;
    let dev = srv
        .user_with(&["developer.manage_tokens", "messages.read", "messages.write"])
        .await;
    let mut secrets = vec![
        dev.session.clone(),
        ADMIN_PASSWORD.to_owned(),
        "user-password-123".to_owned(),
    ];
    for i in 0..5 {
        let (secret, rec) = srv
            .mint(
                &dev,
                &format!("t{i}"),
                &["messages.read", "messages.write"],
                None,
            )
            .await;
        assert_eq!(srv.get("/v1/messages", &secret).await.0, StatusCode::OK);
        srv.post("/v1/messages", &secret, json!({"body": "hello"}))
            .await;
        if i % 2 == 0 {
            srv.post(
                &format!("/v1/tokens/{}/revoke", rec["id"].as_str().expect("id")),
                &dev.session,
                json!({}),
            )
            .await;
            assert_eq!(
                srv.get("/v1/messages", &secret).await.0,
                StatusCode::UNAUTHORIZED
            );
        }
        secrets.push(secret);
    }
    // Also a failed call with a near-miss of a real token in the header.
    let near = format!("{}X", &secrets[3][..71]);
    srv.get("/v1/messages", &near).await;
    srv.terminate();

    let mut haystacks = vec![("server log".to_owned(), srv.logs().into_bytes())];
    for entry in std::fs::read_dir(srv.dir.path()).expect("dir") {
        let path = entry.expect("entry").path();
        if path.to_string_lossy().contains("keebai.db") {
            haystacks.push((
                path.display().to_string(),
                std::fs::read(&path).expect("read"),
            ));
        }
    }
    assert!(
        haystacks.len() >= 2 || std::env::var("KEEBAI_TEST_ENGINE").as_deref() == Ok("postgres")
    );
    assert!(
        srv.logs().contains("token created"),
        "the log did capture the activity"
    );
    for secret in &secrets {
        // The secret part after the displayable prefix must appear nowhere.
        let needle = if secret.starts_with("kbai_") {
            &secret.as_bytes()[12..]
        } else {
            secret.as_bytes()
        };
        for (name, hay) in &haystacks {
            assert!(
                !hay.windows(needle.len()).any(|w| w == needle),
                "a secret was found in {name}"
            );
        }
    }
}

#[tokio::test]
async fn the_server_can_never_write_a_core_dump() {
    let srv = TestServer::start().await;
    let pid = srv.pid().expect("running");
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("limits");
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("core line");
    let fields: Vec<_> = core.split_whitespace().collect();
    // "Max core file size  <soft>  <hard>  bytes"
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
}

#[tokio::test]
async fn request_logs_carry_request_id_user_id_and_token_prefix() {
    let mut srv = TestServer::start().await;
    let dev = srv
        .user_with(&["developer.manage_tokens", "messages.read"])
        .await;
    let (secret, record) = srv.mint(&dev, "logged", &["messages.read"], None).await;
    let resp = srv
        .http()
        .get(srv.url("/v1/messages"))
        .bearer_auth(&secret)
        .header("x-request-id", "req-under-test")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["x-request-id"],
        "req-under-test",
        "the id is echoed"
    );
    srv.terminate();
    let prefix = record["prefix"].as_str().expect("prefix");
    let line = srv
        .logs()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| {
            v["span"]["request_id"] == "req-under-test"
                && v["message"] == "finished processing request"
        })
        .expect("a structured line for the request");
    assert_eq!(line["span"]["route"], "/v1/messages");
    assert_eq!(line["span"]["user_id"], dev.user_id.as_str());
    assert_eq!(line["span"]["token_prefix"], prefix);
    assert_eq!(line["status"], 200);
}
