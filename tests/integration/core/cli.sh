#!/bin/bash
# The command line: --version, --list-plugins, --describe, --check-config.
. "$PXED_TEST_LIB/harness.sh"

out=$("$PXED" --version) || fail "--version failed"
[[ "$out" =~ ^pxed\ [0-9]+\.[0-9]+\.[0-9]+\ \(plugin\ ABI\ 1\.0\)$ ]] || fail "--version printed '$out'"

# --list-plugins: every good plugin with name, kind, version, ABI, summary, path.
dir=$(tmpdir)
cp "$PXED_TEST_PLUGIN_DIR/pxed-testproto.so" "$dir/"
out=$("$PXED" --list-plugins --plugin-dir "$dir") || fail "--list-plugins failed: $out"
echo "$out" | head -n 1 | grep -qE '^NAME +KIND +VERSION +ABI +SUMMARY +PATH$' || fail "header: $out"
echo "$out" | grep -qE "^testproto +protocol +1\.0 +1\.0 +Test protocol for the core's tests +$dir/pxed-testproto.so$" \
  || fail "--list-plugins line: $out"

# Every shipped plugin is listed and loads.
out=$("$PXED" --list-plugins --plugin-dir "$PXED_PLUGIN_DIR" 2>&1) || fail "shipped plugins refused: $out"
n=$(ls "$PXED_PLUGIN_DIR"/pxed-*.so 2>/dev/null | wc -l)
lines=$(echo "$out" | tail -n +2 | wc -l)
assert_eq "$n" "$lines" "shipped plugins listed"

# --describe prints every option: key, type, default, range, doc.
out=$("$PXED" --describe testproto --plugin-dir "$dir") || fail "--describe failed"
echo "$out" | grep -qE '^listen +list +127\.0\.0\.1:7 +- +UDP addresses to answer on \[exclusive\]$' \
  || fail "--describe listen: $out"
echo "$out" | grep -qE '^drain-delay +duration +0 +0ms\.\.600000ms +How long stopping takes$' \
  || fail "--describe drain-delay: $out"
shopt -s nullglob
for p in "$PXED_PLUGIN_DIR"/pxed-*.so; do
  name=$(basename "$p" .so); name=${name#pxed-}
  "$PXED" --describe "$name" --plugin-dir "$PXED_PLUGIN_DIR" >/dev/null || fail "--describe $name"
done
out=$("$PXED" --describe nosuch --plugin-dir "$dir" 2>&1) && fail "--describe of a missing plugin succeeded"
assert_eq "pxed: unknown plugin 'nosuch' (no pxed-nosuch.so in $dir)" "$out" "--describe nosuch"

# --check-config: OK, then a bad value, each with exit status 1 and one located line.
conf=$(tmpdir)
mkdir -p "$conf/conf.d"
printf 'state-dir: %s/state\n' "$conf" > "$conf/pxed.yaml"
printf 'plugin: testproto\nlisten: ["127.0.0.1:1"]\n' > "$conf/conf.d/10-echo.yaml"
out=$("$PXED" --check-config --config "$conf" --plugin-dir "$dir" 2>&1) || fail "check-config: $out"
assert_eq "configuration OK" "$out" "--check-config output"
printf 'plugin: testproto\ngreeting: forbidden\n' > "$conf/conf.d/10-echo.yaml"
out=$("$PXED" --check-config --config "$conf" --plugin-dir "$dir" 2>&1); rc=$?
assert_eq 1 "$rc" "--check-config exit status on a bad value"
assert_eq "$conf/conf.d/10-echo.yaml:2:11: greeting: 'forbidden' is not allowed" "$out" "plugin validate error"
printf 'plugin: nosuch\n' > "$conf/conf.d/10-echo.yaml"
out=$("$PXED" --check-config --config "$conf" --plugin-dir "$dir" 2>&1); rc=$?
assert_eq 1 "$rc" "--check-config exit status on an unknown plugin"
assert_eq "$conf/conf.d/10-echo.yaml:1:9: unknown plugin 'nosuch' (no pxed-nosuch.so in $dir)" "$out" "unknown plugin"
out=$("$PXED" --log-level chatty --version 2>&1); rc=$?
assert_eq 2 "$rc" "bad --log-level"
echo "ok"
