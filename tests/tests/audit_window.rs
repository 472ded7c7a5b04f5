//! The Audit screen in the real window (tauri-driver under Xvfb, the real keyring in the D-Bus
//! session) against a real `keebai-server demo`: signed in, **Audit** in the navigation lists
//! the eight views with their counts; opening one shows exactly that many rows in the token
//! table; Rotate on a view's row takes the Rotate dialog and the view drops the old token. Then
//! quit, the server stopped, launched again: the Audit screen shows the same counts
//! under the offline banner, a view still opens (also by Enter), a token's detail panel (its
//! new address, its heat map) opens, Rotate is disabled saying why, and the Settings page's
//! Stale days (40) move the Stale view's line.

use fantoccini::{Client, Locator};
use keebai_e2e::webdriver::{
    button, launch, link, screenshot, sign_in_to_api_keys, wait_for, wait_for_text,
    wait_until_gone, wait_until_quit,
};
use keebai_e2e::{DemoServer, DEVELOPER};

/// The view buttons' words, in order, as the contract names them.
const VIEWS: [(&str, &str); 8] = [
    ("stale", "Stale"),
    ("never_used", "Never used"),
    ("no_expiration", "No expiration"),
    ("expiring_soon", "Expiring soon"),
    ("due_for_rotation", "Due for rotation"),
    ("broad_scopes", "Broad scopes"),
    ("off_hours", "Off-hours activity"),
    ("new_address", "New address"),
];

async fn open_audit(c: &Client) {
    link(c, "Audit").await;
    wait_for_text(c, "#main h2", "Audit").await;
    wait_for(c, "button.audit-view[data-view='broad_scopes']").await;
}

/// Each view's label and count, in the screen's order.
async fn counts(c: &Client) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for b in c
        .find_all(Locator::Css("button.audit-view"))
        .await
        .expect("views")
    {
        let label = b
            .find(Locator::Css(".audit-view-label"))
            .await
            .expect("label")
            .text()
            .await
            .expect("text");
        let count = b
            .find(Locator::Css(".audit-count"))
            .await
            .expect("count")
            .text()
            .await
            .expect("text");
        // "2", then "tokens" for screen readers only.
        let count = count.split_whitespace().next().unwrap_or_default();
        out.push((label, count.parse().expect("a number")));
    }
    out
}

