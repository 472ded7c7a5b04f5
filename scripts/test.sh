#!/usr/bin/env bash
# Runs every test of Keebai Keys on a fresh Debian 12 machine: installs what is missing, starts
# the services the tests need (PostgreSQL, and for the desktop: Xvfb, D-Bus, gnome-keyring),
# runs the suites, stops what it started. Exit status is non-zero if anything failed.
#
#   ./scripts/test.sh            everything
#   SKIP_DESKTOP=1 ./scripts/test.sh   server and shared crates only
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mkdir -p .test-artifacts
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

apt_ready=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ $apt_ready -eq 0 ]; then $sudo apt-get update -qq; apt_ready=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Build tools for the bundled SQLite and for rustls' crypto.
apt_install build-essential pkg-config ca-certificates curl

step "formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

pg_started=0
cleanup() {
  if [ $pg_started -eq 1 ]; then bash scripts/pg.sh stop || true; fi
}
trap cleanup EXIT

step "keebai-api and keebai-server on SQLite"
cargo test --locked -p keebai-api -p keebai-server

step "schemathesis against the live OpenAPI document (session and PAT)"
bash scripts/schemathesis.sh

if [ -x scripts/pg.sh ] || [ -f scripts/pg.sh ]; then
  step "starting a throwaway PostgreSQL"
  bash scripts/pg.sh start
  pg_started=1
  # shellcheck disable=SC1091
  source .test-artifacts/pg.env
  export KEEBAI_TEST_PG_URL KEEBAI_REQUIRE_PG=1
  step "keebai-server on PostgreSQL (the same integration tests, plus replicas)"
  KEEBAI_TEST_ENGINE=postgres cargo test --locked -p keebai-server
fi

if [ "${SKIP_DESKTOP:-0}" != 1 ] && [ -f scripts/test-desktop.sh ]; then
  step "Keebai Keys desktop app"
  bash scripts/test-desktop.sh
fi

step "all test suites passed"
