//! Sign-in limits that stop guessing without handing anyone a way to lock an owner out:
//! 5 failures a minute per (account, address), 30 failures a minute per address across
//! accounts, and the contract's 5 failures a minute per account across addresses, past which
//! every wrong password is 429 and only an address that has not failed may still sign in,
//! with the right password; and a cap on live sessions per user. Client addresses are real loopback sources (127.0.0.x).

use keebai_testkit as support;

use std::net::IpAddr;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{TestServer, ADMIN_EMAIL, ADMIN_PASSWORD};

fn from(addr: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(addr.parse::<IpAddr>().expect("ip"))
        .build()
        .expect("client")
}

async fn sign_in(srv: &TestServer, addr: &str, email: &str, password: &str) -> (StatusCode, Value) {
    let r = from(addr)
        .post(srv.url("/v1/sessions"))
        .json(&json!({"tenant": "acme", "email": email, "password": password}))
        .send()
        .await
        .expect("send");
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_the_owner_out_elsewhere() {
    let srv = TestServer::start().await;
    for _ in 0..5 {
        let (s, _) = sign_in(&srv, "127.0.0.2", ADMIN_EMAIL, "wrong-password-1").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // That address is refused now, even with the right password.
    let (s, body) = sign_in(&srv, "127.0.0.2", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // The owner, elsewhere, signs in.
    let (s, body) = sign_in(&srv, "127.0.0.1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn five_failures_for_one_account_from_anywhere_then_429_but_not_for_a_fresh_owner() {
    let srv = TestServer::start().await;
    // Five failures for the account within a minute, each from another address.
    for host in 3..8 {
        let (s, _) = sign_in(
            &srv,
            &format!("127.0.0.{host}"),
            ADMIN_EMAIL,
            "wrong-password-1",
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // The contract's rule: the next failure for that account is 429, from a new address too,
    // so a guesser gets no answer that tells a wrong password apart.
    let (s, body) = sign_in(&srv, "127.0.0.30", ADMIN_EMAIL, "wrong-password-2").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    let (s, _) = sign_in(&srv, "127.0.0.31", ADMIN_EMAIL, "wrong-password-3").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // An address that already failed is refused even with the right password.
    let (s, _) = sign_in(&srv, "127.0.0.3", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // The owner at an address that has not failed gets in: failing on someone's account
    // from elsewhere does not lock them out.
    let (s, body) = sign_in(&srv, "127.0.0.40", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn one_address_cannot_spray_guesses_over_many_accounts() {
    let srv = TestServer::start().await;
    let mut statuses = Vec::new();
    for i in 0..31 {
        let (s, _) = sign_in(
            &srv,
            "127.0.0.50",
            &format!("nobody{i}@acme.test"),
            "guess-123456",
        )
        .await;
        statuses.push(s);
    }
    assert!(
        statuses[..30]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
    // Other addresses are unaffected, and successes never count toward the limit.
    for _ in 0..35 {
        let (s, _) = sign_in(&srv, "127.0.0.51", ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(s, StatusCode::CREATED);
    }
}

#[tokio::test]
async fn a_user_keeps_at_most_20_live_sessions() {
    let srv = TestServer::start().await;
    let mut sessions = Vec::new();
    for _ in 0..21 {
        let (s, body) = sign_in(&srv, "127.0.0.1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(s, StatusCode::CREATED);
        sessions.push(body["session_token"].as_str().expect("token").to_owned());
        // Distinct creation seconds are not needed: ties break by hash, still 20 kept.
    }
    let mut live = 0;
    for s in &sessions {
        if srv.get("/v1/me", s).await.0 == StatusCode::OK {
            live += 1;
        }
    }
    assert_eq!(live, 20);
    assert_eq!(
        srv.get("/v1/me", sessions.last().expect("newest")).await.0,
        StatusCode::OK
    );
}
