#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ISC dhclient obtains a lease from pxed over a veth pair, renews it in the
# RENEWING state (unicast, T1 of a 20 s lease), reboots into it (INIT-REBOOT)
# and releases it; the journal records each step.
. "$PXED_TEST_LIB/harness.sh"
. "$(dirname "$0")/netns.sh"
require_root
require_cmd ip dhclient

T=$(tmpdir)
STATE=$T/state
netns_setup
write_dhcp_conf "$T/conf" "$STATE" "    lease-time: 20s"
PXED_WRAPPER="ip netns exec $NS_S" pxed_start "$T/conf"

EVENTS=$T/events
cat > "$T/script" <<SH
#!/bin/sh
# stand-in for dhclient-script: configures only the address, logs each event
echo "\$reason \${new_ip_address:-} \${old_ip_address:-}" >> $EVENTS
case "\$reason" in
  PREINIT) ip link set "\$interface" up ;;
  BOUND|RENEW|REBIND|REBOOT) ip addr replace "\$new_ip_address/\$new_subnet_mask" dev "\$interface" ;;
  EXPIRE|FAIL|RELEASE|STOP) [ -n "\$old_ip_address" ] && ip addr del "\$old_ip_address/\$old_subnet_mask" dev "\$interface" ;;
esac
exit 0
SH
chmod +x "$T/script"
DH=(dhclient -4 -sf "$T/script" -lf "$T/lease" -pf "$T/pid")
stop_dhclient () {
  [ -f "$T/pid" ] && kill "$(cat "$T/pid")" 2>/dev/null
  rm -f "$T/pid"
}
at_exit stop_dhclient

timeout 30 ip netns exec "$NS_C" "${DH[@]}" -1 "$VETH_C" || fail "dhclient got no lease"
grep -q '^BOUND 192\.0\.2\.1[0-9][0-9] ' "$EVENTS" || fail "no BOUND event: $(cat "$EVENTS")"
ADDR=$(awk '$1 == "BOUND" { print $2 }' "$EVENTS" | tail -n 1)
grep -q "fixed-address $ADDR;" "$T/lease" || fail "lease file lacks $ADDR"
grep -q 'option routers 192.0.2.1;' "$T/lease" || fail "no routers option"
grep -q 'option domain-name "example.test";' "$T/lease" || fail "no domain option"
grep -q 'option dhcp-server-identifier 192.0.2.1;' "$T/lease" || fail "no server id"
assert_eq bound "$(journal_state "$ADDR")" "journal state after DORA"

# RENEWING: T1 = 10 s, unicast REQUEST with ciaddr
for i in $(seq 1 40); do
  grep -q "^RENEW $ADDR" "$EVENTS" && break
  sleep 0.5
done
grep -q "^RENEW $ADDR" "$EVENTS" || fail "no unicast renewal: $(cat "$EVENTS")"
assert_eq 2 "$(grep -c "^bound $ADDR " "$STATE/dhcp-10-dhcp.leases")" "journal lines after renewal"

# INIT-REBOOT: a new dhclient with the lease file asks for the same address
ip netns exec "$NS_C" "${DH[@]}" -x "$VETH_C" 2>/dev/null
rm -f "$T/pid"
timeout 30 ip netns exec "$NS_C" "${DH[@]}" -1 "$VETH_C" || fail "dhclient reboot failed"
grep -q "^REBOOT $ADDR" "$EVENTS" || fail "no REBOOT into $ADDR: $(cat "$EVENTS")"

# RELEASE
timeout 30 ip netns exec "$NS_C" "${DH[@]}" -r "$VETH_C" || fail "dhclient -r failed"
for i in $(seq 1 40); do
  [ "$(journal_state "$ADDR")" = free ] && break
  sleep 0.1
done
assert_eq free "$(journal_state "$ADDR")" "journal state after RELEASE"
pxed_stop
# one message-level line per lease event
MAC=$(ip netns exec "$NS_C" cat "/sys/class/net/$VETH_C/address")
grep -q "lease ${ADDR//./\\.} to $MAC (.*, arch none) for 20s" "$PXED_LOG" ||
  fail "no lease log line for $ADDR to $MAC"
[ "$(grep -c "lease ${ADDR//./\\.} to $MAC " "$PXED_LOG")" -ge 3 ] ||
  fail "not one lease line per ACK (DORA, renewal, reboot)"
grep -q "release of ${ADDR//./\\.} by $MAC" "$PXED_LOG" || fail "no release log line"
echo "dhclient: DORA, renew, reboot, release of $ADDR ok"
