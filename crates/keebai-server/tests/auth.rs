//! Credentials: every bad one gets the identical 401; sessions; sign-in throttling.

use keebai_testkit as support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{assert_error, TestServer, ADMIN_EMAIL, ADMIN_PASSWORD, TENANT};

/// Sends GET /v1/messages with raw `Authorization` header values; returns status, headers' WWW-Authenticate and body text.
async fn raw(srv: &TestServer, headers: &[&[u8]]) -> (StatusCode, Option<String>, String) {
    let mut req = srv.http().get(srv.url("/v1/messages"));
    for h in headers {
        req = req.header(
            reqwest::header::AUTHORIZATION,
            reqwest::header::HeaderValue::from_bytes(h).expect("header bytes"),
        );
    }
    let resp = req.send().await.expect("send");
    let www = resp
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap_or("").to_owned());
    (resp.status(), www, resp.text().await.expect("text"))
}

#[tokio::test]
async fn every_bad_credential_gets_the_identical_401() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let (valid, record) = srv.mint(&admin, "valid", &["messages.read"], None).await;
    let (revoked, revoked_rec) = srv.mint(&admin, "revoked", &["messages.read"], None).await;
    srv.post(
        &format!(
            "/v1/tokens/{}/revoke",
            revoked_rec["id"].as_str().expect("id")
        ),
        &admin.session,
        json!({}),
    )
    .await;
    assert_eq!(
        raw(&srv, &[format!("Bearer {valid}").as_bytes()]).await.0,
        StatusCode::OK
    );
    let _ = record;

    let hex = &valid[8..];
    let unknown = format!("kbai_pk_{}", "0".repeat(64));
    let ended_session = {
        let s = srv.admin().await.session;
        srv.call(Method::DELETE, "/v1/sessions/current", Some(&s), None)
            .await;
        s
    };
    let cases: Vec<Vec<u8>> = vec![
        format!("Bearer kbai_xx_{hex}").into_bytes(), // wrong prefix
        format!("Bearer kbai_pk_{}", &hex[..63]).into_bytes(), // short
        format!("Bearer {valid}0").into_bytes(),      // long
        format!("Bearer kbai_pk_{}", hex.to_uppercase()).into_bytes(), // uppercase hex
        format!("Bearer kbai_pk_{}g", &hex[..63]).into_bytes(), // non-hex
        format!("Bearer  {valid}").into_bytes(),      // extra space
        format!("Bearer {valid},{valid}").into_bytes(), // two credentials in one header
        format!("Bearer\t{valid}").into_bytes(),      // tab separator
        format!("Bearer kbai_pk_{}é", &hex[..62]).into_bytes(), // unicode
        b"".to_vec(),                                 // empty header
        b"Bearer ".to_vec(),                          // empty credential
        valid.clone().into_bytes(),                   // Bearer missing
        format!("Basic {valid}").into_bytes(),        // wrong scheme
        format!("Token {valid}").into_bytes(),        // wrong scheme
        unknown.clone().into_bytes(),                 // unknown, no scheme
        format!("Bearer {unknown}").into_bytes(),     // unknown token
        format!("Bearer {revoked}").into_bytes(),     // revoked token
        format!("Bearer kbai_sess_{}", "a".repeat(64)).into_bytes(), // unknown session
        format!("Bearer {ended_session}").into_bytes(), // signed-out session
        format!("Bearer kbai_sess_{hex}").into_bytes(), // PAT body with session prefix
        format!("Bearer {}", &valid[..12]).into_bytes(), // just the prefix
        b"Bearer null".to_vec(),
        b"Bearer \xff\xfe".to_vec(),                         // non-UTF-8
        format!("Bearer {valid}\u{200b}").into_bytes(),      // zero-width space
        format!("Bearer {}", "k".repeat(4000)).into_bytes(), // very long
    ];
    let (s0, www0, body0) = raw(&srv, &[]).await; // no header at all
    assert_eq!(s0, StatusCode::UNAUTHORIZED);
    assert!(www0.is_some_and(|w| w.starts_with("Bearer")));
    let parsed: Value = serde_json::from_str(&body0).expect("json");
    assert_error(s0, &parsed, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(cases.len() >= 20);
    for (i, c) in cases.iter().enumerate() {
        let (s, _, body) = raw(&srv, &[c]).await;
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "case {i}: {:?}",
            String::from_utf8_lossy(c)
        );
        assert_eq!(
            body, body0,
            "case {i}: the body is identical whatever the reason"
        );
    }
    // Two Authorization headers, even if one is valid.
    let (s, _, body) = raw(
        &srv,
        &[
            format!("Bearer {valid}").as_bytes(),
            format!("Bearer {valid}").as_bytes(),
        ],
    )
    .await;
    assert_eq!((s, body), (StatusCode::UNAUTHORIZED, body0.clone()));
    let (s, _, body) = raw(
        &srv,
        &[format!("Bearer {valid}").as_bytes(), b"Bearer junk"],
    )
    .await;
    assert_eq!((s, body), (StatusCode::UNAUTHORIZED, body0));
}

#[tokio::test]
async fn a_credential_in_the_url_is_refused_even_when_valid() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let (valid, _) = srv.mint(&admin, "valid", &["messages.read"], None).await;
    for q in [
        format!("?access_token={valid}"),
        format!("?token={}", valid.replace('_', "%5F")),
        format!("?x=1&auth=Bearer%20{valid}"),
    ] {
        let resp = srv
            .http()
            .get(srv.url(&format!("/v1/messages{q}")))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{q}");
        let body: Value = resp.json().await.expect("json");
        assert_eq!(body["error"]["code"], "invalid_request");
    }
    assert!(
        !srv.logs().contains(&valid[12..]),
        "the URL with the secret was not logged"
    );
}

