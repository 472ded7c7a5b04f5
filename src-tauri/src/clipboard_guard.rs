//! Copying a freshly minted token, and taking it back off the clipboard.
//!
//! [`ClipboardGuard::copy`] writes the secret with the clipboard-history exclusion hints
//! (on Linux/X11 the `x-kde-passwordManagerHint: secret` target) and arms a timer. When the timer
//! fires, or when the app quits, the clipboard is cleared **only if it still holds that token**:
//! anything the user copied since is left alone. The guard remembers the token's SHA-256, not the
//! token, so nothing secret outlives the one-time view.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keebai_api::{TokenHash, TokenSecret};
use zeroize::Zeroize;

/// The three clipboard operations the guard needs. Implemented over the Tauri clipboard plugin
/// in the app and over arboard directly in tests.
pub trait SecretClipboard: Send + Sync + 'static {
    /// Writes `text` marked as secret so clipboard managers keep it out of their history.
    fn write_secret(&self, text: &str) -> Result<(), String>;
    fn read_text(&self) -> Result<String, String>;
    fn clear(&self) -> Result<(), String>;
}

/// What happened when the guard looked at the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClearOutcome {
    /// The clipboard still held the token and was cleared.
    Cleared,
    /// Something else is on the clipboard now; it was left alone.
    LeftAlone,
    /// Nothing was armed (never copied, already cleared, or superseded by a newer copy).
    NothingArmed,
}

struct Armed {
    hash: TokenHash,
    generation: u64,
}

pub struct ClipboardGuard {
    clipboard: Arc<dyn SecretClipboard>,
    armed: Arc<Mutex<Option<Armed>>>,
    generation: AtomicU64,
}

impl ClipboardGuard {
    pub fn new(clipboard: Arc<dyn SecretClipboard>) -> Self {
        Self {
            clipboard,
            armed: Arc::new(Mutex::new(None)),
            generation: AtomicU64::new(0),
        }
    }

    /// Copies `secret` and clears it after `after` unless the user replaced it first.
    pub fn copy(&self, secret: &TokenSecret, after: Duration) -> Result<(), String> {
        self.clipboard.write_secret(secret.expose())?;
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        *self.armed.lock().map_err(|_| "clipboard state poisoned")? = Some(Armed {
            hash: secret.sha256(),
            generation,
        });
        let clipboard = Arc::clone(&self.clipboard);
        let armed = Arc::clone(&self.armed);
        std::thread::Builder::new()
            .name("clipboard-timer".into())
            .spawn(move || {
                std::thread::sleep(after);
                // A newer copy re-armed the guard with its own timer; this one has nothing to do.
                let _ = clear_if_ours(&*clipboard, &armed, Some(generation));
            })
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Clears now if the clipboard still holds the copied token (used on quit and sign-out).
    pub fn clear_now(&self) -> Result<ClearOutcome, String> {
        clear_if_ours(&*self.clipboard, &self.armed, None)
    }

    /// Whether a copied token may still be on the clipboard.
    pub fn is_armed(&self) -> bool {
        self.armed.lock().map(|a| a.is_some()).unwrap_or(false)
    }
}

fn clear_if_ours(
    clipboard: &dyn SecretClipboard,
    armed: &Mutex<Option<Armed>>,
    generation: Option<u64>,
) -> Result<ClearOutcome, String> {
    let mut slot = armed.lock().map_err(|_| "clipboard state poisoned")?;
    let Some(current) = slot.as_ref() else {
        return Ok(ClearOutcome::NothingArmed);
    };
    if generation.is_some_and(|g| g != current.generation) {
        return Ok(ClearOutcome::NothingArmed);
    }
    let hash = current.hash;
    *slot = None;
    // An empty or non-text clipboard reads as an error on some platforms: either way it does
    // not hold our token.
    let mut text = clipboard.read_text().unwrap_or_default();
    let ours = TokenSecret::parse(&text).is_ok_and(|t| t.sha256().ct_eq(&hash));
    text.zeroize();
    if ours {
        clipboard.clear()?;
        Ok(ClearOutcome::Cleared)
    } else {
        Ok(ClearOutcome::LeftAlone)
    }
}

/// The clipboard through arboard, with the same exclusion hints as the Tauri plugin's
/// `write_secret`. Used by tests, which run without a Tauri app.
pub struct ArboardClipboard {
    inner: Mutex<arboard::Clipboard>,
}

impl ArboardClipboard {
    pub fn new() -> Result<Self, String> {
        Ok(Self {
            inner: Mutex::new(arboard::Clipboard::new().map_err(|e| e.to_string())?),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>,
    ) -> Result<T, String> {
        let mut guard = self.inner.lock().map_err(|_| "clipboard poisoned")?;
        f(&mut guard).map_err(|e| e.to_string())
    }
}

impl SecretClipboard for ArboardClipboard {
    fn write_secret(&self, text: &str) -> Result<(), String> {
        self.with(|c| exclude_from_history(c.set()).text(text))
    }

    fn read_text(&self) -> Result<String, String> {
        self.with(|c| c.get_text())
    }

    fn clear(&self) -> Result<(), String> {
        self.with(|c| c.clear())
    }
}

#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "macos"
))]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    #[cfg(target_os = "macos")]
    use arboard::SetExtApple as _;
    #[cfg(not(target_os = "macos"))]
    use arboard::SetExtLinux as _;
    set.exclude_from_history()
}

