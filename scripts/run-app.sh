#!/usr/bin/env bash
# Builds and starts a local `keebai-server demo` (SQLite in a temporary folder, a free port)
# and the Keebai Keys desktop app pointed at it. Prints how to sign in. Closing the app stops
# the server.
#
#   ./scripts/run-app.sh            # build (debug) and run
#   KEEBAI_DATA_DIR=/tmp/kk ./scripts/run-app.sh   # keep the app's settings/cache elsewhere
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
echo "==> building keebai-server and Keebai Keys"
cargo build -p keebai-server --bin keebai-server
cargo build -p keebai-keys --bin keebai-keys

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkfifo "$WORK/out"
./target/debug/keebai-server demo --listen 127.0.0.1:0 --db "sqlite://$WORK/demo.db" >"$WORK/out" &
SERVER_PID=$!

URL=""
while IFS= read -r line; do
  echo "$line"
  case "$line" in
    "listening on "*) URL="${line#listening on }"; break ;;
  esac
done <"$WORK/out"
# Keep draining the server's stdout so it never blocks on a full pipe.
cat "$WORK/out" >/dev/null &

if [ -z "$URL" ]; then
  echo "keebai-server did not start" >&2
  exit 1
fi

echo
echo "==> Keebai Keys: Server is pre-filled with $URL; use Tenant 'acme' and an account above"
echo "    (dev@acme.test / dev-demo-password has API keys; member@acme.test shows the Developer API gate)."
KEEBAI_SERVER_URL="$URL" ./target/debug/keebai-keys
