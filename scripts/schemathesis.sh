#!/usr/bin/env bash
# Runs schemathesis (from PyPI) against the OpenAPI document of a live keebai-server, once with
# a sign-in session and once with a personal access token holding every scope. Fails on any
# 5xx or any response that breaks the documented schema.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv="$root/.test-artifacts/venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "==> installing schemathesis into $venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check 'schemathesis>=4,<5'
fi
# shellcheck source=scripts/lib/test-server.sh
source scripts/lib/test-server.sh
start_test_server schemathesis-admin-pw

session() { sign_in schemathesis-admin-pw; }
s1=$(session)
pat=$(curl -sf -X POST "$base/v1/tokens" -H "authorization: Bearer $s1" -H 'content-type: application/json' \
  -d '{"name":"schemathesis","scopes":["developer.manage_tokens","developer.audit_tokens","messages.read","messages.write","contacts.read","contacts.write","admin.manage_roles","admin.manage_users"],"expires_at":null}' |
  python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')

run() {
  local label=$1 cred=$2
  echo "==> schemathesis with a $label"
  # Ending the session would make the rest of the run unauthenticated, and a bulk revoke
  # with an empty filter would revoke the PAT this run uses: leave those operations to the
  # integration tests (tests/admin_tokens/).
  "$venv/bin/schemathesis" run "$base/v1/openapi.json" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --exclude-path /v1/sessions/current \
    --exclude-path /v1/admin/tokens/revoke \
    --header "Authorization: Bearer $cred" \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-60}" \
    --phases examples,coverage,fuzzing \
    --suppress-health-check all \
    --workers 2 \
    --warnings off \
    --no-color
}
run "session" "$(session)"
run "personal access token" "$pat"
# The secret never reached the log.
if grep -q "${pat:12}" "$work/log"; then echo "the PAT appeared in the server log"; exit 1; fi
