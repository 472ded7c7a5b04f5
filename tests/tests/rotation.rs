//! Rotation through the app's command layer (`AppService::rotate_token`, what the `rotate_token`
//! command calls) against a real keebai-server: each of the dialog's four choices and what it
//! does to the old token on the server, the new secret handled like a created one (copied by
//! Rust, then discarded), and the refusals the dialog explains (already rotated, revoked
//! meanwhile, no free slot).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use keebai_api::wire::TokenStatus;
use keebai_e2e::{files_containing, DemoServer, Http, RecordingClipboard, DEVELOPER, TENANT};
use keebai_keys::app_service::{AppService, NewToken, RetireChoice, SignIn};
use keebai_keys::clipboard_guard::SecretClipboard;
use keebai_keys::error::ErrorCode;
use keebai_keys::session_vault::MemoryVault;

struct App {
    service: AppService,
    clipboard: Arc<RecordingClipboard>,
    dir: tempfile::TempDir,
}

/// The developer signed in, with none of the demo's active tokens left (so every test has room).
async fn signed_in(server: &DemoServer) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let clipboard = Arc::new(RecordingClipboard::default());
    let service = AppService::new(
        dir.path(),
        Arc::new(MemoryVault::default()),
        Some(Arc::clone(&clipboard) as Arc<dyn SecretClipboard>),
    )
    .expect("service");
    service
        .sign_in(SignIn {
            server: server.url.clone(),
            tenant: TENANT.to_owned(),
            email: DEVELOPER.0.to_owned(),
            password: keebai_api::wire::Password::new(DEVELOPER.1),
        })
        .await
        .expect("sign in");
    let list = service.list_tokens().await.expect("list");
    for t in list
        .tokens
        .iter()
        .filter(|t| t.status == TokenStatus::Active)
    {
        service
            .revoke_token(&t.id)
            .await
            .expect("revoke a demo token");
    }
    App {
        service,
        clipboard,
        dir,
    }
}

/// Creates a token through the app and returns (id, secret).
async fn minted(app: &App, name: &str) -> (String, String) {
    let created = app
        .service
        .create_token(NewToken {
            name: name.to_owned(),
            scopes: vec!["messages.read".into()],
            expires_at: None,
        })
        .await
        .expect("create");
    let secret = serde_json::to_value(&created.token).expect("json");
    let secret = secret.as_str().expect("string").to_owned();
    app.service.discard_created_token().expect("discard");
    (created.record.id.clone(), secret)
}

async fn works(http: &Http, secret: &str) -> bool {
    match http.status_of("/v1/me", secret).await {
        200 => true,
        401 => false,
        other => panic!("GET /v1/me answered {other}"),
    }
}

