#!/bin/bash
# conf.d tiers: --vendor-config and --runtime-config below --config; a later
# tier's file replaces an earlier one of the same name, an empty file or a
# symlink to /dev/null masks it; reload reads the same tiers; --config alone
# reads no other tier.
. "$PXED_TEST_LIB/harness.sh"

base=$(tmpdir)
vendor=$base/vendor; runtime=$base/run; admin=$base/etc
mkdir -p "$vendor/conf.d" "$runtime/conf.d" "$admin/conf.d"
p1=$(free_port udp); p2=$(free_port udp); p3=$(free_port udp); p4=$(free_port udp)
p5=$(free_port udp); p6=$(free_port udp)
printf 'state-dir: %s/state\n' "$admin" > "$admin/pxed.yaml"
echo_conf () { printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\ngreeting: %s\n' "$1" "$2"; }

echo_conf "$p1" vendor  > "$vendor/conf.d/10-echo.yaml"
echo_conf "$p1" runtime > "$runtime/conf.d/10-echo.yaml"
echo_conf "$p2" vendor  > "$vendor/conf.d/15-adm.yaml"
echo_conf "$p2" admin   > "$admin/conf.d/15-adm.yaml"
echo_conf "$p3" vendor  > "$vendor/conf.d/20-vend.yaml"
echo_conf "$p4" vendor  > "$vendor/conf.d/30-masked.yaml"
ln -s /dev/null "$runtime/conf.d/30-masked.yaml"
echo_conf "$p5" vendor  > "$vendor/conf.d/40-empty.yaml"
: > "$admin/conf.d/40-empty.yaml"
tiers=(--vendor-config "$vendor" --runtime-config "$runtime")
export PXED_PLUGIN_DIR=$PXED_TEST_PLUGIN_DIR

# --check-config reads the same tiers; --config alone reads only its own.
out=$("$PXED" --check-config --config "$admin" "${tiers[@]}" --plugin-dir "$PXED_PLUGIN_DIR" 2>&1) \
  || fail "check-config with tiers: $out"
printf 'plugin: testproto\ngreeting: forbidden\n' > "$vendor/conf.d/50-bad.yaml"
out=$("$PXED" --check-config --config "$admin" "${tiers[@]}" --plugin-dir "$PXED_PLUGIN_DIR" 2>&1); rc=$?
assert_eq 1 "$rc" "check-config exit status on a bad vendor file"
assert_eq "$vendor/conf.d/50-bad.yaml:2:11: greeting: 'forbidden' is not allowed" "$out" \
  "error names the vendor file"
out=$("$PXED" --check-config --config "$admin" --plugin-dir "$PXED_PLUGIN_DIR" 2>&1) \
  || fail "--config alone read another tier: $out"
rm "$vendor/conf.d/50-bad.yaml"

pxed_start "$admin" "${tiers[@]}"
assert_eq "10-echo runtime ping" "$(udp_ask 127.0.0.1 "$p1" ping)" "runtime overrides vendor"
assert_eq "15-adm admin ping" "$(udp_ask 127.0.0.1 "$p2" ping)" "admin overrides vendor"
assert_eq "20-vend vendor ping" "$(udp_ask 127.0.0.1 "$p3" ping)" "vendor-only file"
assert_eq "" "$(udp_ask 127.0.0.1 "$p4" ping 0.3)" "masked by a /dev/null symlink"
assert_eq "" "$(udp_ask 127.0.0.1 "$p5" ping 0.3)" "masked by an empty file"

# Reload: a runtime drop-in appears, the admin masks a vendor file.
echo_conf "$p6" runtime > "$runtime/conf.d/60-new.yaml"
: > "$admin/conf.d/20-vend.yaml"
assert_eq reloaded "$(pxed_reload)" "reload with tier changes"
assert_eq "60-new runtime ping" "$(udp_ask 127.0.0.1 "$p6" ping)" "runtime file added by reload"
assert_eq "" "$(udp_ask 127.0.0.1 "$p3" ping 0.3)" "vendor file masked by reload"
# Unmasking the runtime's /dev/null symlink lets the vendor file through.
rm "$runtime/conf.d/30-masked.yaml"
assert_eq reloaded "$(pxed_reload)" "reload unmasking"
assert_eq "30-masked vendor ping" "$(udp_ask 127.0.0.1 "$p4" ping)" "unmasked vendor file"
pxed_stop
echo "ok"
