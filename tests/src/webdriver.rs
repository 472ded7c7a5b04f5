//! Driving the built app in a real window: tauri-driver + WebKitWebDriver (under the Xvfb and
//! D-Bus session `scripts/test-desktop.sh` provides), and the small steps every window test
//! takes — wait for an element or a text, click a button or a link by its words, type, sign in,
//! take a screenshot.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::workspace_root;

/// How long a step may take on a loaded 2-core machine.
pub const WAIT: Duration = Duration::from_secs(30);

/// A running tauri-driver, killed (with the app it started) on drop.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    home.join("bin").join("tauri-driver")
}

/// Starts tauri-driver; the app it launches inherits this environment (data folder, server
/// address, D-Bus session, display). Its output and the app's go to `log`.
pub fn start_driver(data_dir: &Path, server_url: &str, log: &Path) -> Driver {
    start_driver_in(Some(data_dir), server_url, log)
}

/// [`start_driver`], and with `None` the app uses its default data folder (under `$HOME`), as
/// when a person starts it from the menu.
pub fn start_driver_in(data_dir: Option<&Path>, server_url: &str, log: &Path) -> Driver {
    let port = free_port();
    let native_port = free_port();
    let log_file = std::fs::File::create(log).expect("log file");
    let mut command = Command::new(tauri_driver());
    if let Some(dir) = data_dir {
        command.env("KEEBAI_DATA_DIR", dir);
    }
    let child = command
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("KEEBAI_SERVER_URL", server_url)
        .env("KEEBAI_LOG", "debug")
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("log"))
        .stderr(log_file)
        .spawn()
        .expect("tauri-driver (cargo install tauri-driver --locked)");
    // Wait for it to accept connections.
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { child, port }
}

pub async fn connect(driver: &Driver, app: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app }),
    );
    // tauri-driver accepts connections before the WebKitWebDriver it starts is listening; a
    // session request in that gap is dropped (seen on a cold machine), so retry for a while.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let attempt = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await;
        match attempt {
            Ok(client) => return client,
            Err(e) if Instant::now() < deadline => {
                eprintln!("WebDriver session not ready yet ({e}); retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("a WebDriver session with the app: {e}"),
        }
    }
}

pub async fn wait_for(c: &Client, css: &str) -> Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

pub async fn wait_for_text(c: &Client, css: &str, needle: &str) -> Element {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if el.text().await.is_ok_and(|t| t.contains(needle)) {
                return el;
            }
        }
        assert!(Instant::now() < deadline, "{css} never showed {needle:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn wait_until_gone(c: &Client, css: &str) {
    let deadline = Instant::now() + WAIT;
    while c.find(Locator::Css(css)).await.is_ok() {
        assert!(Instant::now() < deadline, "{css} is still there");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn button(c: &Client, label: &str) -> Element {
    let xpath = format!("//button[normalize-space(.)='{label}']");
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("button {label:?}: {e}"))
}

/// Clicks Create API Key until its modal is open. Right after the previous modal closed, a
/// click can land while the page is still restoring focus and be lost (seen once in CI).
pub async fn open_create_modal(c: &Client) {
    for _ in 0..5 {
        button(c, "Create API Key")
            .await
            .click()
            .await
            .expect("open");
        let opened = c
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css("#token-name"))
            .await;
        if opened.is_ok() {
            return;
        }
    }
    panic!("the Create API Key modal did not open");
}

pub async fn type_into(c: &Client, css: &str, text: &str) {
    let el = wait_for(c, css).await;
    el.clear().await.expect("clear");
    el.send_keys(text).await.expect("type");
}

/// `$KEEBAI_SCREENSHOTS_DIR` (relative to the workspace root, since cargo runs tests from the
/// crate folder), else `target/e2e-screenshots`.
pub fn screenshots_dir() -> PathBuf {
    std::env::var_os("KEEBAI_SCREENSHOTS_DIR")
        .map(|d| workspace_root().join(d))
        .unwrap_or_else(|| workspace_root().join("target").join("e2e-screenshots"))
}

