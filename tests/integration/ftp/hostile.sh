#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A scripted hostile client: commands before login, non-anonymous users,
# overlong lines, NUL/CR injection, telnet garbage, paths out of the root,
# PORT/EPRT bounce attempts, writes, a data connection stolen from another
# address; the server answers each properly and keeps serving.
. "$(dirname "$0")/ftp-lib.sh"
. "$HERE/tree.sh"
ftp_start
$FTPC hostile 127.0.0.1 "$PORT" "$ROOT" || fail "hostile client"
wait_log "refused PORT to another host" 5
wait_log "refused data connection from 127.0.0.2" 5
wait_log "longer than 4096 bytes" 5
wait_log "unknown command .XYZZY." 5
wait_log "refused STOR .read-only server." 5
wait_log "control character 0x00 in command" 5
kill -0 "$PXED_PID" || fail "pxed died"
curl -s -o "$WORK/big" "ftp://127.0.0.1:$PORT/pub/big.bin" || fail "curl after the hostile client"
assert_eq "$(sha "$ROOT/pub/big.bin")" "$(sha "$WORK/big")" "content after the hostile client"
pxed_stop
echo "ftp hostile: ok"
