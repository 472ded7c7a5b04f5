#!/usr/bin/env bash
# Checks the OpenAPI document of a live keebai-server with third-party tools from PyPI:
#   1. openapi-spec-validator validates it;
#   2. openapi-python-client generates a Python client from it (a generator warning fails);
#   3. every operation of the document has its function module in that client
#      (scripts/openapi_client_flow.py --check-operations);
#   4. the generated client alone drives sign-in → mint → /v1/me → list → revoke → 401 → audit
#      events, then tokens/self and the rotations when the document lists them
#      (scripts/openapi_client_flow.py).
# Every step runs even when an earlier one failed, so one run reports every defect; any failure
# makes the script exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$SECONDS
venv="$root/.test-artifacts/venv"
if [ ! -x "$venv/bin/openapi-spec-validator" ] || [ ! -x "$venv/bin/openapi-python-client" ]; then
  echo "==> installing openapi-spec-validator and openapi-python-client into $venv"
  if [ ! -x "$venv/bin/pip" ]; then
    if ! python3 -m venv "$venv" 2>/dev/null; then
      rm -rf "$venv"
      sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv "$venv"
    fi
  fi
  # Both are 0.x, where a minor release may break: pin the minor.
  "$venv/bin/pip" install -q --disable-pip-version-check \
    'openapi-spec-validator>=0.9,<0.10' 'openapi-python-client>=0.29,<0.30'
fi
password=openapi-client-admin-pw
# shellcheck source=scripts/lib/test-server.sh
source scripts/lib/test-server.sh
start_test_server "$password"

doc="$work/openapi.json"
curl -sf "$base/v1/openapi.json" -o "$doc" || { echo "GET /v1/openapi.json failed"; exit 1; }
failed=()

echo "==> [1/4] openapi-spec-validator $("$venv/bin/openapi-spec-validator" --version 2>&1 | awk 'END {print $NF}')"
if "$venv/bin/openapi-spec-validator" --validation-errors all "$doc" >"$work/validate" 2>&1; then
  sed "s|$work/||" "$work/validate"
else
  sed "s|$work/||" "$work/validate"
  failed+=("1: the document is not valid OpenAPI (openapi-spec-validator)")
fi

echo "==> [2/4] openapi-python-client $("$venv/bin/openapi-python-client" --version 2>&1 | awk 'END {print $NF}') generate"
client="$work/client"
# The generator formats its output with ruff, which the venv has: put the venv first on PATH.
if (cd "$work" && PATH="$venv/bin:$PATH" "$venv/bin/openapi-python-client" generate \
      --path "$doc" --output-path "$client/keebai_client" --meta none) >"$work/generate" 2>&1; then
  sed "s|$work/||; /^$/d" "$work/generate"
  if grep -qi 'warning' "$work/generate"; then
    failed+=("2: openapi-python-client warned about the document (above)")
  fi
else
  sed "s|$work/||; /^$/d" "$work/generate"
  failed+=("2: openapi-python-client could not generate a client")
fi

if [ -d "$client/keebai_client" ]; then
  export PYTHONPATH="$client${PYTHONPATH:+:$PYTHONPATH}"
  echo "==> [3/4] every operation of the document has a function in the generated client"
  "$venv/bin/python" scripts/openapi_client_flow.py --check-operations "$doc" ||
    failed+=("3: operations of the document missing from the generated client (above)")

  echo "==> [4/4] a real flow with the generated client"
  "$venv/bin/python" scripts/openapi_client_flow.py "$base" acme admin@acme.test "$password" ||
    failed+=("4: the flow through the generated client failed (above)")
else
  failed+=("3, 4: skipped: no generated client")
fi

elapsed=$((SECONDS - started))
if [ ${#failed[@]} -gt 0 ]; then
  echo "==> openapi-client: FAILED after ${elapsed}s:"
  printf '    step %s\n' "${failed[@]}"
  exit 1
fi
echo "==> openapi-client: passed in ${elapsed}s"
