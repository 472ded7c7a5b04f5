#!/usr/bin/env bash
# The admin token inventory (GET /v1/admin/tokens) of one tenant with 100,000 tokens, over HTTP
# on loopback, on SQLite and on PostgreSQL (one replica); written into docs/benchmarks.md
# between its inventory markers; the rest of that file is left as it is.
# The notes written by hand below the figures in docs/benchmarks.md are kept.
#
#   ./scripts/bench-inventory.sh                 # both engines, 50 timed requests per page
#   BENCH_ROUNDS=20 BENCH_SKIP_PG=1 ./scripts/bench-inventory.sh
#
# Run by hand, never by scripts/test.sh: the goal (any filtered page < 50 ms) is a figure to
# read on a known machine, not an assertion to flake on a busy one.
#
# Per engine: `keebai-server init` makes tenant `acme` and its admin; `bench_inventory seed`
# adds BENCH_TOKENS tokens (default 100,000) over BENCH_USERS users (default 1,000) in a mix of
# active, revoked, expired and unexpiring tokens, varied last uses, scopes and names, and 5% of
# the owners disabled; a real `keebai-server serve` on 127.0.0.1 answers; the admin signs in
# through POST /v1/sessions; `bench_inventory measure` times every filter's first page and a
# deep page (following next_cursor) at limit 100 and 500, with /healthz interleaved for scale.
# Nothing is installed beyond what scripts/bench.sh installs (PostgreSQL comes via scripts/pg.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
tokens=${BENCH_TOKENS:-100000}
users=${BENCH_USERS:-1000}
rounds=${BENCH_ROUNDS:-50}

echo "==> building release binaries"
cargo build -q --release -p keebai-server --bin keebai-server --example bench_inventory
bin=$target/release/keebai-server
tool=$target/release/examples/bench_inventory

work=$(mktemp -d)
server=''
pg_started=0
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  [ $pg_started -eq 1 ] && bash scripts/pg.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# bench_engine NAME DB_URL -> $work/NAME.tsv (measurements) and $work/NAME.seed (the mix)
bench_engine() {
  local name=$1 db=$2 base user_id prefix_text session
  echo "==> $name: init, seeding $tokens tokens over $users users"
  KEEBAI_ADMIN_PASSWORD=bench-admin-password "$bin" init --db "$db" --tenant acme \
    --admin-email admin@acme.test >/dev/null
  local t0=$SECONDS
  "$tool" seed "$db" "$tokens" "$users" >"$work/$name.seed"
  echo "seed_seconds=$((SECONDS - t0))" >>"$work/$name.seed"
  user_id=$(sed -n 's/^user_id=//p' "$work/$name.seed")
  prefix_text=$(sed -n 's/^prefix_text=//p' "$work/$name.seed")

  RUST_LOG=warn "$bin" serve --db "$db" --listen 127.0.0.1:0 >"$work/$name.out" 2>"$work/$name.log" &
  server=$!
  for _ in $(seq 100); do grep -q '^listening on' "$work/$name.out" 2>/dev/null && break; sleep 0.1; done
  base=$(sed -n 's/^listening on //p' "$work/$name.out")
  [ -n "$base" ] || { echo "$name server did not start"; cat "$work/$name.log"; exit 1; }

  session=$(curl -sf -X POST "$base/v1/sessions" -H 'content-type: application/json' \
    -d '{"tenant":"acme","email":"admin@acme.test","password":"bench-admin-password"}' |
    python3 -c 'import sys,json; print(json.load(sys.stdin)["session_token"])')
  echo "==> $name: measuring ($rounds requests per page after 5 of warm-up)"
  BENCH_SESSION=$session "$tool" measure "$base" "$user_id" "$prefix_text" "$rounds" >"$work/$name.tsv"
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=''
}

bench_engine sqlite "sqlite://$work/inventory.db"

if [ "${BENCH_SKIP_PG:-0}" != 1 ]; then
  bash scripts/pg.sh start >/dev/null
  pg_started=1
  # shellcheck disable=SC1091
  source .test-artifacts/pg.env
  pgdb="bench_inventory_$(date +%s)"
  psql "$KEEBAI_TEST_PG_URL" -qc "CREATE DATABASE $pgdb" >/dev/null
  bench_engine postgres "${KEEBAI_TEST_PG_URL%/*}/$pgdb"
fi

# ---------------------------------------------------------------- report
python3 - "$work" "$rounds" "$("$bin" --version 2>/dev/null || echo keebai-server)" <<'PY'
import sys, os, platform, datetime, subprocess
work, rounds, server_version = sys.argv[1:]
engines = [e for e in ("sqlite", "postgres") if os.path.exists(f"{work}/{e}.tsv")]
data, seeds = {}, {}
for e in engines:
    seeds[e] = dict(l.rstrip("\n").split("=", 1) for l in open(f"{work}/{e}.seed") if "=" in l)
    for line in open(f"{work}/{e}.tsv"):
        name, query, matched, limit, page, rows, size, p50, p99, h50, h99 = line.rstrip("\n").split("\t")
        # Keyed by the kind of page: the seed is the same on both engines, but "after N" may
        # differ by a token or two where a filter depends on the second it ran in.
        key = (name, limit, "first" if page == "first" else "deep")
        data.setdefault(key, {})[e] = dict(query=query, page=page, matched=int(matched), rows=int(rows), bytes=int(size),
            p50=float(p50), p99=float(p99), h50=float(h50), h99=float(h99))
