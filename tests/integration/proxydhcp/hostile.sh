#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The issue's bad-input list on both ports (the fuzz corpus plus junk):
# dropped, never a crash, and the next good client is answered.
. "$PXED_TEST_LIB/harness.sh"
. "$(dirname "$0")/netns.sh"
require_root
require_cmd ip dnsmasq

T=$(tmpdir)
netns_setup
foreign_dhcp_start "$T"
write_conf "$T/conf"
PXED_WRAPPER="ip netns exec $NS_P" pxed_start "$T/conf"

client hostile "$CORPUS"
kill -0 "$PXED_PID" || fail "pxed died"
grep -q "dropped: malformed message" "$PXED_LOG" || fail "malformed input not logged"
pxed_stop
echo "hostile: ok"
