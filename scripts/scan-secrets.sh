#!/usr/bin/env bash
# Secret hygiene across a whole test run: no full Keebai token (kbai_pk_… or kbai_sess_… with
# all 64 hex characters) may appear in any log or database file the tests left behind, nor in
# the throwaway PostgreSQL cluster's files. Tokens are only ever stored as SHA-256 hashes, so any
# match is a leak. Prints the offending file names (never the match) and fails.
#
#   scripts/scan-secrets.sh [EXTRA_DIR…]
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=()
[ -d .test-artifacts/runs ] && dirs+=(.test-artifacts/runs)
if [ -f .test-artifacts/pg.state ]; then
  # shellcheck disable=SC1091
  . .test-artifacts/pg.state
  [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP" ] && dirs+=("$PG_TMP")
fi
dirs+=("$@")
[ ${#dirs[@]} -gt 0 ] || { echo "scan-secrets: nothing to scan" >&2; exit 1; }
files=$(find "${dirs[@]}" -type f | wc -l)
bytes=$(du -sch "${dirs[@]}" | tail -1 | cut -f1)
# Exactly 64 hex characters: a longer hex run is not a token. (SQLite stores a row's columns
# back to back, so a token's displayable prefix `kbai_pk_a1b2` followed by the next column, its
# 64-hex SHA-256, reads as `kbai_pk_` + 68 hex — the hash, not the secret.)
hits=$(grep -rlaP 'kbai_(pk|sess)_[0-9a-f]{64}(?![0-9a-f])' "${dirs[@]}" || true)
if [ -n "$hits" ]; then
  echo "scan-secrets: a full token appears in:" >&2
  echo "$hits" >&2
  exit 1
fi
echo "scan-secrets: no token in $files files ($bytes) of logs and databases"
