#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# max-sessions-per-client and max-sessions: requests beyond them are dropped
# (the client retries later) and running transfers are not disturbed; a
# reload changes the limits for new transfers; SIGTERM drains.
. "$(dirname "$0")/tftp-lib.sh" "$@"

mkfile f.bin 200000
sum=$(sha "$ROOT/f.bin")
tftp_start "max-sessions-per-client: 2" "timeout: 2s" "retries: 2"

# Two stalled transfers fill this client's quota...
client -s stall --after 1 --watch-ms 2500 f.bin >/dev/null &
s1=$!
client -s stall --after 1 --watch-ms 2500 f.bin >/dev/null &
s2=$!
sleep 0.5
# ...so a third request is dropped: the client times out with no reply.
out=$(client --timeout-ms 300 --retries 1 f.bin 2>&1) && fail "third transfer was served: $out"
echo "$out" | grep -q "timed out at block 1" || fail "third transfer: $out"
wait_log "max-sessions-per-client reached" 5
wait "$s1" "$s2"

# Raise the limit by reload: 6 concurrent transfers are fine.
tftp_conf "max-sessions-per-client: 8"
assert_eq reloaded "$(pxed_reload)" "reload"
out=$(client -q -P 6 -n 6 --expect-sha256 "$sum" f.bin) || fail "after reload: $out"

# A bad root is refused by reload and changes nothing.
sed -i "s|^root: .*|root: $WORK/does-not-exist|" "$CONF/conf.d/10-tftp.yaml"
assert_eq refused "$(pxed_reload)" "reload with a missing root"
client -q --expect-sha256 "$sum" f.bin >/dev/null || fail "serving after a refused reload"

# SIGTERM lets a running transfer finish.
client -q -b 512 --expect-sha256 "$sum" f.bin > "$WORK/drain.out" &
c=$!
sleep 0.05
pxed_stop
wait "$c" || fail "transfer cut by SIGTERM: $(cat "$WORK/drain.out")"
echo "tftp limits: ok"
