#!/bin/bash
# tests/e2e/boot.sh MODE: boot real VMs (QEMU, TCG) from pxed, end to end, inside a namespace made for
# this run, and check every stage from three sides: the VM's serial console (markers in order), pxed's
# log (lease, transfers, rendered files) and the lease journal.
#
# MODE: bios | uefi-grub | uefi-syslinux | uefi-edk2 | proxy-bios | proxy-uefi | two-vms
#   proxy-*: dnsmasq is the plain DHCP server on a second "host" (198.51.100.2) of the segment, pxed runs
#   proxydhcp (no dhcp) next to tftp/http-repo/ftp and the generators.
# Bad input (BIOS VMs; the test passes when the boot fails, within its bound, at the named stage):
#   bad-lease      no DHCP server at all                      -> stage firmware-dhcp
#   bad-bootfile   DHCP names a boot file that does not exist -> stage boot-file
#   bad-kernel     the menu names a kernel that does not exist -> stage kernel-load
#   bad-ks         the kickstart lacks what the machine expects -> stage kickstart
#
# Environment: PXED, PXED_PLUGIN_DIR, PXED_TEST_LIB (meson's pxed_test_env); E2E_BOUND (s, per boot,
# default 180); E2E_KEEP=1 keeps the work directory; PXED_E2E_CACHE (assets cache); E2E_STREAM=1 shows
# the VM console and pxed's log live.
# Exit: 0 booted, 1 a stage failed (named, with the logs' tails), 77 skipped (not root, no QEMU, no pxed).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
MODE=${1:-}
[ -n "$MODE" ] || { echo "usage: $0 bios|uefi-grub|uefi-syslinux|uefi-edk2|proxy-bios|proxy-uefi|two-vms|bad-lease|bad-bootfile|bad-kernel|bad-ks" >&2; exit 2; }

. "$HERE/lib/assets.sh"
. "$HERE/lib/netns.sh"
. "$HERE/lib/vm.sh"
. "$HERE/lib/stages.sh"
e2e_mode_setup "$MODE" || exit 2
case "$MODE" in
  bad-lease) EXPECT_FAIL=firmware-dhcp ;;
  bad-bootfile) EXPECT_FAIL=boot-file ;;
  bad-kernel) EXPECT_FAIL='kernel-load' ;;
  bad-ks) EXPECT_FAIL=kickstart ;;
  *) EXPECT_FAIL= ;;
esac

skip () { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "e2e boots need root (network namespace, tap devices, mknod)"
[ -n "${PXED:-}" ] && [ -x "$PXED" ] || skip "PXED does not name the pxed binary (run through meson test --suite e2e)"
[ -n "${PXED_PLUGIN_DIR:-}" ] || skip "PXED_PLUGIN_DIR is not set"
case "$MODE" in proxy-*) E2E_EXTRA_PKGS=dnsmasq ;; esac

if [ "${E2E_NS_INNER:-}" != 1 ]; then
  e2e_assets                     # installs what is missing, downloads the kernel: before the namespace
  export E2E_TREE E2E_FTP_FILE E2E_FTP_SHA256
  e2e_netns_create
  case "$MODE" in proxy-*) e2e_netns_add_host dhcp "$E2E_NET_PREFIX.2" ;; esac
fi
e2e_netns_reexec "$@"

# ---------------------------------------------------------------- inside the namespace from here on
. "${PXED_TEST_LIB:-$HERE/../lib}/harness.sh"
set -euo pipefail

E2E_WORK=$(mktemp -d /tmp/pxed-e2e.XXXXXX)
chmod 755 "$E2E_WORK"
S=$E2E_SERVER_IP
ROOT=$E2E_WORK/root
CONF=$E2E_WORK/conf
STATE=$E2E_WORK/state
TOKEN=pxed-e2e-ks-$$-$RANDOM
DHCP_PEER_PID=

cleanup () {
  e2e_stream_stop
  e2e_vm_stop_all
  [ -n "$DHCP_PEER_PID" ] && { kill "$DHCP_PEER_PID" 2>/dev/null || true; wait "$DHCP_PEER_PID" 2>/dev/null || true; }
  if [ -n "${PXED_PID:-}" ]; then kill -TERM "$PXED_PID" 2>/dev/null || true; wait "$PXED_PID" 2>/dev/null || true; PXED_PID=; fi
  if [ "${E2E_KEEP:-}" = 1 ]; then echo "e2e: kept $E2E_WORK" >&2; else rm -rf "$E2E_WORK"; fi
}
e2e_on_exit cleanup

