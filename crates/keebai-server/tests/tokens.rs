//! The token lifecycle, one test per rule of the spec and the contract.

use keebai_testkit as support;

use chrono::{Duration as ChronoDuration, SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{assert_error, TestServer};

const DEV: &[&str] = &["developer.manage_tokens", "messages.read", "messages.write"];

#[tokio::test]
async fn create_returns_the_secret_once_and_lists_only_the_record() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, record) = srv
        .mint(&dev, "  Zapier production ", &["messages.read"], None)
        .await;
    assert!(secret.starts_with("kbai_pk_") && secret.len() == 72);
    assert_eq!(record["name"], "Zapier production", "the name is trimmed");
    assert_eq!(record["prefix"], &secret[..12]);
    assert_eq!(record["status"], "active");
    assert_eq!(record["expires_at"], serde_json::Value::Null);
    assert_eq!(record["last_used_at"], serde_json::Value::Null);
    assert_eq!(record["revoked_at"], serde_json::Value::Null);
    assert_eq!(record["scopes"], json!(["messages.read"]));

    let (s, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["active_count"], 1);
    assert_eq!(list["active_limit"], 10);
    assert_eq!(list["tokens"][0], record);
    let (s, one) = srv
        .get(
            &format!("/v1/tokens/{}", record["id"].as_str().expect("id")),
            &dev.session,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one, record);
    for body in [list.to_string(), one.to_string()] {
        assert!(
            !body.contains(&secret[12..]),
            "the secret is never returned after creation"
        );
    }
}

#[tokio::test]
async fn list_is_newest_first_and_shows_every_status() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (_, a) = srv.mint(&dev, "first", &["messages.read"], None).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, b) = srv.mint(&dev, "second", &["messages.read"], None).await;
    srv.post(
        &format!("/v1/tokens/{}/revoke", a["id"].as_str().expect("id")),
        &dev.session,
        json!({}),
    )
    .await;
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    let names: Vec<_> = list["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| t["name"].clone())
        .collect();
    assert_eq!(names, [json!("second"), json!("first")]);
    assert_eq!(list["tokens"][1]["status"], "revoked");
    assert_eq!(list["tokens"][0]["id"], b["id"]);
    assert_eq!(list["active_count"], 1);
}

#[tokio::test]
async fn without_manage_tokens_403_then_200_after_an_admin_grants_it() {
    let srv = TestServer::start().await;
    let member = srv.user_with(&["messages.read"]).await;
    let (s, body) = srv.get("/v1/tokens", &member.session).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &member.session,
            json!({"name":"x","scopes":["messages.read"],"expires_at":null}),
        )
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");

    let admin = srv.admin().await;
    let (s, role) = srv
        .put(
            &format!("/v1/roles/{}", member.role_id),
            &admin.session,
            json!({"permissions": ["messages.read", "developer.manage_tokens"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{role}");
    assert_eq!(
        role["permissions"],
        json!(["messages.read", "developer.manage_tokens"])
    );
    // The same session sees the new permission: permissions are read at each request.
    let (s, _) = srv.get("/v1/tokens", &member.session).await;
    assert_eq!(s, StatusCode::OK);
    let (s, me) = srv.get("/v1/me", &member.session).await;
    assert_eq!(s, StatusCode::OK);
    assert!(me["permissions"]
        .as_array()
        .expect("perms")
        .contains(&json!("developer.manage_tokens")));
}

#[tokio::test]
async fn scopes_must_be_held_known_and_present() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"x","scopes":["contacts.read"],"expires_at":null}),
        )
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"x","scopes":["messages.read","admin.manage_roles"]}),
        )
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"x","scopes":["messages.delete"]}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_eq!(body["error"]["field"], "scopes");
    let (s, body) = srv
        .post("/v1/tokens", &dev.session, json!({"name":"x","scopes":[]}))
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(
        list["tokens"],
        json!([]),
        "nothing was created by refused requests"
    );
}

