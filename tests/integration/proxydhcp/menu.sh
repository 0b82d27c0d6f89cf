#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A PXE boot menu (option 43 sub-options 6, 8, 9, 10) and boot server
# discovery of one item over port 4011; then a reload (SIGHUP) that drops
# the menu and changes the BIOS boot file takes effect at once.
. "$PXED_TEST_LIB/harness.sh"
. "$(dirname "$0")/netns.sh"
require_root
require_cmd ip dnsmasq

T=$(tmpdir)
netns_setup
foreign_dhcp_start "$T"
write_conf "$T/conf" "menu:
  prompt: Boot?
  timeout: 5
  items:
    - {description: Local, type: local}
    - {description: Install X, type: 0x8002, boot-files: {bios: x/pxelinux.0}}"
PXED_WRAPPER="ip netns exec $NS_P" pxed_start "$T/conf"
client menu

write_conf "$T/conf" "boot-files: {bios: other/pxelinux.0}"
assert_eq reloaded "$(pxed_reload)" "reload"
client bios other/pxelinux.0

# a bad reload changes nothing
write_conf "$T/conf" "boot-files: {pdp11: x}"
assert_eq refused "$(pxed_reload)" "bad reload"
client bios other/pxelinux.0
pxed_stop
echo "menu: ok"
