#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# busybox udhcpc obtains a lease from pxed, keeps it across a reload (SIGHUP),
# renews it on SIGUSR1 (unicast RENEWING) and releases it on SIGUSR2.
. "$PXED_TEST_LIB/harness.sh"
. "$(dirname "$0")/netns.sh"
require_root
require_cmd ip
UDHCPC=$(command -v udhcpc || true)
[ -n "$UDHCPC" ] || UDHCPC="busybox udhcpc"

T=$(tmpdir)
STATE=$T/state
netns_setup
write_dhcp_conf "$T/conf" "$STATE"
PXED_WRAPPER="ip netns exec $NS_S" pxed_start "$T/conf"

EVENTS=$T/events
cat > "$T/script" <<SH
#!/bin/sh
echo "\$1 \${ip:-} \${router:-} \${domain:-}" >> $EVENTS
case "\$1" in
  bound|renew) ip addr replace "\$ip/\${mask:-24}" dev "\$interface" ;;
  deconfig) ip addr flush dev "\$interface" ;;
esac
exit 0
SH
chmod +x "$T/script"

ip netns exec "$NS_C" $UDHCPC -f -i "$VETH_C" -s "$T/script" -t 10 -T 1 -A 1 -x hostname:udhcpc-node \
  > "$T/udhcpc.log" 2>&1 &
UPID=$!
at_exit "kill $UPID 2>/dev/null"

CLIENT_NAME=udhcpc CLIENT_LOG=$T/udhcpc.log EVENT_TRIES=100
wait_event '^bound 192\.0\.2\.1[0-9][0-9] 192\.0\.2\.1 example\.test'
ADDR=$(awk '$1 == "bound" { print $2 }' "$EVENTS" | tail -n 1)
assert_eq bound "$(journal_state "$ADDR")" "journal state after DORA"
grep -q "^bound $ADDR .*hostname=udhcpc-node" "$STATE/dhcp-10-dhcp.leases" || fail "hostname not recorded"

# a reload restarts the instance: it replays the journal, the lease stays
sed -i 's/domain: example.test/domain: reloaded.test/' "$T/conf/conf.d/10-dhcp.yaml"
assert_eq reloaded "$(pxed_reload)" "SIGHUP"
kill -USR1 "$UPID"
wait_event "^renew $ADDR 192\.0\.2\.1 reloaded\.test"
assert_eq 2 "$(grep -c "^bound $ADDR " "$STATE/dhcp-10-dhcp.leases")" "journal lines after renewal"

kill -USR2 "$UPID"
for i in $(seq 1 50); do
  [ "$(journal_state "$ADDR")" = free ] && break
  sleep 0.1
done
assert_eq free "$(journal_state "$ADDR")" "journal state after RELEASE"
kill "$UPID"
wait "$UPID" 2>/dev/null
pxed_stop
echo "udhcpc: DORA, renew, release of $ADDR ok"
