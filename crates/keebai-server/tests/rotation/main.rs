//! Rotation over HTTP (run on both engines by the test command): by the owner with each way
//! of retiring the old token, the retry after a lost answer, the limit ([`owner`]); by a token
//! itself, and what the answers tell a token's holder (`/v1/tokens/self` and the `Keebai-*`
//! headers) ([`self_rotation`]).

use keebai_testkit as support;

mod owner;
mod self_rotation;

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{assert_error, Caller, TestServer};

const DEV: &[&str] = &[
    "developer.manage_tokens",
    "developer.rotate_self",
    "messages.read",
    "messages.write",
];

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().expect("time").parse().expect("RFC 3339")
}

/// Whether `token` is accepted right now.
async fn works(srv: &TestServer, token: &str) -> bool {
    let (s, _) = srv.get("/v1/messages", token).await;
    assert!(
        s == StatusCode::OK || s == StatusCode::UNAUTHORIZED,
        "unexpected {s}"
    );
    s == StatusCode::OK
}

async fn rotate(
    srv: &TestServer,
    dev: &Caller,
    token_id: &str,
    body: Value,
) -> (StatusCode, Value) {
    srv.post(&format!("/v1/tokens/{token_id}/rotate"), &dev.session, body)
        .await
}

async fn list(srv: &TestServer, dev: &Caller) -> Value {
    let (s, l) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(s, StatusCode::OK, "{l}");
    l
}
