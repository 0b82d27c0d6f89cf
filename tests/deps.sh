#!/bin/bash
# Installs the Debian 12 packages pxed's build, tests, VM boots and
# benchmarks need. Daemons installed here (dnsmasq, nginx, vsftpd, kea,
# tftpd-hpa) are peers for tests and benchmarks: a policy-rc.d keeps apt from
# starting them on this machine's ports.
set -euo pipefail

PACKAGES=(
  # build
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev
  libglib2.0-dev libyaml-dev libhttp-parser-dev libcrypt-dev
  # the Debian package test (tests/pkg)
  debhelper dpkg-dev
  # test clients and tools
  iproute2 kmod cpio curl wget lftp tftp-hpa atftp isc-dhcp-client udhcpc dhcpcd-base
  binutils procps python3 valgrind make util-linux
  # VM boots
  qemu-system-x86 ipxe-qemu ovmf pxelinux syslinux-common syslinux-efi busybox-static
  grub-efi-amd64-bin
  # peers (tests and benchmarks start them by hand)
  dnsmasq kea-dhcp4-server kea-admin tftpd-hpa vsftpd nginx wrk
)

if [ "$(id -u)" -ne 0 ]; then
  echo "tests/deps.sh: not root; assuming these packages are installed: ${PACKAGES[*]}" >&2
  exit 0
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
