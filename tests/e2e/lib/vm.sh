#!/bin/bash
# tests/e2e/lib/vm.sh: QEMU VMs that boot from the network, and the stage checks on their serial console.
#
# Needs E2E_WORK (a directory for logs) and must run inside the namespace that holds the tap (see netns.sh).
#
#   e2e_vm_start NAME FIRMWARE TAP MAC [UUID]
#       FIRMWARE: bios       SeaBIOS + iPXE BIOS ROM (pxe-virtio.rom), -machine pc,graphics=off so that
#                            SeaBIOS mirrors iPXE's and pxelinux's text to the serial port
#                 uefi-ipxe  OVMF + iPXE's EFI ROM (efi-virtio.rom)
#                 uefi-edk2  OVMF with no option ROM (romfile=): EDK2's own PXE (VirtioNetDxe)
#       Runs under `timeout -s KILL $E2E_VM_TIMEOUT` (default 240 s), TCG only (this machine's /dev/kvm
#       cannot run firmware), serial console to $E2E_WORK/NAME.serial.
#   e2e_vm_wait NAME BOUND STAGE=REGEX...
#       Wait until each REGEX (extended, in order) appears in the cleaned serial log, within BOUND seconds
#       of the VM's start.  On success prints each stage's time and sets E2E_VM_TIME (seconds, to the last
#       stage).  On failure names the first stage that did not happen (or the init's `FAIL <stage>`),
#       sets E2E_FAILED_STAGE to it, prints the logs' tails and returns 1.
#   e2e_vm_stop NAME           SIGTERM the VM (by PID) and reap it
#   e2e_vm_clean FILE          the serial log with escape sequences and control characters removed
#   e2e_dump_logs [NAME...]    tails of the VMs' serial logs, $PXED_LOG, $E2E_LEASE_JOURNAL, E2E_LOGS[@]

E2E_VM_TIMEOUT=${E2E_VM_TIMEOUT:-240}
E2E_OVMF_CODE=${E2E_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
E2E_OVMF_VARS=${E2E_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
# Empty: QEMU's default ROM for virtio-net-pci, efi-virtio.rom from ipxe-qemu (/usr/lib/ipxe/qemu/), which
# holds both iPXE's BIOS and EFI images.  Pitfall: naming that same file with romfile= (by name or path)
# made SeaBIOS 1.16 + QEMU 7.2 skip the ROM entirely ("Booting from Hard Disk..."); leave it to QEMU.
E2E_IPXE_BIOS_ROM=${E2E_IPXE_BIOS_ROM:-}
E2E_IPXE_EFI_ROM=${E2E_IPXE_EFI_ROM:-}
# Text after which a boot cannot succeed any more: stop waiting at once, naming the awaited stage.
# (pxelinux/syslinux.efi return to their menu forever after "Loading X... failed"; GRUB after
# "error: file 'X' not found".)
E2E_FATAL=${E2E_FATAL:-'No bootable device|Kernel panic|PXE-E[0-9A-F]{2}|^grub> |Boot Failed|BdsDxe: failed to load|Loading [^ ]+\.\.\. failed|error: file .* not found'}
E2E_TAIL_LINES=${E2E_TAIL_LINES:-40}
declare -A E2E_VM_PID=() E2E_VM_T0=()
E2E_LOGS=(${E2E_LOGS[@]+"${E2E_LOGS[@]}"})

e2e_now_ms () { echo $(( $(date +%s%N) / 1000000 )); }
e2e_secs () { printf '%d.%01d' $(( $1 / 1000 )) $(( ($1 % 1000) / 100 )); }

e2e_vm_start () {
  local name=$1 fw=$2 tap=$3 mac=$4 uuid=${5:-}
  local log="$E2E_WORK/$name.serial" rom args=()
  args=(qemu-system-x86_64 -name "pxed-e2e-$name" -nodefaults -no-user-config
        -machine pc,graphics=off -accel tcg -cpu "${E2E_VM_CPU:-max}" -m 512 -smp 1
        -display none -vga none -no-reboot -monitor none
        -serial "file:$log")
  local nic="virtio-net-pci,netdev=n0,mac=$mac,bootindex=1"
  case "$fw" in
    bios) rom=$E2E_IPXE_BIOS_ROM ;;
    uefi-ipxe) rom=$E2E_IPXE_EFI_ROM ;;
    uefi-edk2) rom= ; nic+=",romfile=" ;;
    *) echo "e2e: unknown firmware $fw" >&2; return 1 ;;
  esac
  [ -n "$rom" ] && nic+=",romfile=$rom"
  if [ "$fw" != bios ]; then
    cp "$E2E_OVMF_VARS" "$E2E_WORK/$name.vars.fd"
    args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$E2E_OVMF_CODE"
           -drive "if=pflash,format=raw,unit=1,file=$E2E_WORK/$name.vars.fd")
  fi
  [ -n "$uuid" ] && args+=(-uuid "$uuid")
  args+=(-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no"
         -device "$nic"
         -boot order=n)
  : > "$log"
  echo "e2e: starting VM $name ($fw, $mac on $tap): ${args[*]}" >&2
  E2E_VM_T0[$name]=$(e2e_now_ms)
  timeout -s KILL "$E2E_VM_TIMEOUT" "${args[@]}" </dev/null >"$E2E_WORK/$name.qemu.log" 2>&1 &
  E2E_VM_PID[$name]=$!
  E2E_LOGS+=("$E2E_WORK/$name.qemu.log")
}

