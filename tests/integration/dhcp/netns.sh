# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the dhcp integration tests: a server namespace and a client
# namespace joined by a veth pair (server 192.0.2.1/24, client unnumbered),
# removed on exit. Source after harness.sh.

NS_S="pxds$$"
NS_C="pxdc$$"
VETH_S="pxvs$$"
VETH_C="pxvc$$"

netns_setup () {
  ip netns add "$NS_S" || fail "ip netns add"
  at_exit "ip netns del $NS_S 2>/dev/null"
  ip netns add "$NS_C" || fail "ip netns add"
  at_exit "ip netns del $NS_C 2>/dev/null"
  ip link add "$VETH_S" type veth peer name "$VETH_C" || fail "ip link add veth"
  ip link set "$VETH_S" netns "$NS_S"
  ip link set "$VETH_C" netns "$NS_C"
  ip -n "$NS_S" addr add 192.0.2.1/24 dev "$VETH_S"
  ip -n "$NS_S" link set "$VETH_S" up
  ip -n "$NS_S" link set lo up
  ip -n "$NS_C" link set "$VETH_C" up
  ip -n "$NS_C" link set lo up
}

# write_dhcp_conf CONFDIR STATEDIR [EXTRA-YAML]: a dhcp instance for 192.0.2.0/24.
write_dhcp_conf () {
  local conf=$1 state=$2 extra=${3:-}
  mkdir -p "$conf/conf.d" "$state"
  cat > "$conf/pxed.yaml" <<YAML
state-dir: $state
log-level: ${PXED_TEST_LOG_LEVEL:-info}
YAML
  cat > "$conf/conf.d/10-dhcp.yaml" <<YAML
plugin: dhcp
lease-time: 2m
subnets:
  - subnet: 192.0.2.0/24
    range: 192.0.2.100-192.0.2.199
    routers: 192.0.2.1
    dns: [192.0.2.53]
    domain: example.test
$extra
YAML
}

in_client () {
  ip netns exec "$NS_C" "$@"
}

# journal_state IP: the state word of the last journal line for IP.
journal_state () {
  grep -E "^[a-z]+ $1 " "$STATE/dhcp-10-dhcp.leases" | tail -n 1 | cut -d' ' -f1
}

# wait_event PATTERN: waits until the client's event file ($EVENTS, written by
# its hook script) has a line matching the extended regex; $EVENT_TRIES tenths
# of a second at most (default 150), then fails with the events and the last
# lines of $CLIENT_LOG ($CLIENT_NAME names the client).
wait_event () {
  local pattern=$1 i
  for i in $(seq 1 "${EVENT_TRIES:-150}"); do
    grep -qE "$pattern" "$EVENTS" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "no $CLIENT_NAME event /$pattern/: $(cat "$EVENTS" 2>/dev/null) $(tail -n 20 "$CLIENT_LOG")"
}
