#!/bin/bash
# tests/e2e/demo.sh [MODE]: the whole seed scenario on a fresh Debian 12 machine, as root: install what is
# needed, build pxed, start it and one VM with no OS in a network namespace made for the demo, and stream
# the VM's console with pxed's log lines interleaved while it boots from the network, fetches its
# kickstart and an install-tree file, and powers off.  Leaves nothing behind (the build directory is
# temporary unless PXED_BUILD_DIR names one; the namespace, taps and processes are removed).
# MODE: bios (default), uefi-grub, uefi-syslinux, uefi-edk2, proxy-bios, proxy-uefi, two-vms.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
MODE=${1:-bios}

[ "$(id -u)" = 0 ] || { echo "demo: run me as root (namespaces, taps, apt-get)" >&2; exit 1; }

# Every package pxed's build and tests need (apt is kept from starting daemons).
"$SRC/tests/deps.sh"

BUILD=${PXED_BUILD_DIR:-}
if [ -z "$BUILD" ]; then
  BUILD=$(mktemp -d /tmp/pxed-demo-build.XXXXXX)
  trap 'rm -rf "$BUILD"' EXIT
fi
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" "$SRC" >/dev/null
fi
echo "demo: building pxed in $BUILD"
ninja -C "$BUILD" -j2 >/dev/null

# The boot runs as the test suite runs it (meson's pxed_test_env names the daemon and plugin directory).
export E2E_STREAM=1
echo "demo: booting a $MODE VM from pxed (console: 'vm vm1 |', pxed: 'pxed.log |')"
rc=0
meson test -C "$BUILD" --verbose --no-rebuild "e2e-$MODE" || rc=$?
exit $rc
