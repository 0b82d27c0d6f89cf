#!/bin/bash
# Every configuration error at once: --check-config prints one
# FILE:LINE:COL line per error across files and exits 1; a refused reload
# logs every line and keeps the running configuration.
. "$PXED_TEST_LIB/harness.sh"

export PXED_PLUGIN_DIR=$PXED_TEST_PLUGIN_DIR
conf=$(tmpdir); mkdir -p "$conf/conf.d"
p1=$(free_port udp); p2=$(free_port udp)
printf 'state-dir: %s/state\n' "$conf" > "$conf/pxed.yaml"
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"\n' "$p1" > "$conf/conf.d/10-syntax.yaml"
printf 'plugin: nosuch\n' > "$conf/conf.d/20-unknown.yaml"
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\ngreeting: forbidden\n' "$p2" > "$conf/conf.d/30-bad.yaml"
out=$("$PXED" --check-config --config "$conf" --plugin-dir "$PXED_PLUGIN_DIR" 2>&1); rc=$?
assert_eq 1 "$rc" "--check-config exit status with three broken files"
expected="$conf/conf.d/10-syntax.yaml:3:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 9)
$conf/conf.d/20-unknown.yaml:1:9: unknown plugin 'nosuch' (no pxed-nosuch.so in $PXED_PLUGIN_DIR)
$conf/conf.d/30-bad.yaml:3:11: greeting: 'forbidden' is not allowed"
assert_eq "$expected" "$out" "three errors, one line each"

# Reload: two broken files, both logged, the old instance keeps answering.
rm "$conf"/conf.d/*.yaml
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\n' "$p1" > "$conf/conf.d/10-echo.yaml"
pxed_start "$conf"
assert_eq "10-echo hello ping" "$(udp_ask 127.0.0.1 "$p1" ping)" "first answer"
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\ngreeting: forbidden\n' "$p1" > "$conf/conf.d/10-echo.yaml"
printf 'plugin: nosuch\n' > "$conf/conf.d/20-unknown.yaml"
assert_eq refused "$(pxed_reload)" "reload with two broken files"
grep -q "reload refused, the running configuration stays: $conf/conf.d/10-echo.yaml:3:11: greeting: 'forbidden' is not allowed" "$PXED_LOG" \
  || fail "first error not logged"
grep -q "reload refused, the running configuration stays: $conf/conf.d/20-unknown.yaml:1:9: unknown plugin 'nosuch'" "$PXED_LOG" \
  || fail "second error not logged"
assert_eq "10-echo hello ping" "$(udp_ask 127.0.0.1 "$p1" ping)" "old configuration kept"
pxed_stop
echo "ok"
