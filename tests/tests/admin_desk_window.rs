//! The security admin's desk end to end in the real window (tauri-driver + WebKitWebDriver
//! under Xvfb) against a real `keebai-server demo`, as issue 11 tells it: an admin grants
//! *Manage API Tokens* to the Member role (System Settings → Roles), a member refreshes and
//! creates a token, and the admin — auditing on Inventory — revokes it with a reason that then
//! shows in the member's Activity. Then a bulk revoke from a filtered view after the server's
//! preview; then, with the server stopped, the Inventory from the cache, read-only, exported.
//! Each person has their own data folder.

use std::path::Path;

use fantoccini::{Client, Locator};
use keebai_e2e::webdriver::{
    button, launch, link, open_create_modal, save_in_native_dialog, screenshot, sign_in, type_into,
    wait_for, wait_for_text, wait_until_gone, wait_until_quit, Driver,
};
use keebai_e2e::{DemoServer, ADMIN, DEVELOPER, MEMBER};

const REASON: &str = "Shared in a public chat";

async fn open_as(dir: &Path, url: &str, who: (&str, &str)) -> (Driver, Client) {
    let log = dir.with_extension("log");
    let (driver, c) = launch(dir, url, &log).await;
    wait_for(&c, "#server").await;
    sign_in(&c, who).await;
    button(&c, "Sign in").await.click().await.expect("sign in");
    wait_for(&c, "nav[aria-label='Main']").await;
    (driver, c)
}

