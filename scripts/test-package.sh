#!/usr/bin/env bash
# Builds the release .debs (scripts/package.sh), installs them on this machine, uses them the
# way an operator and a user would, then purges them and checks what is left.
#
#   server  its metadata; `systemd-analyze verify` and the offline `security` score of its
#           unit; the keebai user, state folder and root-only settings file postinst made;
#           `init`, `serve` and `backup` run as the keebai user with the settings file, as
#           docs/operations.md prints them (no systemd runs in a container, so not via
#           systemctl): /healthz, a sign-in, files owner-only; a local edit of the settings
#           survives a reinstall.
#   app     its metadata; desktop-file-validate on the installed entry; its Exec and Icon
#           resolve (hicolor theme); the installed /usr/bin/keebai-keys in a real window (Xvfb,
#           tauri-driver, D-Bus + unlocked gnome-keyring) against the installed server's
#           `demo`: signs in, restores the session on the next launch (tests/tests/installed_app.rs).
#   purge   every file the packages installed is gone; left are the user's data folder, and
#           the keebai user with /var/lib/keebai (the token database), as documented.
#
# Runs as root or with sudo; refuses to run where either package, the keebai user or
# /var/lib/keebai already exists (it would purge them). Not for a workstation you care about:
# CI or a container.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '\n==> %s\n' "$*"; }
fail() { echo "test-package: $*" >&2; exit 1; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
t0=$SECONDS

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in keebai-keys keebai-server; do
  installed "$p" && fail "$p is installed on this machine; this test would purge it"
done
getent passwd keebai >/dev/null && fail "a keebai user exists; this test would remove it"
[ -e /var/lib/keebai ] && fail "/var/lib/keebai exists; this test would remove it"

WORK="$(mktemp -d)"
chmod 0755 "$WORK"
cleanup() {
  $SUDO apt-get remove --purge -y -qq keebai-keys keebai-server >/dev/null 2>&1 || true
  if getent passwd keebai >/dev/null; then $SUDO deluser --system --quiet keebai >/dev/null 2>&1 || true; fi
  getent group keebai >/dev/null && { $SUDO delgroup --system --quiet keebai >/dev/null 2>&1 || true; }
  $SUDO rm -rf /var/lib/keebai "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
log "system packages"
APT_PACKAGES=(
  desktop-file-utils systemd dpkg-dev adduser hicolor-icon-theme curl jq
  webkit2gtk-driver xvfb xauth dbus dbus-x11 gnome-keyring
)
missing=()
for p in "${APT_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if ((${#missing[@]})); then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  log "cargo install tauri-driver"
  cargo install tauri-driver --locked
fi
TAURI_DRIVER="$(command -v tauri-driver || echo "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver")"
export TAURI_DRIVER

start=$SECONDS
log "the app's package through the Tauri CLI from the root (scripts/test-tauri-cli.sh --package)"
bash scripts/test-tauri-cli.sh --package
log "the server's package (scripts/package.sh server)"
bash scripts/package.sh server
build_secs=$((SECONDS - start))
out="${KEEBAI_PACKAGES_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/packages}"
server_deb="$(ls "$out"/keebai-server_*.deb)"
app_deb="$(ls "$out"/keebai-keys_*.deb)"

# The e2e test binary (debug; a no-op after scripts/test-desktop.sh), built now so that it
# later runs without cargo under the test's own HOME.
log "build the installed-app test"
e2e="$(cargo test --locked -p keebai-keys -p keebai-e2e --test installed_app --no-run --message-format=json |
  jq -r 'select(.profile.test == true and .target.name == "installed_app") | .executable')"
[ -x "$e2e" ] || fail "no installed_app test binary"

# ---------------------------------------------------------------------------------------------
log "server package: metadata and unit"
field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$server_deb" Package)" = keebai-server ] || fail "server package name"
field "$server_deb" Depends | grep -q 'libc6' || fail "server Depends lacks libc6"
field "$server_deb" Depends | grep -q 'adduser' || fail "server Depends lacks adduser"
dpkg-deb --ctrl-tarfile "$server_deb" | tar -xO ./conffiles | grep -qx /etc/keebai/keebai-server.env ||
  fail "/etc/keebai/keebai-server.env is not a conffile"