#[tokio::test]
async fn each_retire_choice_does_what_the_dialog_says() {
    let server = DemoServer::demo();
    let http = server.http();
    let app = signed_in(&server).await;

    for (choice, grace_hours) in [
        (RetireChoice::Now, 0),
        (RetireChoice::After1Hour, 1),
        (RetireChoice::After24Hours, 24),
        (RetireChoice::OnFirstUse, 0),
    ] {
        let (old_id, old_secret) = minted(&app, &format!("rotate {choice:?}")).await;
        let before = Utc::now();
        let rotated = app
            .service
            .rotate_token(&old_id, choice)
            .await
            .unwrap_or_else(|e| panic!("rotate {choice:?}: {e}"));
        let new_secret = serde_json::to_value(&rotated.token).expect("json");
        let new_secret = new_secret.as_str().expect("string").to_owned();
        assert!(new_secret.starts_with("kbai_pk_") && new_secret != old_secret);
        assert_eq!(
            rotated.record.rotated_from.as_deref(),
            Some(old_id.as_str())
        );
        assert_eq!(
            rotated.replaced.replaced_by.as_deref(),
            Some(rotated.record.id.as_str())
        );
        assert_eq!(rotated.record.name, format!("rotate {choice:?}"));

        // Copy token copies the new secret, from Rust, as after creation; closing forgets it.
        app.service.copy_created_token().expect("copy");
        assert_eq!(app.clipboard.read_text().expect("read"), new_secret);
        app.service.discard_created_token().expect("discard");
        assert!(!app.service.holds_created_token());

        match choice {
            RetireChoice::Now => {
                assert_eq!(rotated.replaced.status, TokenStatus::Revoked);
                assert!(!works(&http, &old_secret).await, "old token after Now");
            }
            RetireChoice::After1Hour | RetireChoice::After24Hours => {
                assert_eq!(rotated.replaced.status, TokenStatus::Active);
                let stops = rotated.replaced.expires_at.expect("a grace end");
                let want = before + chrono::Duration::hours(grace_hours);
                assert!(
                    (stops - want).num_seconds().abs() < 60,
                    "{choice:?}: stops {stops}, want about {want}"
                );
                assert!(works(&http, &old_secret).await, "old token in its grace");
            }
            RetireChoice::OnFirstUse => {
                let deadline = rotated.replaced.expires_at.expect("the 7-day deadline");
                assert!(deadline - before > chrono::Duration::days(6), "{deadline}");
                // Still works until the new token is first used…
                assert!(
                    works(&http, &old_secret).await,
                    "old token before first use"
                );
                assert!(works(&http, &new_secret).await, "new token's first use");
                // …then stops (grace 0).
                let until = Instant::now() + Duration::from_secs(10);
                while works(&http, &old_secret).await {
                    assert!(
                        Instant::now() < until,
                        "old token still works after first use"
                    );
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        assert!(
            works(&http, &new_secret).await,
            "new token after {choice:?}"
        );

        // The list shows both ends of the rotation.
        let list = app.service.list_tokens().await.expect("list");
        let old = list
            .tokens
            .iter()
            .find(|t| t.id == old_id)
            .expect("old row");
        assert_eq!(old.replaced_by.as_deref(), Some(rotated.record.id.as_str()));

        // The new secret is nowhere in the app's data folder (cache, settings, log).
        assert!(
            files_containing(app.dir.path(), &new_secret).is_empty(),
            "{choice:?}: secret on disk"
        );
    }
}

#[tokio::test]
async fn refusals_are_explained_and_change_nothing() {
    let server = DemoServer::demo();
    let http = server.http();
    let app = signed_in(&server).await;

    // Already rotated: 409 conflict, and the replacement keeps working.
    let (id, _) = minted(&app, "rotated twice").await;
    let first = app
        .service
        .rotate_token(&id, RetireChoice::Now)
        .await
        .expect("first rotation");
    app.service.discard_created_token().expect("discard");
    let again = app
        .service
        .rotate_token(&id, RetireChoice::Now)
        .await
        .expect_err("second rotation");
    assert_eq!(again.code, ErrorCode::Conflict);
    assert!(
        again.message.contains("already rotated"),
        "{}",
        again.message
    );
    assert!(
        !app.service.holds_created_token(),
        "no secret after a refusal"
    );

    // A token revoked since the list was read is not "already rotated": the dialog says what it is.
    let (gone, _) = minted(&app, "revoked meanwhile").await;
    app.service.revoke_token(&gone).await.expect("revoke");
    let refused = app
        .service
        .rotate_token(&gone, RetireChoice::Now)
        .await
        .expect_err("rotating a revoked token");
    assert_eq!(refused.code, ErrorCode::Conflict);
    assert!(
        refused.message.contains("is revoked now") && !refused.message.contains("already rotated"),
        "{}",
        refused.message
    );
    assert!(!app.service.holds_created_token());

    // At the limit: a choice that keeps the old token working needs a free slot; "now" works.
    let mut last = first.record.id.clone();
    loop {
        let list = app.service.list_tokens().await.expect("list");
        if list.active_count >= list.active_limit {
            break;
        }
        last = minted(&app, "filler").await.0;
    }
    for choice in [
        RetireChoice::After1Hour,
        RetireChoice::After24Hours,
        RetireChoice::OnFirstUse,
    ] {
        let e = app
            .service
            .rotate_token(&last, choice)
            .await
            .expect_err("no free slot");
        assert_eq!(e.code, ErrorCode::TokenLimitReached, "{choice:?}");
        assert!(e.message.contains("Now"), "{}", e.message);
    }
    let list = app.service.list_tokens().await.expect("list");
    let row = list.tokens.iter().find(|t| t.id == last).expect("row");
    assert!(
        row.replaced_by.is_none(),
        "a refused rotation changed nothing"
    );
    let at_limit = app
        .service
        .rotate_token(&last, RetireChoice::Now)
        .await
        .expect("now works at the limit");
    let secret = serde_json::to_value(&at_limit.token).expect("json");
    assert!(works(&http, secret.as_str().expect("string")).await);
    app.service.discard_created_token().expect("discard");
}
