#!/bin/bash
# SIGHUP reload (valid, invalid, added and removed instances), SIGTERM drain
# within the deadline, exit status 0.
. "$PXED_TEST_LIB/harness.sh"

conf=$(tmpdir); mkdir -p "$conf/conf.d"
p1=$(free_port udp); p2=$(free_port udp)
printf 'state-dir: %s/state\ndrain-timeout: 5s\n' "$conf" > "$conf/pxed.yaml"
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\ngreeting: hello\n' "$p1" > "$conf/conf.d/10-echo.yaml"
export PXED_PLUGIN_DIR=$PXED_TEST_PLUGIN_DIR
pxed_start "$conf"

assert_eq "10-echo hello ping" "$(udp_ask 127.0.0.1 "$p1" ping)" "first answer"

# A valid change is applied in place.
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\ngreeting: bonjour\n' "$p1" > "$conf/conf.d/10-echo.yaml"
assert_eq reloaded "$(pxed_reload)" "valid reload"
assert_eq "10-echo bonjour ping" "$(udp_ask 127.0.0.1 "$p1" ping)" "answer after reload"
grep -q "instance '10-echo' reconfigured" "$PXED_LOG" || fail "no in-place reconfiguration logged"

# Invalid changes change nothing and log why.
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\ngreeting: forbidden\n' "$p1" > "$conf/conf.d/10-echo.yaml"
assert_eq refused "$(pxed_reload)" "reload with a value the plugin refuses"
grep -q "reload refused, the running configuration stays: $conf/conf.d/10-echo.yaml:3:11: greeting: 'forbidden' is not allowed" "$PXED_LOG" \
  || fail "refusal reason not logged"
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"\n' "$p1" > "$conf/conf.d/10-echo.yaml"
assert_eq refused "$(pxed_reload)" "reload with a YAML error"
# An instance added in the same reload as an invalid change is not started.
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\n' "$p2" > "$conf/conf.d/20-new.yaml"
assert_eq refused "$(pxed_reload)" "reload with a YAML error and a new file"
assert_eq "10-echo bonjour ping" "$(udp_ask 127.0.0.1 "$p1" ping)" "old config kept"
assert_eq "" "$(udp_ask 127.0.0.1 "$p2" ping 0.3)" "new instance of a refused reload not running"
# A restart-requiring change (listen) refused by prepare is also atomic.
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\ngreeting: bonjour\n' "$p1" > "$conf/conf.d/10-echo.yaml"

# Adding a file starts an instance; removing one stops it.
assert_eq reloaded "$(pxed_reload)" "reload adding 20-new"
assert_eq "20-new hello ping" "$(udp_ask 127.0.0.1 "$p2" ping)" "added instance answers"
rm "$conf/conf.d/20-new.yaml"
assert_eq reloaded "$(pxed_reload)" "reload removing 20-new"
assert_eq "" "$(udp_ask 127.0.0.1 "$p2" ping 0.3)" "removed instance stopped"
# enabled: false disables.
printf 'plugin: testproto\nenabled: false\nlisten: ["127.0.0.1:%s"]\n' "$p2" > "$conf/conf.d/30-off.yaml"
assert_eq reloaded "$(pxed_reload)" "reload with a disabled file"
assert_eq "" "$(udp_ask 127.0.0.1 "$p2" ping 0.3)" "disabled instance not running"
assert_eq "10-echo bonjour ping" "$(udp_ask 127.0.0.1 "$p1" ping)" "10-echo still serving"

# SIGTERM drains (drain-delay 700ms) and exits 0.
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\ngreeting: bonjour\ndrain-delay: 700ms\n' "$p1" > "$conf/conf.d/10-echo.yaml"
assert_eq reloaded "$(pxed_reload)" "reload setting a drain delay"
start=$(date +%s%N)
pxed_stop
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q "10-echo drained" "$PXED_LOG" || fail "instance did not drain"
[ "$ms" -ge 600 ] || fail "stopped in ${ms} ms, before the drain finished"

# A drain longer than the deadline is cut at the deadline, still exit 0.
printf 'state-dir: %s/state\ndrain-timeout: 500ms\n' "$conf" > "$conf/pxed.yaml"
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\ndrain-delay: 60s\n' "$p1" > "$conf/conf.d/10-echo.yaml"
pxed_start "$conf"
start=$(date +%s%N)
pxed_stop
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 5000 ] || fail "drain deadline not enforced (${ms} ms)"
grep -q "drain deadline reached" "$PXED_LOG" || fail "deadline not logged"

# An instance that cannot start stops the service at once with its reason.
printf 'plugin: testproto\nlisten: ["192.0.2.1:%s"]\n' "$p2" > "$conf/conf.d/20-bad.yaml"
printf 'state-dir: %s/state\ndrain-timeout: 30s\n' "$conf" > "$conf/pxed.yaml"
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\n' "$p1" > "$conf/conf.d/10-echo.yaml"
start=$(date +%s%N)
out=$("$PXED" --foreground --config "$conf" --plugin-dir "$PXED_PLUGIN_DIR" 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq 1 "$rc" "exit status when an instance cannot start"
echo "$out" | grep -q "instance '20-bad' (plugin testproto) failed to start: cannot bind UDP 192.0.2.1:$p2: Cannot assign requested address" \
  || fail "start failure not explained: $out"
[ "$ms" -lt 10000 ] || fail "a failed start waited for the drain deadline (${ms} ms)"
rm "$conf/conf.d/20-bad.yaml"

# SIGINT stops too.
pxed_start "$conf"
kill -INT "$PXED_PID"; wait "$PXED_PID"; rc=$?; PXED_PID=""
assert_eq 0 "$rc" "exit status after SIGINT"
echo ok