def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"
cpu = sh("lscpu | sed -n 's/^Model name: *//p' | head -1")
mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
disk = sh("df -h --output=source,fstype,size . | tail -1")
load = " ".join(open("/proc/loadavg").read().split()[:3])
worst = {e: max((d[e]["p99"] for d in data.values() if e in d), default=0) for e in engines}
lines = [
    "<!-- inventory figures: written by scripts/bench-inventory.sh -->",
    "## Admin inventory with 100,000 tokens",
    "",
    "Written by `./scripts/bench-inventory.sh` (run by hand; not part of `scripts/test.sh`).",
    "One tenant; `GET /v1/admin/tokens` over HTTP on 127.0.0.1 with the tenant admin's session",
    f"(signed in through `POST /v1/sessions`), one request at a time: 5 of warm-up, then {rounds}",
    "timed, each followed by one `GET /healthz` so every line has its own yardstick from the same",
    "moments (ratio = page p50 ÷ /healthz p50). \"first\" is the first page; \"after N\" is the",
    "page after the first N matches, reached by following `next_cursor` (nine tenths of the way",
    "through the listing). Release build, one server (PostgreSQL: one replica).",
    "",
    "Seeded mix: " + "; ".join(f"{e}: {seeds[e].get('mix', '?')} (seeded in {seeds[e].get('seed_seconds', '?')} s)" for e in engines) + ".",
    "Tokens were created over the last two years; expiries of 7–730 days after creation or none;",
    "last uses anywhere between creation and now; seven scope sets; twelve name stems.",
    "",
    "**Goal: any filtered page < 50 ms (p99).** " + "; ".join(
        f"{e}: worst p99 {worst[e]:.1f} ms, **{'met' if worst[e] < 50 else 'NOT met'}**" for e in engines) + ".",
    "",
    "| filter | matches | limit | page | rows | bytes | " + " | ".join(
        f"{e} p50 / p99 ms (ratio)" for e in engines) + " |",
    "|---|---|---|---|---|---|" + "---|" * len(engines),
]
for (name, limit, _), d in data.items():
    first = d[engines[0]] if engines[0] in d else next(iter(d.values()))
    cells = []
    for e in engines:
        if e in d:
            x = d[e]
            cells.append(f"{x['p50']:.2f} / {x['p99']:.2f} ({x['p50'] / x['h50']:.0f}×)")
        else:
            cells.append("—")
    query = "user_id=(one owner)" if name == "user_id" else first["query"]
    label = f"`{query}`" if query else name
    if name.startswith("q ("):
        label += " " + name[2:]
    lines.append(f"| {label} | {first['matched']} | {limit} | {first['page']} | {first['rows']} | {first['bytes']} | " + " | ".join(cells) + " |")
hz = {e: sorted(d[e]["h50"] for d in data.values() if e in d) for e in engines}
lines += [
    "",
    "/healthz p50 over the run (median of the lines above): " + "; ".join(
        f"{e} {hz[e][len(hz[e]) // 2]:.3f} ms" for e in engines) + ".",
    "Matches differ slightly between engines: each seeds its own random mix.",
    "",
    "Machine:",
    "",
    f"- {os.cpu_count()} cores, {cpu}; {int(mem) // 1024 // 1024} GiB RAM; Linux {platform.release()}",
    f"- disk of the working directory: {disk} (SQLite file and PostgreSQL cluster in temporary folders)",
    f"- {server_version} (release build, {sh('rustc --version')}); "
    + "; ".join(f"{e} {seeds[e].get('engine_version', '?')}" for e in engines),
    f"- load average when written: {load}; {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
    "",
    "<!-- end of generated inventory figures -->",
]
# What people wrote below the figures (causes, fixes, what is left) stays as it was.
gen_end, end = "<!-- end of generated inventory figures -->", "<!-- end of inventory section -->"
notes = "\n"
doc = open("docs/benchmarks.md").read()
if gen_end in doc and end in doc:
    notes = doc[doc.index(gen_end) + len(gen_end):doc.index(end)]
section = "\n".join(lines) + notes + end + "\n"
start = "<!-- inventory figures"
if start in doc and end in doc:
    doc = doc[:doc.index(start)] + section.rstrip("\n") + doc[doc.index(end) + len(end):]
else:
    doc = doc.rstrip("\n") + "\n\n" + section
open("docs/benchmarks.md", "w").write(doc)
print(section)
PY
