#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# max-sessions, max-sessions-per-client, login/idle timeouts with hundreds of
# idle connections, the data-connection timeout for a client that stops
# reading; good clients keep being served throughout. Reload; SIGTERM drains.
. "$(dirname "$0")/ftp-lib.sh"
require_cmd curl
. "$HERE/tree.sh"
mkfile huge.bin 64000000
ftp_start "max-sessions: 300" "max-sessions-per-client: 250" "login-timeout: 2s" \
  "idle-timeout: 3s" "data-timeout: 2s"

# 400 idle connections from one address: 250 greeted, the rest refused with
# 421; all closed by the login timeout; meanwhile curl from ::1 (another
# client address) is served.
$FTPC flood 127.0.0.1 "$PORT" 400 4 > "$WORK/flood.out" &
flood=$!
sleep 1.5
if [ "$HAVE_V6" = 1 ]; then
  curl -s -g -o "$WORK/big" "ftp://[::1]:$PORT/pub/big.bin" || fail "curl during the flood"
  assert_eq "$(sha "$ROOT/pub/big.bin")" "$(sha "$WORK/big")" "content during the flood"
fi
wait "$flood" || fail "flood client"
grep -q "greeted=250 refused=150" "$WORK/flood.out" || fail "flood: $(cat "$WORK/flood.out")"
grep -q "closed=250" "$WORK/flood.out" || fail "idle sessions not closed: $(cat "$WORK/flood.out")"
wait_log "sessions from this client already" 2
wait_log "idle for [0-9]+ s, closing" 2

# max-sessions overall.
ftp_conf "max-sessions: 5" "max-sessions-per-client: 100" "login-timeout: 2s" "data-timeout: 2s"
assert_eq reloaded "$(pxed_reload)" "reload"
$FTPC flood 127.0.0.1 "$PORT" 8 0.1 > "$WORK/flood2.out" || fail "flood 2"
grep -q "greeted=5 refused=3" "$WORK/flood2.out" || fail "max-sessions: $(cat "$WORK/flood2.out")"
sleep 2.5

# A client that stops reading: 426 after the data timeout, and others are served.
code=$($FTPC noread 127.0.0.1 "$PORT" huge.bin) || fail "noread client"
assert_eq 426 "$code" "reply to a client that stopped reading"
wait_log "data connection timed out" 2
curl -s -o "$WORK/big2" "ftp://127.0.0.1:$PORT/pub/big.bin" || fail "curl after the stalled client"
assert_eq "$(sha "$ROOT/pub/big.bin")" "$(sha "$WORK/big2")" "content after the stalled client"

# Reload: a missing root is refused and changes nothing; a new listen port
# takes over from the old one.
sed -i "s|^root: .*|root: $WORK/does-not-exist|" "$CONF/conf.d/50-ftp.yaml"
assert_eq refused "$(pxed_reload)" "reload with a missing root"
curl -s -o /dev/null "ftp://127.0.0.1:$PORT/readme.txt" || fail "serving after a refused reload"
OLD_PORT=$PORT
PORT=$(free_port tcp)
ftp_conf "data-timeout: 2s"
assert_eq reloaded "$(pxed_reload)" "reload with a new port"
curl -s -o "$WORK/readme" "ftp://127.0.0.1:$PORT/readme.txt" || fail "new port after reload"
assert_eq "$(sha "$ROOT/readme.txt")" "$(sha "$WORK/readme")" "content on the new port"
curl -s -o /dev/null "ftp://127.0.0.1:$OLD_PORT/readme.txt" && fail "old port still served"

# SIGTERM lets a running transfer finish.
curl -s --limit-rate 20M -o "$WORK/huge" "ftp://127.0.0.1:$PORT/huge.bin" &
c=$!
sleep 0.5
pxed_stop
wait "$c" || fail "transfer cut by SIGTERM"
assert_eq "$(sha "$ROOT/huge.bin")" "$(sha "$WORK/huge")" "content of the drained transfer"
echo "ftp limits: ok"
