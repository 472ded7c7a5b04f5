//! The clipboard guard against a real X11 clipboard (Xvfb), read back by a separate client
//! (`xclip`) the way another application would see it. Ignored by a plain `cargo test`.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keebai_api::TokenSecret;
use keebai_keys::clipboard_guard::{ArboardClipboard, ClipboardGuard, SecretClipboard};

/// One X clipboard for the whole binary: the tests take turns.
static CLIPBOARD: Mutex<()> = Mutex::new(());

fn xclip_read(target: &str) -> Option<String> {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard", "-t", target])
        .output()
        .expect("xclip is installed");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Another application copying text: xclip takes the selection and serves it from a
/// background process until something else takes it.
fn xclip_write(text: &str) {
    use std::io::Write;
    let mut child = Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("xclip");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    child.wait().expect("xclip forks and exits");
}

fn guard() -> ClipboardGuard {
    let clipboard = ArboardClipboard::new().expect("an X display (run under xvfb-run)");
    ClipboardGuard::new(Arc::new(clipboard) as Arc<dyn SecretClipboard>)
}

#[test]
#[ignore = "needs an X display: run scripts/test-desktop.sh"]
fn copy_offers_the_token_with_the_history_exclusion_hint() {
    let _turn = CLIPBOARD.lock().unwrap_or_else(|p| p.into_inner());
    let guard = guard();
    let token = TokenSecret::generate_pat().expect("rng");
    guard.copy(&token, Duration::from_secs(60)).expect("copy");

    assert_eq!(xclip_read("UTF8_STRING").as_deref(), Some(token.expose()));
    let targets = xclip_read("TARGETS").expect("targets");
    assert!(
        targets.lines().any(|t| t == "x-kde-passwordManagerHint"),
        "targets: {targets}"
    );
    assert_eq!(
        xclip_read("x-kde-passwordManagerHint").as_deref(),
        Some("secret")
    );
    guard.clear_now().expect("clear");
}

#[test]
#[ignore = "needs an X display: run scripts/test-desktop.sh"]
fn the_token_is_cleared_after_the_timeout() {
    let _turn = CLIPBOARD.lock().unwrap_or_else(|p| p.into_inner());
    let guard = guard();
    let token = TokenSecret::generate_pat().expect("rng");
    guard.copy(&token, Duration::from_secs(2)).expect("copy");
    assert_eq!(xclip_read("UTF8_STRING").as_deref(), Some(token.expose()));
    std::thread::sleep(Duration::from_secs(4));
    let now = xclip_read("UTF8_STRING").unwrap_or_default();
    assert!(!now.contains(token.expose()), "still on the clipboard");
    assert!(!guard.is_armed());
}

#[test]
#[ignore = "needs an X display: run scripts/test-desktop.sh"]
fn something_copied_meanwhile_is_left_alone() {
    let _turn = CLIPBOARD.lock().unwrap_or_else(|p| p.into_inner());
    let guard = guard();
    let token = TokenSecret::generate_pat().expect("rng");
    guard.copy(&token, Duration::from_secs(2)).expect("copy");
    xclip_write("the user's own text");
    assert_eq!(
        xclip_read("UTF8_STRING").as_deref(),
        Some("the user's own text")
    );
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(
        xclip_read("UTF8_STRING").as_deref(),
        Some("the user's own text")
    );
}