/// Saves a picture of the app's window as `<name>.png`. It takes the session, though the picture
/// comes from the X display, so that every call stays tied to a running app.
pub async fn screenshot(_c: &Client, name: &str) {
    // Let transitions and fonts settle so the picture shows the finished screen.
    tokio::time::sleep(Duration::from_millis(400)).await;
    // The X display's picture of the app's window, not WebDriver's: see `crate::xwd`.
    let png = crate::xwd::window_png(crate::xwd::APP_WINDOW).expect("screenshot");
    let dir = screenshots_dir();
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

pub fn xclip(target: &str) -> Option<String> {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard", "-t", target])
        .output()
        .expect("xclip");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub async fn sign_in(c: &Client, (email, password): (&str, &str)) {
    type_into(c, "#tenant", crate::TENANT).await;
    type_into(c, "#email", email).await;
    type_into(c, "#password", password).await;
}

/// From the sign-in form to the API Keys table: the form is there, `who` signs in, and the
/// table's counter has been drawn.
pub async fn sign_in_to_api_keys(c: &Client, who: (&str, &str)) {
    wait_for(c, "#server").await;
    sign_in(c, who).await;
    button(c, "Sign in").await.click().await.expect("sign in");
    wait_for_text(c, "#active-counter", "of 10 active").await;
}

/// The checkbox whose label has exactly these words (its accessible name).
pub async fn checkbox(c: &Client, label: &str) -> Element {
    let xpath = format!("//label[normalize-space(.)='{label}']//input[@type='checkbox']");
    c.find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("a checkbox labelled {label:?}: {e}"))
}

/// Clicks the link with exactly these words (the navigation, System Settings' sections).
pub async fn link(c: &Client, label: &str) -> Element {
    // A navigation link's name is its label; a count badge may follow it (Rotation's).
    let xpath = format!(
        "//a[normalize-space(.)='{label}' or normalize-space(span[@class='nav-label'])='{label}']"
    );
    let el = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("link {label:?}: {e}"));
    el.clone()
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {label:?}: {e}"));
    el
}

/// The app in a window: tauri-driver started with this data folder and server address, and a
/// WebDriver session with the built app binary.
pub async fn launch(data_dir: &Path, server_url: &str, log: &Path) -> (Driver, Client) {
    let app = crate::app_binary();
    let driver = start_driver(data_dir, server_url, log);
    let client = connect(&driver, &app).await;
    (driver, client)
}

/// The processes running `exe` with `KEEBAI_DATA_DIR=data_dir` (read from /proc; WebKit's own
/// helper processes inherit the variable too, hence the check of the executable).
pub fn app_processes(exe: &Path, data_dir: &Path) -> Vec<u32> {
    let exe = std::fs::canonicalize(exe).expect("app binary");
    let wanted = format!("KEEBAI_DATA_DIR={}", data_dir.display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // A binary rebuilt under a running process shows as "… (deleted)".
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| {
                let p = p.to_string_lossy();
                p.strip_suffix(" (deleted)").unwrap_or(&p) == exe.to_string_lossy()
            })
        })
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|var| var == wanted.as_bytes()))
        })
        .collect()
}

/// Waits until no app runs on `data_dir` any more (a relaunch before then would be handed over
/// to the one quitting).
pub async fn wait_until_quit(data_dir: &Path) {
    let exe = keebai_testkit::cargo_binary("keebai-keys", "keebai-keys");
    let deadline = Instant::now() + WAIT;
    while !app_processes(&exe, data_dir).is_empty() {
        assert!(Instant::now() < deadline, "the app did not quit");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .expect("xdotool");
    assert!(
        out.status.success(),
        "xdotool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Types `path` into the open native save dialog titled `title` and presses Enter, with real
/// key presses (xdotool, XTEST), as a person would; blocking, so call it off the async runtime.
pub fn save_in_native_dialog(title: &str, path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let window = loop {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", &format!("^{title}$")])
            .output()
            .expect("xdotool");
        if let Some(id) = String::from_utf8_lossy(&out.stdout).lines().last() {
            break id.to_owned();
        }
        assert!(Instant::now() < deadline, "the save dialog never opened");
        std::thread::sleep(Duration::from_millis(200));
    };
    // No window manager under Xvfb: give the dialog the keyboard focus ourselves.
    xdotool(&["windowfocus", "--sync", &window]);
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--delay", "15", &path.display().to_string()]);
    xdotool(&["key", "Return"]);
}
