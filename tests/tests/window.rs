//! End to end in a real window: the built Keebai Keys app, driven through tauri-driver and
//! WebKitWebDriver under Xvfb, against a real keebai-server.
//!
//! sign in → create a token with one scope and 90 days → copy → the token works over HTTP →
//! revoke → it gets 401 → the row shows Revoked; then a member sees the Developer API gate
//! until an admin grants the permission and the session is refreshed. Screenshots of each
//! screen go to `$KEEBAI_SCREENSHOTS_DIR` (default `target/e2e-screenshots`). Finally the app's
//! data folder, its log output and the keyring entries are scanned for the minted token.

use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use keebai_e2e::webdriver::{
    button, connect, link, open_create_modal, screenshot, sign_in, start_driver, type_into,
    wait_for, wait_for_text, wait_until_gone, xclip,
};
use keebai_e2e::{files_containing, DemoServer, ADMIN, DEVELOPER, MEMBER};

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn create_copy_use_revoke_in_the_real_window() {
    let server = DemoServer::demo();
    let http = server.http();
    let app_binary = keebai_e2e::app_binary();
    let data = tempfile::tempdir().expect("data dir");
    let log = data.path().join("driver-and-app.log");
    // The log lives beside, not inside, the data folder we scan separately.
    let app_data = data.path().join("app");
    let driver = start_driver(&app_data, &server.url, &log);
    let c = connect(&driver, &app_binary).await;

    // Sign-in screen, Server pre-filled from KEEBAI_SERVER_URL.
    let server_field = wait_for(&c, "#server").await;
    assert_eq!(
        server_field.prop("value").await.expect("value").as_deref(),
        Some(server.url.as_str())
    );
    sign_in(&c, DEVELOPER).await;
    screenshot(&c, "01-sign-in").await;
    button(&c, "Sign in").await.click().await.expect("click");

    // The API Keys table.
    let counter = wait_for_text(&c, "#active-counter", "of 10 active").await;
    let before = counter.text().await.expect("text");
    for header in ["Name", "Prefix", "Scopes", "Last used", "Expires", "Status"] {
        let xpath = format!("//th//button[starts-with(normalize-space(.), '{header}')]");
        c.find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|_| panic!("column {header}"));
    }
    wait_for_text(&c, "table.tokens", "Never").await;
    screenshot(&c, "02-api-keys").await;

    // A short clipboard timeout, so the test sees it cleared.
    link(&c, "Settings").await;
    wait_for_text(&c, "#main h2", "Settings").await;
    // A number input ignores typed text unevenly across engines; set it like a spin would.
    c.execute(
        "const el = document.getElementById('clipboard-seconds'); \
         el.value = '5'; el.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![],
    )
    .await
    .expect("set the clipboard timeout");
    wait_for(&c, "#clipboard-seconds").await;
    link(&c, "API Keys").await;
    wait_for_text(&c, "#active-counter", "of 10 active").await;

    // The modal is keyboard-first: focus lands in Name, Escape closes it.
    button(&c, "Create API Key")
        .await
        .click()
        .await
        .expect("open");
    wait_for(&c, "#token-name").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let focused = c
        .execute(
            "return document.activeElement && document.activeElement.id",
            vec![],
        )
        .await
        .expect("focus");
    assert_eq!(focused.as_str(), Some("token-name"));
    c.find(Locator::Css("#token-name"))
        .await
        .expect("name")
        .send_keys("\u{E00C}")
        .await
        .expect("escape");
    wait_until_gone(&c, "[role=dialog]").await;

    // Create API Key: one scope, 90 days (preselected).
    open_create_modal(&c).await;
    type_into(&c, "#token-name", "E2E smoke").await;
    wait_for(&c, "input[data-scope='messages.read']")
        .await
        .click()
        .await
        .expect("scope");
    let ninety = wait_for(&c, "input[data-expiration='90']").await;
    assert!(
        ninety.is_selected().await.expect("selected"),
        "90 days is preselected"
    );
    screenshot(&c, "03-create-api-key").await;
    button(&c, "Create token")
        .await
        .click()
        .await
        .expect("create");

    // The one-time view.
    let token_field = wait_for(&c, "#new-token").await;
    let token = token_field
        .prop("value")
        .await
        .expect("value")
        .expect("a token");
    assert!(
        token.starts_with("kbai_pk_") && token.len() == 72,
        "{token}"
    );
    wait_for_text(&c, "[role=dialog]", "only time you'll see the full token").await;
    // Escape does not close the one-time view before the acknowledgement.
    token_field.send_keys("\u{E00C}").await.expect("escape");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        c.find(Locator::Css("#new-token")).await.is_ok(),
        "closed without acknowledgement"
    );
    let done = button(&c, "Done").await;
    assert!(
        !done.is_enabled().await.expect("enabled"),
        "closing needs the acknowledgement"
    );
    button(&c, "Copy token").await.click().await.expect("copy");
    wait_for_text(&c, "[role=dialog]", "clipboard will be cleared").await;
    screenshot(&c, "04-one-time-token").await;

    // Copied in Rust with the history-exclusion hint, as another app sees it.
    assert_eq!(xclip("UTF8_STRING").as_deref(), Some(token.as_str()));
    let targets = xclip("TARGETS").unwrap_or_default();
    assert!(
        targets.lines().any(|t| t == "x-kde-passwordManagerHint"),
        "{targets}"
    );

    // The server holds what the form asked for: one scope, 90 days.
    let dev = http.sign_in(DEVELOPER).await;
    let record = http
        .tokens(&dev)
        .await
        .tokens
        .into_iter()
        .find(|t| t.prefix == token[..12])
        .expect("the new token is listed");
    assert_eq!(record.scopes, vec!["messages.read".to_string()]);
    let days = (record.expires_at.expect("expires") - record.created_at).num_hours() as f64 / 24.0;
    assert!((89.9..=90.1).contains(&days), "expires after {days} days");

    // The token works, like `curl -H "Authorization: Bearer …" /v1/messages`.
    assert_eq!(http.status_of("/v1/messages", &token).await, 200);

    wait_for(&c, "#ack").await.click().await.expect("ack");
    done.click().await.expect("done");
    // The secret is gone from the page once the modal closes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let html = c.source().await.expect("source");
    assert!(!html.contains(&token), "the token is still in the DOM");

    // The clipboard timer (5 s) takes it back.
    let deadline = Instant::now() + Duration::from_secs(15);
    while xclip("UTF8_STRING").is_some_and(|t| t == token) {
        assert!(Instant::now() < deadline, "clipboard not cleared");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let after_create = c
        .find(Locator::Css("#active-counter"))
        .await
        .expect("counter")
        .text()
        .await
        .expect("text");
    assert_ne!(before, after_create, "the counter moved");

    // Revoke from the row's last column, confirming in the dialog that names it.
    let prefix = &token[..12];
    let row = format!("tr[data-prefix='{prefix}']");
    wait_for(
        &c,
        &format!("{row} .actions-cell button[aria-label^='Revoke']"),
    )
    .await
    .click()
    .await
    .expect("revoke");
    wait_for_text(&c, "[role=dialog]", "E2E smoke").await;
    screenshot(&c, "05-revoke-dialog").await;
    c.find(Locator::XPath(
        "//div[@role='dialog']//button[normalize-space(.)='Revoke']",
    ))
    .await
    .expect("confirm")
    .click()
    .await
    .expect("confirm");
    wait_for_text(&c, &format!("{row} .status-cell"), "Revoked").await;
    assert_eq!(http.status_of("/v1/messages", &token).await, 401);
    type_into(&c, "#search", "E2E").await;
    screenshot(&c, "06-revoked").await;

    // A member without the permission: the Developer API gate, then a grant and a refresh.
    button(&c, "Sign out")
        .await
        .click()
        .await
        .expect("sign out");
    wait_for(&c, "#password").await;
    sign_in(&c, MEMBER).await;
    button(&c, "Sign in").await.click().await.expect("sign in");
    wait_for_text(&c, ".gate", "Ask an admin").await;
    screenshot(&c, "07-developer-api-gate").await;
    let admin = http.sign_in(ADMIN).await;
    http.grant_to_members(&admin, "developer.manage_tokens")
        .await;
    // Meanwhile the member fills their quota from a script: the page must open at the limit.
    let member = http.sign_in(MEMBER).await;
    for i in 0..10 {
        assert_eq!(
            http.create_token(&member, &format!("script {i}")).await,
            201
        );
    }
    button(&c, "Refresh permissions")
        .await
        .click()
        .await
        .expect("refresh");
    wait_for_text(&c, "#active-counter", "10 of 10 active").await;
    let create = button(&c, "Create API Key").await;
    assert!(
        !create.is_enabled().await.expect("enabled"),
        "disabled at the limit"
    );
    wait_for_text(&c, "#limit-help", "Revoke one before creating a new one").await;
    screenshot(&c, "08-token-limit").await;

    c.close().await.expect("close session");
    drop(driver);

    // The minted token is nowhere: not in the data folder, not in the logs, not in the keyring.
    assert!(
        files_containing(&app_data, &token).is_empty(),
        "token in the data folder"
    );
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!log_text.contains(&token), "token in the app's log output");
    assert!(
        log_text.contains("token created")
            || files_containing(&app_data, "token created").len() == 1,
        "the app logged (so the scan looked at real logs)"
    );
    let keyring = Command::new("secret-tool")
        .args(["search", "--all", "--unlock", "service", "com.keebai.keys"])
        .output()
        .expect("secret-tool");
    let listing = String::from_utf8_lossy(&keyring.stdout).into_owned()
        + &String::from_utf8_lossy(&keyring.stderr);
    assert!(!listing.contains(&token), "token in the keyring");
    assert!(
        listing.contains("kbai_sess_"),
        "the member's session is in the keyring (so the scan saw real entries): {listing}"
    );
}
