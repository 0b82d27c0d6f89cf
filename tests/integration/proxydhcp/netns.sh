# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the proxydhcp integration tests. Four namespaces, all removed on
# exit: a bridge (br0 in 198.51.100.0/24's segment) and, each on a veth
# port of it, pxed (198.51.100.1), a foreign DHCP server (198.51.100.2,
# dnsmasq serving plain addresses, no PXE options) and the scripted clients
# (no address until the foreign server gives one). Interface names live
# inside the namespaces, so nothing is created in the caller's namespace.
# Source after harness.sh.

NS_BR="pxpb$$"
NS_P="pxpp$$"
NS_D="pxpd$$"
NS_C="pxpc$$"
PROXY_IP=198.51.100.1
FOREIGN_IP=198.51.100.2
CLIENT_PY="$(dirname "$0")/pxe-client.py"
CORPUS="${PXED_SOURCE_ROOT:-$(dirname "$0")/../../..}/tests/fuzz/corpus/proxydhcp-4011"
DNSMASQ_PID=""

netns_setup () {
  local ns port
  for ns in "$NS_BR" "$NS_P" "$NS_D" "$NS_C"; do
    ip netns add "$ns" || fail "ip netns add $ns"
    at_exit "ip netns del $ns 2>/dev/null"
    ip -n "$ns" link set lo up
  done
  ip -n "$NS_BR" link add br0 type bridge || fail "bridge"
  ip -n "$NS_BR" link set br0 up
  for port in p:"$NS_P" d:"$NS_D" c:"$NS_C"; do
    ns=${port#*:}
    port=${port%%:*}
    ip -n "$NS_BR" link add "v$port" type veth peer name eth0 netns "$ns" || fail "veth $port"
    ip -n "$NS_BR" link set "v$port" master br0 up
    ip -n "$ns" link set eth0 up
  done
  ip -n "$NS_P" addr add "$PROXY_IP/24" dev eth0
  ip -n "$NS_D" addr add "$FOREIGN_IP/24" dev eth0
  # let the bridge ports forward at once
  ip netns exec "$NS_BR" sh -c 'echo 0 > /sys/class/net/br0/bridge/forward_delay' 2>/dev/null || true
}

# foreign_dhcp_start DIR: dnsmasq as a plain DHCP server (no DNS, no PXE).
foreign_dhcp_start () {
  local dir=$1 i
  ip netns exec "$NS_D" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 \
    --interface=eth0 --bind-interfaces --dhcp-range=198.51.100.100,198.51.100.150,255.255.255.0,10m \
    --dhcp-leasefile="$dir/dnsmasq.leases" --no-ping --pid-file="$dir/dnsmasq.pid" \
    --log-facility="$dir/dnsmasq.log" --log-dhcp --user=root --group=root &
  DNSMASQ_PID=$!
  at_exit "kill $DNSMASQ_PID 2>/dev/null; wait $DNSMASQ_PID 2>/dev/null"
  for i in $(seq 1 100); do
    grep -q "DHCP, IP range" "$dir/dnsmasq.log" 2>/dev/null && return 0
    kill -0 "$DNSMASQ_PID" 2>/dev/null || fail "dnsmasq exited: $(cat "$dir/dnsmasq.log" 2>/dev/null)"
    sleep 0.05
  done
  fail "dnsmasq not ready"
}

# write_conf CONFDIR [EXTRA-YAML]: pxed with the proxydhcp plugin only.
write_conf () {
  local conf=$1 extra=${2:-}
  mkdir -p "$conf/conf.d" "$conf/state"
  cat > "$conf/pxed.yaml" <<YAML
state-dir: $conf/state
log-level: ${PXED_TEST_LOG_LEVEL:-debug}
YAML
  cat > "$conf/conf.d/15-proxydhcp.yaml" <<YAML
plugin: proxydhcp
ipxe-script: http://{next-server}/boot.ipxe
$extra
YAML
}

# client SCENARIO [ARGS...]: runs one scripted PXE client scenario.
client () {
  ip netns exec "$NS_C" /usr/bin/python3 "$CLIENT_PY" eth0 "$PROXY_IP" "$FOREIGN_IP" "$@" \
    || fail "client scenario '$1' failed"
}
