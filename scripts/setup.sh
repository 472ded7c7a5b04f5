#!/usr/bin/env bash
# Installs what building and running Keebai Keys needs on Debian 12, each piece only when it
# is missing: the C libraries of WebKitGTK/GTK for the desktop app, build tools, and the UI's
# npm packages — among them the Tauri CLI, @tauri-apps/cli pinned in ui/package.json, a prebuilt
# binary (then builds the UI into ui/dist, which the app embeds). Idempotent and quiet when there
# is nothing to do. Used by scripts/run-app.sh and scripts/test.sh; after it, the Tauri CLI runs
# from the root: `npx --prefix ui tauri dev` / `npx --prefix ui tauri build`.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential pkg-config ca-certificates curl jq
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev
  libsoup-3.0-dev libdbus-1-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The two toolchains come from their own projects, not from Debian 12, whose rustc (1.63) and
# Node.js (18) are too old: say which is missing or too old and where to get it, before a build
# fails halfway with a less helpful message.
need_rust=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -1)
have_rust=$( (rustc --version 2>/dev/null || true) | awk '{print $2}')
if [ -z "$have_rust" ] || ! command -v cargo >/dev/null ||
  [ "$(printf '%s\n%s\n' "$need_rust" "$have_rust" | sort -V | head -1)" != "$need_rust" ]; then
  echo "Rust $need_rust or newer is required (found: ${have_rust:-none}); install it with rustup (https://rustup.rs), not Debian's rustc" >&2
  exit 1
fi
have_node=$( (node --version 2>/dev/null || true) | tr -d v)
if [ -z "$have_node" ] || ! command -v npm >/dev/null ||
  [ "$(printf '%s\n%s\n' 20.19.0 "$have_node" | sort -V | head -1)" != 20.19.0 ]; then
  echo "Node.js 20.19 or newer and npm are required (found: ${have_node:-none}); Debian 12's nodejs is 18, too old for the UI's build (vite)" >&2
  exit 1
fi
(
  cd ui
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> installing the UI's npm packages"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  npx --no-install tauri --version >/dev/null || { echo "the Tauri CLI did not install" >&2; exit 1; }
  if [ ! -f dist/index.html ] || [ -n "$(find src index.html -newer dist/index.html 2>/dev/null | head -1)" ]; then
    echo "==> building the UI"
    npx vite build --logLevel warn
  fi
)