e2e_vm_running () {
  local pid=${E2E_VM_PID[$1]:-}
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

e2e_vm_stop () {
  local pid=${E2E_VM_PID[$1]:-}
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  E2E_VM_PID[$1]=
}

e2e_vm_stop_all () {
  local n
  for n in "${!E2E_VM_PID[@]}"; do e2e_vm_stop "$n"; done
}

# OVMF writes colour escapes between the characters of a word; iPXE spins with \r and \b.
e2e_vm_clean () {
  perl -pe 's/\e\[[0-9;?=]*[A-Za-z]//g; s/\e[()][A-Za-z0-9]//g; s/\e[=>78cDEHMZ]//g;
            s/\r(?!\n)/\n/g; s/\r//g; s/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]//g' "$1"
}

e2e__tail () {
  local title=$1 file=$2
  [ -n "$file" ] && [ -s "$file" ] || return 0
  echo "----- $title: last $E2E_TAIL_LINES lines of $file -----"
  tail -n "$E2E_TAIL_LINES" "$file"
}

e2e_dump_logs () {
  local n f
  {
    for n in "$@"; do
      [ -f "$E2E_WORK/$n.serial" ] || continue
      e2e_vm_clean "$E2E_WORK/$n.serial" > "$E2E_WORK/$n.serial.txt"
      e2e__tail "serial console of VM $n" "$E2E_WORK/$n.serial.txt"
    done
    e2e__tail "pxed log" "${PXED_LOG:-}"
    e2e__tail "lease journal" "${E2E_LEASE_JOURNAL:-}"
    for f in ${E2E_LOGS[@]+"${E2E_LOGS[@]}"}; do e2e__tail "log" "$f"; done
    echo "----- end of logs -----"
  } >&2
}

e2e_vm_wait () {
  local name=$1 bound=$2; shift 2
  local t0=${E2E_VM_T0[$name]} clean="$E2E_WORK/$name.serial.txt"
  local i=0 line=0 stage re hit now el failed=
  local stages=("$@")
  E2E_FAILED_STAGE=
  if [ ${#stages[@]} -eq 0 ]; then
    echo "e2e: FAIL: VM $name: no stages to wait for (a bug in the test)" >&2
    return 1
  fi
  while :; do
    e2e_vm_clean "$E2E_WORK/$name.serial" > "$clean"
    # Advance through the stages seen so far, in order.
    while [ $i -lt ${#stages[@]} ]; do
      stage=${stages[$i]%%=*}; re=${stages[$i]#*=}
      hit=$(tail -n "+$((line + 1))" "$clean" | grep -a -n -E -m1 -- "$re" | cut -d: -f1)
      [ -n "$hit" ] || break
      line=$((line + hit))
      el=$(( $(e2e_now_ms) - t0 ))
      echo "e2e: VM $name: stage $stage at $(e2e_secs $el) s" >&2
      i=$((i + 1))
    done
    if [ $i -ge ${#stages[@]} ]; then
      E2E_VM_TIME=$(e2e_secs $(( $(e2e_now_ms) - t0 )))
      echo "e2e: VM $name: all ${#stages[@]} stages in $E2E_VM_TIME s" >&2
      return 0
    fi
    stage=${stages[$i]%%=*}
    failed=$(grep -a -m1 -o 'PXED-E2E: FAIL .*' "$clean" || true)
    if [ -n "$failed" ]; then
      echo "e2e: FAIL: VM $name: the initrd reported '${failed#PXED-E2E: }' (waiting for stage $stage)" >&2
      break
    fi
    failed=$(tail -n "+$((line + 1))" "$clean" | grep -a -m1 -E -- "$E2E_FATAL" || true)
    if [ -n "$failed" ]; then
      sleep 1   # let the rest of the message reach the log
      echo "e2e: FAIL: VM $name: stage $stage did not happen: the console says '$failed'" >&2
      break
    fi
    now=$(e2e_now_ms)
    if [ $(( now - t0 )) -gt $(( bound * 1000 )) ]; then
      echo "e2e: FAIL: VM $name: stage $stage did not happen within $bound s" >&2
      break
    fi
    if ! e2e_vm_running "$name"; then
      sleep 0.3
      e2e_vm_clean "$E2E_WORK/$name.serial" > "$clean"
      if tail -n "+$((line + 1))" "$clean" | grep -a -q -E -- "${stages[$i]#*=}"; then continue; fi
      echo "e2e: FAIL: VM $name: stage $stage did not happen (the VM stopped after $(e2e_secs $((now - t0))) s)" >&2
      break
    fi
    sleep 0.5
  done
  E2E_FAILED_STAGE=$stage
  e2e_dump_logs "$name"
  return 1
}

# e2e_stream NAME [LOG...]: print the VM's console (cleaned, "vm NAME |") and each LOG ("<file> |")
# as they grow, interleaved, until e2e_stream_stop.  For demos and for watching a boot by hand.
# The tails follow a guard process (tail --pid): stopping the guard ends every pipeline within a second.
E2E_STREAM_GUARD=
e2e_stream () {
  local name=$1 f; shift
  if [ -z "$E2E_STREAM_GUARD" ]; then
    sleep 100000 &
    E2E_STREAM_GUARD=$!
  fi
  tail -n +1 -F --pid="$E2E_STREAM_GUARD" "$E2E_WORK/$name.serial" 2>/dev/null \
    | perl -ne 'BEGIN { $| = 1 } s/\e\[[0-9;?=]*[A-Za-z]//g; s/\e[()][A-Za-z0-9]//g; s/\r//g;
                s/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]//g; print "vm '"$name"' | $_" if /\S/' &
  for f in "$@"; do
    tail -n +1 -F --pid="$E2E_STREAM_GUARD" "$f" 2>/dev/null | sed -u "s|^|${f##*/} \| |" &
  done
}

e2e_stream_stop () {
  [ -n "$E2E_STREAM_GUARD" ] || return 0
  kill "$E2E_STREAM_GUARD" 2>/dev/null || true
  wait "$E2E_STREAM_GUARD" 2>/dev/null || true
  E2E_STREAM_GUARD=
  sleep 1.2
}