log "install $(basename "$server_deb")"
$SUDO apt-get install -y -qq "$server_deb" >/dev/null
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd keebai) || fail "no keebai user"
((uid < 1000)) || fail "keebai is not a system user (uid $uid)"
[ "$home" = /var/lib/keebai ] && [ "$shell" = /usr/sbin/nologin ] || fail "keebai: home $home, shell $shell"
[ "$(stat -c '%U:%G %a' /var/lib/keebai)" = "keebai:keebai 750" ] || fail "/var/lib/keebai: $(stat -c '%U:%G %a' /var/lib/keebai)"
[ "$(stat -c '%U:%G %a' /etc/keebai/keebai-server.env)" = "root:root 600" ] || fail "settings file not root-only"

unit=/lib/systemd/system/keebai-server.service
log "systemd-analyze verify $unit"
verify="$(systemd-analyze verify "$unit" 2>&1)" || { echo "$verify"; fail "systemd-analyze verify failed"; }
if grep -q 'keebai-server' <<<"$verify"; then echo "$verify"; fail "systemd-analyze verify complains about the unit"; fi
echo "verify: clean"
security="$(systemd-analyze security --offline=true "$unit" 2>&1)" || { echo "$security"; fail "systemd-analyze security failed"; }
score="$(sed -n 's/.*Overall exposure level for keebai-server.service: \([0-9.]*\).*/\1/p' <<<"$security")"
echo "systemd-analyze security: exposure $score (0 = fully locked down, 10 = unprotected)"
awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }' || { echo "$security"; fail "exposure $score is above 2.0"; }

# Exactly as docs/operations.md prints them: the settings file as the unit's environment, the
# state folder as working directory, the unit's umask, the keebai user.
as_service() {
  $SUDO env KEEBAI_ADMIN_PASSWORD="${KEEBAI_ADMIN_PASSWORD:-}" sh -c \
    'set -a; . /etc/keebai/keebai-server.env; set +a; cd /var/lib/keebai; umask 077; exec runuser -u keebai -- keebai-server "$@"' \
    sh "$@"
}
log "init and serve as the keebai user"
KEEBAI_ADMIN_PASSWORD="package-test-admin-password" as_service init --tenant acme --admin-email admin@acme.test
as_service serve --listen 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.log" &
serve_pid=$!
for _ in $(seq 1 300); do grep -q '^listening on ' "$WORK/serve.out" && break; sleep 0.1; done
base="$(sed -n 's/^listening on //p' "$WORK/serve.out")"
[ -n "$base" ] || { cat "$WORK/serve.log"; fail "the server did not start"; }
server_pid="$(pgrep -u keebai -x keebai-server)" || fail "no keebai-server process runs as keebai"
[ "$(curl -fsS "$base/healthz" | jq -r .status)" = ok ] || fail "/healthz is not ok"
session="$(curl -fsS -X POST "$base/v1/sessions" -H 'content-type: application/json' \
  -d '{"tenant":"acme","email":"admin@acme.test","password":"package-test-admin-password"}' | jq -r .session_token)"
[ -n "$session" ] && [ "$session" != null ] || fail "sign-in failed"
[ "$(curl -fsS -o /dev/null -w '%{http_code}' -H "authorization: Bearer $session" "$base/v1/me")" = 200 ] || fail "/v1/me"
echo "healthz ok, signed in as admin@acme.test on $base"
as_service backup --to /var/lib/keebai/package-test-backup.db
for f in /var/lib/keebai/keebai.db /var/lib/keebai/package-test-backup.db; do
  [ "$(stat -c '%U %a' "$f")" = "keebai 600" ] || fail "$f: $(stat -c '%U %a' "$f")"
done
kill -TERM "$server_pid"
wait "$serve_pid" || fail "the server did not stop cleanly on SIGTERM"

log "a local edit of the settings file survives a reinstall"
echo '# local edit by test-package' | $SUDO tee -a /etc/keebai/keebai-server.env >/dev/null
$SUDO apt-get install -y -qq --reinstall "$server_deb" >/dev/null
grep -q '^# local edit by test-package$' /etc/keebai/keebai-server.env || fail "the local edit was lost"
[ "$(stat -c '%U:%G %a' /etc/keebai/keebai-server.env)" = "root:root 600" ] || fail "settings file mode changed"

# ---------------------------------------------------------------------------------------------
log "app package: metadata"
[ "$(field "$app_deb" Package)" = keebai-keys ] || fail "app package name"
field "$app_deb" Depends | grep -q 'libwebkit2gtk-4.1-0' || fail "app Depends lacks WebKitGTK 4.1"
field "$app_deb" Recommends | grep -q 'gnome-keyring' || fail "app Recommends lacks a Secret Service"
field "$app_deb" Maintainer | grep -q '@' || fail "app Maintainer"
dpkg-deb -f "$app_deb" Package Version Architecture Maintainer Depends Recommends Section