#[cfg(windows)]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtWindows as _;
    set.exclude_from_monitoring()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-process stand-in for the OS clipboard, to test the guard's decisions.
    #[derive(Default)]
    struct FakeClipboard(Mutex<String>);

    impl SecretClipboard for FakeClipboard {
        fn write_secret(&self, text: &str) -> Result<(), String> {
            *self.0.lock().map_err(|_| "p")? = text.to_owned();
            Ok(())
        }
        fn read_text(&self) -> Result<String, String> {
            Ok(self.0.lock().map_err(|_| "p")?.clone())
        }
        fn clear(&self) -> Result<(), String> {
            self.0.lock().map_err(|_| "p")?.clear();
            Ok(())
        }
    }

    fn token() -> TokenSecret {
        TokenSecret::generate_pat().expect("rng")
    }

    #[test]
    fn clears_only_its_own_token() {
        let clip = Arc::new(FakeClipboard::default());
        let guard = ClipboardGuard::new(Arc::clone(&clip) as Arc<dyn SecretClipboard>);
        let t = token();
        guard.copy(&t, Duration::from_secs(3600)).expect("copy");
        assert_eq!(clip.read_text().expect("read"), t.expose());
        assert_eq!(guard.clear_now(), Ok(ClearOutcome::Cleared));
        assert_eq!(clip.read_text().expect("read"), "");
        assert_eq!(guard.clear_now(), Ok(ClearOutcome::NothingArmed));

        guard.copy(&t, Duration::from_secs(3600)).expect("copy");
        clip.write_secret("something the user copied")
            .expect("write");
        assert_eq!(guard.clear_now(), Ok(ClearOutcome::LeftAlone));
        assert_eq!(clip.read_text().expect("read"), "something the user copied");
    }

    #[test]
    fn timer_clears_after_the_delay() {
        let clip = Arc::new(FakeClipboard::default());
        let guard = ClipboardGuard::new(Arc::clone(&clip) as Arc<dyn SecretClipboard>);
        guard
            .copy(&token(), Duration::from_millis(50))
            .expect("copy");
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(clip.read_text().expect("read"), "");
        assert!(!guard.is_armed());
    }

    #[test]
    fn an_older_timer_does_not_clear_a_newer_copy() {
        let clip = Arc::new(FakeClipboard::default());
        let guard = ClipboardGuard::new(Arc::clone(&clip) as Arc<dyn SecretClipboard>);
        guard
            .copy(&token(), Duration::from_millis(50))
            .expect("copy");
        let second = token();
        guard
            .copy(&second, Duration::from_secs(3600))
            .expect("copy");
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(clip.read_text().expect("read"), second.expose());
        assert!(guard.is_armed());
    }
}
