#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dhcpcd obtains a lease from pxed,
# rebinds on `dhcpcd -n` and releases on `dhcpcd -k`.
. "$PXED_TEST_LIB/harness.sh"
. "$(dirname "$0")/netns.sh"
require_root
require_cmd ip dhcpcd

T=$(tmpdir)
STATE=$T/state
netns_setup
write_dhcp_conf "$T/conf" "$STATE"
PXED_WRAPPER="ip netns exec $NS_S" pxed_start "$T/conf"

EVENTS=$T/events
cat > "$T/script" <<SH
#!/bin/sh
echo "\$reason \${new_ip_address:-} \${old_ip_address:-}" >> $EVENTS
exit 0
SH
chmod +x "$T/script"
cat > "$T/dhcpcd.conf" <<CONF
noipv4ll
noipv6
noipv6rs
nohook resolv.conf
option domain_name, routers
CONF

DC=(dhcpcd -f "$T/dhcpcd.conf" -c "$T/script" -4)
ip netns exec "$NS_C" "${DC[@]}" -B -t 20 "$VETH_C" > "$T/dhcpcd.log" 2>&1 &
DPID=$!
at_exit "ip netns exec $NS_C dhcpcd -x $VETH_C >/dev/null 2>&1; kill $DPID 2>/dev/null"

CLIENT_NAME=dhcpcd CLIENT_LOG=$T/dhcpcd.log
wait_event '^BOUND 192\.0\.2\.1[0-9][0-9]'
ADDR=$(awk '$1 == "BOUND" { print $2 }' "$EVENTS" | tail -n 1)
assert_eq bound "$(journal_state "$ADDR")" "journal state after DORA"
grep -q "^bound $ADDR hw=" "$STATE/dhcp-10-dhcp.leases" || fail "hardware address not recorded"
ip -n "$NS_C" -4 addr show dev "$VETH_C" | grep -q "inet $ADDR/24" || fail "address not configured"

ip netns exec "$NS_C" "${DC[@]}" -n "$VETH_C" >> "$T/dhcpcd.log" 2>&1
wait_event "^(REBOOT|RENEW|REBIND) $ADDR"
assert_eq 2 "$(grep -c "^bound $ADDR " "$STATE/dhcp-10-dhcp.leases")" "journal lines after rebind"

ip netns exec "$NS_C" "${DC[@]}" -k "$VETH_C" >> "$T/dhcpcd.log" 2>&1
for i in $(seq 1 50); do
  [ "$(journal_state "$ADDR")" = free ] && break
  sleep 0.1
done
assert_eq free "$(journal_state "$ADDR")" "journal state after RELEASE"
pxed_stop
echo "dhcpcd: DORA, rebind, release of $ADDR ok"