#[tokio::test]
async fn names_are_validated() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    for bad in [
        json!(""),
        json!("   "),
        json!("x".repeat(101)),
        json!("line\nbreak"),
        json!("bell\u{7}"),
    ] {
        let (s, body) = srv
            .post(
                "/v1/tokens",
                &dev.session,
                json!({"name": bad, "scopes":["messages.read"]}),
            )
            .await;
        assert_error(
            s,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        );
        assert_eq!(body["error"]["field"], "name");
    }
    // 100 characters (not bytes), SQL-ish text and duplicates are all fine.
    srv.mint(&dev, &"é".repeat(100), &["messages.read"], None)
        .await;
    srv.mint(&dev, "'); DROP TABLE tokens;--", &["messages.read"], None)
        .await;
    srv.mint(&dev, "'); DROP TABLE tokens;--", &["messages.read"], None)
        .await;
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(list["active_count"], 3);
}

#[tokio::test]
async fn expiry_must_be_in_the_future() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let past = (Utc::now() - ChronoDuration::minutes(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"x","scopes":["messages.read"],"expires_at": past}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert_eq!(body["error"]["field"], "expires_at");
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"x","scopes":["messages.read"],"expires_at": "next tuesday"}),
        )
        .await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let in90 = (Utc::now() + ChronoDuration::days(90)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (_, record) = srv
        .mint(&dev, "ninety", &["messages.read"], Some(&in90))
        .await;
    assert_eq!(record["expires_at"], in90.as_str());
}

#[tokio::test]
async fn expired_token_gets_401_and_lists_as_expired() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let soon = (Utc::now() + ChronoDuration::seconds(3)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (secret, record) = srv
        .mint(&dev, "short-lived", &["messages.read"], Some(&soon))
        .await;
    let (s, _) = srv.get("/v1/messages", &secret).await;
    assert_eq!(s, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let (s, body) = srv.get("/v1/messages", &secret).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(list["tokens"][0]["id"], record["id"]);
    assert_eq!(list["tokens"][0]["status"], "expired");
    assert_eq!(list["active_count"], 0, "expired tokens don't count");
}

#[tokio::test]
async fn the_eleventh_token_is_refused_and_a_revoke_frees_a_slot() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let mut ids = Vec::new();
    for i in 0..10 {
        let (_, r) = srv
            .mint(&dev, &format!("t{i}"), &["messages.read"], None)
            .await;
        ids.push(r["id"].as_str().expect("id").to_owned());
    }
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"eleventh","scopes":["messages.read"],"expires_at":null}),
        )
        .await;
    assert_error(s, &body, StatusCode::CONFLICT, "token_limit_reached");
    let (s, _) = srv
        .post(
            &format!("/v1/tokens/{}/revoke", ids[3]),
            &dev.session,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    srv.mint(&dev, "eleventh", &["messages.read"], None).await;
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(list["active_count"], 10);
    assert_eq!(
        list["tokens"].as_array().expect("tokens").len(),
        11,
        "revoked rows stay listed"
    );
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &dev.session,
            json!({"name":"twelfth","scopes":["messages.read"]}),
        )
        .await;
    assert_error(s, &body, StatusCode::CONFLICT, "token_limit_reached");
}

#[tokio::test]
async fn the_limit_is_per_user() {
    let srv = TestServer::start().await;
    let a = srv.user_with(DEV).await;
    let b = srv.user_with(DEV).await;
    for i in 0..10 {
        srv.mint(&a, &format!("a{i}"), &["messages.read"], None)
            .await;
    }
    srv.mint(&b, "b0", &["messages.read"], None).await;
}

#[tokio::test]
async fn fifty_concurrent_creates_at_nine_active_yield_exactly_one_success() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    for i in 0..9 {
        srv.mint(&dev, &format!("t{i}"), &["messages.read"], None)
            .await;
    }
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (http, url, session) = (
            srv.http().clone(),
            srv.url("/v1/tokens"),
            dev.session.clone(),
        );
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(session)
                .json(&json!({"name": format!("race{i}"), "scopes": ["messages.read"], "expires_at": null}))
                .send()
                .await
                .expect("send")
                .status()
        }));
    }
    let mut created = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.expect("join") {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => conflicts += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((created, conflicts), (1, 49));
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(list["active_count"], 10);
}

