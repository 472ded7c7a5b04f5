//! How WebKitGTK draws the window: without accelerated compositing unless asked.
//!
//! Measured under Xvfb on a machine without a GPU (docs/benchmarks.md, *Without accelerated
//! compositing*): WebKit's compositing then runs on Mesa's software OpenGL, which loads LLVM
//! into both the app and the web process, keeps its tiles in memory and costs most of every
//! scroll frame. Drawing without it, the app needs about 90 MiB less (release, 1,000 tokens
//! listed: 255 MiB against 346 MiB), starts faster, and a wheel scroll through 100,000
//! rows holds 60 Hz at the median. The app's screens are flat tables and forms with no 3D or video, so a GPU
//! has little to add; `KEEBAI_GPU_COMPOSITING=1` brings compositing back, and a
//! `WEBKIT_DISABLE_COMPOSITING_MODE` the user set is left as it is.

use std::ffi::OsStr;

/// Set to `1`, the app leaves WebKit's accelerated compositing on.
pub const GPU_COMPOSITING: &str = "KEEBAI_GPU_COMPOSITING";
/// WebKitGTK's own switch, read when the first web view is created.
pub const WEBKIT_DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// The value to give [`WEBKIT_DISABLE_COMPOSITING`], from what the environment holds now;
/// `None` leaves the environment alone.
pub fn compositing_switch(webkit: Option<&OsStr>, gpu: Option<&OsStr>) -> Option<&'static str> {
    if webkit.is_some() || gpu.is_some_and(|v| v == "1") {
        return None;
    }
    Some("1")
}

/// Applies [`compositing_switch`] to this process's environment; returns whether WebKit will
/// composite. Call it first thing in `run`, while the process has one thread: changing the
/// environment is sound only before another thread could read it.
pub fn choose_drawing() -> bool {
    let webkit = std::env::var_os(WEBKIT_DISABLE_COMPOSITING);
    let gpu = std::env::var_os(GPU_COMPOSITING);
    match compositing_switch(webkit.as_deref(), gpu.as_deref()) {
        Some(value) => {
            std::env::set_var(WEBKIT_DISABLE_COMPOSITING, value);
            false
        }
        // WebKit treats any value but "0" as "off".
        None => webkit.is_none_or(|v| v == "0"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> Option<&OsStr> {
        Some(OsStr::new(s))
    }

    #[test]
    fn compositing_is_off_by_default() {
        assert_eq!(compositing_switch(None, None), Some("1"));
        assert_eq!(compositing_switch(None, os("0")), Some("1"));
        assert_eq!(compositing_switch(None, os("yes")), Some("1"));
    }

    #[test]
    fn the_user_can_keep_it_on() {
        assert_eq!(compositing_switch(None, os("1")), None);
    }

    #[test]
    fn webkits_own_switch_wins_either_way() {
        assert_eq!(compositing_switch(os("0"), None), None);
        assert_eq!(compositing_switch(os("1"), None), None);
        assert_eq!(compositing_switch(os("1"), os("1")), None);
    }
}
