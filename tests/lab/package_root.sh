#!/usr/bin/env bash
# Makes the minimal Debian 12 root that tests/integration/package_systemd_test.sh boots with
# systemd-nspawn: debootstrap (minbase) from Debian's archive, plus systemd and what the edgekit
# package depends on, so that `dpkg -i` needs no network. A few minutes; made once per machine.
# The test boots it with --volatile=overlay: nothing it does is written back.
#
#   tests/lab/package_root.sh [DIR]     (default /var/lib/machines/edgekit-package-test)
set -euo pipefail
root=${1:-/var/lib/machines/edgekit-package-test}
# The archive this machine's apt already uses (its first non-security source), unless given.
apt_archive() {
  {
    grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null || true
    grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true
  } | awk '{print $2}' | grep -v -- '-security' | head -1 || true
}
mirror=${EDGEKIT_DEBIAN_MIRROR:-$(apt_archive)}
[ -n "$mirror" ] || { echo "no Debian archive configured for apt: set EDGEKIT_DEBIAN_MIRROR" >&2; exit 3; }
command -v debootstrap >/dev/null || { echo "debootstrap is missing (scripts/setup)" >&2; exit 3; }
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 2; }
if [ -f "$root/.edgekit-package-root" ]; then
  echo "package root: $root is ready"
  exit 0
fi
[ ! -e "$root" ] || [ -z "$(ls -A "$root")" ] || {
  echo "$root exists and is not a package root: remove it first" >&2; exit 2; }
# The package's Depends (debian/control and its shared libraries), and systemd to boot.
include=systemd,systemd-sysv,dbus,procps,adduser,libboost-program-options1.74.0,libcurl4
include=$include,libexpat1,libfmt9,libidn2-0,libldns3,libssl3,libtomlplusplus3
echo "package root: debootstrap bookworm into $root (a few minutes)"
mkdir -p "$(dirname "$root")"
tmp="$root.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
debootstrap --variant=minbase --include="$include" bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
  { tail -20 "$tmp.log" >&2; rm -f "$tmp.log"; exit 3; }
rm -f "$tmp.log"
chroot "$tmp" apt-get clean
echo "edgekit package test root, $(date -u +%F)" >"$tmp/.edgekit-package-root"
rmdir "$root" 2>/dev/null || true
mv "$tmp" "$root"
echo "package root: $root is ready"