#[tokio::test]
async fn revoke_is_immediate_idempotent_and_keeps_the_row() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, record) = srv.mint(&dev, "to revoke", &["messages.read"], None).await;
    let id = record["id"].as_str().expect("id");
    assert_eq!(srv.get("/v1/messages", &secret).await.0, StatusCode::OK);
    let (s, revoked) = srv
        .post(&format!("/v1/tokens/{id}/revoke"), &dev.session, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(revoked["status"], "revoked");
    assert!(revoked["revoked_at"].is_string());
    let (s, body) = srv.get("/v1/messages", &secret).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (s, again) = srv
        .post(&format!("/v1/tokens/{id}/revoke"), &dev.session, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        again["revoked_at"], revoked["revoked_at"],
        "idempotent: the first time stands"
    );
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    assert_eq!(list["tokens"][0]["status"], "revoked");
    assert_eq!(list["tokens"][0]["name"], "to revoke");
}

#[tokio::test]
async fn another_users_token_is_404_on_get_and_revoke() {
    let srv = TestServer::start().await;
    let a = srv.user_with(DEV).await;
    let b = srv.user_with(DEV).await;
    let (secret, record) = srv.mint(&a, "a's", &["messages.read"], None).await;
    let id = record["id"].as_str().expect("id");
    let (s, body) = srv.get(&format!("/v1/tokens/{id}"), &b.session).await;
    assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");
    let (s, body) = srv
        .post(&format!("/v1/tokens/{id}/revoke"), &b.session, json!({}))
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");
    let (s, missing) = srv.get("/v1/tokens/does-not-exist", &b.session).await;
    assert_eq!(
        missing, body,
        "someone else's token looks exactly like a missing one"
    );
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        srv.get("/v1/messages", &secret).await.0,
        StatusCode::OK,
        "still works"
    );
    let (_, list) = srv.get("/v1/tokens", &b.session).await;
    assert_eq!(list["tokens"], json!([]), "b never sees a's tokens");
}

#[tokio::test]
async fn a_pat_may_not_mint_tokens() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, _) = srv
        .mint(
            &dev,
            "minter",
            &["developer.manage_tokens", "messages.read"],
            None,
        )
        .await;
    let (s, body) = srv
        .post(
            "/v1/tokens",
            &secret,
            json!({"name":"child","scopes":["messages.read"],"expires_at":null}),
        )
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, _) = srv.get("/v1/tokens", &secret).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "listing with a manage_tokens-scoped PAT is allowed"
    );
}