/// Opens a view by its button and returns the names of the table's rows, in order.
async fn open_view(c: &Client, kind: &str) -> Vec<String> {
    let b = wait_for(c, &format!("button.audit-view[data-view='{kind}']")).await;
    b.click().await.expect("open the view");
    assert_eq!(
        b.attr("aria-pressed").await.expect("attr").as_deref(),
        Some("true")
    );
    // The heading is drawn in capitals (CSS), so its view is matched, not its words.
    wait_for(c, &format!("#audit-view-title[data-view='{kind}']")).await;
    let mut names = Vec::new();
    for row in c
        .find_all(Locator::Css("#audit-table-section tr[data-token-id]"))
        .await
        .expect("rows")
    {
        let name = row
            .find(Locator::Css("td.name"))
            .await
            .expect("a name cell")
            .text()
            .await
            .expect("text");
        // The name, without the rotation links drawn after it ("Rotated from kbai_pk_…").
        let name = name.split(" Rotated from ").next().unwrap_or_default();
        let name = name.split(" Replaced by ").next().unwrap_or_default();
        names.push(name.trim().to_owned());
    }
    names
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn audit_views_count_their_rows_online_and_offline() {
    let mut server = DemoServer::demo();
    let data = tempfile::tempdir().expect("data dir");
    let app_data = data.path().join("app");
    let log = data.path().join("driver-and-app.log");

    let (driver, c) = launch(&app_data, &server.url, &log).await;
    sign_in_to_api_keys(&c, DEVELOPER).await;
    open_audit(&c).await;
    let online = counts(&c).await;
    let labels: Vec<&str> = online.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, VIEWS.map(|(_, l)| l));
    // The demo (see tests/tests/audit.rs): two tokens 150 and 200 days old, most overdue first.
    let due = open_view(&c, "due_for_rotation").await;
    assert_eq!(due, ["Zapier production", "CRM import"]);
    // Every view's count is its table's rows.
    for ((kind, label), (_, count)) in VIEWS.iter().zip(&online) {
        let rows = open_view(&c, kind).await;
        assert_eq!(rows.len(), *count as usize, "{label}: {rows:?}");
    }
    open_view(&c, "due_for_rotation").await;
    let rotate = c
        .find(Locator::Css(
            "#audit-table-section button[aria-label='Rotate Zapier production']",
        ))
        .await
        .expect("Rotate on the row");
    assert!(rotate.is_enabled().await.expect("enabled?"), "online");
    open_view(&c, "due_for_rotation").await;
    screenshot(&c, "15-audit").await;

    // Rotate on a view's row is the API Keys flow: the dialog, Now, the one-time view. The old
    // token is revoked and its replacement is new, so the view drops to one row.
    wait_for(
        &c,
        "#audit-table-section button[aria-label='Rotate CRM import']",
    )
    .await
    .click()
    .await
    .expect("rotate");
    wait_for_text(&c, "[role=dialog]", "CRM import").await;
    wait_for(&c, "input[data-retire='now']")
        .await
        .click()
        .await
        .expect("choose now");
    c.find(Locator::XPath(
        "//div[@role='dialog']//button[normalize-space(.)='Rotate']",
    ))
    .await
    .expect("the dialog's Rotate")
    .click()
    .await
    .expect("rotate");
    wait_for(&c, "#new-token").await;
    wait_for(&c, "#ack").await.click().await.expect("ack");
    button(&c, "Done").await.click().await.expect("done");
    wait_until_gone(&c, "[role=dialog]").await;
    wait_for_text(
        &c,
        "button.audit-view[data-view='due_for_rotation'] .audit-count",
        "1",
    )
    .await;
    assert_eq!(
        open_view(&c, "due_for_rotation").await,
        ["Zapier production"]
    );
    // The replacement has not been used yet; the revoked token is in no view.
    assert_eq!(
        open_view(&c, "never_used").await,
        ["Local dev", "CRM import"]
    );
    assert_eq!(open_view(&c, "stale").await, ["Analytics export"]);
    let online = counts(&c).await;
    c.close().await.expect("quit");
    drop(driver);
    wait_until_quit(&app_data).await;
    server.stop();

    // Launched with the server down: the same views from the cache, under the banner.
    let (driver, c) = launch(&app_data, &server.url, &log).await;
    wait_for_text(&c, "#offline-text", "Offline — data as of ").await;
    open_audit(&c).await;
    assert_eq!(counts(&c).await, online, "the same counts offline");
    let stale = open_view(&c, "stale").await;
    assert_eq!(stale, ["Analytics export"]);
    let due = open_view(&c, "due_for_rotation").await;
    assert_eq!(due, ["Zapier production"]);
    let rotate = c
        .find(Locator::Css(
            "#audit-table-section button[aria-label='Rotate Zapier production']",
        ))
        .await
        .expect("Rotate on the row");
    assert!(!rotate.is_enabled().await.expect("enabled?"), "offline");
    let why = rotate
        .attr("title")
        .await
        .expect("attr")
        .unwrap_or_default();
    assert!(why.contains("server can't be reached"), "{why:?}");

    // A token's detail panel, offline too: the bot's new address marked, its heat map drawn.
    assert_eq!(open_view(&c, "new_address").await, ["Support inbox bot"]);
    c.find(Locator::Css(
        "#audit-table-section button[aria-label='Details of Support inbox bot']",
    ))
    .await
    .expect("Details on the row")
    .click()
    .await
    .expect("details");
    wait_for_text(&c, "#token-addresses tr[data-ip='198.51.100.23']", "New").await;
    let used_cells = c
        .execute(
            "return document.querySelectorAll('#heat-map td.heat:not(.heat-0)').length",
            vec![],
        )
        .await
        .expect("cells")
        .as_u64()
        .expect("a count");
    assert!(used_cells > 0, "the heat map shows when it is used");
    screenshot(&c, "25-token-detail").await;
    button(&c, "Close").await.click().await.expect("close");
    wait_until_gone(&c, "[role=dialog]").await;

    // By keyboard: Enter on a focused view button opens it.
    c.find(Locator::Css("button.audit-view[data-view='never_used']"))
        .await
        .expect("Never used")
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    wait_for(&c, "#audit-view-title[data-view='never_used']").await;

    // The Stale days are a setting (local, so it works offline too): at 40, the token unused
    // for 33 days is no longer stale, and it was the last one.
    link(&c, "Settings").await;
    wait_for_text(&c, "#main h2", "Settings").await;
    let days = wait_for(&c, "#stale-days").await;
    assert_eq!(
        days.prop("value").await.expect("value").as_deref(),
        Some("30")
    );
    days.clear().await.expect("clear");
    // Typing, then Tab, fires `change`, which saves it.
    days.send_keys("40\u{E004}").await.expect("type");
    let file = app_data.join("settings.json");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !std::fs::read_to_string(&file)
        .unwrap_or_default()
        .contains("\"stale_days\": 40")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "settings.json never said 40"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    open_audit(&c).await;
    wait_for_text(
        &c,
        "button.audit-view[data-view='stale']",
        "not in the last 40 days",
    )
    .await;
    assert!(open_view(&c, "stale").await.is_empty());
    wait_for_text(&c, "#audit-table-section", "No tokens in this view.").await;
    c.close().await.expect("quit");
    drop(driver);
}
