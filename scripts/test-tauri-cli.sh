#!/usr/bin/env bash
# The Tauri CLI from the repository root, as a Tauri developer runs it, unmodified: the pinned
# @tauri-apps/cli from ui/node_modules (installed by `npm ci`, see scripts/setup.sh), run in the
# root where tauri.conf.json is.
#
#   scripts/test-tauri-cli.sh                   tauri build --debug --no-bundle
#   scripts/test-tauri-cli.sh build --bundles deb   the CLI with these arguments
#   scripts/test-tauri-cli.sh --package         scripts/package.sh app: the release .deb, which
#                                               package.sh builds with `tauri build --bundles deb`
#
# scripts/test-package.sh runs the last: the release package is the Tauri CLI's real use, so the
# package's own build is the one checked, and nothing is built twice. (The tests' debug app is
# built by cargo in the same run as the tests; scripts/test-desktop.sh says why.)
#
# Checks: one tauri.conf.json, at the root (no copy, no symlink); the CLI finds it and the app
# package from the root; beforeBuildCommand rebuilt the UI and the binary is there; the CLI left
# the project's files as they were (it rewrites Cargo.toml when the tauri features disagree with
# the config).
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

args=("$@")
((${#args[@]})) || args=(build --debug --no-bundle)
profile=release
[[ " ${args[*]} " == *" --debug "* ]] && profile=debug
if [ "${args[0]}" = --package ]; then
  run=(bash scripts/package.sh app)
else
  run=("${tauri[@]}" "${args[@]}")
fi
start=$SECONDS
"${run[@]}"
echo "==> ${run[*]} from the root: $((SECONDS - start)) s"

[ ui/dist/index.html -nt "$marker" ] || fail "beforeBuildCommand did not rebuild ui/dist"
bin="${CARGO_TARGET_DIR:-target}/$profile/keebai-keys"
[ -x "$bin" ] || fail "no app binary at $bin"
after="$(git status --porcelain -- "${watched[@]}"; git diff -- "${watched[@]}" | sha256sum)"
[ "$before" = "$after" ] || fail "the Tauri CLI changed project files: $(git status --porcelain -- "${watched[@]}")"
echo "==> the Tauri CLI built UI and app from the root"