e2e_tree_copy "$ROOT"
mkdir -p "$STATE"

# The VMs of this mode: NAME MAC TAP
VMS=("vm1 52:54:00:e2:e2:01 tap1")
[ "$MODE" = two-vms ] && VMS+=("vm2 52:54:00:e2:e2:02 tap2")

###################################################################################################
# PXED CONFIGURATION: the one place that knows the plugins' keys.  The plugins' option tables
# (plugins/*/…-plugin.c, `pxed --describe PLUGIN`) are the reference; adjust here when they change.
#   e2e_write_pxed_conf: writes $CONF/pxed.yaml and $CONF/conf.d/*.yaml for $MODE and the VMS.
#   E2E_PXED_LOG_PATTERNS: what pxed's log must mention after a boot (per VM, {mac} {mac-} {ip} replaced).
###################################################################################################
e2e_write_pxed_conf () {
  local efi_boot bios_boot=pxelinux.0 vm name mac tap kernel=images/vmlinuz ks_expect=$TOKEN
  [ "$MODE" = bad-bootfile ] && bios_boot=missing/pxelinux.0
  [ "$MODE" = bad-kernel ] && kernel=images/missing-vmlinuz
  [ "$MODE" = bad-ks ] && ks_expect=$TOKEN-not-in-the-kickstart
  efi_boot=$(e2e_loader_file "$E2E_LOADER")
  [ "$E2E_LOADER" = pxelinux ] && efi_boot=grubnetx64.efi
  mkdir -p "$CONF/conf.d"
  cat > "$CONF/pxed.yaml" <<EOF
state-dir: $STATE
log-level: debug
EOF
  case "$MODE" in
    bad-lease) ;;
    proxy-*)
      cat > "$CONF/conf.d/10-proxydhcp.yaml" <<EOF
plugin: proxydhcp
listen: [$E2E_BRIDGE]
next-server: $S
boot-files:
  bios: $bios_boot
  efi-x64: $efi_boot
EOF
      ;;
    *)
      cat > "$CONF/conf.d/10-dhcp.yaml" <<EOF
plugin: dhcp
listen: [$E2E_BRIDGE]
lease-store: journal
boot-files:
  bios: $bios_boot
  efi-x64: $efi_boot
subnets:
  - subnet: $E2E_NET_PREFIX.0/24
    range: $E2E_NET_PREFIX.100-$E2E_NET_PREFIX.199
    routers: [$S]
    next-server: $S
    lease-time: 1h
EOF
      ;;
  esac
  cat > "$CONF/conf.d/20-tftp.yaml" <<EOF
plugin: tftp
listen: ["$S:69"]
root: $ROOT
EOF
  cat > "$CONF/conf.d/30-http-repo.yaml" <<EOF
plugin: http-repo
listen: ["$S:80"]
root: $ROOT
EOF
  cat > "$CONF/conf.d/40-ftp.yaml" <<EOF
