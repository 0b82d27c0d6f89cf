#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ping-check: 192.0.2.100, the first pool address, is already used by a host
# pxed does not know (it answers ICMP echo). pxed probes before offering,
# quarantines .100 and offers the next address.
. "$PXED_TEST_LIB/harness.sh"
. "$(dirname "$0")/netns.sh"
require_root
require_cmd ip
UDHCPC=$(command -v udhcpc || true)
[ -n "$UDHCPC" ] || UDHCPC="busybox udhcpc"

T=$(tmpdir)
STATE=$T/state
netns_setup
# the squatter: a third namespace on the same segment would be cleaner; an
# address on the client's own veth answers the echo just the same
ip -n "$NS_C" addr add 192.0.2.100/24 dev "$VETH_C"
write_dhcp_conf "$T/conf" "$STATE"
printf 'ping-check: true\nping-timeout: 300ms\n' >> "$T/conf/conf.d/10-dhcp.yaml"
PXED_WRAPPER="ip netns exec $NS_S" pxed_start "$T/conf"
cat > "$T/script" <<SH
#!/bin/sh
echo "\$1 \${ip:-}" >> $T/events
exit 0
SH
chmod +x "$T/script"
ip netns exec "$NS_C" $UDHCPC -f -q -n -i "$VETH_C" -s "$T/script" -t 5 -T 2 -A 1 > "$T/u.log" 2>&1 \
  || fail "no lease: $(cat "$T/u.log")"
ADDR=$(awk '$1 == "bound" { print $2 }' "$T/events" | tail -n 1)
assert_eq 192.0.2.101 "$ADDR" "address after the probe of .100"
assert_eq declined "$(journal_state 192.0.2.100)" "journal state of the squatted address"
grep -q "192.0.2.100 answers ICMP echo" "$PXED_LOG" || fail "no log line for the squatter"
pxed_stop
echo "ping-check: .100 quarantined, offered $ADDR"
