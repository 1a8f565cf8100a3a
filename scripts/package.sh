#!/usr/bin/env bash
# Builds mo's release artifacts from a checkout, offline: dist/release/mo_<version>_<arch>.deb
# (dpkg-deb) and mo_<version>_<arch>.tar.gz with the same tree. A host needs neither Node, pnpm nor a
# compiler: the tree carries the bundled JavaScript, the Node runtime this checkout runs and is
# tested with, better-sqlite3's native module and mo-shim.
#
#   /usr/bin/mo                           -> /usr/lib/mo/bin/mo, the front (native/mo-front.c): a
#                                         script's calls go to the CLI helper, the rest to the
#                                         shipped Node on bin/mo.cjs (the fast path's bundle first)
#   /usr/bin/mo-agent, mo-scheduler       wrappers: the shipped Node on dist/<name>.js
#   /usr/lib/mo/                          node, package.json, bin/ (mo, mo.cjs), dist/ (bundles,
#                                         bin/mo-shim),
#                                         node_modules/better-sqlite3 (+ bindings), host-setup
#   /lib/systemd/system/mo-*.service      deploy/systemd's units, not enabled
#   /etc/mo/agent.env, scheduler.env      deploy/etc's documented settings (conffiles); /etc/mo/tls/
#
# Usage: scripts/package.sh [--no-build] [--out DIR]   (--no-build: use the current `pnpm build`)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
out=dist/release
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --out) out="$2"; shift ;;
    *) echo "package.sh: unknown argument $1 (usage: package.sh [--no-build] [--out DIR])" >&2; exit 2 ;;
  esac
  shift
done
for tool in dpkg-deb dpkg node; do
  command -v "$tool" >/dev/null || { echo "package.sh: needs $tool" >&2; exit 1; }
done
[ "$build" = 1 ] && pnpm build >&2
[ -x packages/agent/dist/bin/mo-shim ] && [ -x packages/cli/bin/mo ] && [ -f packages/cli/dist/main.js ] ||
  { echo "package.sh: no build found (run pnpm build, or drop --no-build)" >&2; exit 1; }

version=$(node -p 'require("./packages/cli/package.json").version')
arch=$(dpkg --print-architecture)
name="mo_${version}_${arch}"
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/mo-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/root"
lib="$root/usr/lib/mo"
mkdir -p "$lib/dist/bin" "$lib/node_modules" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/mo/tls"

# The JavaScript, mo-shim, and the Node runtime that runs them.
node packages/cli/scripts/release-bundle.mjs "$lib" "$version"
# The dashboard's built files, beside the bundle that serves them (its handler looks in ./web).
cp -r packages/dashboard/dist/web "$lib/dist/web"
mkdir -p "$lib/dist/bin"
install -m 0755 packages/agent/dist/bin/mo-shim "$lib/dist/bin/mo-shim"
node_bin=$(node -p process.execPath)
install -m 0755 "$node_bin" "$lib/node"

# better-sqlite3 as a package (lib/ and its .node; the loader `bindings` finds it by path), with
# the two small packages it requires.
sqlite=$(cd packages/scheduler && node -p 'require("path").dirname(require.resolve("better-sqlite3/package.json"))')
bindings=$(cd "$sqlite" && node -p 'require("path").dirname(require.resolve("bindings/package.json"))')
uri=$(cd "$bindings" && node -p 'require("path").dirname(require.resolve("file-uri-to-path/package.json"))')
mkdir -p "$lib/node_modules/better-sqlite3/build/Release"
cp -r "$sqlite/package.json" "$sqlite/lib" "$sqlite/LICENSE" "$lib/node_modules/better-sqlite3/"
install -m 0644 "$sqlite/build/Release/better_sqlite3.node" "$lib/node_modules/better-sqlite3/build/Release/"
cp -r "$bindings" "$lib/node_modules/bindings"
cp -r "$uri" "$lib/node_modules/file-uri-to-path"

