//! The desktop shell in real windows under Xvfb: launching twice leaves one app, still signed
//! in; the window comes back at the size it was left, and a window saved where no monitor is
//! comes back on the screen.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::Client;
use keebai_e2e::webdriver::{
    app_processes, button, launch, sign_in, wait_for, wait_for_text, wait_until_quit, WAIT,
};
use keebai_e2e::{DemoServer, DEVELOPER};

async fn inner_size(c: &Client) -> (u64, u64) {
    let v = c
        .execute("return [window.innerWidth, window.innerHeight]", vec![])
        .await
        .expect("inner size");
    (
        v[0].as_u64().expect("width"),
        v[1].as_u64().expect("height"),
    )
}

async fn signed_in(c: &Client) {
    wait_for(c, "#server").await;
    sign_in(c, DEVELOPER).await;
    button(c, "Sign in").await.click().await.expect("sign in");
    wait_for_text(c, "#active-counter", "of 10 active").await;
}

fn data_and_log() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let data = tempfile::tempdir().expect("data dir");
    let app_data = data.path().join("app");
    let log = data.path().join("driver-and-app.log");
    (data, app_data, log)
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn a_second_launch_leaves_one_app_still_signed_in() {
    let server = DemoServer::demo();
    let (_data, app_data, log) = data_and_log();
    let (_driver, c) = launch(&app_data, &server.url, &log).await;
    signed_in(&c).await;
    let exe = keebai_testkit::cargo_binary("keebai-keys", "keebai-keys");
    assert_eq!(app_processes(&exe, &app_data).len(), 1, "the first app");

    // Launched again, as a person would from the menu, on the same data folder.
    let mut second = Command::new(&exe)
        .env("KEEBAI_DATA_DIR", &app_data)
        .env("KEEBAI_SERVER_URL", &server.url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("second launch");
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = second.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch is still running");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "the second launch exited with {status}");

    // One app remains: the first, still signed in, its list still there and working.
    assert_eq!(app_processes(&exe, &app_data).len(), 1, "one app remains");
    wait_for_text(&c, "#active-counter", "of 10 active").await;
    button(&c, "Sign out").await;
    let app_log = std::fs::read_to_string(app_data.join("logs").join("keebai-keys.log"))
        .expect("the app's log");
    assert!(
        app_log.contains("launched again; bringing this window to the front"),
        "the running app was asked to come to the front"
    );
    c.close().await.expect("close session");
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn the_window_comes_back_as_it_was_left_and_on_screen() {
    let server = DemoServer::demo();
    let (_data, app_data, log) = data_and_log();
    let state_file = app_data.join("window-state.json");

    // Resize, then quit.
    let (driver, c) = launch(&app_data, &server.url, &log).await;
    wait_for(&c, "#server").await;
    let first = inner_size(&c).await;
    c.set_window_size(940, 640).await.expect("resize");
    let deadline = Instant::now() + WAIT;
    let resized = loop {
        let now = inner_size(&c).await;
        if now != first {
            break now;
        }
        assert!(
            Instant::now() < deadline,
            "the window kept its size {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Saved once the window has settled, in the data folder.
    let deadline = Instant::now() + WAIT;
    while !std::fs::read_to_string(&state_file)
        .is_ok_and(|s| s.contains(&format!("\"width\": {}", resized.0)))
    {
        assert!(Instant::now() < deadline, "no window state saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.close().await.expect("quit");
    drop(driver);
    wait_until_quit(&app_data).await;

    // Relaunched on the same data folder: the same size.
    let (driver, c) = launch(&app_data, &server.url, &log).await;
    wait_for(&c, "#server").await;
    assert_eq!(inner_size(&c).await, resized, "the size survived a restart");
    c.close().await.expect("quit");
    drop(driver);
    wait_until_quit(&app_data).await;

    // Saved on a monitor since unplugged (far right of the 1280×900 screen), too big for this
    // one: it comes back on the screen, fitted to it.
    let mut states: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).expect("state")).expect("json");
    for (key, value) in [
        ("x", 3000),
        ("y", 200),
        ("prev_x", 3000),
        ("prev_y", 200),
        ("width", 1600),
        ("height", 1000),
    ] {
        states["main"][key] = value.into();
    }
    std::fs::write(&state_file, states.to_string()).expect("write state");
    let (_driver, c) = launch(&app_data, &server.url, &log).await;
    wait_for(&c, "#server").await;
    let corrected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).expect("state")).expect("json");
    let main = &corrected["main"];
    let (x, y) = (main["x"].as_i64(), main["y"].as_i64());
    let (w, h) = (main["width"].as_i64(), main["height"].as_i64());
    assert_eq!((w, h), (Some(1280), Some(900)), "fitted to the screen");
    assert_eq!((x, y), (Some(0), Some(0)), "placed on the screen");
    let deadline = Instant::now() + WAIT;
    while inner_size(&c).await != (1280, 900) {
        assert!(Instant::now() < deadline, "the window is not on the screen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let position = c
        .execute("return [window.screenX, window.screenY]", vec![])
        .await
        .expect("position");
    let (sx, sy) = (position[0].as_i64(), position[1].as_i64());
    assert!(
        sx.is_some_and(|x| (0..1280).contains(&x)) && sy.is_some_and(|y| (0..900).contains(&y)),
        "the window is at {position}"
    );
    c.close().await.expect("quit");
}
