#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# proxyDHCP beside a foreign DHCP server: scripted PXE clients (BIOS, EFI
# x64, with and without option 97, iPXE, a non-PXE client) get their address
# from dnsmasq and their boot file from pxed, over port 4011 from port 68 and
# from port 4011.
. "$PXED_TEST_LIB/harness.sh"
. "$(dirname "$0")/netns.sh"
require_root
require_cmd ip dnsmasq

T=$(tmpdir)
netns_setup
foreign_dhcp_start "$T"
write_conf "$T/conf"
PXED_WRAPPER="ip netns exec $NS_P" pxed_start "$T/conf"

client bios
client bios-no-uuid
client efi
client efi-no-uuid
client ipxe "http://$PROXY_IP/boot.ipxe"
client ipxe-nobroadcast "http://$PROXY_IP/boot.ipxe"
client non-pxe

# what pxed logged and recorded
grep -q "proxydhcp-ack: arch 0, boot file pxelinux.0 from $PROXY_IP" "$PXED_LOG" \
  || fail "no ACK logged for BIOS"
grep -q "proxydhcp-ack: arch 7, boot file efi64/syslinux.efi" "$PXED_LOG" \
  || fail "no ACK logged for EFI"
grep -q "dropped: not a PXE client" "$PXED_LOG" || fail "non-PXE drop not logged"
grep -q "dropped: not a DISCOVER" "$PXED_LOG" || fail "REQUEST on 67 not logged as ignored"
# pxed never handed out an address: only dnsmasq has leases
[ "$(wc -l < "$T/dnsmasq.leases")" -ge 4 ] || fail "dnsmasq leased fewer than 4 addresses"
kill -0 "$PXED_PID" || fail "pxed died"
pxed_stop
echo "foreign: every scenario ok"