#[tokio::test]
async fn sign_in_sign_out_and_me() {
    let srv = TestServer::start().await;
    let body = srv.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let session = body["session_token"].as_str().expect("token");
    assert!(session.starts_with("kbai_sess_") && session.len() == 74);
    assert!(body["expires_at"]
        .as_str()
        .is_some_and(|e| e.ends_with('Z')));
    assert_eq!(body["user"]["email"], ADMIN_EMAIL);
    assert_eq!(
        body["permissions"].as_array().expect("perms").len(),
        9,
        "Admin holds the whole catalog"
    );
    let (s, me) = srv.get("/v1/me", session).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["tenant"]["slug"], TENANT);
    // E-mail is case-insensitive.
    srv.sign_in(&ADMIN_EMAIL.to_uppercase(), ADMIN_PASSWORD)
        .await;
    let (s, _) = srv
        .call(Method::DELETE, "/v1/sessions/current", Some(session), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = srv.get("/v1/me", session).await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn a_pat_cannot_end_a_session() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let (pat, _) = srv.mint(&admin, "pat", &["messages.read"], None).await;
    let (s, body) = srv
        .call(Method::DELETE, "/v1/sessions/current", Some(&pat), None)
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn bad_sign_ins_are_401_with_one_body() {
    let srv = TestServer::start().await;
    let attempts = [
        json!({"tenant": TENANT, "email": ADMIN_EMAIL, "password": "wrong-password"}),
        json!({"tenant": TENANT, "email": "nobody@acme.test", "password": ADMIN_PASSWORD}),
        json!({"tenant": "no-such-tenant", "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    ];
    let mut bodies = Vec::new();
    for a in attempts {
        let (s, body) = srv.call(Method::POST, "/v1/sessions", None, Some(a)).await;
        assert_error(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        bodies.push(body);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "no account-existence oracle"
    );
    let (s, body) = srv.call(Method::POST, "/v1/sessions", None, Some(json!({"tenant": TENANT, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "remember": true}))).await;
    assert_error(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
}

#[tokio::test]
async fn five_failures_within_a_minute_lock_the_account_with_429() {
    let srv = TestServer::start().await;
    let member = srv.user_with(&["messages.read"]).await;
    let bad = json!({"tenant": TENANT, "email": ADMIN_EMAIL, "password": "wrong-password"});
    for i in 0..5 {
        let (s, body) = srv
            .call(Method::POST, "/v1/sessions", None, Some(bad.clone()))
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}: {body}");
    }
    let resp = srv
        .http()
        .post(srv.url("/v1/sessions"))
        .json(&json!({"tenant": TENANT, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        resp.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password is refused now"
    );
    assert!(resp.headers().get("retry-after").is_some());
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another account is unaffected.
    srv.sign_in(&member.email, "user-password-123").await;
}

#[tokio::test]
async fn audit_events_record_sign_in_tokens_and_roles() {
    let srv = TestServer::start().await;
    let dev = srv
        .user_with(&["developer.manage_tokens", "messages.read"])
        .await;
    let (_, rec) = srv.mint(&dev, "audited", &["messages.read"], None).await;
    let id = rec["id"].as_str().expect("id");
    srv.post(&format!("/v1/tokens/{id}/revoke"), &dev.session, json!({}))
        .await;
    let (s, own) = srv.get("/v1/audit-events", &dev.session).await;
    assert_eq!(s, StatusCode::OK);
    let actions: Vec<_> = own["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or("").to_owned(),
                e["target"].clone(),
            )
        })
        .collect();
    assert!(
        actions.contains(&("token.created".into(), json!(id))),
        "{own}"
    );
    assert!(
        actions.contains(&("token.revoked".into(), json!(id))),
        "{own}"
    );
    assert!(actions.iter().any(|(a, _)| a == "session.created"));
    assert!(
        own["events"]
            .as_array()
            .expect("events")
            .iter()
            .all(|e| e["actor"] == dev.user_id.as_str()),
        "own events only"
    );
    let admin = srv.admin().await;
    let (_, all) = srv.get("/v1/audit-events?limit=500", &admin.session).await;
    let actions: Vec<_> = all["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_owned())
        .collect();
    for want in [
        "role.created",
        "user.created",
        "session.created",
        "token.created",
        "token.revoked",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "{want} missing from {actions:?}"
        );
    }
    let (_, page) = srv.get("/v1/audit-events?limit=2", &admin.session).await;
    assert_eq!(page["events"].as_array().expect("events").len(), 2);
    let cursor = page["next_cursor"].as_str().expect("cursor");
    let (s, next) = srv
        .get(
            &format!("/v1/audit-events?limit=2&cursor={cursor}"),
            &admin.session,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(next["events"][0]["id"], page["events"][0]["id"]);
}

#[tokio::test]
async fn a_burst_of_concurrent_guesses_gets_at_most_five_password_checks() {
    let srv = TestServer::start().await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (http, url) = (srv.http().clone(), srv.url("/v1/sessions"));
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .json(&json!({"tenant": TENANT, "email": ADMIN_EMAIL, "password": format!("guess-{i}")}))
                .send()
                .await
                .expect("send")
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("join"));
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + refused, 20, "{statuses:?}");
    assert_eq!(
        checked, 5,
        "attempts are recorded before the password is checked: {statuses:?}"
    );
}
