#!/bin/bash
# The installed SDK is all a third-party plugin needs: install pxed into a
# DESTDIR, build tests/sdk/ with only pkg-config pxed-plugin, load it into
# the installed daemon and fetch its file through the content service.
. "$PXED_TEST_LIB/harness.sh"
require_cmd make pkg-config cc

work=$(tmpdir)
dest="$work/dest"
meson install -C "$PXED_BUILD_ROOT" --no-rebuild --destdir "$dest" >"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; fail "meson install failed"; }
pc=$(find "$dest" -name pxed-plugin.pc | head -n 1)
[ -n "$pc" ] || fail "pxed-plugin.pc not installed"
prefix=$(pkg-config --variable=prefix "$pc")
export PKG_CONFIG_PATH=$(dirname "$pc")
plugindir=$(pkg-config --variable=plugindir pxed-plugin)
[ -n "$plugindir" ] || fail "pxed-plugin.pc has no plugindir"
mkdir -p "$dest$plugindir"
# The DESTDIR tree stands in for the installed prefix: relocate the .pc file.
mkdir -p "$work/pc"
sed "s|^prefix=.*|prefix=$dest$prefix|" "$pc" > "$work/pc/pxed-plugin.pc"
export PKG_CONFIG_PATH=$work/pc
pkgconfig=pkg-config
[ -d "$dest$plugindir" ] || fail "plugindir $plugindir is not where plugins were installed"
for h in pxed.h pxed-plugin.h pxed-content.h pxed-net.h pxed-section.h; do
  [ -f "$dest$prefix/include/pxed/$h" ] || fail "SDK header $h not installed"
done
if ls "$PXED_PLUGIN_DIR"/pxed-*.so >/dev/null 2>&1; then
  ls "$dest$plugindir"/pxed-*.so >/dev/null 2>&1 || fail "no plugin installed in $plugindir"
fi

# Build out of tree, from a copy, with only the SDK (no source tree includes).
cp "$PXED_SOURCE_ROOT/tests/sdk/hello.c" "$PXED_SOURCE_ROOT/tests/sdk/Makefile" "$work/"
make -C "$work" CFLAGS="-O2 -Wall -Wextra -Werror" PKG_CONFIG="$pkgconfig" >"$work/make.log" 2>&1 \
  || { cat "$work/make.log"; fail "out-of-tree build failed"; }
grep -q -- "-I$dest$prefix/include" "$work/make.log" || fail "not built against the installed headers"
install -m 0644 "$work/pxed-hello.so" "$dest$plugindir/"

bin="$dest$prefix/bin/pxed"
libdir=$(dirname "$(find "$dest" -name 'libpxed.so.1' | head -n 1)")
export LD_LIBRARY_PATH=$libdir
conf="$work/conf"; mkdir -p "$conf/conf.d"
printf 'state-dir: %s/state\nplugin-dir: %s\n' "$work" "$dest$plugindir" > "$conf/pxed.yaml"
printf 'plugin: hello\nmessage: Greetings\n' > "$conf/conf.d/50-hello.yaml"

out=$("$bin" --config "$conf" --list-plugins) || fail "--list-plugins: $out"
echo "$out" | grep -qE "^hello +generator +1\.0 +1\.0 +Example third-party generator" || fail "hello not listed: $out"
out=$("$bin" --config "$conf" render hello.txt --ip 198.51.100.7) || fail "render failed: $out"
assert_eq "Greetings, 198.51.100.7 (hello.txt)" "$out" "rendered through the content service"
out=$("$bin" --config "$conf" render hello/missing 2>&1) && fail "missing file rendered"

# Through a real transport when the tftp plugin is installed.
if [ -f "$dest$plugindir/pxed-tftp.so" ] && command -v tftp >/dev/null; then
  port=$(free_port udp)
  printf 'plugin: tftp\nlisten: ["127.0.0.1:%s"]\nroot: %s\n' "$port" "$work" > "$conf/conf.d/10-tftp.yaml"
  PXED=$bin PXED_PLUGIN_DIR=$dest$plugindir pxed_start "$conf"
  (cd "$work" && tftp 127.0.0.1 "$port" -c get hello.txt) || fail "tftp get hello.txt failed"
  assert_eq "Greetings, 127.0.0.1 (hello.txt)" "$(cat "$work/hello.txt")" "hello.txt over TFTP"
  pxed_stop
fi
echo ok
