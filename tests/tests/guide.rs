//! The product guide, followed in the real window click for click:
//!
//! > Go to System Settings. Scroll to the Developer API banner and click Open API Keys. …
//! > Click Create API Key. A modal opens with three fields.
//!
//! and, for someone without Manage API Tokens, the banner at the bottom of System Settings
//! explains the guide's two steps with Refresh permissions. The navigation is keyboard-usable:
//! plain links in the tab order before the page, Enter opens one, its page heading takes focus.

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use keebai_e2e::webdriver::{
    button, launch, link, open_create_modal, screenshot, sign_in, sign_in_to_api_keys, wait_for,
    wait_for_text, wait_until_gone,
};
use keebai_e2e::{DemoServer, DEVELOPER, MEMBER};

async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn system_settings_developer_api_open_api_keys_create_api_key() {
    let server = DemoServer::demo();
    let data = tempfile::tempdir().expect("data dir");
    let log = data.path().join("driver-and-app.log");
    let (_driver, c) = launch(&data.path().join("app"), &server.url, &log).await;

    sign_in_to_api_keys(&c, DEVELOPER).await;

    // The navigation: the contract's words, in this order, and the page it shows marked.
    let words = js(
        &c,
        "return Array.from(document.querySelectorAll('nav[aria-label=\"Main\"] a'))\
           .map(a => a.querySelector('.nav-label').textContent.trim())",
    )
    .await;
    assert_eq!(
        words,
        serde_json::json!([
            "API Keys",
            "Audit",
            "Rotation",
            "Activity",
            "Settings",
            "System Settings"
        ])
    );
    // Keyboard order: the navigation links, then Sign out, then the page.
    let order = js(
        &c,
        "return Array.from(document.querySelectorAll('a[href], button'))\
           .filter(e => !e.disabled).slice(0, 8)\
           .map(e => (e.querySelector('.nav-label') ?? e).textContent.trim())",
    )
    .await;
    assert_eq!(
        order,
        serde_json::json!([
            "API Keys",
            "Audit",
            "Rotation",
            "Activity",
            "Settings",
            "System Settings",
            "Sign out",
            "Create API Key"
        ])
    );

    // "Go to System Settings."
    link(&c, "System Settings").await;
    wait_for_text(&c, "#main h2", "System Settings").await;
    let current = js(
        &c,
        "return document.querySelector('nav a[aria-current=\"page\"] .nav-label').textContent.trim()",
    )
    .await;
    assert_eq!(current, "System Settings");
    // The developer holds no admin permission: System Settings lists no Roles or Users.
    for word in ["Roles", "Users", "Token policy"] {
        let xpath = format!("//main//a[normalize-space(.)='{word}']");
        assert!(
            c.find(Locator::XPath(&xpath)).await.is_err(),
            "{word} is listed"
        );
    }

    // "Scroll to the Developer API banner": the page ends with it.
    let last = js(
        &c,
        "const page = document.querySelector('#main > section'); \
         return page.lastElementChild.id",
    )
    .await;
    assert_eq!(last, "developer-api");
    wait_for_text(&c, "#developer-api", "Developer API").await;
    screenshot(&c, "09-system-settings").await;

    // "…and click Open API Keys" — the guide's direct URL is its path.
    button(&c, "Open API Keys")
        .await
        .click()
        .await
        .expect("open api keys");
    wait_for_text(&c, "#main h2", "API Keys").await;
    wait_for(&c, "#active-counter").await;
    let hash = js(&c, "return window.location.hash").await;
    assert_eq!(hash, "#/system-settings/api-keys");

    // "Click Create API Key. A modal opens with three fields."
    open_create_modal(&c).await;
    wait_for(&c, "input[data-scope]").await;
    wait_for(&c, "input[data-expiration='90']").await;
    wait_for_text(&c, "[role=dialog]", "Create API Key").await;
    c.find(Locator::Css("#token-name"))
        .await
        .expect("name")
        .send_keys("\u{E00C}")
        .await
        .expect("escape");
    wait_until_gone(&c, "[role=dialog]").await;

    // By keyboard: Enter on a navigation link opens its page, whose heading takes focus.
    c.find(Locator::Css("nav a[href='#/settings']"))
        .await
        .expect("Settings link")
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    wait_for_text(&c, "#main h2", "Settings").await;
    wait_for(&c, "#clipboard-seconds").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let focused = js(&c, "return document.activeElement.id").await;
        if focused == "settings-title" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "focus stayed on {focused}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // Someone without Manage API Tokens finds the banner explaining the guide's two steps.
    button(&c, "Sign out")
        .await
        .click()
        .await
        .expect("sign out");
    wait_for(&c, "#password").await;
    sign_in(&c, MEMBER).await;
    button(&c, "Sign in").await.click().await.expect("sign in");
    wait_for_text(&c, ".gate", "Ask an admin").await;
    link(&c, "System Settings").await;
    wait_for_text(&c, "#main h2", "System Settings").await;
    let banner = wait_for_text(&c, "#developer-api", "Ask an admin").await;
    let text = banner.text().await.expect("text");
    assert!(text.contains("Refresh your session"), "{text}");
    assert!(
        c.find(Locator::XPath(
            "//section[@id='developer-api']//button[normalize-space(.)='Refresh permissions']"
        ))
        .await
        .is_ok(),
        "Refresh permissions in the banner"
    );
    assert!(
        c.find(Locator::XPath(
            "//button[normalize-space(.)='Open API Keys']"
        ))
        .await
        .is_err(),
        "Open API Keys without the permission"
    );
    c.close().await.expect("close session");
}

