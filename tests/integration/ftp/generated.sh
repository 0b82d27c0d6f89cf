#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Generated files (syslinux menus, kickstarts) over FTP: RETR from their
# bytes, SIZE, resume; they equal the generators' golden files.
. "$(dirname "$0")/ftp-lib.sh"
for p in ftp syslinux kickstart; do
  [ -e "$PXED_PLUGIN_DIR/pxed-$p.so" ] || [ -e "$PXED_PLUGIN_DIR/$p/pxed-$p.so" ] ||
    skip "pxed-$p.so not built"
done
require_cmd curl
src=$PXED_SOURCE_ROOT
mkfile readme.txt 100
cp "$src/conf.d/50-inventory.yaml.example" "$CONF/conf.d/50-inventory.yaml"
printf 'plugin: syslinux\n' > "$CONF/conf.d/60-syslinux.yaml"
printf 'plugin: kickstart\n' > "$CONF/conf.d/70-kickstart.yaml"
ftp_start
URL=ftp://127.0.0.1:$PORT

curl -s -o "$WORK/default" "$URL/pxelinux.cfg/default" || fail "RETR pxelinux.cfg/default"
cmp -s "$WORK/default" "$src/plugins/syslinux/tests/golden/default.cfg" ||
  fail "default menu over FTP differs from the golden file"
curl -s -o "$WORK/ks" "$URL/ks/52-54-00-12-34-56.cfg" || fail "RETR a kickstart"
cmp -s "$WORK/ks" "$src/plugins/kickstart/tests/golden/centos7-web01.cfg" ||
  fail "kickstart over FTP differs from the golden file"
# SIZE (curl -I) and a resumed generated file.
size=$(curl -s -I "$URL/ks/52-54-00-12-34-56.cfg" | tr -d '\r' | sed -n 's/^Content-Length: //p')
assert_eq "$(stat -c %s "$WORK/ks")" "$size" "SIZE of a generated file"
head -c 100 "$WORK/ks" > "$WORK/ks.part"
curl -s -C - -o "$WORK/ks.part" "$URL/ks/52-54-00-12-34-56.cfg" || fail "resume a generated file"
cmp -s "$WORK/ks" "$WORK/ks.part" || fail "resumed generated file differs"
grep -q "RETR /ks/52-54-00-12-34-56.cfg complete" "$PXED_LOG" || fail "no transfer log line"
pxed_stop
echo "ftp generated: ok"
