#!/usr/bin/env bash
# Builds and tests the Keebai Keys desktop app headlessly. Idempotent; safe on a fresh Debian 12.
#
#   1. system packages (WebKitGTK, Xvfb, D-Bus, gnome-keyring, xclip, WebKitWebDriver, dunst for
#      the reminder notification), npm deps,
#      tauri-driver — each only when missing;
#   2. the UI: vitest and svelte-check;
#   3. the UI (vite build into ui/dist, which the app embeds), then the app, keebai-server and
#      the tests, debug, once: the app in the same cargo run as the tests (see there why);
#   4. Rust tests: unit tests and the command layer against a real server; then, inside a
#      private D-Bus session with an unlocked gnome-keyring and under Xvfb, the keyring,
#      clipboard and real-window (tauri-driver) tests — the main flow, rotation, the product
#      guide's path, the offline-copy setting, one instance, the remembered window; then the
#      locked- and absent-keyring cases.
#
# Exits non-zero on the first failure. Downloads only from Debian, npm and crates.io.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '\n==> %s\n' "$*"; }

# ---------------------------------------------------------------------------------------------
log "system packages"
APT_PACKAGES=(
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev
  libsoup-3.0-dev libdbus-1-dev pkg-config build-essential
  webkit2gtk-driver xvfb xauth x11-apps dbus dbus-x11 gnome-keyring libsecret-tools xclip xdotool dunst
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  log "cargo install tauri-driver"
  cargo install tauri-driver --locked
fi
export TAURI_DRIVER="$(command -v tauri-driver || echo "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver")"

# ---------------------------------------------------------------------------------------------
log "UI: npm ci (with the pinned Tauri CLI), vitest, svelte-check"
(
  cd ui
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  npx vitest run
  npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings
  npm run build
)

# ---------------------------------------------------------------------------------------------
log "build the app, keebai-server and the tests (debug)"
cargo build -p keebai-server --bin keebai-server
# The app binary the window tests drive is built in the same cargo run as the tests, so both
# share one resolution of the crates' features. Built apart — as `tauri build` does, for the
# app alone — cargo resolves some shared crates' features differently (serde's `rc`, syn's
# `fold`, … that the tests' dependencies ask for) and compiled about 240 crates twice: 4.5
# minutes of CI. The Tauri CLI's own build is tested with the release package
# (scripts/test-package.sh runs scripts/test-tauri-cli.sh).
cargo build -p keebai-keys -p keebai-e2e --lib --bins --tests
cargo test -p keebai-keys -p keebai-e2e --no-run
# The tests use these binaries as they are, rather than asking cargo for the app alone, which
# is the other resolution again (keebai-testkit's `cargo_binary`).
export KEEBAI_E2E_NO_BUILD=1

log "unit tests and the command layer against a real server"
cargo test -p keebai-keys -p keebai-e2e

# ---------------------------------------------------------------------------------------------
# A private D-Bus session and keyring folder per phase, so the user's own keyring is never
# touched and every run starts empty.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

log "keyring, clipboard and real-window tests (D-Bus + unlocked gnome-keyring + Xvfb)"
mkdir -p "$WORK/unlocked"
# No DISPLAY for the session bus: a service it starts on demand (a notification daemon) must
# not appear on the screen of a developer running this, only on the tests' Xvfb.
env -u DISPLAY -u WAYLAND_DISPLAY XDG_DATA_HOME="$WORK/unlocked" XDG_RUNTIME_DIR="$WORK/unlocked" dbus-run-session -- bash -euo pipefail -c '
  # Creates and unlocks the login keyring with this password (read from stdin).
  printf "keebai-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # Clipboard tests share one X clipboard; they serialise themselves, the window test
  # gets its own Xvfb.
  xvfb-run -a -s "-screen 0 1280x900x24" cargo test -p keebai-keys -p keebai-e2e \
    --test keyring --test clipboard -- --include-ignored --test-threads=1
  # One app window at a time: two WebKit processes on 2 cores make clicks miss.
  window_test() {
    xvfb-run -a -s "-screen 0 1280x900x24" cargo test -p keebai-keys -p keebai-e2e \
      --test window --test rotation_window --test guide --test settings_window --test offline_window --test roles_window --test users_window --test activity_window --test export_window --test audit_window --test admin_desk_window --test policy_window --test reminder_window --test desktop_shell -- --include-ignored --nocapture --test-threads=1
  }
  # A real window under Xvfb on a loaded 2-core machine can miss a click now and then; one
  # retry keeps that from failing the run, and a real failure still fails twice.
  window_test || {
    echo "==> a real-window test failed; running them once more (a second failure fails the run)"
    window_test
  }
'

log "locked keyring: gnome-keyring running, its collection locked, no prompter"
mkdir -p "$WORK/locked"
XDG_DATA_HOME="$WORK/locked" XDG_RUNTIME_DIR="$WORK/locked" dbus-run-session -- bash -euo pipefail -c '
  printf "keebai-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
  cargo test -p keebai-keys -p keebai-e2e --test keyring_unavailable -- --include-ignored
'

log "absent keyring: no Secret Service on the bus"
DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK/no-such-bus" \
  cargo test -p keebai-keys -p keebai-e2e --test keyring_unavailable -- --include-ignored

log "desktop tests passed"
