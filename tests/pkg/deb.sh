#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages: pkg/debian builds the source tree into pxed and
# pxed-dev, they hold what an admin and a plugin author need, they install,
# the installed pxed finds its plugins and accepts its shipped configuration,
# and the SDK example builds against the installed pxed-dev and loads. They
# are removed (purged) at the end. Needs root (dpkg -i) and debhelper.
. "$PXED_TEST_LIB/harness.sh"
require_root
for c in dpkg-buildpackage dh pkg-config cc make; do
  command -v "$c" >/dev/null || skip "needs $c (apt-get install debhelper dpkg-dev)"
done
if dpkg-query -W -f='${Status}' pxed 2>/dev/null | grep -q installed; then
  skip "a pxed package is installed on this machine already; not replacing it"
fi

WORK=$(tmpdir)
SRC=$WORK/pxed
mkdir -p "$SRC"
# the tracked files as they are now (uncommitted edits included), or a copy
if git -C "$PXED_SOURCE_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$PXED_SOURCE_ROOT" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$SRC"
else
  (cd "$PXED_SOURCE_ROOT" && tar --exclude='./build*' -cf - .) | tar -xf - -C "$SRC"
fi
cp -r "$SRC/pkg/debian" "$SRC/debian"

purge () { dpkg --purge pxed-dev pxed >/dev/null 2>&1 || true; rm -f "${SDK_PLUGIN:-/nonexistent}"; }
at_exit purge

(cd "$SRC" && dpkg-buildpackage -us -uc -b -j2) > "$WORK/build.log" 2>&1 ||
  { tail -n 40 "$WORK/build.log"; fail "dpkg-buildpackage failed"; }
deb=$(ls "$WORK"/pxed_*_*.deb)
devdeb=$(ls "$WORK"/pxed-dev_*_*.deb)

# what an admin gets: the daemon, every plugin, its configuration, the
# systemd unit with its user and directories, the manual and the docs
contents=$(dpkg -c "$deb" | awk '{print $6}')
for f in ./usr/bin/pxed ./etc/pxed/pxed.yaml ./etc/pxed/conf.d/20-tftp.yaml.example \
         ./lib/systemd/system/pxed.service ./usr/lib/sysusers.d/pxed.conf \
         ./usr/lib/tmpfiles.d/pxed.conf ./usr/share/man/man8/pxed.8.gz \
         ./usr/share/doc/pxed/README.md; do
  echo "$contents" | grep -qxF "$f" || fail "pxed package lacks $f"
done
for p in dhcp proxydhcp tftp ftp http-repo syslinux grub kickstart; do
  echo "$contents" | grep -qE "^\./usr/lib/[^/]+/pxed/plugins/pxed-$p\.so$" || fail "no plugin $p"
done
devcontents=$(dpkg -c "$devdeb" | awk '{print $6}')
for f in ./usr/include/pxed/pxed.h ./usr/include/pxed/pxed-plugin.h \
         ./usr/share/doc/pxed-dev/examples/hello.c; do
  echo "$devcontents" | grep -qxF "$f" || fail "pxed-dev package lacks $f"
done
echo "$devcontents" | grep -qE '/pkgconfig/pxed-plugin\.pc$' || fail "pxed-dev lacks pxed-plugin.pc"
# the package depends on the libraries it links, no more (no TLS stack)
depends=$(dpkg-deb -f "$deb" Depends)
case "$depends" in *libhttp-parser*) ;; *) fail "Depends lacks http-parser: $depends" ;; esac
case "$depends" in *gnutls*|*microhttpd*) fail "unexpected Depends: $depends" ;; esac

dpkg -i "$deb" "$devdeb" > "$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; fail "dpkg -i failed"; }
/usr/bin/pxed --version | grep -q . || fail "pxed --version"
list=$(/usr/bin/pxed --list-plugins) || fail "pxed --list-plugins: $list"
for p in dhcp proxydhcp tftp ftp http-repo syslinux grub kickstart; do
  echo "$list" | grep -qE "^$p " || fail "installed pxed does not list $p: $list"
done
# the shipped configuration (examples not enabled) is valid as installed
out=$(/usr/bin/pxed --check-config 2>&1) || fail "pxed --check-config on the shipped configuration: $out"
getent passwd pxed >/dev/null || fail "the pxed user was not created"

# the SDK example, built with nothing but the installed pxed-dev
cp /usr/share/doc/pxed-dev/examples/hello.c /usr/share/doc/pxed-dev/examples/Makefile "$WORK/"
make -C "$WORK" >/dev/null || fail "the SDK example does not build against pxed-dev"
mkdir -p "$WORK/plugins"
install -m 0644 "$WORK/pxed-hello.so" "$WORK/plugins/"
list=$(/usr/bin/pxed --plugin-dir "$WORK/plugins" --list-plugins) || fail "list with hello: $list"
echo "$list" | grep -qE '^hello +generator' || fail "hello not loaded by the installed pxed: $list"

purge
dpkg-query -W -f='${Status}' pxed 2>/dev/null | grep -q '^install ok installed' && fail "purge left pxed"
echo ok
