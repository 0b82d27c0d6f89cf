#!/bin/bash
# tests/e2e/peer-smoke.sh [MODE...]: the same VM boots as boot.sh, served by the peers pxed replaces:
# dnsmasq (DHCP + TFTP), busybox httpd (kickstart over HTTP) and vsftpd (install tree over FTP), all inside
# a namespace made for this run.  It proves the e2e infrastructure (assets, namespace, VM, stage checks)
# independently of pxed, and gives boot times to compare with.
#
# MODE: bios | uefi-grub | uefi-syslinux | uefi-edk2   (default: bios uefi-grub uefi-syslinux)
# Environment: E2E_KEEP=1 keeps the work directory; E2E_BOUND (s) bounds each boot (default 180).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/assets.sh"
. "$HERE/lib/netns.sh"
. "$HERE/lib/vm.sh"
. "$HERE/lib/stages.sh"

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: peer-smoke needs root (network namespace, tap, mknod)"
  exit 77
fi
E2E_EXTRA_PKGS="dnsmasq vsftpd"

MODES=${*:-bios uefi-grub uefi-syslinux}
if [ "${E2E_NS_INNER:-}" != 1 ]; then
  e2e_assets                               # needs the network (apt-get download): before the namespace
  export E2E_TREE E2E_FTP_FILE E2E_FTP_SHA256
fi
e2e_netns_reexec "$@"

# ---- inside the namespace from here on ----
E2E_WORK=$(mktemp -d /tmp/pxed-e2e-peer.XXXXXX)
chmod 755 "$E2E_WORK"
declare -A SRV_PID=()
srv_stop () {
  local p=${SRV_PID[$1]:-}
  [ -n "$p" ] || return 0
  kill "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  SRV_PID[$1]=
}
cleanup () {
  e2e_vm_stop_all
  local s; for s in "${!SRV_PID[@]}"; do srv_stop "$s"; done
  if [ "${E2E_KEEP:-}" = 1 ]; then echo "e2e: kept $E2E_WORK" >&2; else rm -rf "$E2E_WORK"; fi
}
e2e_on_exit cleanup

ROOT=$E2E_WORK/root
e2e_tree_copy "$ROOT"
S=$E2E_SERVER_IP
TOKEN=pxed-e2e-ks-$$

# Static configuration the peers serve (pxed generates these itself).
write_boot_configs () {
  local mac=$1 cmd=$2 dash
  dash=01-$(echo "$mac" | tr ':' '-')
  mkdir -p "$ROOT/pxelinux.cfg" "$ROOT/efi64/pxelinux.cfg" "$ROOT/grub" "$ROOT/ks"
  cat > "$ROOT/pxelinux.cfg/$dash" <<EOF
default menu.c32
prompt 0
timeout 10
menu title pxed-e2e peer menu
label e2e
  menu label $E2E_MENU_LABEL
  kernel /images/vmlinuz
  append initrd=/images/initrd.gz $cmd
EOF
  # syslinux.efi prepends its own directory even to absolute paths; '::' means the TFTP root.
  sed -e 's|kernel /images/|kernel ::/images/|' -e 's|initrd=/images/|initrd=::/images/|' \
    "$ROOT/pxelinux.cfg/$dash" > "$ROOT/efi64/pxelinux.cfg/$dash"
  cat > "$ROOT/grub/grub.cfg" <<EOF
set timeout=1
set default=0
menuentry "$E2E_MENU_LABEL" {
  echo "pxed-e2e: loading kernel"
  linux /images/vmlinuz $cmd
  initrd /images/initrd.gz
}
EOF
  printf '# kickstart for %s\n%s\ntext\nreboot\n' "$mac" "$TOKEN" > "$ROOT/ks/$mac.cfg"
}

start_servers () {
  local efi_boot=$1 w=$E2E_WORK
  : > "$w/dnsmasq.log"
  dnsmasq -k -C /dev/null --port=0 --user=root --group=root --pid-file= \
    --interface="$E2E_BRIDGE" --bind-interfaces --log-facility="$w/dnsmasq.log" --log-dhcp \
    --dhcp-range="$E2E_NET_PREFIX.100,$E2E_NET_PREFIX.199,255.255.255.0,1h" --dhcp-leasefile="$w/dnsmasq.leases" \
    --no-ping --dhcp-authoritative \
    --dhcp-match=set:efi64,option:client-arch,7 --dhcp-match=set:efi64,option:client-arch,9 \
    --dhcp-boot="tag:efi64,$efi_boot,,$S" --dhcp-boot="tag:!efi64,pxelinux.0,,$S" \
    --enable-tftp --tftp-root="$ROOT" &
  SRV_PID[dnsmasq]=$!
  busybox httpd -f -vv -p "$S:80" -h "$ROOT" >"$w/httpd.log" 2>&1 &
  SRV_PID[httpd]=$!
  cat > "$w/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=$S
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$ROOT
local_enable=NO
write_enable=NO
pasv_enable=YES
seccomp_sandbox=NO
secure_chroot_dir=/var/run/vsftpd/empty
xferlog_enable=YES
log_ftp_protocol=YES
vsftpd_log_file=$w/vsftpd.log
EOF
  : > "$w/vsftpd.log"
  vsftpd "$w/vsftpd.conf" &
  SRV_PID[vsftpd]=$!
  E2E_LOGS=("$w/dnsmasq.log" "$w/httpd.log" "$w/vsftpd.log")
  E2E_LEASE_JOURNAL=$w/dnsmasq.leases
  sleep 0.5
  local s
  for s in dnsmasq httpd vsftpd; do
    kill -0 "${SRV_PID[$s]}" 2>/dev/null || { e2e_dump_logs; echo "e2e: FAIL: $s did not start" >&2; exit 1; }
  done
}

stop_servers () { srv_stop dnsmasq; srv_stop httpd; srv_stop vsftpd; }

RESULTS=()
n=0
for mode in $MODES; do
  n=$((n + 1))
  mac=52:54:00:e2:e2:$(printf '%02x' $n)
  tap=tap$n
  e2e_mode_setup "$mode" || exit 2
  case "$mode" in proxy-*|two-vms) echo "e2e: peer-smoke has no mode $mode" >&2; exit 2 ;; esac
  efi_boot=$(e2e_loader_file "$E2E_LOADER")
  [ "$E2E_LOADER" = pxelinux ] && efi_boot=grubnetx64.efi
  cmdline=$(e2e_kernel_cmdline "http://$S/ks/$mac.cfg" "$TOKEN" "ftp://$S/$E2E_FTP_FILE" "$E2E_FTP_SHA256")
  write_boot_configs "$mac" "$cmdline"
  start_servers "$efi_boot"
  e2e_netns_add_tap "$tap"
  echo "e2e: === peer boot $mode ===" >&2
  e2e_vm_start "$mode" "$E2E_FW" "$tap" "$mac"
  mapfile -t stages < <(e2e_stages "$E2E_FW" "$E2E_LOADER")
  if e2e_vm_wait "$mode" "${E2E_BOUND:-180}" "${stages[@]}"; then
    RESULTS+=("$mode: ok in $E2E_VM_TIME s")
  else
    RESULTS+=("$mode: FAILED")
  fi
  e2e_vm_stop "$mode"
  stop_servers
done

echo "e2e: peer-smoke results:"
printf '  %s\n' "${RESULTS[@]}"
for r in "${RESULTS[@]}"; do case "$r" in *FAILED) exit 1 ;; esac; done
exit 0
