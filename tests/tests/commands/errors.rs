//! Every error code a command can surface, as its `code`, and a session ended elsewhere as
//! `unauthorized`.

use super::*;

#[tokio::test]
async fn sign_in_errors_have_their_codes() {
    let server = DemoServer::demo();
    let app = app();

    let e = app
        .service
        .sign_in(form(&server.url, (DEVELOPER.0, "wrong-password")))
        .await
        .expect_err("bad password");
    assert_eq!(e.code, ErrorCode::Unauthorized);

    let e = app
        .service
        .sign_in(form("not a server", DEVELOPER))
        .await
        .expect_err("bad url");
    assert_eq!(e.code, ErrorCode::InvalidServerUrl);

    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let e = app
        .service
        .sign_in(form(&format!("http://127.0.0.1:{port}"), DEVELOPER))
        .await
        .expect_err("unreachable");
    assert_eq!(e.code, ErrorCode::ServerUnreachable);

    // TLS to a plain-HTTP server fails the handshake.
    let tls_url = server.url.replacen("http://", "https://", 1);
    let e = app
        .service
        .sign_in(form(&tls_url, DEVELOPER))
        .await
        .expect_err("tls");
    assert_eq!(e.code, ErrorCode::TlsError, "{e:?}");

    // Five failures for one account within a minute: the next attempt is rate limited.
    let mut last = None;
    for _ in 0..6 {
        last = Some(
            app.service
                .sign_in(form(&server.url, (MEMBER.0, "wrong-password")))
                .await
                .expect_err("bad password"),
        );
    }
    assert_eq!(last.map(|e| e.code), Some(ErrorCode::RateLimited));
}

#[tokio::test]
async fn token_errors_have_their_codes() {
    let server = DemoServer::demo();
    let app = app();
    app.service
        .sign_in(form(&server.url, DEVELOPER))
        .await
        .expect("sign in");

    // invalid_request: an empty name, and an expiry in the past.
    let e = app
        .service
        .create_token(new_token("   ", &["messages.read"], Some(30)))
        .await
        .expect_err("empty name");
    assert_eq!(e.code, ErrorCode::InvalidRequest);
    let e = app
        .service
        .create_token(new_token("past", &["messages.read"], Some(-1)))
        .await
        .expect_err("past expiry");
    assert_eq!(e.code, ErrorCode::InvalidRequest);

    // forbidden: a scope the developer does not hold.
    let e = app
        .service
        .create_token(new_token("too much", &["admin.manage_users"], Some(30)))
        .await
        .expect_err("scope not held");
    assert_eq!(e.code, ErrorCode::Forbidden);

    // not_found: revoking something that isn't ours.
    let e = app
        .service
        .revoke_token("no-such-token")
        .await
        .expect_err("unknown id");
    assert_eq!(e.code, ErrorCode::NotFound);

    // token_limit_reached: fill up to 10 active, then one more.
    let list = app.service.list_tokens().await.expect("list");
    for i in list.active_count..list.active_limit {
        app.service
            .create_token(new_token(&format!("filler {i}"), &["messages.read"], None))
            .await
            .expect("create up to the limit");
    }
    let e = app
        .service
        .create_token(new_token("eleventh", &["messages.read"], Some(30)))
        .await
        .expect_err("over the limit");
    assert_eq!(e.code, ErrorCode::TokenLimitReached);
    let list = app.service.list_tokens().await.expect("list");
    assert_eq!(list.active_count, list.active_limit);
}

#[tokio::test]
async fn a_session_ended_elsewhere_surfaces_as_unauthorized() {
    let server = DemoServer::demo();
    let http = server.http();
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::default());
    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    app.sign_in(form(&server.url, DEVELOPER))
        .await
        .expect("sign in");
    let account = app.config().expect("config").last_account.expect("account");
    let session = vault
        .load(&Account::key(&account))
        .expect("vault")
        .expect("stored session");
    let response = http
        .client
        .delete(format!("{}/v1/sessions/current", server.url))
        .bearer_auth(session.expose())
        .send()
        .await
        .expect("DELETE");
    assert_eq!(response.status(), 204);

    let e = app.list_tokens().await.expect_err("session is gone");
    assert_eq!(e.code, ErrorCode::Unauthorized);
    // The app forgot the dead session, here and in the vault.
    let e = app.refresh_session().await.expect_err("signed out");
    assert_eq!(e.code, ErrorCode::NotSignedIn);
    assert!(vault.load(&account.key()).expect("vault").is_none());
}
