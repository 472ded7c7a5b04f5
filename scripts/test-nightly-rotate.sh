#!/usr/bin/env bash
# Runs the nightly self-rotation script exactly as docs/api.md prints it (the fenced block
# tagged `sh nightly-rotate.sh`) against a live keebai-server: not due → no change; due →
# rotated, the token file replaced (mode 600) by a working token whose record points back at
# the old one; a retry with the old token after the rotation → a clear non-zero exit; and the
# token never appears in the script's output.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jq >/dev/null || { echo "jq is required (scripts/setup.sh installs it)"; exit 1; }
password=nightly-admin-pw
# shellcheck source=scripts/lib/test-server.sh
source scripts/lib/test-server.sh
start_test_server "$password"
fail() { echo "nightly-rotate test: $*" >&2; exit 1; }

# The block, byte for byte as a reader would copy it.
awk '/^```sh nightly-rotate.sh$/ {on=1; next} on && /^```$/ {exit} on {print}' docs/api.md >"$work/nightly-rotate.sh"
[ -s "$work/nightly-rotate.sh" ] || fail "no \`sh nightly-rotate.sh\` block in docs/api.md"
chmod +x "$work/nightly-rotate.sh"

session=$(sign_in "$password")
expires=$(date -u -d '+20 days' +%Y-%m-%dT%H:%M:%SZ)
minted=$(curl -sf -X POST "$base/v1/tokens" -H "authorization: Bearer $session" -H 'content-type: application/json' \
  -d "{\"name\":\"n8n nightly sync\",\"scopes\":[\"developer.rotate_self\",\"messages.read\"],\"expires_at\":\"$expires\"}")
old=$(jq -r .token <<<"$minted")
old_id=$(jq -r .record.id <<<"$minted")
mkdir -m 700 "$work/secrets"
(umask 077 && printf '%s\n' "$old" >"$work/secrets/token")
export KEEBAI_URL=$base KEEBAI_TOKEN_FILE=$work/secrets/token

echo "==> not due: nothing changes"
"$work/nightly-rotate.sh" >"$work/run1" 2>&1 || { cat "$work/run1"; fail "the not-due run failed"; }
cat "$work/run1"
grep -q ' ok: ' "$work/run1" || fail "expected an ok line"
[ "$(cat "$KEEBAI_TOKEN_FILE")" = "$old" ] || fail "the token file changed although nothing was due"

echo "==> due (expires within 30 days): rotated"
ROTATE_WITHIN_DAYS=30 "$work/nightly-rotate.sh" >"$work/run2" 2>&1 || { cat "$work/run2"; fail "the rotation run failed"; }
cat "$work/run2"
new=$(cat "$KEEBAI_TOKEN_FILE")
[ "$new" != "$old" ] || fail "the token file still holds the old token"
[ "$(stat -c %a "$KEEBAI_TOKEN_FILE")" = 600 ] || fail "the token file is not mode 600"
[ -z "$(find "$work/secrets" -name '.keebai-token.*')" ] || fail "a temporary file was left behind"
self=$(curl -sf "$base/v1/tokens/self" -H "authorization: Bearer $new") || fail "the new token does not work"
[ "$(jq -r .rotated_from <<<"$self")" = "$old_id" ] || fail "the new record does not point at the old token"
old_record=$(curl -sf "$base/v1/tokens/$old_id" -H "authorization: Bearer $session")
stops=$(date -u -d "$(jq -r .expires_at <<<"$old_record")" +%s)
left=$((stops - $(date -u +%s)))
[ "$left" -gt 200 ] && [ "$left" -le 300 ] || fail "the old token should stop about 300 s after the new one's first use, not in ${left}s"

echo "==> the old token again (a second copy of the job): refused with a clear message"
printf '%s\n' "$old" >"$work/secrets/stale"
if KEEBAI_TOKEN_FILE=$work/secrets/stale FORCE_ROTATE=1 "$work/nightly-rotate.sh" >"$work/run3" 2>&1; then
  cat "$work/run3"; fail "rotating an already-rotated token succeeded"
fi
cat "$work/run3"
grep -q 'already rotated' "$work/run3" || fail "no 'already rotated' message"

for f in "$work"/run*; do
  if grep -qE 'kbai_pk_[0-9a-f]{64}' "$f"; then fail "a full token was printed"; fi
done
echo "==> nightly-rotate.sh from docs/api.md: passed"