async fn quit(dir: &Path, driver: Driver, c: Client) {
    c.close().await.expect("quit");
    drop(driver);
    wait_until_quit(dir).await;
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn grant_create_then_revoke_with_a_reason_the_member_sees_then_bulk_revoke() {
    let mut server = DemoServer::demo();
    let data = tempfile::tempdir().expect("data dir");
    let (admin_dir, member_dir) = (data.path().join("admin"), data.path().join("member"));

    // The member signs in and finds the Developer API banner's two steps.
    let (member_driver, m) = open_as(&member_dir, &server.url, MEMBER).await;
    wait_for_text(&m, "#developer-api", "Ask an admin").await;

    // Meanwhile, in the admin's own window: System Settings → Roles → Member → Manage API
    // Tokens → Save.
    let (driver, c) = open_as(&admin_dir, &server.url, ADMIN).await;
    link(&c, "System Settings").await;
    link(&c, "Roles").await;
    c.wait()
        .for_element(Locator::XPath(
            "//button[contains(@class,'role-choice')][span[1]='Member']",
        ))
        .await
        .expect("Member")
        .click()
        .await
        .expect("open Member");
    c.find(Locator::XPath(
        "//fieldset[legend='Developer']//label[span='Manage API Tokens']/input",
    ))
    .await
    .expect("box")
    .click()
    .await
    .expect("check");
    button(&c, "Save").await.click().await.expect("save");
    wait_for_text(&c, ".saved", "Saved.").await;
    quit(&admin_dir, driver, c).await;

    // The member refreshes (the guide's second step) and creates a token.
    let (driver, c) = (member_driver, m);
    button(&c, "Refresh permissions")
        .await
        .click()
        .await
        .expect("refresh");
    wait_for_text(&c, "#active-counter", "of 10 active").await;
    open_create_modal(&c).await;
    type_into(&c, "#token-name", "Member sync").await;
    wait_for(&c, "input[data-scope='messages.read']")
        .await
        .click()
        .await
        .expect("scope");
    button(&c, "Create token")
        .await
        .click()
        .await
        .expect("create");
    let prefix: String = wait_for(&c, "#new-token")
        .await
        .prop("value")
        .await
        .expect("value")
        .expect("a token")
        .chars()
        .take(12)
        .collect();
    c.find(Locator::Css("#ack"))
        .await
        .expect("ack")
        .click()
        .await
        .expect("ack");
    button(&c, "Done").await.click().await.expect("done");
    wait_until_gone(&c, "[role=dialog]").await;
    quit(&member_dir, driver, c).await;

    // The admin finds it on Inventory and revokes it with a reason.
    let (driver, c) = launch(&admin_dir, &server.url, &admin_dir.with_extension("log")).await;
    link(&c, "Inventory").await;
    wait_for_text(&c, "#main h2", "Inventory").await;
    let row = format!("#inventory-table tr[data-prefix='{prefix}']");
    wait_for_text(&c, &row, MEMBER.0).await;
    c.find(Locator::Css(&format!("{row} button.danger")))
        .await
        .expect("Revoke on the row")
        .click()
        .await
        .expect("revoke");
    wait_for_text(&c, "[role=dialog]", "Revoke API key").await;
    // No reason: refused before anything is sent.
    c.find(Locator::Css("[role=dialog] button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("submit");
    wait_for_text(&c, "#revoke-reason-help", "Say why").await;
    type_into(&c, "#revoke-reason", REASON).await;
    c.find(Locator::Css("[role=dialog] button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("submit");
    wait_until_gone(&c, "[role=dialog]").await;
    wait_for_text(&c, &row, "Revoked").await;
    screenshot(&c, "18-inventory").await;

    // The Audit views, tenant-wide: choosing one shows as many rows as it counts.
    let audit = c
        .find(Locator::Css("#inventory-audit-view"))
        .await
        .expect("audit view");
    let label: String = c
        .execute(
            "return Array.from(document.querySelectorAll('#inventory-audit-view option'))\
               .map(o => o.textContent.trim()).find(t => t.startsWith('No expiration'))",
            vec![],
        )
        .await
        .expect("option")
        .as_str()
        .expect("a No expiration option")
        .to_owned();
    audit.select_by_label(&label).await.expect("choose");
    let counted: u64 = label
        .trim_start_matches("No expiration (")
        .trim_end_matches(')')
        .parse()
        .expect("a count");
    let rows = c
        .execute(
            "return document.querySelectorAll('#inventory-table tbody tr.data-row').length",
            vec![],
        )
        .await
        .expect("rows")
        .as_u64()
        .expect("a count");
    assert_eq!(rows, counted, "{label}");
    audit
        .select_by_label("Every token")
        .await
        .expect("back to every token");

    // Revoke selected: the developer's working tokens, previewed by the server first.
    let owner = c
        .find(Locator::Css("#inventory-owner"))
        .await
        .expect("owner filter");
    let label = format!("Dana Developer ({})", DEVELOPER.0);
    owner.select_by_label(&label).await.expect("the developer");
    c.find(Locator::Css("#inventory-status-filter"))
        .await
        .expect("status")
        .select_by_label("Active")
        .await
        .expect("active");
    let shown = c
        .execute(
            "return document.querySelectorAll('#inventory-table tbody tr.data-row').length",
            vec![],
        )
        .await
        .expect("rows")
        .as_u64()
        .expect("a count");
    assert!(shown >= 2, "the developer's working tokens are shown");
    button(&c, "Revoke selected")
        .await
        .click()
        .await
        .expect("bulk");
    type_into(&c, "#bulk-reason", "Quarterly cleanup").await;
    button(&c, "Preview").await.click().await.expect("preview");
    wait_for_text(
        &c,
        "[aria-label='What will be revoked']",
        &format!("{shown} tokens will be revoked"),
    )
    .await;
    screenshot(&c, "19-bulk-revoke-preview").await;
    button(&c, &format!("Revoke {shown} tokens"))
        .await
        .click()
        .await
        .expect("revoke them");
    wait_until_gone(&c, "[role=dialog]").await;
    wait_for_text(&c, "#inventory-status", &format!("Revoked {shown} tokens.")).await;
    quit(&admin_dir, driver, c).await;

    // The member's Activity says who revoked it and why.
    let (driver_m, c) = launch(&member_dir, &server.url, &member_dir.with_extension("log")).await;
    link(&c, "Activity").await;
    let revoke = "#activity-table tr[data-action='token.revoked']";
    wait_for_text(&c, revoke, &format!("Reason: {REASON}")).await;
    wait_for_text(&c, revoke, "Member sync").await;
    quit(&member_dir, driver_m, c).await;

    // With the server stopped, the admin's Inventory comes from the cache, read-only, and
    // exports as it stands.
    server.stop();
    let (driver, c) = launch(&admin_dir, &server.url, &admin_dir.with_extension("log")).await;
    link(&c, "Inventory").await;
    wait_for_text(&c, "#main", "Offline — inventory as of").await;
    wait_for_text(&c, &row, "Revoked").await;
    let revoke_selected = button(&c, "Revoke selected").await;
    assert!(
        !revoke_selected.is_enabled().await.expect("enabled?"),
        "read-only offline"
    );
    let out = data.path().join("inventory.csv");
    button(&c, "Export").await.click().await.expect("export");
    button(&c, "Save…").await.click().await.expect("save");
    let p = out.clone();
    tokio::task::spawn_blocking(move || save_in_native_dialog("Export", &p))
        .await
        .expect("typing");
    wait_until_gone(&c, "[role=dialog]").await;
    let csv = std::fs::read_to_string(&out).expect("the export");
    let line = csv
        .lines()
        .find(|l| l.contains("Member sync"))
        .expect("the member's token");
    assert!(
        line.contains(MEMBER.0) && line.contains("revoked"),
        "{line}"
    );
    quit(&admin_dir, driver, c).await;
}
