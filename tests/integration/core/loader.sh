#!/bin/bash
# The loader refuses broken plugins, each with its own message.
. "$PXED_TEST_LIB/harness.sh"

dir=$(tmpdir)
refusal () { # plugin-file expected-message
  local d
  d=$(mktemp -d "$dir/p.XXXX")
  cp "$PXED_TEST_PLUGIN_DIR/$1" "$d/"
  [ -n "${3:-}" ] && eval "$3 \"$d/$1\""
  local out rc=0
  out=$("$PXED" --list-plugins --plugin-dir "$d" 2>&1 >/dev/null) || rc=$?
  assert_eq 1 "$rc" "exit status for $1"
  [[ "$out" == "pxed: plugin $d/$1: $2" ]] || fail "refusal of $1: got '$out', expected 'pxed: plugin $d/$1: $2'"
}

refusal pxed-badabi.so "built for plugin ABI 99.0, this pxed 0.1.0 provides ABI 1.0 (the major must be equal and the minor not newer); rebuild the plugin"
refusal pxed-newminor.so "built for plugin ABI 1.77, this pxed 0.1.0 provides ABI 1.0 (the major must be equal and the minor not newer); rebuild the plugin"
refusal pxed-nosymbol.so "does not export pxed_plugin_get_info()"
refusal pxed-misnamed.so "declares the name 'othername' but its file name says 'misnamed'"
refusal pxed-testproto.so "world-writable (mode 0777); refusing to load it" "chmod 0777"
refusal pxed-testproto.so "group-writable (mode 0775); refusing to load it" "chmod 0775"
if [ "$(id -u)" -eq 0 ]; then
  refusal pxed-testproto.so "owned by uid 65534, not by root; refusing to load it" "chown 65534"
fi

# A missing symbol is refused at load (no lazy binding), not a crash later.
d=$(mktemp -d "$dir/u.XXXX")
cp "$PXED_TEST_PLUGIN_DIR/pxed-unresolved.so" "$d/"
out=$("$PXED" --list-plugins --plugin-dir "$d" 2>&1 >/dev/null) && fail "unresolved plugin loaded"
echo "$out" | grep -q "pxed: plugin $d/pxed-unresolved.so: .*undefined symbol: pxed_symbol_that_does_not_exist" \
  || fail "unresolved: $out"

# A symlink to a directory is not a regular file.
d=$(mktemp -d "$dir/s.XXXX")
mkdir "$d/pxed-dir.so"
out=$("$PXED" --list-plugins --plugin-dir "$d" 2>&1 >/dev/null) && fail "directory plugin loaded"
assert_eq "pxed: plugin $d/pxed-dir.so: not a regular file; refusing to load it" "$out" "directory plugin"

# In a configuration a refused plugin stops start-up with the same message.
conf=$(tmpdir); mkdir -p "$conf/conf.d"
d=$(mktemp -d "$dir/c.XXXX"); cp "$PXED_TEST_PLUGIN_DIR/pxed-badabi.so" "$d/"
printf 'state-dir: %s/state\n' "$conf" > "$conf/pxed.yaml"
printf 'plugin: badabi\n' > "$conf/conf.d/10-x.yaml"
out=$("$PXED" --check-config --config "$conf" --plugin-dir "$d" 2>&1) && fail "bad plugin accepted"
assert_eq "$conf/conf.d/10-x.yaml:1:9: plugin $d/pxed-badabi.so: built for plugin ABI 99.0, this pxed 0.1.0 provides ABI 1.0 (the major must be equal and the minor not newer); rebuild the plugin" "$out" "config with a refused plugin"
echo ok
