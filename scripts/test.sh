#!/usr/bin/env bash
# Runs every test of Keebai Keys on a fresh Debian 12 machine: installs what is missing, starts
# the services the tests need (PostgreSQL, and for the desktop: Xvfb, D-Bus, gnome-keyring),
# runs the suites, stops what it started. Exit status is non-zero if anything failed.
#
#   ./scripts/test.sh            everything
#   SKIP_DESKTOP=1 ./scripts/test.sh    without the desktop app
#   SKIP_POSTGRES=1 ./scripts/test.sh   without PostgreSQL
#   SKIP_PACKAGES=1 ./scripts/test.sh   without building, installing and purging the .debs
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .test-artifacts
export CARGO_TERM_COLOR=never

# Each step says when it began, in seconds since the start, so a slow step shows in the log.
step() { printf '\n==> [%d s] %s\n' "$SECONDS" "$*"; }

# Build tools, the desktop app's C libraries, the UI's npm packages and ui/dist (which the
# app embeds at compile time, so the workspace cannot even be linted without it).
bash scripts/setup.sh

step "formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

pg_started=0
cleanup() {
  if [ $pg_started -eq 1 ]; then bash scripts/pg.sh stop || true; fi
}
trap cleanup EXIT

# Each server test keeps its database and log here until the secret scan below has read them.
rm -rf .test-artifacts/runs

step "keebai-api and keebai-server on SQLite"
cargo test --locked -p keebai-api -p keebai-server

step "schemathesis against the live OpenAPI document (session and PAT)"
bash scripts/schemathesis.sh

step "the OpenAPI document as integrators meet it: validator, generated client, a real flow"
bash scripts/openapi-client.sh

step "docs/api.md's nightly self-rotation script, run as printed"
bash scripts/test-nightly-rotate.sh

if [ "${SKIP_POSTGRES:-0}" != 1 ]; then
  step "starting a throwaway PostgreSQL"
  bash scripts/pg.sh start
  pg_started=1
  # shellcheck disable=SC1091
  source .test-artifacts/pg.env
  export KEEBAI_TEST_PG_URL KEEBAI_REQUIRE_PG=1
  step "keebai-server on PostgreSQL (the same integration tests, plus replicas)"
  KEEBAI_TEST_ENGINE=postgres cargo test --locked -p keebai-server --features fault-injection
fi

step "secret hygiene: every log and database file of the server tests"
bash scripts/scan-secrets.sh
rm -rf .test-artifacts/runs

if [ "${SKIP_DESKTOP:-0}" != 1 ] && [ -f scripts/test-desktop.sh ]; then
  step "Keebai Keys desktop app"
  bash scripts/test-desktop.sh
  # The desktop's tests start their demo servers through the same kit (keebai-testkit).
  step "secret hygiene: every log and database file of the desktop tests' servers"
  bash scripts/scan-secrets.sh
  rm -rf .test-artifacts/runs
fi

if [ "${SKIP_PACKAGES:-0}" != 1 ]; then
  # Release builds of both packages (the longest part of this step), installed with apt,
  # used as an operator and a user would, purged.
  step "the .deb packages: build, install, use, purge"
  bash scripts/test-package.sh
fi

step "all test suites passed"
