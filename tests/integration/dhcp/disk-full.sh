#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Disk full: the state directory is a tiny tmpfs. While it is full, a client
# gets OFFERs but no ACK (the lease is not durable) and pxed logs the error;
# once space is freed, the client's retries are ACKed and the lease is in the
# journal.
. "$PXED_TEST_LIB/harness.sh"
. "$(dirname "$0")/netns.sh"
require_root
require_cmd ip mount umount
UDHCPC=$(command -v udhcpc || true)
[ -n "$UDHCPC" ] || UDHCPC="busybox udhcpc"

T=$(tmpdir)
STATE=$T/state
mkdir -p "$STATE"
mount -t tmpfs -o size=64k tmpfs "$STATE" || skip "cannot mount a tmpfs"
at_exit "umount -l $STATE"
netns_setup
write_dhcp_conf "$T/conf" "$STATE"
PXED_WRAPPER="ip netns exec $NS_S" pxed_start "$T/conf"
# pad the journal to a whole page, then fill every other block: the next
# append needs a new page and fails with ENOSPC
J=$STATE/dhcp-10-dhcp.leases
SIZE=$(stat -c %s "$J")
/usr/bin/python3 -c "import sys; sys.stdout.write('#' + 'x' * (4096 - $SIZE - 2) + '\n')" >> "$J"
assert_eq 4096 "$(stat -c %s "$J")" "padded journal size"
dd if=/dev/zero of="$STATE/fill" bs=4k 2>/dev/null
cat > "$T/script" <<SH
#!/bin/sh
echo "\$1 \${ip:-}" >> $T/events
exit 0
SH
chmod +x "$T/script"

# no ACK while full: udhcpc gives up after 3 tries
ip netns exec "$NS_C" $UDHCPC -f -q -n -i "$VETH_C" -s "$T/script" -t 3 -T 1 -A 1 > "$T/u1.log" 2>&1
grep -q '^bound' "$T/events" 2>/dev/null && fail "a lease was ACKed while the disk was full"
grep -q "select for" "$T/u1.log" || fail "no OFFER while the disk was full: $(cat "$T/u1.log")"
wait_log "leases not durable, [0-9]+ ACK\(s\) withheld" 5
[ "$(grep -c 'leases not durable' "$PXED_LOG")" -eq 1 ] || fail "disk-full error logged more than once a minute"

# space again: the next attempt is ACKed and journaled
rm -f "$STATE/fill"
ip netns exec "$NS_C" $UDHCPC -f -q -n -i "$VETH_C" -s "$T/script" -t 5 -T 1 -A 1 > "$T/u2.log" 2>&1 \
  || fail "no lease after the disk recovered: $(cat "$T/u2.log")"
ADDR=$(awk '$1 == "bound" { print $2 }' "$T/events" | tail -n 1)
[ -n "$ADDR" ] || fail "no bound event"
assert_eq bound "$(journal_state "$ADDR")" "journal state after recovery"
wait_log "lease store writable again" 5
pxed_stop
echo "disk full: ACK withheld, logged once, recovered with $ADDR"
