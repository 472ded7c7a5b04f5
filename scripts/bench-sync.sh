#!/usr/bin/env bash
# The desktop's full sync of 10,000 tokens from a local server (goal < 2 s): the Inventory's
# sync, every page read and the list stored in cache.db, with a release build of the app's
# command layer against a release `keebai-server serve` on 127.0.0.1 with SQLite. Prints the
# figures (BENCH lines) for docs/benchmarks.md.
#
#   ./scripts/bench-sync.sh                    # 10,000 tokens over 100 users
#   BENCH_TOKENS=20000 ./scripts/bench-sync.sh
#
# Run by hand, never by scripts/test.sh: a figure to read on a known machine, not an assertion.
# The tenant is seeded by `bench_inventory seed` (scripts/bench-inventory.sh's helper).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
tokens=${BENCH_TOKENS:-10000}
users=${BENCH_USERS:-100}

bash scripts/setup.sh
echo "==> building release binaries (server, seeder, the app's command layer)"
cargo build -q --release -p keebai-server --bin keebai-server --example bench_inventory
cargo test -q --release -p keebai-e2e --test bench_sync --no-run
bin=$target/release/keebai-server

work=$(mktemp -d)
server=''
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

db="sqlite://$work/sync.db"
password=bench-admin-password
echo "==> seeding $tokens tokens over $users users"
KEEBAI_ADMIN_PASSWORD=$password "$bin" init --db "$db" --tenant acme --admin-email admin@acme.test >/dev/null
"$target/release/examples/bench_inventory" seed "$db" "$tokens" "$users" >"$work/seed"
RUST_LOG=warn "$bin" serve --db "$db" --listen 127.0.0.1:0 >"$work/out" 2>"$work/log" &
server=$!
for _ in $(seq 100); do grep -q '^listening on' "$work/out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/out")
[ -n "$base" ] || { echo "the server did not start"; cat "$work/log"; exit 1; }
session=$(curl -sf -X POST "$base/v1/sessions" -H 'content-type: application/json' \
  -d "{\"tenant\":\"acme\",\"email\":\"admin@acme.test\",\"password\":\"$password\"}" |
  python3 -c 'import sys,json; print(json.load(sys.stdin)["session_token"])')

echo "==> measuring"
KEEBAI_BENCH_URL=$base KEEBAI_BENCH_TOKENS=$tokens KEEBAI_BENCH_EMAIL=admin@acme.test \
  KEEBAI_BENCH_PASSWORD=$password KEEBAI_BENCH_SESSION=$session \
  cargo test -q --release -p keebai-e2e --test bench_sync -- --ignored --nocapture 2>&1 |
  grep '^BENCH'
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
