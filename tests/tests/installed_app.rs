//! The app as the .deb installs it: `/usr/bin/keebai-keys` (`$KEEBAI_APP_BINARY`) in a real
//! window, with its default data folder under `$HOME`, against `keebai-server demo`. It signs
//! in, shows the API Keys table, quits, and on the next launch restores the session from the
//! keyring without asking again.
//!
//! `scripts/test-package.sh` installs the packages and runs this under Xvfb with a D-Bus
//! session and an unlocked gnome-keyring, `HOME` set to a throwaway folder.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use keebai_e2e::webdriver::{
    button, connect, sign_in, start_driver_in, wait_for, wait_for_text, WAIT,
};
use keebai_e2e::{DemoServer, DEVELOPER};

/// Whether a process runs `exe` (WebKit's helpers run other executables).
fn running(exe: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|e| {
        e.file_name()
            .to_str()
            .is_some_and(|n| n.parse::<u32>().is_ok())
            && std::fs::read_link(e.path().join("exe")).is_ok_and(|p| p == exe)
    })
}

async fn table_rows(c: &Client) -> usize {
    c.find_all(Locator::Css("table.tokens tbody tr"))
        .await
        .expect("rows")
        .len()
}

#[tokio::test]
#[ignore = "needs the installed .deb, Xvfb, D-Bus + gnome-keyring and tauri-driver: run scripts/test-package.sh"]
async fn the_installed_app_signs_in_and_restores_its_session() {
    let app = PathBuf::from(
        std::env::var_os("KEEBAI_APP_BINARY")
            .expect("KEEBAI_APP_BINARY names the installed app, e.g. /usr/bin/keebai-keys"),
    );
    let app = std::fs::canonicalize(&app).expect("the installed app");
    let server = DemoServer::demo();
    let logs = tempfile::tempdir().expect("log dir");
    let log = logs.path().join("driver-and-app.log");

    let driver = start_driver_in(None, &server.url, &log);
    let c = connect(&driver, &app).await;
    let server_field = wait_for(&c, "#server").await;
    assert_eq!(
        server_field.prop("value").await.expect("value").as_deref(),
        Some(server.url.as_str())
    );
    sign_in(&c, DEVELOPER).await;
    button(&c, "Sign in").await.click().await.expect("sign in");
    wait_for_text(&c, "#active-counter", "of 10 active").await;
    assert!(
        table_rows(&c).await > 0,
        "the demo user's tokens are listed"
    );

    // Quit, then launch again as from the menu: no sign-in form, the table straight away.
    c.close().await.expect("quit");
    drop(driver);
    let deadline = Instant::now() + WAIT;
    while running(&app) {
        assert!(Instant::now() < deadline, "the app did not quit");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let driver = start_driver_in(None, &server.url, &log);
    let c = connect(&driver, &app).await;
    wait_for_text(&c, "#active-counter", "of 10 active").await;
    assert!(
        table_rows(&c).await > 0,
        "the restored session lists the tokens"
    );
    assert!(
        c.find(Locator::Css("#password")).await.is_err(),
        "no sign-in form after a restored session"
    );

    button(&c, "Sign out")
        .await
        .click()
        .await
        .expect("sign out");
    wait_for(&c, "#server").await;
    c.close().await.expect("quit");
}
