//! Offline and the end of a session in the real window (tauri-driver under Xvfb, the real
//! keyring in the D-Bus session):
//! * signed in, quit, the server stopped, launched again: the API Keys table shows the cached
//!   tokens under "Offline — data as of …", Create API Key and Revoke are disabled saying the
//!   server can't be reached; the server back on the same address and data, **Sync** clears
//!   the banner and enables them again;
//! * a cache grown to 3,000 tokens, launched with the server down: the first screen, then
//!   every cached row ("3000 of 3000 shown", the grid's row count), the cached rows first in
//!   their order, Export once the whole list is there;
//! * a dialog open when the server ends the session: confirming it returns the app to the
//!   sign-in screen with the reason;
//! * a revoke confirmed while the server is gone: the dialog stays with the error, the row still
//!   says Active, and once the server is back the token still works (nothing was revoked).

use std::path::Path;

use fantoccini::{Client, Locator};
use keebai_e2e::cached_list::grow_cached_list;
use keebai_e2e::webdriver::{
    button, launch, screenshot, sign_in, wait_for, wait_for_text, wait_until_gone, wait_until_quit,
};
use keebai_e2e::{DemoServer, DEVELOPER, TENANT};
use keebai_keys::session_vault::{KeyringVault, SessionVault};
use keebai_keys::settings::Account;

async fn signed_in(c: &Client) {
    wait_for(c, "#server").await;
    sign_in(c, DEVELOPER).await;
    button(c, "Sign in").await.click().await.expect("sign in");
    wait_for_text(c, "#active-counter", "of 10 active").await;
}

/// Signs in (the list is cached), quits and stops the server: the next launch is offline.
/// Returns the prefixes the table showed.
async fn cache_then_stop(server: &mut DemoServer, app_data: &Path, log: &Path) -> Vec<String> {
    let (driver, c) = launch(app_data, &server.url, log).await;
    signed_in(&c).await;
    let online = prefixes(&c).await;
    c.close().await.expect("quit");
    drop(driver);
    wait_until_quit(app_data).await;
    server.stop();
    online
}

