//! The Settings page's "Keep an offline copy after signing out" in the real window: a checkbox
//! labelled exactly so, off by default, toggled from the keyboard, saved at once, and honoured
//! by **Sign out** (the cached list stays in the data folder).

use std::time::{Duration, Instant};

use keebai_e2e::webdriver::{
    button, checkbox, launch, link, screenshot, sign_in_to_api_keys, wait_for, wait_for_text,
};
use keebai_e2e::{DemoServer, DEVELOPER, TENANT};
use keebai_keys::cache::Cache;
use keebai_keys::settings::{Account, SettingsFile};

const LABEL: &str = "Keep an offline copy after signing out";

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn the_offline_copy_setting_is_a_labelled_checkbox_that_sign_out_honours() {
    let server = DemoServer::demo();
    let data = tempfile::tempdir().expect("data dir");
    let app_data = data.path().join("app");
    let log = data.path().join("driver-and-app.log");
    let (_driver, c) = launch(&app_data, &server.url, &log).await;

    sign_in_to_api_keys(&c, DEVELOPER).await;

    link(&c, "Settings").await;
    wait_for_text(&c, "#main h2", "Settings").await;
    // Found by its label's exact words: that is its accessible name.
    let setting = checkbox(&c, LABEL).await;
    assert!(
        !setting.is_selected().await.expect("state"),
        "off by default"
    );

    // From the keyboard: focus it, press Space.
    setting.send_keys(" ").await.expect("Space");
    let settings = SettingsFile::in_dir(&app_data);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !settings.load().keep_offline_copy {
        assert!(Instant::now() < deadline, "the setting was not saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(setting.is_selected().await.expect("state"));
    screenshot(&c, "13-settings").await;

    button(&c, "Sign out")
        .await
        .click()
        .await
        .expect("sign out");
    wait_for(&c, "#server").await;
    let account = Account {
        server: server.url.clone(),
        tenant: TENANT.to_owned(),
        email: DEVELOPER.0.to_owned(),
    };
    let kept = Cache::open_in(&app_data)
        .expect("cache")
        .load(&account.key())
        .expect("load");
    assert!(
        kept.is_some(),
        "the list stays after sign-out with the setting on"
    );
    c.close().await.expect("close");
}
