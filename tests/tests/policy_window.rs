//! The token policy in the real window (tauri-driver + WebKitWebDriver under Xvfb) against a
//! real `keebai-server demo`: an admin opens System Settings → Token policy, limits tokens to
//! 30 days from the keyboard and saves; the Inventory's **Breaks token policy** view then holds
//! the tenant's older tokens that break it, and a bulk revoke's preview from it names exactly
//! those; the Create dialog offers only what the policy allows (60 and 90 days disabled, no
//! "No expiration") and a 30-day token is created. Then, launched again with the server down, the
//! screen shows the cached policy under "Offline — policy as of …", read-only.

use fantoccini::{Client, Locator};
use keebai_e2e::webdriver::{
    button, launch, link, open_create_modal, screenshot, sign_in, type_into, wait_for,
    wait_for_text, wait_until_gone, wait_until_quit,
};
use keebai_e2e::{DemoServer, ADMIN};

async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

async fn rows(c: &Client) -> u64 {
    js(
        c,
        "return document.querySelectorAll('#inventory-table tbody tr.data-row').length",
    )
    .await
    .as_u64()
    .expect("a count")
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn limit_tokens_to_30_days_then_find_the_breakers_and_create_within_it() {
    let mut server = DemoServer::demo();
    let data = tempfile::tempdir().expect("data dir");
    let log = data.path().join("driver-and-app.log");
    let app_data = data.path().join("app");
    let (driver, c) = launch(&app_data, &server.url, &log).await;
    wait_for(&c, "#server").await;
    sign_in(&c, ADMIN).await;
    button(&c, "Sign in").await.click().await.expect("sign in");
    wait_for(&c, "nav[aria-label='Main']").await;

    link(&c, "System Settings").await;
    wait_for_text(&c, "#main h2", "System Settings").await;
    link(&c, "Token policy").await;
    wait_for_text(&c, "#main h2", "Token policy").await;
    assert_eq!(
        js(&c, "return window.location.hash").await,
        "#/system-settings/token-policy"
    );
    wait_for_text(&c, "#policy-now", "No limits").await;
    let save = button(&c, "Save policy").await;
    assert!(
        !save.is_enabled().await.expect("enabled?"),
        "nothing changed"
    );

    // Limit the lifetime, from the keyboard: Space on the box, then the days.
    c.find(Locator::Css("#policy-limit"))
        .await
        .expect("limit box")
        .send_keys(" ")
        .await
        .expect("space");
    let require = c.find(Locator::Css("#policy-require")).await.expect("box");
    assert!(
        require.is_selected().await.expect("checked?") && !require.is_enabled().await.expect("?"),
        "a maximum always requires an expiry"
    );
    type_into(&c, "#policy-days", "0").await;
    wait_for_text(&c, "#policy-days-help", "from 1 to 3650").await;
    assert!(!button(&c, "Save policy")
        .await
        .is_enabled()
        .await
        .expect("?"));
    type_into(&c, "#policy-days", "30").await;
    button(&c, "Save policy").await.click().await.expect("save");
    wait_for_text(&c, "#policy-status", "Saved.").await;
    wait_for_text(&c, "#policy-now", "within 30 days").await;
    screenshot(&c, "22-token-policy").await;

    // The Inventory finds the tokens made before that break it.
    button(&c, "Open Inventory")
        .await
        .click()
        .await
        .expect("inventory");
    wait_for_text(&c, "#main h2", "Inventory").await;
    wait_for(&c, "#inventory-table").await;
    let label = js(
        &c,
        "return Array.from(document.querySelectorAll('#inventory-audit-view option'))\
           .map(o => o.textContent.trim()).find(t => t.startsWith('Breaks token policy'))",
    )
    .await
    .as_str()
    .expect("a Breaks token policy view")
    .to_owned();
    let counted: u64 = label
        .trim_start_matches("Breaks token policy (")
        .trim_end_matches(')')
        .parse()
        .expect("a count");
    assert!(counted > 0, "the demo's unexpiring tokens break it");
    c.find(Locator::Css("#inventory-audit-view"))
        .await
        .expect("audit view")
        .select_by_label(&label)
        .await
        .expect("choose");
    assert_eq!(rows(&c).await, counted, "{label}");
    // Revoke selected previews exactly those, from the server.
    button(&c, "Revoke selected")
        .await
        .click()
        .await
        .expect("bulk");
    type_into(&c, "#bulk-reason", "Breaks the 30-day policy").await;
    button(&c, "Preview").await.click().await.expect("preview");
    let noun = if counted == 1 { "token" } else { "tokens" };
    wait_for_text(
        &c,
        "[aria-label='What will be revoked']",
        &format!("{counted} {noun} will be revoked"),
    )
    .await;
    screenshot(&c, "23-breaks-policy-preview").await;
    button(&c, "Cancel").await.click().await.expect("cancel");
    wait_until_gone(&c, "[role=dialog]").await;

    // The Create dialog offers only what the policy allows.
    link(&c, "API Keys").await;
    wait_for_text(&c, "#main h2", "API Keys").await;
    open_create_modal(&c).await;
    wait_for_text(&c, "#expiration-policy", "within 30 days").await;
    let state = js(
        &c,
        "return ['30','60','90','custom','never'].map(v => { \
           const r = document.querySelector(`input[data-expiration='${v}']`); \
           return r ? (r.disabled ? 'disabled' : r.checked ? 'checked' : 'enabled') : 'absent'; })",
    )
    .await;
    assert_eq!(
        state,
        serde_json::json!(["checked", "disabled", "disabled", "enabled", "absent"]),
        "30 chosen, 60 and 90 beyond the maximum, no No expiration"
    );
    screenshot(&c, "24-create-within-policy").await;
    type_into(&c, "#token-name", "Within the policy").await;
    c.find(Locator::Css("input[data-scope='messages.read']"))
        .await
        .expect("scope")
        .click()
        .await
        .expect("scope");
    button(&c, "Create token")
        .await
        .click()
        .await
        .expect("create");
    wait_for(&c, "#new-token").await;
    c.find(Locator::Css("#ack"))
        .await
        .expect("ack")
        .click()
        .await
        .expect("ack");
    button(&c, "Done").await.click().await.expect("done");
    wait_until_gone(&c, "[role=dialog]").await;
    wait_for_text(&c, "table.tokens", "Within the policy").await;

    // Quit, the server gone, launched again: the policy as last read, and nothing to save.
    c.close().await.expect("quit");
    drop(driver);
    wait_until_quit(&app_data).await;
    server.stop();
    let (_driver, c) = launch(&app_data, &server.url, &log).await;
    wait_for_text(&c, "#offline-text", "Offline — data as of ").await;
    link(&c, "System Settings").await;
    wait_for_text(&c, "#main h2", "System Settings").await;
    link(&c, "Token policy").await;
    wait_for_text(&c, "#main h2", "Token policy").await;
    wait_for_text(&c, "#main p.notice", "Offline — policy as of ").await;
    wait_for_text(&c, "#policy-now", "within 30 days").await;
    for id in ["#policy-limit", "#policy-days", "#policy-require"] {
        let input = c.find(Locator::Css(id)).await.expect(id);
        assert!(
            !input.is_enabled().await.expect("enabled?"),
            "{id} is read-only offline"
        );
    }
    let save = button(&c, "Save policy").await;
    assert!(!save.is_enabled().await.expect("enabled?"));
    let why = save.attr("title").await.expect("attr").unwrap_or_default();
    assert!(why.contains("server can't be reached"), "{why:?}");
    c.close().await.expect("quit");
}
