#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The scripted hostile client (hostile.py) against http-repo: malformed and
# overlong requests, traversal, pipelining, slow headers, idle floods.
. "$(dirname "$0")/http-lib.sh"

mkfile images/vmlinuz 300000
mkfile big.img 64000000
printf 'text\ninstall\n' > "$ROOT/ks.cfg"
echo "SECRET-MARKER" > "$WORK/secret"
ln -s "$WORK" "$ROOT/escape"

http_start "header-timeout: 3s" "keepalive-timeout: 3s" "max-sessions-per-client: 40" \
  "max-headers: 64" "max-header-size: 8KiB" "max-sessions: 60"

/usr/bin/python3 "$HERE/hostile.py" "$PORT" SECRET-MARKER "$ROOT/ks.cfg" || fail "hostile client"
kill -0 "$PXED_PID" || fail "pxed died"
# every refusal left a line
wait_log 'GET /%zz 400 '
wait_log 'BREW /ks.cfg 405 '
wait_log 'connection refused \(max-sessions-per-client\)'
curl -sf -o /dev/null "$BASE/ks.cfg" || fail "not serving after the hostile client"
pxed_stop
echo ok
