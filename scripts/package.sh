#!/usr/bin/env bash
# Builds the release Debian packages of Keebai Keys into target/packages/ (or $KEEBAI_PACKAGES_DIR):
#
#   keebai-keys_<version>_<arch>.deb    the desktop app, by Tauri's own bundler: the pinned
#                                       @tauri-apps/cli from ui/node_modules (npm's prebuilt
#                                       build of the same bundler as crates.io's tauri-cli),
#                                       `tauri build --bundles deb`; metadata in tauri.conf.json
#   keebai-server_<version>_<arch>.deb  the server with its systemd unit, by dpkg-deb from the
#                                       files in packaging/server/
#
#   ./scripts/package.sh            both
#   ./scripts/package.sh app        only the desktop app
#   ./scripts/package.sh server     only the server
#
# Why dpkg-deb and not cargo-deb for the server: dpkg-deb is part of every Debian system,
# whereas cargo-deb would be compiled from crates.io first (minutes on a cold 2-core CI
# machine) to lay out the same six files; the control file below is short, and
# dpkg-shlibdeps (dpkg-dev) derives the library dependencies as cargo-deb would.
#
# Nothing is downloaded at build time: the deb bundler needs no tools from the network (the
# AppImage target would, and is not enabled). Debian 12 with what scripts/setup.sh installs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '==> %s\n' "$*"; }
fail() { echo "package.sh: $*" >&2; exit 1; }

what=("$@")
((${#what[@]})) || what=(app server)
for w in "${what[@]}"; do
  case "$w" in app | server) ;; *) fail "unknown package '$w' (app or server)" ;; esac
done
want() { [[ " ${what[*]} " == *" $1 "* ]]; }

bash scripts/setup.sh
command -v dpkg-shlibdeps >/dev/null || fail "dpkg-shlibdeps missing (apt-get install dpkg-dev)"

target="${CARGO_TARGET_DIR:-$ROOT/target}"
out="${KEEBAI_PACKAGES_DIR:-$target/packages}"
mkdir -p "$out"
version="$(cargo metadata --no-deps --format-version 1 --locked |
  jq -r '.packages[] | select(.name == "keebai-server") | .version')"
arch="$(dpkg --print-architecture)"

# ---------------------------------------------------------------------------------------------
if want app; then
  say "keebai-keys $version: tauri build --bundles deb (vite build, cargo build --release, bundle)"
  start=$SECONDS
  rm -rf "$target/release/bundle/deb"
  npx --no-install --prefix ui tauri build --bundles deb
  built=("$target/release/bundle/deb/"*.deb)
  [ ${#built[@]} -eq 1 ] && [ -f "${built[0]}" ] || fail "expected one .deb from the bundler, found: ${built[*]}"
  cp "${built[0]}" "$out/keebai-keys_${version}_${arch}.deb"
  say "built $out/keebai-keys_${version}_${arch}.deb in $((SECONDS - start)) s"
fi

# ---------------------------------------------------------------------------------------------
if want server; then
  say "keebai-server $version: cargo build --release"
  start=$SECONDS
  cargo build --release --locked -p keebai-server --bin keebai-server
  bin="$target/release/keebai-server"

  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' EXIT
  pkg="$stage/keebai-server"
  install -D -m 0755 "$bin" "$pkg/usr/bin/keebai-server"
  install -D -m 0644 packaging/server/keebai-server.service "$pkg/lib/systemd/system/keebai-server.service"
  # Shipped world-readable like any conffile; postinst makes it root-only on first install.
  install -D -m 0644 packaging/server/keebai-server.env "$pkg/etc/keebai/keebai-server.env"
  install -D -m 0644 packaging/copyright "$pkg/usr/share/doc/keebai-server/copyright"
  install -D -m 0644 docs/operations.md "$pkg/usr/share/doc/keebai-server/operations.md"
  install -d "$pkg/DEBIAN"
  for s in postinst prerm postrm; do install -m 0755 "packaging/server/$s" "$pkg/DEBIAN/$s"; done
  echo /etc/keebai/keebai-server.env >"$pkg/DEBIAN/conffiles"

  # The shared libraries the binary links (libc, libgcc), as dpkg-shlibdeps reads them.
  mkdir -p "$stage/src/debian"
  printf 'Source: keebai-server\n\nPackage: keebai-server\nArchitecture: any\n' >"$stage/src/debian/control"
  shlibs="$(cd "$stage/src" && dpkg-shlibdeps -O "$pkg/usr/bin/keebai-server" 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p')"
  [ -n "$shlibs" ] || fail "dpkg-shlibdeps found no dependencies"

  cat >"$pkg/DEBIAN/control" <<CONTROL
Package: keebai-server
Version: $version
Architecture: $arch
Maintainer: Keebai <support@keebai.com>
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: $shlibs, adduser
Suggests: postgresql
Section: net
Priority: optional
Description: Keebai token service: users, roles, sessions, personal access tokens
 keebai-server is the Keebai backend's token service: tenants, users, roles and
 permissions, password sign-in sessions and personal access tokens (kbai_pk_...)
 with explicit scopes, optional expiry, one-time display and immediate
 revocation. Only SHA-256 hashes of tokens are stored.
 .
 The package runs it as a hardened systemd service (keebai-server.service)
 under its own system user, keebai, with a SQLite database in /var/lib/keebai;
 settings are in /etc/keebai/keebai-server.env.
CONTROL
  dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out/keebai-server_${version}_${arch}.deb" >/dev/null
  say "built $out/keebai-server_${version}_${arch}.deb in $((SECONDS - start)) s"
fi

say "packages in $out:"
ls -l "$out"/*.deb
