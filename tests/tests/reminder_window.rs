//! The day's reminder in the real window with a real notification service: dunst, the
//! freedesktop notification daemon, started by the test on its D-Bus session and Xvfb display
//! (the session bus was started before the display, so D-Bus activation could not start it). Against `keebai-server demo`, whose
//! developer has one token expiring in 5 days and two due for rotation:
//! * **Rotation** in the navigation carries the badge "3" (hidden from screen readers), and its
//!   link reads "Rotation, 3 API keys need attention";
//! * dunst shows one notification, with counts and no link; clicking it (`dunstctl action`,
//!   the default action, what a click on its body does) brings the window forward on the
//!   Rotation screen, which says the same counts;
//! * *Remind me about expiring and overdue tokens* on the Settings page is on by default and
//!   turned off from the keyboard; the choice is saved.
//!
//! Once a day across syncs and launches is tested in the command layer (`reminders.rs`).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::Client;
use keebai_e2e::webdriver::{
    checkbox, launch, link, screenshot, sign_in_to_api_keys, wait_for_text,
};

use keebai_e2e::{DemoServer, DEVELOPER};
use keebai_keys::settings::SettingsFile;

const LABEL: &str = "Remind me about expiring and overdue tokens";
const TITLE: &str = "3 API keys need attention";

fn dunstctl(args: &[&str]) -> Option<String> {
    let out = Command::new("dunstctl").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The notifications dunst shows now.
fn displayed() -> usize {
    dunstctl(&["count", "displayed"])
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// dunst on this display, with a rule that writes each notification it shows (application,
/// summary, body) to `shown`, a line each: a notification that is clicked leaves no history.
/// Killed when dropped.
struct Dunst {
    child: std::process::Child,
    shown: PathBuf,
}

impl Drop for Dunst {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Dunst {
    async fn start(dir: &Path) -> Dunst {
        let shown = dir.join("shown.tsv");
        let script = dir.join("record.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\t%s\\t%s\\n' \"$1\" \"$2\" \"$3\" >> '{}'\n",
                shown.display()
            ),
        )
        .expect("script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let config = dir.join("dunstrc");
        std::fs::write(
            &config,
            format!(
                // Normal notifications stay until acted on (dunst's default is 10 s), so a
                // slow machine cannot lose the one the test clicks.
                "[global]\n    always_run_script = true\n[urgency_normal]\n    timeout = 0\n[record]\n    appname = \"*\"\n    script = {}\n",
                script.display()
            ),
        )
        .expect("dunstrc");
        let child = Command::new("dunst")
            .arg("-config")
            .arg(&config)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect(
                "dunst is missing (apt-get install dunst; scripts/test-desktop.sh installs it)",
            );
        let dunst = Dunst { child, shown };
        until("dunst to answer", || dunstctl(&["is-paused"]).is_some()).await;
        dunst
    }

    /// (application, summary, body) of every notification shown so far.
    fn shown(&self) -> Vec<(String, String, String)> {
        std::fs::read_to_string(&self.shown)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let mut f = l.splitn(3, '\t').map(str::to_owned);
                Some((f.next()?, f.next()?, f.next()?))
            })
            .collect()
    }
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn hash(c: &Client) -> String {
    c.execute("return window.location.hash", vec![])
        .await
        .expect("location")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, dunst, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn the_reminder_badges_rotation_notifies_once_and_its_click_opens_rotation() {
    let data = tempfile::tempdir().expect("data dir");
    let dunst = Dunst::start(data.path()).await;
    let before = displayed();

    let server = DemoServer::demo();
    let app_data = data.path().join("app");
    let log = data.path().join("driver-and-app.log");
    let (_driver, c) = launch(&app_data, &server.url, &log).await;

    sign_in_to_api_keys(&c, DEVELOPER).await;

    // The badge on Rotation, and what a screen reader hears.
    let badge = wait_for_text(&c, "nav [data-badge-for='/rotation']", "3").await;
    assert_eq!(badge.text().await.expect("badge"), "3");
    // What a screen reader reads: the link's text without what is aria-hidden.
    let read = c
        .execute(
            "const a = document.querySelector(\"nav a[href='#/rotation']\"); \
             const b = a.querySelector('.nav-badge'); \
             return [b.getAttribute('aria-hidden'), Array.from(a.childNodes) \
               .filter(n => !(n.nodeType === 1 && n.getAttribute('aria-hidden') === 'true')) \
               .map(n => n.textContent).join('').replace(/\\s+/g, ' ').trim()]",
            vec![],
        )
        .await
        .expect("link text");
    assert_eq!(
        read,
        serde_json::json!(["true", "Rotation, 3 API keys need attention"])
    );
    screenshot(&c, "reminder-badge").await;

    // One notification, from the app, with the counts.
    until("the reminder notification", || displayed() > before).await;
    assert_eq!(displayed(), before + 1, "one notification");

    // Somewhere else first, so the click has somewhere to take the user.
    link(&c, "Settings").await;
    wait_for_text(&c, "#main h2", "Settings").await;
    let setting = checkbox(&c, LABEL).await;
    assert!(setting.is_selected().await.expect("state"), "on by default");

    // A click on the notification: dunst invokes its default action and closes it.
    dunstctl(&["action", "0"]).expect("dunstctl action");
    wait_for_text(&c, "#main h2", "Rotation").await;
    assert_eq!(hash(&c).await, "#/rotation");
    wait_for_text(
        &c,
        "#attention-summary",
        "3 API keys need attention: 1 expires within 7 days, 2 are due for rotation.",
    )
    .await;
    screenshot(&c, "reminder-opened-rotation").await;

    // What dunst showed.
    let shown = dunst.shown();
    let ours: Vec<_> = shown.iter().filter(|n| n.0 == "Keebai Keys").collect();
    assert_eq!(ours.len(), 1, "exactly one reminder: {shown:?}");
    let (_, title, body) = ours[0];
    assert_eq!(title, TITLE);
    assert!(
        body.contains("1 expires within 7 days, 2 are due for rotation"),
        "{body}"
    );
    assert!(!body.contains("://"), "no link in it: {body}");

    // Turned off from the keyboard, and saved.
    link(&c, "Settings").await;
    let setting = checkbox(&c, LABEL).await;
    setting.send_keys(" ").await.expect("Space");
    let settings = SettingsFile::in_dir(&app_data);
    until("the setting to be saved", || !settings.load().reminders).await;
    assert!(!setting.is_selected().await.expect("state"));
}