/// The row the API Keys table calls active: its `aria-rowindex`, the table's `aria-rowcount`,
/// and whether the table has the focus.
async fn active_row(c: &Client) -> serde_json::Value {
    js(
        c,
        "const t = document.querySelector('table.tokens'); \
         const id = t.getAttribute('aria-activedescendant'); \
         const row = id && document.getElementById(id); \
         return [row ? Number(row.getAttribute('aria-rowindex')) : null, \
                 Number(t.getAttribute('aria-rowcount')), document.activeElement === t];",
    )
    .await
}

async fn press(c: &Client, key: Key) {
    c.active_element()
        .await
        .expect("the focused element")
        .send_keys(&char::from(key).to_string())
        .await
        .expect("a key");
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn the_api_keys_table_is_one_tab_stop_and_the_keys_move_its_active_row() {
    let server = DemoServer::demo();
    let data = tempfile::tempdir().expect("data dir");
    let log = data.path().join("driver-and-app.log");
    let (_driver, c) = launch(&data.path().join("app"), &server.url, &log).await;
    sign_in_to_api_keys(&c, DEVELOPER).await;

    // Tab from the status filter reaches the table itself; its first row becomes active.
    js(&c, "document.getElementById('status-filter').focus()").await;
    press(&c, Key::Tab).await;
    let rows = 12 + 1; // the demo developer's dozen, and the header row
    assert_eq!(active_row(&c).await, serde_json::json!([2, rows, true]));
    press(&c, Key::Down).await;
    assert_eq!(active_row(&c).await, serde_json::json!([3, rows, true]));
    press(&c, Key::End).await;
    assert_eq!(active_row(&c).await, serde_json::json!([rows, rows, true]));
    press(&c, Key::Down).await;
    assert_eq!(
        active_row(&c).await,
        serde_json::json!([rows, rows, true]),
        "stays on the last"
    );
    press(&c, Key::Home).await;
    assert_eq!(active_row(&c).await, serde_json::json!([2, rows, true]));
    press(&c, Key::PageDown).await;
    let after_page = active_row(&c).await;
    assert!(
        after_page[0].as_u64() > Some(3),
        "PageDown moves a page: {after_page}"
    );
    // Every row is in the DOM (a dozen is well inside the rendered window).
    let rendered = js(
        &c,
        "return document.querySelectorAll('table.tokens tr.data-row').length",
    )
    .await;
    assert_eq!(rendered, serde_json::json!(12));
}