/// The prefixes in the table, in its order.
async fn prefixes(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for row in c
        .find_all(Locator::Css("tr[data-prefix]"))
        .await
        .expect("rows")
    {
        out.push(
            row.attr("data-prefix")
                .await
                .expect("attr")
                .expect("a prefix"),
        );
    }
    out
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn an_offline_launch_shows_the_cached_table_with_the_banner_and_sync_recovers() {
    let mut server = DemoServer::demo();
    let data = tempfile::tempdir().expect("data dir");
    let app_data = data.path().join("app");
    let log = data.path().join("driver-and-app.log");

    let online = cache_then_stop(&mut server, &app_data, &log).await;
    assert!(!online.is_empty());

    // Launched with the server down: signed in, the cached table, the banner.
    let (driver, c) = launch(&app_data, &server.url, &log).await;
    let text = wait_for_text(&c, "#offline-text", "Offline — data as of ")
        .await
        .text()
        .await
        .expect("text");
    let time = text
        .strip_prefix("Offline — data as of ")
        .expect("the banner's words");
    // The UI's exact-time format, e.g. "2026-12-03 02:10:00 UTC".
    assert!(
        time.len() == 23 && time.ends_with(" UTC") && time.as_bytes()[10] == b' ',
        "{time:?}"
    );
    wait_for_text(&c, "#active-counter", "of 10 active").await;
    assert_eq!(prefixes(&c).await, online, "the cached tokens");
    assert!(
        c.find(Locator::Css("#server")).await.is_err(),
        "no sign-in form"
    );
    let create = button(&c, "Create API Key").await;
    assert!(!create.is_enabled().await.expect("enabled?"));
    let why = create
        .attr("title")
        .await
        .expect("attr")
        .unwrap_or_default();
    assert!(why.contains("server can't be reached"), "{why:?}");
    let revoke = c
        .find(Locator::Css("button[aria-label^='Revoke ']"))
        .await
        .expect("a Revoke button");
    assert!(!revoke.is_enabled().await.expect("enabled?"));
    screenshot(&c, "14-offline").await;

    // The server is back with the same data: Sync. (The app also retries by itself, first 30 s
    // after the failed sync; should that have run meanwhile, the banner is gone already.)
    let sync = button(&c, "Sync").await;
    server.serve_again();
    if sync.click().await.is_err() {
        eprintln!("Sync was gone before the click: the automatic retry synced first");
    }
    wait_until_gone(&c, "#offline-banner").await;
    let create = button(&c, "Create API Key").await;
    assert!(create.is_enabled().await.expect("enabled?"), "online again");
    assert_eq!(prefixes(&c).await, online);
    c.close().await.expect("quit");
    drop(driver);
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn an_offline_launch_over_a_large_cache_shows_every_cached_row() {
    // More than the first screen the page asks for (100 rows), so the rest is read after it.
    const ROWS: usize = 3_000;
    let mut server = DemoServer::demo();
    let data = tempfile::tempdir().expect("data dir");
    let app_data = data.path().join("app");
    let log = data.path().join("driver-and-app.log");
    let online = cache_then_stop(&mut server, &app_data, &log).await;
    grow_cached_list(&app_data, ROWS);

    let (driver, c) = launch(&app_data, &server.url, &log).await;
    wait_for_text(&c, "#offline-text", "Offline — data as of ").await;
    let count = wait_for_text(&c, "#shown-count", &format!("{ROWS} of {ROWS} shown")).await;
    let words = count.text().await.expect("text");
    assert!(!words.contains("reading"), "{words:?}");
    let table = c.find(Locator::Css("table.tokens")).await.expect("table");
    assert_eq!(
        table.attr("aria-rowcount").await.expect("attr").as_deref(),
        Some((ROWS + 1).to_string().as_str()),
        "every cached row, and the header"
    );
    let shown = prefixes(&c).await;
    assert_eq!(
        shown[..online.len()],
        online[..],
        "the cached rows first, in order"
    );
    wait_for_text(&c, "#active-counter", "of 10 active").await;
    assert!(button(&c, "Export")
        .await
        .is_enabled()
        .await
        .expect("enabled?"));
    c.close().await.expect("quit");
    drop(driver);
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn a_session_ended_by_the_server_while_a_dialog_is_open_returns_to_sign_in() {
    let server = DemoServer::demo();
    let data = tempfile::tempdir().expect("data dir");
    let app_data = data.path().join("app");
    let log = data.path().join("driver-and-app.log");
    let (_driver, c) = launch(&app_data, &server.url, &log).await;
    signed_in(&c).await;

    c.find(Locator::Css("button[aria-label^='Revoke ']"))
        .await
        .expect("a Revoke button")
        .click()
        .await
        .expect("open Revoke");
    wait_for_text(&c, "#revoke-title", "Revoke API key").await;

    // The app's session, from the keyring it was stored in, signed out on the server.
    let account = Account {
        server: server.url.clone(),
        tenant: TENANT.to_owned(),
        email: DEVELOPER.0.to_owned(),
    };
    let secret = KeyringVault::default()
        .load(&account.key())
        .expect("the keyring")
        .expect("the app's session");
    let response = server
        .http()
        .client
        .delete(format!("{}/v1/sessions/current", server.url))
        .bearer_auth(secret.expose())
        .send()
        .await
        .expect("DELETE /v1/sessions/current");
    assert_eq!(response.status(), 204);

    c.find(Locator::Css("[role='dialog'] button.danger"))
        .await
        .expect("the dialog's Revoke")
        .click()
        .await
        .expect("confirm");
    wait_for_text(&c, "p.notice", "Your session has ended. Sign in again.").await;
    wait_for(&c, "#server").await;
    assert!(
        c.find(Locator::Css("[role='dialog']")).await.is_err(),
        "the dialog is gone"
    );
    assert!(
        KeyringVault::default()
            .load(&account.key())
            .expect("the keyring")
            .is_none(),
        "the dead session left the keyring"
    );
    c.close().await.expect("quit");
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn a_revoke_that_cannot_reach_the_server_keeps_its_dialog_with_the_error() {
    let mut server = DemoServer::demo();
    let data = tempfile::tempdir().expect("data dir");
    let app_data = data.path().join("app");
    let log = data.path().join("driver-and-app.log");
    // A working token of the developer's, minted from outside so the test holds its secret.
    let http = server.http();
    let dev = http.sign_in(DEVELOPER).await;
    let created = http.mint(&dev, "revoke-offline").await;
    let secret = created.token.0.expose().to_owned();
    assert_eq!(http.status_of("/v1/me", &secret).await, 200);

    let (_driver, c) = launch(&app_data, &server.url, &log).await;
    signed_in(&c).await;
    let row = format!("tr[data-prefix='{}']", created.record.prefix);
    wait_for(&c, &row).await;
    c.find(Locator::Css(&format!(
        "{row} button[aria-label^='Revoke ']"
    )))
    .await
    .expect("its Revoke button")
    .click()
    .await
    .expect("open Revoke");
    wait_for_text(&c, "#revoke-title", "Revoke API key").await;

    server.stop();
    c.find(Locator::Css("[role='dialog'] button.danger"))
        .await
        .expect("the dialog's Revoke")
        .click()
        .await
        .expect("confirm");
    let error = wait_for(&c, "[role='dialog'] p.error[role='alert']").await;
    assert_eq!(
        error.attr("data-code").await.expect("attr").as_deref(),
        Some("server_unreachable")
    );
    assert!(
        c.find(Locator::Css("#revoke-title")).await.is_ok(),
        "the dialog stays open"
    );
    let confirm = c
        .find(Locator::Css("[role='dialog'] button.danger"))
        .await
        .expect("the dialog's Revoke, ready to try again");
    assert!(confirm.is_enabled().await.expect("enabled?"));
    screenshot(&c, "15-revoke-failed").await;
    button(&c, "Cancel").await.click().await.expect("cancel");
    wait_until_gone(&c, "#revoke-title").await;
    let status = c
        .find(Locator::Css(&format!("{row} .badge")))
        .await
        .expect("the row's status")
        .text()
        .await
        .expect("text");
    assert!(
        status.ends_with("Active"),
        "the table does not claim a revoke that failed: {status:?}"
    );

    // Back on the same address and data: the token was never revoked.
    server.serve_again();
    assert_eq!(
        http.status_of("/v1/me", &secret).await,
        200,
        "the token still works"
    );
    c.close().await.expect("quit");
}
