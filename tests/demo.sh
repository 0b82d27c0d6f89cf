#!/bin/bash
# The README's first command: build pxed and PXE-boot a virtual machine from
# it (see tests/e2e/demo.sh; MODE: bios, uefi-grub, uefi-syslinux, uefi-edk2,
# proxy-bios, proxy-uefi, two-vms).
exec "$(cd "$(dirname "$0")" && pwd)/e2e/demo.sh" "$@"
