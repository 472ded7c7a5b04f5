//! Client addresses behind a load balancer: `X-Forwarded-For` and `Forwarded` name the client
//! only when the peer is a trusted proxy (`serve --trusted-proxy CIDR`); from anyone else they
//! are ignored. Seen where the addresses end up: audit events and a token's last-used address.

use keebai_testkit as support;

use reqwest::StatusCode;
use serde_json::json;
use support::TestServer;

/// Signs in and mints a token while claiming `forwarded`; returns the addresses recorded for
/// the sign-in, the token's creation, and the token's last use.
async fn recorded(srv: &TestServer, header: (&str, &str)) -> Vec<String> {
    let login = srv
        .http()
        .post(srv.url("/v1/sessions"))
        .header(header.0, header.1)
        .json(&json!({"tenant": "acme", "email": support::ADMIN_EMAIL, "password": support::ADMIN_PASSWORD}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(login.status(), StatusCode::CREATED);
    let session = login.json::<serde_json::Value>().await.expect("json")["session_token"]
        .as_str()
        .expect("session")
        .to_owned();
    let created = srv
        .http()
        .post(srv.url("/v1/tokens"))
        .bearer_auth(&session)
        .header(header.0, header.1)
        .json(&json!({"name": "behind a proxy", "scopes": ["messages.read"], "expires_at": null}))
        .send()
        .await
        .expect("mint")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    let pat = created["token"].as_str().expect("token");
    let id = created["record"]["id"].as_str().expect("id");
    let used = srv
        .http()
        .get(srv.url("/v1/messages"))
        .bearer_auth(pat)
        .header(header.0, header.1)
        .send()
        .await
        .expect("use");
    assert_eq!(used.status(), StatusCode::OK);
    let (_, usage) = srv.get(&format!("/v1/tokens/{id}/usage"), &session).await;
    let (_, events) = srv.get("/v1/audit-events?limit=5", &session).await;
    let ip_of = |action: &str| {
        events["events"]
            .as_array()
            .expect("events")
            .iter()
            .find(|e| e["action"] == action)
            .and_then(|e| e["ip"].as_str())
            .unwrap_or("")
            .to_owned()
    };
    vec![
        ip_of("session.created"),
        ip_of("token.created"),
        usage["last_used_ip"].as_str().unwrap_or("").to_owned(),
    ]
}

#[tokio::test]
async fn forwarded_headers_name_the_client_only_from_a_trusted_proxy() {
    let behind = TestServer::start_with(&["--trusted-proxy", "127.0.0.0/8"]).await;
    assert_eq!(
        recorded(&behind, ("x-forwarded-for", "203.0.113.7")).await,
        ["203.0.113.7"; 3]
    );
    assert_eq!(
        recorded(
            &behind,
            ("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")
        )
        .await,
        ["2001:db8::7"; 3]
    );

    // Nobody trusted: the header is ignored, the peer is the client.
    let direct = TestServer::start().await;
    assert_eq!(
        recorded(&direct, ("x-forwarded-for", "203.0.113.7")).await,
        ["127.0.0.1"; 3]
    );
    // Trusting someone else does not make this peer trusted.
    let other = TestServer::start_with(&["--trusted-proxy", "10.0.0.0/8,192.0.2.1"]).await;
    assert_eq!(
        recorded(&other, ("x-forwarded-for", "203.0.113.7")).await,
        ["127.0.0.1"; 3]
    );
}

#[test]
fn a_bad_range_is_refused_with_a_clear_message() {
    let out = std::process::Command::new(support::bin())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--trusted-proxy",
            "10.0.0.0/40",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("10.0.0.0/40") && err.contains("address range"),
        "{err}"
    );
}
