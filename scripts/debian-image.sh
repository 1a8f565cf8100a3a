#!/usr/bin/env bash
# Makes the docker image mo-debian:12 (or $1): a fresh Debian 12 (bookworm) root file system, as
# `debootstrap --variant=minbase` leaves it (no Node, no compiler), imported with `docker import`.
# The install test (packages/cli/test/install.test.ts) installs the .deb into containers of it.
# Cached in the docker engine: does nothing when the image exists. Uses the Debian mirror this
# machine's apt already uses (no other network).
set -euo pipefail
image="${1:-mo-debian:12}"

if docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debian-image.sh: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }

# The mirror: the first Debian archive URI in apt's sources (deb822 "URIs:" or one-line "deb URI ...").
mirror=$({ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } |
  sed -n -e 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' |
  grep -v -e security -e updates | head -n 1 || true)
mirror="${mirror:-http://deb.debian.org/debian}"

root=$(mktemp -d /tmp/mo-debian-root.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "debian-image.sh: debootstrap --variant=minbase bookworm from $mirror (a few minutes, once)" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -n 20 "$root.log" >&2
  exit 1
}
rm -f "$root.log"
# Tagged only once the whole root is imported, so an interrupted run leaves no half image behind.
id=$(tar -C "$root" -c . | docker import -)
docker tag "$id" "$image"
echo "debian-image.sh: made $image" >&2
