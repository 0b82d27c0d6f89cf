#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An ACKed lease survives kill -9: a relay-agent driver runs DORA for
# thousands of clients, pxed is killed with SIGKILL mid-stream, restarted, and
# every client that got an ACK must get the same address back (DISCOVER and
# INIT-REBOOT), with no address given to two clients.
. "$PXED_TEST_LIB/harness.sh"
. "$(dirname "$0")/netns.sh"
require_root
require_cmd ip
DRIVER="$(dirname "$0")/dhcp-driver.py"

T=$(tmpdir)
STATE=$T/state
netns_setup
ip -n "$NS_C" addr add 192.0.2.2/24 dev "$VETH_C"
write_dhcp_conf "$T/conf" "$STATE"
sed -i 's/range: 192.0.2.100-192.0.2.199/range: 192.0.2.10-192.0.2.250/' "$T/conf/conf.d/10-dhcp.yaml"
cat >> "$T/conf/conf.d/10-dhcp.yaml" <<YAML
  - subnet: 198.51.100.0/22
    range: 198.51.100.10-198.51.103.250
YAML
# relay for the big subnet: giaddr 198.51.100.1 lives on the client side
ip -n "$NS_C" addr add 198.51.100.1/22 dev "$VETH_C"
ip -n "$NS_S" route add 198.51.100.0/22 via 192.0.2.2
PXED_WRAPPER="ip netns exec $NS_S" pxed_start "$T/conf"

# bad input first (the fuzz corpus: truncated, bad cookie, overruns, overload
# garbage, hlen 17, BOOTREPLY...): all dropped, the daemon keeps serving
CORPUS=${PXED_SOURCE_ROOT:-$(dirname "$0")/../../..}/tests/fuzz/corpus/dhcp-message
ip netns exec "$NS_C" /usr/bin/python3 - "$CORPUS" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for name in sorted(os.listdir(sys.argv[1])):
    s.sendto(open(os.path.join(sys.argv[1], name), "rb").read(), ("192.0.2.1", 67))
PY
kill -0 "$PXED_PID" || fail "pxed died on bad input"

ACKS=$T/acks
ip netns exec "$NS_C" /usr/bin/python3 "$DRIVER" dora 198.51.100.1 192.0.2.1 900 20 "$ACKS" > "$T/driver.log" 2>&1 &
DRV=$!
# kill mid-stream
for i in $(seq 1 100); do
  [ -s "$ACKS" ] && [ "$(wc -l < "$ACKS")" -ge 200 ] && break
  sleep 0.05
done
kill -9 "$PXED_PID"
wait "$PXED_PID" 2>/dev/null
PXED_PID=""
N_BEFORE=$(wc -l < "$ACKS")
wait "$DRV"
N=$(wc -l < "$ACKS")
[ "$N" -ge 100 ] || fail "only $N ACKs before the kill"
assert_eq "$N_BEFORE" "$N" "ACKs after the kill"
echo "killed pxed after $N ACKs ($(grep -c '^bound' "$STATE/dhcp-10-dhcp.leases") bound lines in the journal)"

PXED_LOG_FILE=$T/pxed2.log PXED_WRAPPER="ip netns exec $NS_S" pxed_start "$T/conf"
grep -q "$N\|lease(s) loaded" "$PXED_LOG" || true
ip netns exec "$NS_C" /usr/bin/python3 "$DRIVER" verify 198.51.100.1 192.0.2.1 "$ACKS" \
  || fail "leases lost across kill -9"
pxed_stop
