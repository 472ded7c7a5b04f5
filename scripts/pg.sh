#!/usr/bin/env bash
# A throwaway PostgreSQL for the test suite.
#
#   scripts/pg.sh start   install PostgreSQL from Debian's packages if missing, create a cluster
#                         in a fresh temporary folder, start it on 127.0.0.1 (trust auth, loopback
#                         only) and write .test-artifacts/pg.env. Prints one line on stdout,
#                         `export KEEBAI_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres`,
#                         so both `eval "$(scripts/pg.sh start)"` and
#                         `scripts/pg.sh start >/dev/null && . .test-artifacts/pg.env` work.
#   scripts/pg.sh stop    stop that cluster and delete exactly what `start` created.
#   scripts/pg.sh status  exit 0 (and print the export line) if the cluster is running.
#
# Idempotent: `start` with the cluster of an earlier `start` still running reuses it; `stop`
# with nothing started does nothing. Works unattended as root (CI=true, no stdin): the server
# runs as the `postgres` system user, since PostgreSQL refuses to run as root.
#
# Environment: KEEBAI_PG_PORT (first port tried, default 55432; the next free one is used),
# KEEBAI_ARTIFACTS_DIR (default <repo>/.test-artifacts). Progress goes to stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ARTIFACTS=${KEEBAI_ARTIFACTS_DIR:-$ROOT/.test-artifacts}
STATE=$ARTIFACTS/pg.state
ENV_FILE=$ARTIFACTS/pg.env
FIRST_PORT=${KEEBAI_PG_PORT:-55432}

PG_TMP='' PG_DATA='' PG_BIN='' PG_URL=''

say() { printf 'pg.sh: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

# The newest installed server's bin folder, e.g. /usr/lib/postgresql/15/bin.
pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then printf '%s\n' "$d"; fi
}

install_postgres() {
  [ -n "$(pg_bin)" ] && return 0
  command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is not available"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "PostgreSQL is not installed; run as root, or install the postgresql package"
    sudo="sudo"
  fi
  say "installing PostgreSQL from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  # The package's own cluster (port 5432) is left alone; ours lives in a temporary folder.
  $sudo apt-get update -qq </dev/null >&2
  $sudo apt-get install -y -qq --no-install-recommends postgresql </dev/null >&2
  [ -n "$(pg_bin)" ] || die "installing postgresql did not provide initdb and pg_ctl"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves. `cd /`
# because runuser keeps the working directory, which the postgres user may not be allowed into.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

read_state() {
  if [ -f "$STATE" ]; then
    # shellcheck disable=SC1090
    . "$STATE"
  fi
}

running() {
  [ -n "$PG_DATA" ] && [ -d "$PG_DATA" ] && [ -n "$PG_BIN" ] \
    && as_owner "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

print_env() {
  printf 'export KEEBAI_TEST_PG_URL=%s\n' "$PG_URL"
}

cmd_start() {
  mkdir -p "$ARTIFACTS"
  read_state
  if running; then
    say "reusing the running cluster in $PG_DATA"
    print_env >"$ENV_FILE"
    print_env
    return 0
  fi
  # A state file without a running server is stale (machine restarted, server killed).
  if [ -f "$STATE" ]; then cmd_stop; fi
  install_postgres
  PG_BIN=$(pg_bin)
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    die "the postgres system user is missing (the postgresql package creates it)"
  fi

  local port=$FIRST_PORT
  while port_in_use "$port"; do
    port=$((port + 1))
    [ "$port" -lt $((FIRST_PORT + 100)) ] || die "no free port in $FIRST_PORT..$port"
  done

  # Outside the repository: the postgres user may not be able to enter its folders.
  PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/keebai-pg.XXXXXX")
  PG_DATA=$PG_TMP/data
  PG_URL=postgres://postgres@127.0.0.1:$port/postgres
  # Recorded before anything else can fail, so `stop` can always clean up.
  printf 'PG_TMP=%s\nPG_DATA=%s\nPG_BIN=%s\nPG_URL=%s\n' \
    "$PG_TMP" "$PG_DATA" "$PG_BIN" "$PG_URL" >"$STATE"
  chmod 700 "$PG_TMP"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_TMP"; fi

  say "creating a cluster in $PG_DATA"
  as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C --no-sync >"$ARTIFACTS/pg-initdb.log" 2>&1 \
    || { cat "$ARTIFACTS/pg-initdb.log" >&2; die "initdb failed"; }

  # A disposable cluster: durability is traded for speed (the tests kill keebai-server, never
  # PostgreSQL). Loopback only; the socket lives in our folder, not /run/postgresql.
  cat >>"$PG_DATA/postgresql.conf" <<CONF

# added by scripts/pg.sh (throwaway test cluster)
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PG_TMP'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
CONF

  say "starting PostgreSQL on 127.0.0.1:$port"
  as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_TMP/server.log" -w -t 60 start >&2 \
    || { cat "$PG_TMP/server.log" >&2 || true; die "PostgreSQL did not start"; }
  "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$port" -t 30 >/dev/null \
    || die "PostgreSQL on port $port is not accepting connections"

  print_env >"$ENV_FILE"
  say "ready: $PG_URL (also in $ENV_FILE)"
  print_env
}

cmd_stop() {
  read_state
  if [ -z "$PG_TMP" ]; then
    say "nothing to stop"
    rm -f "$ENV_FILE"
    return 0
  fi
  if running; then
    say "stopping PostgreSQL in $PG_DATA"
    as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >&2 \
      || say "warning: pg_ctl stop failed"
  fi
  # Only ever the folder this script made (mktemp's keebai-pg.XXXXXX).
  case "$(basename "$PG_TMP")" in
    keebai-pg.*) rm -rf -- "$PG_TMP" ;;
    *) say "warning: not removing unexpected folder '$PG_TMP'" ;;
  esac
  rm -f "$STATE" "$ENV_FILE" "$ARTIFACTS/pg-initdb.log"
  PG_TMP='' PG_DATA='' PG_BIN='' PG_URL=''
  say "stopped and removed"
}

cmd_status() {
  read_state
  if running; then
    say "running: $PG_URL"
    print_env
  else
    say "not running"
    return 1
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    printf 'usage: %s start|stop|status\n' "$0" >&2
    exit 2
    ;;
esac
