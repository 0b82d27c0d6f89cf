#!/bin/bash
# sd_notify: READY=1 after start, RELOADING=1 then READY=1 on SIGHUP,
# STOPPING=1 on SIGTERM, sent to $NOTIFY_SOCKET.
. "$PXED_TEST_LIB/harness.sh"

conf=$(tmpdir); mkdir -p "$conf/conf.d"
sock="$conf/notify.sock"
p1=$(free_port udp)
printf 'state-dir: %s/state\n' "$conf" > "$conf/pxed.yaml"
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\n' "$p1" > "$conf/conf.d/10-echo.yaml"

/usr/bin/python3 - "$sock" "$conf/messages" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
with open(sys.argv[2], "w") as out:
    try:
        while True:
            msg = s.recv(4096).decode()
            out.write(msg.replace("\n", "|") + "\n")
            out.flush()
            if "STOPPING=1" in msg:
                break
    except socket.timeout:
        pass
PY
listener=$!
at_exit "kill $listener 2>/dev/null"
for i in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done

export PXED_PLUGIN_DIR=$PXED_TEST_PLUGIN_DIR
NOTIFY_SOCKET=$sock pxed_start "$conf"
for i in $(seq 1 100); do grep -q READY=1 "$conf/messages" 2>/dev/null && break; sleep 0.05; done
assert_eq reloaded "$(pxed_reload)" "reload"
pxed_stop
wait "$listener"
first=$(sed -n 1p "$conf/messages"); second=$(sed -n 2p "$conf/messages")
third=$(sed -n 3p "$conf/messages"); fourth=$(sed -n 4p "$conf/messages")
[[ "$first" == READY=1* ]] || fail "first message: $first"
[[ "$second" =~ ^RELOADING=1\|MONOTONIC_USEC=[0-9]+$ ]] || fail "second message: $second"
[[ "$third" == READY=1* ]] || fail "third message: $third"
[[ "$fourth" == STOPPING=1* ]] || fail "fourth message: $fourth"
echo ok
