#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The dhcp and proxydhcp plugins in ONE pxed, sharing UDP port 67 through
# the net service: the dhcp plugin gives the address, the proxy its PXE
# offer and the port-4011 answer; neither answers what is the other's.
. "$PXED_TEST_LIB/harness.sh"
. "$(dirname "$0")/netns.sh"
require_root
require_cmd ip
[ -f "$PXED_PLUGIN_DIR/pxed-dhcp.so" ] || skip "the dhcp plugin is not built"

T=$(tmpdir)
netns_setup
write_conf "$T/conf"
cat > "$T/conf/conf.d/10-dhcp.yaml" <<YAML
plugin: dhcp
lease-store: memory
subnets:
  - subnet: 198.51.100.0/24
    range: 198.51.100.100-198.51.100.150
YAML
PXED_WRAPPER="ip netns exec $NS_P" pxed_start "$T/conf"
# the address now comes from pxed itself
FOREIGN_IP=$PROXY_IP

client bios
client efi
client non-pxe-coexist
kill -0 "$PXED_PID" || fail "pxed died"
pxed_stop
echo "coexist: ok"
