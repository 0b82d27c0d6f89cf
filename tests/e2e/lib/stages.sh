#!/bin/bash
# tests/e2e/lib/stages.sh: what a boot must show on the serial console, stage by stage, and the kernel
# command line that drives the initrd's checks (see e2e_init_script in assets.sh).

# The menu entry every configuration (the peers' hand-written ones and pxed's generated ones) shows.
E2E_MENU_LABEL="pxed-e2e install"

# e2e_kernel_cmdline KS_URL KS_TOKEN FTP_URL FTP_SHA256
e2e_kernel_cmdline () {
  # console=ttyS0: the markers go to the serial log; panic=5 + QEMU -no-reboot: a panic ends the VM.
  echo "console=ttyS0,115200 panic=5 pxed.ks=$1 pxed.ks_expect=$2 pxed.ftp=$3 pxed.ftp_sha256=$4"
}

# e2e_mode_setup MODE: sets E2E_FW (vm.sh firmware) and E2E_LOADER for a boot mode.
#   bios, proxy-bios, two-vms   SeaBIOS + iPXE -> pxelinux.0
#   uefi-grub                   OVMF + iPXE EFI -> grubnetx64.efi
#   uefi-syslinux, proxy-uefi   OVMF + iPXE EFI -> efi64/syslinux.efi (upstream GRUB ignores proxyDHCP)
#   uefi-edk2                   OVMF's own PXE -> grubnetx64.efi
e2e_mode_setup () {
  case "$1" in
    bios|proxy-bios|two-vms|bad-*) E2E_FW=bios; E2E_LOADER=pxelinux ;;
    uefi-grub)               E2E_FW=uefi-ipxe; E2E_LOADER=grub ;;
    uefi-syslinux)           E2E_FW=uefi-ipxe; E2E_LOADER=syslinux-efi ;;
    proxy-uefi)              E2E_FW=uefi-ipxe; E2E_LOADER=${E2E_PROXY_UEFI_LOADER:-syslinux-efi} ;;
    uefi-edk2)               E2E_FW=uefi-edk2; E2E_LOADER=grub ;;
    *) echo "e2e: unknown mode $1" >&2; return 1 ;;
  esac
}

# The boot file (path in the TFTP root) of a loader.
e2e_loader_file () {
  case "$1" in
    pxelinux) echo pxelinux.0 ;;
    grub) echo grubnetx64.efi ;;
    syslinux-efi) echo efi64/syslinux.efi ;;
  esac
}

# e2e_stages FIRMWARE LOADER: one STAGE=REGEX per line, in the order they must appear.
e2e_stages () {
  local fw=$1 loader=$2
  case "$fw" in
    bios|uefi-ipxe)
      echo 'firmware-dhcp=net0: 198\.51\.100\.[0-9]+/'
      # iPXE may print progress ("12%", backspaces) between the name and "ok" when slow.
      echo "boot-file=$(e2e_loader_file "$loader" | sed 's/\./\\./g')\\.\\.\\..*ok"
      ;;
    uefi-edk2)
      echo 'firmware-dhcp=Station IP address is 198\.51\.100\.'
      echo 'boot-file=NBP file downloaded successfully'
      ;;
  esac
  case "$loader" in
    pxelinux)
      echo 'pxelinux=PXELINUX [0-9]'
      echo "menu=$E2E_MENU_LABEL"
      echo 'kernel-load=Loading .*vmlinuz.*ok'
      ;;
    grub)
      echo 'grub=Welcome to GRUB'
      echo "menu=$E2E_MENU_LABEL"
      ;;
    syslinux-efi)
      # syslinux.efi shows neither banner nor menu on the serial console.
      echo 'syslinux-efi=My IP is 198\.51\.100\.'
      ;;
  esac
  echo 'kernel=Linux version [0-9]'
  echo 'init=PXED-E2E: init'
  echo 'lease=PXED-E2E: lease 198\.51\.100\.[0-9]+'
  echo 'kickstart=PXED-E2E: ks ok'
  echo 'ftp=PXED-E2E: ftp ok'
  echo 'done=PXED-E2E: done'
}