log "install $(basename "$app_deb")"
$SUDO apt-get install -y -qq "$app_deb" >/dev/null
mapfile -t entries < <(dpkg -L keebai-keys | grep '^/usr/share/applications/.*\.desktop$')
[ ${#entries[@]} -eq 1 ] || fail "expected one desktop entry, found: ${entries[*]}"
entry="${entries[0]}"
desktop-file-validate "$entry" || fail "desktop-file-validate $entry"
echo "desktop-file-validate $entry: clean"
key() { sed -n "s/^$1=//p" "$entry" | head -1; }
[ "$(key Name)" = "Keebai Keys" ] || fail "Name=$(key Name)"
[ "$(command -v "$(key Exec | cut -d' ' -f1)")" = /usr/bin/keebai-keys ] || fail "Exec=$(key Exec) does not resolve"
# The icon theme lookup: <dir>/<Icon>.png in the folders hicolor's index.theme lists.
icon="$(key Icon)"
dirs="$(sed -n 's/^\(Scaled\)\{0,1\}Directories=//p' /usr/share/icons/hicolor/index.theme | tr ',' ' ')"
found=()
for d in $dirs; do [ -f "/usr/share/icons/hicolor/$d/$icon.png" ] && found+=("$d"); done
((${#found[@]})) || fail "Icon=$icon is in no hicolor folder"
echo "Icon=$icon resolves in hicolor: ${found[*]}"
for size in 32x32 128x128 256x256 512x512; do
  [[ " ${found[*]} " == *" $size/apps "* ]] || fail "no $size icon"
done

log "the installed app in a real window, against the installed server's demo"
mkdir -p "$WORK/home" "$WORK/run"
chmod 0700 "$WORK/run"
run_app_test() {
  env -u XDG_DATA_HOME -u XDG_CONFIG_HOME -u XDG_CACHE_HOME -u XDG_STATE_HOME \
    HOME="$WORK/home" XDG_RUNTIME_DIR="$WORK/run" TAURI_DRIVER="$TAURI_DRIVER" \
    KEEBAI_APP_BINARY=/usr/bin/keebai-keys KEEBAI_SERVER_BINARY=/usr/bin/keebai-server \
    dbus-run-session -- bash -euo pipefail -c '
      printf "keebai-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
      xvfb-run -a -s "-screen 0 1280x900x24" "$1" --include-ignored --nocapture --test-threads=1
    ' bash "$e2e"
}
# As in test-desktop.sh: one retry for a click lost on a loaded machine; a real failure fails twice.
run_app_test || { echo "==> the window test failed; once more"; run_app_test; }
data_folder="$WORK/home/.local/share/keebaikeys"
[ -f "$data_folder/settings.json" ] || fail "the app wrote no settings to its default data folder $data_folder"

# ---------------------------------------------------------------------------------------------
log "purge both packages"
mapfile -t files < <(dpkg -L keebai-keys keebai-server | while read -r f; do [ -d "$f" ] || echo "$f"; done)
$SUDO apt-get remove --purge -y -qq keebai-keys keebai-server >/dev/null
for p in keebai-keys keebai-server; do
  ! installed "$p" || fail "$p is still installed"
  [ -z "$(dpkg-query -W -f='${Conffiles}' "$p" 2>/dev/null)" ] || fail "$p's conffiles are still known to dpkg"
done
left=()
for f in "${files[@]}" /etc/keebai /usr/share/doc/keebai-server /var/lib/systemd/deb-systemd-helper-enabled/keebai-server.service.dsh-also; do
  [ -e "$f" ] || [ -L "$f" ] && left+=("$f")
done
((${#left[@]} == 0)) || fail "left after purge: ${left[*]}"
echo "all ${#files[@]} installed files are gone"
[ -d "$data_folder" ] || fail "the user's data folder went with the package"
[ -f /var/lib/keebai/keebai.db ] && getent passwd keebai >/dev/null ||
  fail "the token database or the keebai user went with the purge"
echo "left on purpose: the user's data folder ($(ls "$data_folder" | tr '\n' ' ')), /var/lib/keebai ($(ls /var/lib/keebai | tr '\n' ' ')), user keebai"

log "packages tested: build ${build_secs} s, whole step $((SECONDS - t0)) s"