# Wrappers: each gets the Node flags and environment of its bin/ file's shebang line
# (`#!/usr/bin/env [-S] [VAR=value...] node [flags...]`), so both ways of running it agree.
wrapper() { # NAME ENTRY SHEBANG-SOURCE
  local env='' flags=''
  if [ -n "${3:-}" ]; then
    local line
    line=$(head -n 1 "$3")
    line=${line#'#!/usr/bin/env '}
    line=${line#'-S '}
    env=${line%%node*}
    flags=${line#*node}
  fi
  printf '#!/bin/sh\n# %s, from the mo package: Node and mo are in /usr/lib/mo.\n%sexec /usr/lib/mo/node%s /usr/lib/mo/%s "$@"\n' \
    "$1" "$env" "$flags" "$2" >"$root/usr/bin/$1"
  chmod 0755 "$root/usr/bin/$1"
}
# `mo` is the front, beside the mo.cjs it runs (it finds ../node and ../dist from where it is).
install -m 0755 packages/cli/bin/mo "$lib/bin/mo"
ln -s ../lib/mo/bin/mo "$root/usr/bin/mo"
wrapper mo-agent dist/mo-agent.js packages/agent/bin/mo-agent.js
wrapper mo-scheduler dist/mo-scheduler.js packages/scheduler/bin/mo-scheduler.js
install -m 0755 deploy/debian/host-setup "$lib/host-setup"

# Units (not enabled: an operator configures first), config, docs.
install -m 0644 deploy/systemd/mo-agent.service deploy/systemd/mo-scheduler.service "$root/lib/systemd/system/"
install -m 0644 deploy/etc/agent.env deploy/etc/scheduler.env "$root/etc/mo/"
chmod 0700 "$root/etc/mo/tls"
mkdir -p "$root/usr/share/doc/mo"
install -m 0644 README.md "$root/usr/share/doc/mo/README.md"
cp -r deploy/examples "$root/usr/share/doc/mo/examples"

# The tarball: the same tree (run /usr/lib/mo/host-setup after unpacking it at /).
tar -C "$root" --owner=0 --group=0 -czf "$out/$name.tar.gz" .

# Depends: the Debian packages of the shared libraries the native parts load (node,
# better_sqlite3.node; mo-shim and the front are static), libc6 at least as new as the newest glibc symbol version
# they use, and passwd (useradd, for host-setup).
libs=$( { ldd "$lib/node"; ldd "$lib/node_modules/better-sqlite3/build/Release/better_sqlite3.node"; ldd "$lib/dist/bin/mo-shim" || true; ldd "$lib/bin/mo" || true; } 2>/dev/null |
  sed -n 's/.*=> \(\/[^ ]*\).*/\1/p' | sort -u)
pkgs=$(for l in $libs; do dpkg -S "$l" 2>/dev/null || dpkg -S "$(readlink -f "$l")"; done | cut -d: -f1 | sort -u)
glibc=$(cat "$lib/node" "$lib/node_modules/better-sqlite3/build/Release/better_sqlite3.node" | grep -aoE 'GLIBC_2\.[0-9]+' | sort -uV | tail -n 1)
depends=$(for p in $pkgs passwd; do if [ "$p" = libc6 ]; then echo "libc6 (>= ${glibc#GLIBC_})"; else echo "$p"; fi; done | sort -u | paste -sd, - | sed 's/,/, /g')

mkdir -p "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: mo
Version: $version
Architecture: $arch
Maintainer: mo developers <mo@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Section: admin
Priority: optional
Description: distributed workload orchestrator for Linux hosts
 One scheduler places workloads (processes and Docker sandboxes) and pipelines onto agents, one per
 host. Contains mo (the command line), mo-agent and mo-scheduler, their systemd units (not enabled)
 and the Node.js runtime they run on.
CONTROL
printf '/etc/mo/agent.env\n/etc/mo/scheduler.env\n' >"$root/DEBIAN/conffiles"
install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$root/DEBIAN/"
dpkg-deb --root-owner-group -Zxz -z1 --build "$root" "$out/$name.deb" >&2
echo "$out/$name.deb"
echo "$out/$name.tar.gz"