plugin: ftp
listen: ["$S:21"]
root: $ROOT
EOF
  printf 'plugin: syslinux\n' > "$CONF/conf.d/50-syslinux.yaml"
  printf 'plugin: grub\n' > "$CONF/conf.d/51-grub.yaml"
  printf 'plugin: kickstart\n' > "$CONF/conf.d/52-kickstart.yaml"
  {
    cat <<EOF
vars:
  server: $S
menu:
  title: pxed-e2e $MODE
  timeout: 1s
  default: e2e
  entries:
    - label: e2e
      profile: e2e
profiles:
  e2e:
    label: $E2E_MENU_LABEL
    kernel: $kernel
    initrd: images/initrd.gz
    install-url: ftp://\${server}/install
    append: $(e2e_kernel_cmdline "http://\${server}/ks/\${mac}.cfg" "$ks_expect" "\${install-url}/tree.img" "$E2E_FTP_SHA256")
    kickstart:
      lang: en_US.UTF-8
      keyboard: us
      timezone: UTC
      rootpw-crypted: \$6\$pxede2esalt\$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ./0123456789abcdefghij
      text: true
      skipx: true
      finish: poweroff
      post: |
        echo $TOKEN
hosts:
EOF
    for vm in "${VMS[@]}"; do
      read -r name mac tap <<<"$vm"
      printf '  %s:\n    mac: %s\n    profile: e2e\n' "$name" "$mac"
    done
  } > "$CONF/conf.d/60-inventory.yaml"
}
# Each an extended regex, case-insensitive; {mac} = 52:54:00:..., {mac-} = 52-54-00-..., {ip}.
E2E_PXED_LOG_PATTERNS=(
  '{mac}|{ip}'                               # the client is seen
  'pxelinux\.0|grubnetx64\.efi|syslinux\.efi' # boot file sent
  'images/vmlinuz'                           # kernel over TFTP
  'images/initrd\.gz'                        # initrd over TFTP
  'ks/({mac}|{mac-})\.cfg'                   # kickstart rendered/served over HTTP
  'install/tree\.img'                        # install tree file over FTP
)
case "$E2E_LOADER" in                        # the boot loader's configuration for this machine
  pxelinux|syslinux-efi) E2E_PXED_LOG_PATTERNS+=('pxelinux\.cfg/01-{mac-}') ;;
  grub) E2E_PXED_LOG_PATTERNS+=('grub/grub\.cfg') ;;
esac
case "$MODE" in                              # the dhcp plugin's one line per ACKed lease
  proxy-*|bad-lease) ;;
  *) E2E_PXED_LOG_PATTERNS+=('lease {ip} to {mac} \([^)]*, arch [0-9]+\) for [0-9]+s'
       # the installed system's lease (udhcpc sends no option 93): the firmware's arch is known
       'lease {ip} to {mac} \([^)]*, arch none, firmware [0-9]+\) for [0-9]+s') ;;
esac
###################################################################################################

e2e_write_pxed_conf
E2E_LOGS=()

case "$MODE" in
  proxy-*)
    # The plain DHCP server: another host of the segment, no PXE options at all.
    ip netns exec "$E2E_NS-dhcp" dnsmasq -k -C /dev/null --port=0 --user=root --group=root --pid-file= \
      --interface=eth0 --bind-interfaces --log-facility="$E2E_WORK/dnsmasq.log" --log-dhcp --no-ping \
      --dhcp-range="$E2E_NET_PREFIX.100,$E2E_NET_PREFIX.199,255.255.255.0,1h" \
      --dhcp-leasefile="$E2E_WORK/dnsmasq.leases" &
    DHCP_PEER_PID=$!
    E2E_LOGS+=("$E2E_WORK/dnsmasq.log")
    ;;
esac

