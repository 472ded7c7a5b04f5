//! Rotation end to end in a real window (tauri-driver + WebKitWebDriver under Xvfb) against a
//! real keebai-server: sign in → API Keys → **Rotate** on a row → "Now" → **Rotate** → the
//! one-time view with the new token and **Copy token** → Done → the old row shows Revoked; the
//! old token gets 401 from the server and the new one 200. The Rotation screen is opened too.

use fantoccini::Locator;
use keebai_e2e::webdriver::{
    button, launch, link, screenshot, sign_in_to_api_keys, wait_for, wait_for_text,
    wait_until_gone, xclip,
};
use keebai_e2e::{files_containing, DemoServer, DEVELOPER};

const NAME: &str = "E2E rotate";

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn rotate_now_in_the_real_window() {
    let server = DemoServer::demo();
    let http = server.http();

    // A token minted "from outside", so the test knows the old secret.
    let dev = http.sign_in(DEVELOPER).await;
    let created = http.mint(&dev, NAME).await;
    let old_secret = created.token.0.expose().to_owned();
    let prefix = created.record.prefix.clone();
    assert_eq!(http.status_of("/v1/me", &old_secret).await, 200);

    let data = tempfile::tempdir().expect("data dir");
    let log = data.path().join("driver-and-app.log");
    let app_data = data.path().join("app");
    let (_driver, c) = launch(&app_data, &server.url, &log).await;

    sign_in_to_api_keys(&c, DEVELOPER).await;

    // Rotate on the row: a button named after the token.
    let row = format!("tr[data-prefix='{prefix}']");
    wait_for(&c, &format!("{row} button[aria-label='Rotate {NAME}']"))
        .await
        .click()
        .await
        .expect("rotate");
    wait_for_text(&c, "[role=dialog]", NAME).await;
    wait_for(&c, "input[data-retire='now']")
        .await
        .click()
        .await
        .expect("choose now");
    screenshot(&c, "10-rotate-dialog").await;
    c.find(Locator::XPath(
        "//div[@role='dialog']//button[normalize-space(.)='Rotate']",
    ))
    .await
    .expect("the dialog's Rotate")
    .click()
    .await
    .expect("rotate");

    // The one-time view, exactly as after creation.
    let token_field = wait_for(&c, "#new-token").await;
    let new_secret = token_field
        .prop("value")
        .await
        .expect("value")
        .expect("a token");
    assert!(
        new_secret.starts_with("kbai_pk_") && new_secret.len() == 72 && new_secret != old_secret,
        "{new_secret}"
    );
    wait_for_text(&c, "[role=dialog]", "only time you'll see the full token").await;
    button(&c, "Copy token").await.click().await.expect("copy");
    wait_for_text(&c, "[role=dialog]", "clipboard will be cleared").await;
    assert_eq!(xclip("UTF8_STRING").as_deref(), Some(new_secret.as_str()));
    wait_for(&c, "#ack").await.click().await.expect("ack");
    button(&c, "Done").await.click().await.expect("done");
    wait_until_gone(&c, "[role=dialog]").await;

    // The old row now says it is Revoked and links to its replacement.
    wait_for_text(&c, &format!("{row} .status-cell"), "Revoked").await;
    wait_for_text(&c, &format!("{row} .name"), "Replaced by").await;
    let html = c.source().await.expect("source");
    assert!(
        !html.contains(&new_secret),
        "the new token is still in the DOM"
    );
    screenshot(&c, "11-rotated").await;

    // The server agrees: the old token is refused, the new one works.
    assert_eq!(http.status_of("/v1/me", &old_secret).await, 401);
    assert_eq!(http.status_of("/v1/me", &new_secret).await, 200);

    // The Rotation screen lists the new token (active, due in 90 days) with its Rotate action.
    link(&c, "Rotation").await;
    wait_for_text(&c, "#main h2", "Rotation").await;
    let new_row = format!("#rotation-schedule tr[data-prefix='{}']", &new_secret[..12]);
    wait_for_text(&c, &new_row, "Due in 90 days").await;
    wait_for(&c, &format!("{new_row} button[aria-label='Rotate {NAME}']")).await;
    screenshot(&c, "12-rotation-schedule").await;

    c.close().await.expect("close");
    assert!(
        files_containing(&app_data, &new_secret).is_empty(),
        "the new token is on disk"
    );
}
