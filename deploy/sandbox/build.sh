#!/usr/bin/env bash
# Builds mo's default sandbox image, mo-sandbox:latest, on this machine without any registry:
# a root filesystem holding Debian's statically linked busybox (package busybox-static) and its
# applets as symlinks, imported with `docker import`. See README.md for what is in it and why.
#   deploy/sandbox/build.sh [--if-missing] [IMAGE]   (IMAGE defaults to mo-sandbox:latest)
set -euo pipefail

image=mo-sandbox:latest
if_missing=false
for arg in "$@"; do
  case $arg in
    --if-missing) if_missing=true ;;
    -h | --help) sed -n '2,5p' "$0"; exit 0 ;;
    *) image=$arg ;;
  esac
done

if $if_missing && docker image inspect "$image" >/dev/null 2>&1; then exit 0; fi

busybox=${BUSYBOX:-/bin/busybox}
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked' && ! ldd "$busybox" 2>&1 | grep -q 'not a dynamic'; then
  echo "sandbox: $busybox is missing or not static: apt-get install busybox-static (or set BUSYBOX)" >&2
  exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,etc,tmp,work,proc,sys,dev}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
# One symlink per applet (sh, sleep, dd, nc, wget, ...), all in /bin.
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/tmp:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

tar -C "$root" --numeric-owner --owner=0 --group=0 -c . |
  docker import \
    --change 'ENV PATH=/bin' \
    --change 'WORKDIR /work' \
    --change 'CMD ["/bin/sh"]' \
    --message "mo sandbox: busybox $("$busybox" | head -1 | awk '{print $2}')" \
    - "$image" >/dev/null
echo "sandbox: built $image ($(docker image inspect -f '{{.Size}}' "$image") bytes)" >&2
