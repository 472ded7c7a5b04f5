//! The spec's "Ask an admin" step in the real window (tauri-driver + WebKitWebDriver under
//! Xvfb) against a real `keebai-server demo`:
//!
//! > They go to System Settings → Roles, open your role, check *Manage API Tokens* under
//! > *Developer*, and save.
//!
//! The admin does exactly that, by keyboard where a keyboard user would (Space on the box);
//! the built-in Admin role is shown locked; switching roles with unsaved changes asks first;
//! and the member's own credential then reaches the token API, which it could not before.

use fantoccini::{Client, Locator};
use keebai_e2e::webdriver::{button, launch, link, screenshot, sign_in, wait_for, wait_for_text};
use keebai_e2e::{DemoServer, ADMIN, MEMBER};

async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Opens the role with this name from the list on the left.
async fn open_role(c: &Client, name: &str) {
    let xpath =
        format!("//button[contains(@class,'role-choice')][span[1][normalize-space(.)='{name}']]");
    c.wait()
        .at_most(std::time::Duration::from_secs(20))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("role {name:?}: {e}"))
        .click()
        .await
        .expect("open role");
}

/// The checkbox labelled `label` in the fieldset whose legend is `group`.
async fn permission_box(c: &Client, group: &str, label: &str) -> fantoccini::elements::Element {
    let xpath = format!(
        "//fieldset[legend[normalize-space(.)='{group}']]//label[span[normalize-space(.)='{label}']]/input"
    );
    c.find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("{group} → {label}: {e}"))
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn system_settings_roles_open_member_check_manage_api_tokens_save() {
    let server = DemoServer::demo();
    let http = server.http();
    let member = http.sign_in(MEMBER).await;
    assert_eq!(
        http.status_of("/v1/tokens", member.expose()).await,
        403,
        "not granted yet"
    );

    let data = tempfile::tempdir().expect("data dir");
    let log = data.path().join("driver-and-app.log");
    let (_driver, c) = launch(&data.path().join("app"), &server.url, &log).await;
    wait_for(&c, "#server").await;
    sign_in(&c, ADMIN).await;
    button(&c, "Sign in").await.click().await.expect("sign in");
    wait_for(&c, "nav[aria-label='Main']").await;

    // "They go to System Settings → Roles"
    link(&c, "System Settings").await;
    wait_for_text(&c, "#main h2", "System Settings").await;
    link(&c, "Roles").await;
    wait_for_text(&c, "#main h2", "Roles").await;
    let hash = js(&c, "return window.location.hash").await;
    assert_eq!(hash, "#/system-settings/roles");

    wait_for(&c, ".role-choice").await;
    screenshot(&c, "15-roles").await;

    // The built-in Admin role: every box checked and locked.
    open_role(&c, "Admin").await;
    wait_for_text(&c, "#role-title", "Admin").await;
    let unlocked = js(
        &c,
        "return Array.from(document.querySelectorAll('.role-editor input[type=checkbox]'))\
           .filter(b => !b.checked || !b.disabled).length",
    )
    .await;
    assert_eq!(
        unlocked, 0,
        "the Admin role's boxes are all checked and locked"
    );

    // "open your role": focus lands on its heading.
    open_role(&c, "Member").await;
    wait_for_text(&c, "#role-title", "Member").await;
    let focused = js(&c, "return document.activeElement.id").await;
    assert_eq!(focused, "role-title");
    let save = button(&c, "Save").await;
    assert!(
        !save.is_enabled().await.expect("enabled?"),
        "nothing to save yet"
    );

    // "check Manage API Tokens under Developer" — with Space, as from the keyboard.
    let manage = permission_box(&c, "Developer", "Manage API Tokens").await;
    assert!(!manage.is_selected().await.expect("checked?"));
    manage.send_keys(" ").await.expect("space");
    assert!(manage.is_selected().await.expect("checked?"));

    // Opening another role now asks first; Cancel keeps the change.
    open_role(&c, "Admin").await;
    wait_for_text(&c, "[role=dialog]", "Discard changes?").await;
    button(&c, "Cancel").await.click().await.expect("cancel");
    wait_for_text(&c, "#role-title", "Member").await;
    assert!(permission_box(&c, "Developer", "Manage API Tokens")
        .await
        .is_selected()
        .await
        .expect("checked?"));
    screenshot(&c, "16-roles-member").await;

    // "and save."
    button(&c, "Save").await.click().await.expect("save");
    wait_for_text(&c, ".saved", "Saved.").await;
    assert!(
        !button(&c, "Save")
            .await
            .is_enabled()
            .await
            .expect("enabled?"),
        "saved: nothing left to save"
    );

    // The member's own session now reaches the token API.
    assert_eq!(http.status_of("/v1/tokens", member.expose()).await, 200);
}