if ! "$PXED" --check-config --config "$CONF" --plugin-dir "$PXED_PLUGIN_DIR" > "$E2E_WORK/check-config.log" 2>&1; then
  cat "$E2E_WORK/check-config.log" >&2
  for f in "$CONF/pxed.yaml" "$CONF"/conf.d/*.yaml; do echo "----- ${f#$CONF/}"; cat "$f"; done >&2
  echo "e2e: FAIL: stage config: pxed --check-config refused the generated configuration" >&2
  exit 1
fi
pxed_start "$CONF"
echo "e2e: pxed ready (pid $PXED_PID), log $PXED_LOG" >&2

for vm in "${VMS[@]}"; do
  read -r name mac tap <<<"$vm"
  e2e_netns_add_tap "$tap"
  e2e_vm_start "$name" "$E2E_FW" "$tap" "$mac"
done

# E2E_STREAM=1: show the console(s) and pxed's log live, interleaved (the demo).
if [ "${E2E_STREAM:-}" = 1 ]; then
  for vm in "${VMS[@]}"; do
    read -r name mac tap <<<"$vm"
    if [ "$name" = vm1 ]; then e2e_stream "$name" "$PXED_LOG" ${E2E_LOGS[@]+"${E2E_LOGS[@]}"}; else e2e_stream "$name"; fi
  done
fi

mapfile -t STAGES < <(e2e_stages "$E2E_FW" "$E2E_LOADER")
BOUND=180
[ -n "$EXPECT_FAIL" ] && BOUND=120
rc=0
declare -A VM_IP=() VM_TIME=() WAIT_PID=()
# One waiter per VM, all at once, so that each stage's time is that VM's own.
for vm in "${VMS[@]}"; do
  read -r name mac tap <<<"$vm"
  (
    if E2E_LEASE_JOURNAL=$(find "$STATE" -type f 2>/dev/null | head -n1) \
         e2e_vm_wait "$name" "${E2E_BOUND:-$BOUND}" "${STAGES[@]}"; then
      echo "ok $E2E_VM_TIME" > "$E2E_WORK/$name.result"
    else
      echo "fail $E2E_FAILED_STAGE" > "$E2E_WORK/$name.result"
    fi
  ) &
  WAIT_PID[$name]=$!
done
E2E_FAILED_STAGE=
for vm in "${VMS[@]}"; do
  read -r name mac tap <<<"$vm"
  wait "${WAIT_PID[$name]}" || true
  read -r status value < "$E2E_WORK/$name.result" || status=fail
  if [ "$status" != ok ]; then
    rc=1
    E2E_FAILED_STAGE=${E2E_FAILED_STAGE:-${value:-}}
    continue
  fi
  VM_TIME[$name]=$value
  VM_IP[$name]=$(grep -a -o 'PXED-E2E: lease [0-9.]*' "$E2E_WORK/$name.serial.txt" | head -n1 | cut -d' ' -f3)
done

e2e_stream_stop

if [ -n "$EXPECT_FAIL" ]; then
  if [ $rc = 0 ]; then
    echo "e2e: $MODE: FAIL: the VM booted to the end although it should have failed at stage $EXPECT_FAIL" >&2
    exit 1
  fi
  if [ "$E2E_FAILED_STAGE" != "$EXPECT_FAIL" ]; then
    echo "e2e: $MODE: FAIL: the boot failed at stage '$E2E_FAILED_STAGE', expected '$EXPECT_FAIL'" >&2
    exit 1
  fi
  echo "e2e: $MODE: PASS (the boot failed as it must, at stage $EXPECT_FAIL, in $(e2e_secs $(( $(e2e_now_ms) - ${E2E_VM_T0[vm1]} ))) s)"
  exit 0
fi

# pxed's side and the lease journal.
E2E_LEASE_JOURNAL=$(find "$STATE" -type f 2>/dev/null | head -n1)
if [ $rc = 0 ]; then
  for vm in "${VMS[@]}"; do
    read -r name mac tap <<<"$vm"
    ip=${VM_IP[$name]}
    for pat in "${E2E_PXED_LOG_PATTERNS[@]}"; do
      re=${pat//\{mac\}/$mac}; re=${re//\{mac-\}/${mac//:/-}}; re=${re//\{ip\}/${ip//./\\.}}
      if ! grep -a -q -i -E -- "$re" "$PXED_LOG"; then
        echo "e2e: FAIL: VM $name: stage pxed-log: pxed's log never mentions /$re/" >&2
        rc=1
      fi
    done
    case "$MODE" in
      proxy-*) journal=$E2E_WORK/dnsmasq.leases ;;
      *) journal=$E2E_LEASE_JOURNAL ;;
    esac
    if [ -z "$journal" ] || ! grep -a -q -i -E -- "$mac|${ip//./\\.}" "$journal"; then
      echo "e2e: FAIL: VM $name: stage lease-journal: no lease for $mac / $ip in ${journal:-the state directory ($STATE is empty)}" >&2
      rc=1
    fi
  done
  if [ "$MODE" = two-vms ] && [ "${VM_IP[vm1]}" = "${VM_IP[vm2]}" ]; then
    echo "e2e: FAIL: stage lease: both VMs got ${VM_IP[vm1]}" >&2
    rc=1
  fi
  [ $rc = 0 ] || e2e_dump_logs "${!E2E_VM_PID[@]}"
fi

if [ $rc = 0 ]; then
  for vm in "${VMS[@]}"; do
    read -r name mac tap <<<"$vm"
    echo "e2e: boot $MODE $name ($mac, ${VM_IP[$name]}): ${VM_TIME[$name]} s to power-off marker"
  done
  echo "e2e: $MODE: PASS"
else
  E2E_KEEP=${E2E_KEEP:-}
  echo "e2e: $MODE: FAIL"
fi
exit $rc
