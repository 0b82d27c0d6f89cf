#!/bin/bash
# tests/e2e/lib/netns.sh: one L2 segment per test run.
#
#   network namespace pxede2e-<pid>-<n>
#     br0   198.51.100.1/24   the server side (pxed, dnsmasq, ... bind here)
#     tapN  one tap per VM, enslaved to br0; QEMU opens it by name, so QEMU runs inside the namespace
#
# The approach: the test script creates the namespace, then re-executes itself inside it
# (`e2e_netns_reexec "$@"`), so every process it starts (servers, pxed via the harness, QEMU) is in the
# namespace with no per-command wrapper.  The outer shell only waits and removes the namespace on exit,
# even after a failure or a signal.  Only 198.51.100.0/24 is ever used.
#
#   e2e_netns_create            create it, set E2E_NS, register its removal on exit
#   e2e_netns_add_tap NAME      add tap NAME to br0 (run outside or inside)
#   e2e_netns_reexec "$@"       outer: create + run "$0" "$@" inside, exit with its status;
#                               inner (E2E_NS_INNER=1): returns at once
#   e2e_in_ns CMD...            run CMD in the namespace (works from outside or inside)
#   e2e_on_exit CMD             run CMD (a string, evaluated) on exit, last registered first

E2E_NET_PREFIX=198.51.100
E2E_SERVER_IP=$E2E_NET_PREFIX.1
E2E_BRIDGE=br0
E2E_EXIT_HOOKS=()

e2e__run_exit_hooks () {
  local rc=$? i
  trap - EXIT INT TERM HUP
  for ((i = ${#E2E_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
    eval "${E2E_EXIT_HOOKS[$i]}" || true
  done
  exit $rc
}

e2e_on_exit () {
  # Inside a script that sourced the lead's tests/lib/harness.sh, its at_exit owns the EXIT trap.
  if declare -F at_exit >/dev/null; then
    at_exit "$1"
    return 0
  fi
  E2E_EXIT_HOOKS+=("$1")
  trap e2e__run_exit_hooks EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
}

e2e_in_ns () {
  if [ "${E2E_NS_INNER:-}" = 1 ]; then
    "$@"
  else
    ip netns exec "$E2E_NS" "$@"
  fi
}

e2e_netns_create () {
  local n=0
  while ip netns list | grep -q "^pxede2e-$$-$n\b"; do n=$((n + 1)); done
  E2E_NS=pxede2e-$$-$n
  ip netns add "$E2E_NS" || { echo "e2e: cannot create namespace $E2E_NS" >&2; exit 1; }
  e2e_on_exit "ip netns delete '$E2E_NS' 2>/dev/null"
  ip -n "$E2E_NS" link set lo up
  ip -n "$E2E_NS" link add "$E2E_BRIDGE" type bridge forward_delay 0 stp_state 0
  ip -n "$E2E_NS" addr add "$E2E_SERVER_IP/24" dev "$E2E_BRIDGE"
  ip -n "$E2E_NS" link set "$E2E_BRIDGE" up
  export E2E_NS
}

e2e_netns_add_tap () {
  ip -n "$E2E_NS" tuntap add dev "$1" mode tap
  ip -n "$E2E_NS" link set "$1" master "$E2E_BRIDGE" up
}

# e2e_netns_add_host SUFFIX IP: a second "machine" on the same segment: its own namespace
# $E2E_NS-SUFFIX with eth0 (IP/24) veth-linked into br0.  Run things there with
# `ip netns exec "$E2E_NS-SUFFIX" ...` (from outside or inside E2E_NS).  Call it before e2e_netns_reexec.
e2e_netns_add_host () {
  local h="$E2E_NS-$1" ip=$2
  ip netns add "$h" || { echo "e2e: cannot create namespace $h" >&2; exit 1; }
  e2e_on_exit "ip netns delete '$h' 2>/dev/null"
  ip -n "$h" link set lo up
  ip link add "v$1$$" type veth peer name eth0 netns "$h"
  ip link set "v$1$$" netns "$E2E_NS"
  ip -n "$E2E_NS" link set "v$1$$" master "$E2E_BRIDGE" up
  ip -n "$h" addr add "$ip/24" dev eth0
  ip -n "$h" link set eth0 up
}

e2e_netns_reexec () {
  if [ "${E2E_NS_INNER:-}" = 1 ]; then
    return 0
  fi
  [ -n "${E2E_NS:-}" ] || e2e_netns_create
  local rc=0
  # In the background so that a signal to this shell (meson's timeout) reaches the inner run first.
  E2E_NS_INNER=1 ip netns exec "$E2E_NS" bash "$0" "$@" &
  E2E_INNER_PID=$!
  e2e_on_exit '[ -n "${E2E_INNER_PID:-}" ] && { kill -TERM "$E2E_INNER_PID" 2>/dev/null; wait "$E2E_INNER_PID" 2>/dev/null; }'
  wait "$E2E_INNER_PID" || rc=$?
  E2E_INNER_PID=
  exit $rc
}
