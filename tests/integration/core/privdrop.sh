#!/bin/bash
# After binding, pxed runs as the configured user and group and can no
# longer bind a privileged port.
. "$PXED_TEST_LIB/harness.sh"
require_root

conf=$(tmpdir); mkdir -p "$conf/conf.d"
chmod 755 "$conf"
printf 'state-dir: %s/state\nuser: nobody\ngroup: nogroup\n' "$conf" > "$conf/pxed.yaml"
# Port 7 on loopback is privileged: bound as root before the drop.
printf 'plugin: testproto\nlisten: ["127.0.0.1:7"]\n' > "$conf/conf.d/10-echo.yaml"
export PXED_PLUGIN_DIR=$PXED_TEST_PLUGIN_DIR
pxed_start "$conf"
assert_eq "10-echo hello ping" "$(udp_ask 127.0.0.1 7 ping)" "answer on the privileged port"
uid=$(awk '/^Uid:/ {print $2 " " $3 " " $4 " " $5}' "/proc/$PXED_PID/status")
gid=$(awk '/^Gid:/ {print $2 " " $3 " " $4 " " $5}' "/proc/$PXED_PID/status")
nobody=$(id -u nobody); nogroup=$(getent group nogroup | cut -d: -f3)
assert_eq "$nobody $nobody $nobody $nobody" "$uid" "uids"
assert_eq "$nogroup $nogroup $nogroup $nogroup" "$gid" "gids"
assert_eq "0000000000000000" "$(awk '/^CapEff:/ {print $2}' "/proc/$PXED_PID/status")" "effective capabilities"
groups=$(awk '/^Groups:/ {print $2}' "/proc/$PXED_PID/status")
assert_eq "$nogroup" "$groups" "supplementary groups"
[ "$(stat -c %U "$conf/state")" = nobody ] || fail "state directory not handed to the user"

# A new instance on another privileged port cannot bind any more.
printf 'plugin: testproto\nlisten: ["127.0.0.1:9"]\n' > "$conf/conf.d/20-more.yaml"
pxed_reload >/dev/null
wait_log "instance '20-more' \(plugin testproto\) failed to start: cannot bind UDP 127.0.0.1:9: Permission denied"
assert_eq "10-echo hello ping" "$(udp_ask 127.0.0.1 7 ping)" "running instance unaffected"
pxed_stop
echo ok
