# Sourced by the scripts that test a live keebai-server from outside (schemathesis, the
# generated OpenAPI client, docs/api.md's nightly script). `start_test_server PASSWORD` builds
# the server, initialises tenant `acme` with admin@acme.test / PASSWORD in a throwaway SQLite
# file under a new $work folder, serves it on a free port and sets $base; the server and
# $work are removed when the calling script exits. Its log is $work/log.
start_test_server() {
  local password=$1
  cargo build -q -p keebai-server --bin keebai-server
  work=$(mktemp -d)
  server_pid=""
  trap 'stop_test_server' EXIT
  local db="sqlite://$work/test.db"
  KEEBAI_ADMIN_PASSWORD=$password ./target/debug/keebai-server init --db "$db" --tenant acme \
    --admin-email admin@acme.test >/dev/null
  RUST_LOG=warn ./target/debug/keebai-server serve --db "$db" --listen 127.0.0.1:0 \
    >"$work/out" 2>"$work/log" &
  server_pid=$!
  for _ in $(seq 100); do grep -q '^listening on' "$work/out" 2>/dev/null && break; sleep 0.1; done
  base=$(sed -n 's/^listening on //p' "$work/out")
  [ -n "$base" ] || { echo "server did not start"; cat "$work/log"; exit 1; }
}

stop_test_server() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "${work:?}"
}

# sign_in PASSWORD: prints a session token for admin@acme.test.
sign_in() {
  curl -sf -X POST "$base/v1/sessions" -H 'content-type: application/json' \
    -d "{\"tenant\":\"acme\",\"email\":\"admin@acme.test\",\"password\":\"$1\"}" |
    python3 -c 'import sys,json; print(json.load(sys.stdin)["session_token"])'
}
