//! System Settings → Users in the real window (tauri-driver + WebKitWebDriver under Xvfb)
//! against a real `keebai-server demo`: the admin finds the people, creates one (a mistyped
//! confirmation is caught before anything is sent), the new person signs in, and Edit roles
//! gives them the Developer role, which their own session then feels; Disable signs her out at
//! once and Enable lets her sign in again.

use fantoccini::{Client, Locator};
use keebai_e2e::webdriver::{
    button, launch, link, screenshot, sign_in, type_into, wait_for, wait_for_text, wait_until_gone,
};
use keebai_e2e::{DemoServer, ADMIN, MEMBER};

const DANA: (&str, &str) = ("dana@acme.test", "dana-first-password");

async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn system_settings_users_create_a_user_then_edit_their_roles() {
    let server = DemoServer::demo();
    let http = server.http();
    let data = tempfile::tempdir().expect("data dir");
    let log = data.path().join("driver-and-app.log");
    let (_driver, c) = launch(&data.path().join("app"), &server.url, &log).await;
    wait_for(&c, "#server").await;
    sign_in(&c, ADMIN).await;
    button(&c, "Sign in").await.click().await.expect("sign in");
    wait_for(&c, "nav[aria-label='Main']").await;

    link(&c, "System Settings").await;
    wait_for_text(&c, "#main h2", "System Settings").await;
    link(&c, "Users").await;
    wait_for_text(&c, "#main h2", "Users").await;
    assert_eq!(
        js(&c, "return window.location.hash").await,
        "#/system-settings/users"
    );
    wait_for(&c, &format!("#users-table tr[data-email='{}']", MEMBER.0)).await;

    // Create user: a mistyped confirmation is caught in the dialog.
    button(&c, "Create user").await.click().await.expect("open");
    wait_for_text(&c, "[role=dialog]", "Create user").await;
    type_into(&c, "#user-name", "Dana Scully").await;
    type_into(&c, "#user-email", DANA.0).await;
    type_into(&c, "#user-password", DANA.1).await;
    type_into(&c, "#user-confirm", "dana-first-passwort").await;
    let member_box = c
        .find(Locator::XPath(
            "//fieldset[legend='Roles']//label[span='Member']/input",
        ))
        .await
        .expect("Member box");
    assert!(
        member_box.is_selected().await.expect("checked?"),
        "Member is preselected"
    );
    screenshot(&c, "17-create-user").await;
    c.find(Locator::Css("[role=dialog] button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("create");
    wait_for_text(&c, "#user-confirm-error", "The passwords do not match.").await;
    type_into(&c, "#user-confirm", DANA.1).await;
    c.find(Locator::Css("[role=dialog] button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("create");
    wait_until_gone(&c, "[role=dialog]").await;
    wait_for_text(
        &c,
        ".saved",
        "Dana Scully can now sign in as dana@acme.test.",
    )
    .await;
    let row = format!("#users-table tr[data-email='{}']", DANA.0);
    wait_for_text(&c, &row, "Member").await;

    // Dana signs in with the first password; tokens are not hers to manage yet.
    let session = http.sign_in(DANA).await;
    assert_eq!(http.status_of("/v1/tokens", session.expose()).await, 403);

    // Edit roles → Developer → Save.
    // One Edit roles per row, each named after its person.
    c.find(Locator::Css(
        "button[aria-label='Edit roles of Dana Scully']",
    ))
    .await
    .expect("Dana's Edit roles")
    .click()
    .await
    .expect("edit");
    wait_for_text(&c, "[role=dialog]", "Roles of Dana Scully").await;
    c.find(Locator::XPath(
        "//fieldset[legend='Roles']//label[span='Developer']/input",
    ))
    .await
    .expect("Developer box")
    .send_keys(" ")
    .await
    .expect("space");
    button(&c, "Save").await.click().await.expect("save");
    wait_until_gone(&c, "[role=dialog]").await;
    wait_for_text(&c, &row, "Developer").await;
    wait_for_text(&c, ".saved", "Roles of Dana Scully saved.").await;
    screenshot(&c, "18-users").await;
    assert_eq!(http.status_of("/v1/tokens", session.expose()).await, 200);

    // Disable: confirmed first; her session ends at once.
    c.find(Locator::Css("button[aria-label='Disable Dana Scully']"))
        .await
        .expect("Disable on her row")
        .click()
        .await
        .expect("disable");
    wait_for_text(&c, "[role=dialog]", "Disable Dana Scully?").await;
    c.find(Locator::Css("[role=dialog] button.danger"))
        .await
        .expect("the Disable button")
        .click()
        .await
        .expect("confirm");
    wait_until_gone(&c, "[role=dialog]").await;
    wait_for_text(&c, &row, "Disabled").await;
    wait_for_text(&c, ".saved", "Dana Scully is disabled").await;
    assert_eq!(http.status_of("/v1/me", session.expose()).await, 401);
    // The admin can't disable themselves: no button on their own row.
    let own = format!("button[aria-label='Disable {}']", "Administrator");
    assert!(
        c.find(Locator::Css(&own)).await.is_err(),
        "no Disable on one's own row"
    );

    // Enable: she signs in again.
    c.find(Locator::Css("button[aria-label='Enable Dana Scully']"))
        .await
        .expect("Enable on her row")
        .click()
        .await
        .expect("enable");
    c.find(Locator::XPath(
        "//div[@role='dialog']//button[normalize-space(.)='Enable']",
    ))
    .await
    .expect("the Enable button")
    .click()
    .await
    .expect("confirm");
    wait_until_gone(&c, "[role=dialog]").await;
    wait_for_text(&c, ".saved", "Dana Scully can sign in again").await;
    let again = http.sign_in(DANA).await;
    assert_eq!(http.status_of("/v1/me", again.expose()).await, 200);
}
