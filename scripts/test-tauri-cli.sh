#!/usr/bin/env bash
# The Tauri CLI from the repository root, as a Tauri developer runs it, unmodified: the pinned
# @tauri-apps/cli from ui/node_modules (installed by `npm ci`, see scripts/setup.sh), run in the
# root where tauri.conf.json is. `tauri build --debug --no-bundle` runs beforeBuildCommand
# (vite build into ui/dist) and builds the app into target/debug — the same target directory,
# profile and features as every other test's build, so scripts/test-desktop.sh uses it as its
# build of the app and nothing is compiled twice.
#
# Checks: one tauri.conf.json, at the root (no copy, no symlink); the CLI finds it and the app
# package from the root; the UI and the binary are fresh; the CLI left the project's files as
# they were (it rewrites Cargo.toml when the tauri features disagree with the config).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
fail() { echo "test-tauri-cli: $*" >&2; exit 1; }

[ -f tauri.conf.json ] && [ ! -L tauri.conf.json ] || fail "tauri.conf.json is not a file at the root"
found="$(find . \( -path ./target -o -path ./.git -o -name node_modules \) -prune -o \
  -name 'tauri*.conf.json*' -print | sort)"
[ "$found" = "./tauri.conf.json" ] || fail "Tauri configs other than ./tauri.conf.json: $found"

tauri=(npx --no-install --prefix ui tauri)
echo "==> $("${tauri[@]}" --version) (pinned in ui/package.json)"

watched=(Cargo.toml tauri.conf.json src-tauri ui/package.json)
before="$(git status --porcelain -- "${watched[@]}"; git diff -- "${watched[@]}" | sha256sum)"
marker="$(mktemp)"
trap 'rm -f "$marker"' EXIT
sleep 1 # mtimes have one-second resolution on some filesystems

start=$SECONDS
"${tauri[@]}" build --debug --no-bundle
echo "==> tauri build --debug --no-bundle from the root: $((SECONDS - start)) s"

[ ui/dist/index.html -nt "$marker" ] || fail "beforeBuildCommand did not rebuild ui/dist"
bin="${CARGO_TARGET_DIR:-target}/debug/keebai-keys"
[ -x "$bin" ] || fail "no app binary at $bin"
after="$(git status --porcelain -- "${watched[@]}"; git diff -- "${watched[@]}" | sha256sum)"
[ "$before" = "$after" ] || fail "the Tauri CLI changed project files: $(git status --porcelain -- "${watched[@]}")"
echo "==> the Tauri CLI built UI and app from the root"