#[tokio::test]
async fn pat_permissions_are_scopes_intersected_with_the_users_current_permissions() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (reader, _) = srv.mint(&dev, "reader", &["messages.read"], None).await;
    let (writer, _) = srv.mint(&dev, "writer", &["messages.write"], None).await;
    // A scope missing → 403 on the resource.
    let (s, body) = srv
        .post("/v1/messages", &reader, json!({"body": "hi"}))
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, _) = srv
        .post("/v1/messages", &writer, json!({"body": "hi"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, body) = srv.get("/v1/messages", &writer).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (s, msgs) = srv.get("/v1/messages", &reader).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(msgs["messages"][0]["body"], "hi");
    assert_eq!(
        msgs["messages"][0]["author_id"],
        dev.user_id.as_str(),
        "a PAT acts as its creator"
    );

    // Taking messages.write away from the role takes it away from the token at once.
    let admin = srv.admin().await;
    let (s, _) = srv
        .put(
            &format!("/v1/roles/{}", dev.role_id),
            &admin.session,
            json!({"permissions": ["developer.manage_tokens", "messages.read"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = srv
        .post("/v1/messages", &writer, json!({"body": "again"}))
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    let (_, me) = srv.get("/v1/me", &writer).await;
    assert_eq!(
        me["permissions"],
        json!([]),
        "the token's effective permissions are now empty"
    );
    let (_, me) = srv.get("/v1/me", &reader).await;
    assert_eq!(me["permissions"], json!(["messages.read"]));
    assert_eq!(me["user"]["id"], dev.user_id.as_str());
    assert_eq!(me["tenant"]["slug"], "acme");
}

#[tokio::test]
async fn last_used_is_recorded_within_five_seconds_and_only_for_successes() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, record) = srv.mint(&dev, "used", &["messages.read"], None).await;
    let (_, unused) = srv.mint(&dev, "unused", &["messages.read"], None).await;
    let before = Utc::now().timestamp();
    for _ in 0..20 {
        assert_eq!(srv.get("/v1/messages", &secret).await.0, StatusCode::OK);
    }
    TestServer::wait_for_flush().await;
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    let find = |id: &serde_json::Value| {
        list["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .find(|t| t["id"] == *id)
            .cloned()
            .expect("row")
    };
    let used_at = find(&record["id"])["last_used_at"].as_str().map(|s| {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("time")
            .timestamp()
    });
    assert!(
        used_at.is_some_and(|t| t >= before - 1),
        "last_used_at set: {list}"
    );
    assert_eq!(find(&unused["id"])["last_used_at"], serde_json::Value::Null);
}

#[tokio::test]
async fn last_used_is_batched_not_written_per_request() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, _) = srv.mint(&dev, "busy", &["messages.read"], None).await;
    for _ in 0..200 {
        assert_eq!(srv.get("/v1/messages", &secret).await.0, StatusCode::OK);
    }
    TestServer::wait_for_flush().await;
    // Each flush logs how many rows it wrote; 200 requests within a few seconds must have
    // produced at most a handful of single-row writes, not 200.
    let logs = srv.logs();
    let rows: u64 = logs
        .lines()
        .filter(|l| l.contains("flushed last-used times"))
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["rows"].as_u64())
        .sum();
    assert!(rows >= 1, "at least one flush wrote the use: {logs}");
    assert!(
        rows <= 4,
        "at most one write per token per flush, got {rows}"
    );
}

#[tokio::test]
async fn sigterm_flushes_pending_last_used_times() {
    let mut srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, record) = srv
        .mint(&dev, "flush-on-exit", &["messages.read"], None)
        .await;
    assert_eq!(srv.get("/v1/messages", &secret).await.0, StatusCode::OK);
    srv.terminate();
    srv.spawn();
    let dev2 = srv.sign_in(&dev.email, "user-password-123").await;
    let session = dev2["session_token"].as_str().expect("session");
    let (_, one) = srv
        .get(
            &format!("/v1/tokens/{}", record["id"].as_str().expect("id")),
            session,
        )
        .await;
    assert!(
        one["last_used_at"].is_string(),
        "flushed at shutdown: {one}"
    );
}

#[tokio::test]
async fn acknowledged_creates_and_revokes_survive_a_kill_9() {
    let mut srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (_, kept) = srv.mint(&dev, "kept", &["messages.read"], None).await;
    let (_, gone) = srv.mint(&dev, "revoked", &["messages.read"], None).await;
    let id = gone["id"].as_str().expect("id");
    srv.post(&format!("/v1/tokens/{id}/revoke"), &dev.session, json!({}))
        .await;
    srv.kill9();
    srv.spawn();
    let (_, list) = srv.get("/v1/tokens", &dev.session).await;
    let statuses: Vec<_> = list["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| (t["id"].clone(), t["status"].clone()))
        .collect();
    assert!(statuses.contains(&(kept["id"].clone(), json!("active"))));
    assert!(statuses.contains(&(gone["id"].clone(), json!("revoked"))));
}

#[tokio::test]
async fn method_and_path_errors_have_contract_bodies() {
    let srv = TestServer::start().await;
    let (s, body) = srv.call(Method::DELETE, "/v1/tokens", None, None).await;
    assert_error(
        s,
        &body,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    let (s, body) = srv.call(Method::GET, "/v1/nowhere", None, None).await;
    assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");
}
