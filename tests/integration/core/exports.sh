#!/bin/bash
# Every plugin exports exactly one symbol, pxed_plugin_get_info; libpxed
# exports only pxed_* symbols.
. "$PXED_TEST_LIB/harness.sh"
require_cmd nm

n=0
for p in "$PXED_PLUGIN_DIR"/pxed-*.so "$PXED_TEST_PLUGIN_DIR/pxed-testproto.so"; do
  [ -e "$p" ] || continue
  syms=$(nm -D --defined-only "$p" | awk '{print $3}' | grep -v '^$' | sort | tr '\n' ' ')
  assert_eq "pxed_plugin_get_info " "$syms" "exports of $(basename "$p")"
  n=$((n + 1))
done
[ "$n" -ge 1 ] || fail "no plugin checked"
lib=$(ls "$PXED_BUILD_ROOT"/core/libpxed.so.* | head -n 1)
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^pxed_' | grep -v '^PXED_' || true)
assert_eq "" "$bad" "libpxed exports outside pxed_*"
echo "ok: $n plugins"
