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

command -v npm >/dev/null || { echo "Node.js 20 and npm are required (Debian: apt-get install nodejs npm)" >&2; exit 1; }
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
