#!/bin/bash
# Generated files over real TFTP (tftp-hpa's client), per machine, and a
# reload: a changed inventory is served at once (the render cache follows
# the configuration generation); a broken one is refused and the old
# content keeps being served.
. "$PXED_TEST_LIB/harness.sh"

for p in tftp syslinux kickstart; do
  [ -e "$PXED_PLUGIN_DIR/pxed-$p.so" ] || skip "pxed-$p.so not built"
done
require_cmd tftp

src=$PXED_SOURCE_ROOT
conf=$(tmpdir)
root=$(tmpdir)
out=$(tmpdir)
port=$(free_port udp)
mkdir -p "$conf/conf.d"
echo "static file" > "$root/pxelinux.0"
cp "$src/conf.d/50-inventory.yaml.example" "$conf/conf.d/50-inventory.yaml"
cat > "$conf/conf.d/20-tftp.yaml" <<YAML
plugin: tftp
listen: ["127.0.0.1:$port"]
root: $root
YAML
printf 'plugin: syslinux\n' > "$conf/conf.d/60-syslinux.yaml"
printf 'plugin: kickstart\n' > "$conf/conf.d/70-kickstart.yaml"

pxed_start "$conf"

get () {
  rm -f "$out/got"
  (cd "$out" && timeout 10 tftp -m binary 127.0.0.1 "$port" -c get "$1" got) >/dev/null 2>&1
  [ -s "$out/got" ]
}

get pxelinux.0 || fail "static file"
get pxelinux.cfg/default || fail "pxelinux.cfg/default over TFTP"
cmp -s "$out/got" "$src/plugins/syslinux/tests/golden/default.cfg" \
  || fail "default menu differs from the golden file"
get pxelinux.cfg/01-52-54-00-12-34-56 || fail "per-MAC menu over TFTP"
grep -q '^ONTIMEOUT ftp$' "$out/got" || fail "the host's profile is not its default"
get pxelinux.cfg/01-52-54-00-99-99-99 && fail "unknown MAC must be 'file not found'"
get ks/52-54-00-12-34-56.cfg || fail "per-MAC kickstart over TFTP"
cmp -s "$out/got" "$src/plugins/kickstart/tests/golden/centos7-web01.cfg" \
  || fail "kickstart differs from the golden file"

# Reload with a changed menu: served at once.
sed -i 's/  title: PXE Boot Menu/  title: Reloaded Menu/' "$conf/conf.d/50-inventory.yaml"
assert_eq reloaded "$(pxed_reload)" "reload with a changed inventory"
get pxelinux.cfg/default || fail "default after reload"
grep -q '^MENU TITLE Reloaded Menu$' "$out/got" || fail "the cached menu survived the reload"

# Reload with a broken inventory: refused, located, old content kept.
sed -i 's/    mac: 52:54:00:12:34:56/    mac: 52:54:00:12:34/' "$conf/conf.d/50-inventory.yaml"
assert_eq refused "$(pxed_reload)" "reload with an invalid MAC"
grep -qE '50-inventory.yaml:[0-9]+:[0-9]+: web01.mac' "$PXED_LOG" || fail "refusal not located"
get pxelinux.cfg/default || fail "default after a refused reload"
grep -q '^MENU TITLE Reloaded Menu$' "$out/got" || fail "a refused reload changed what is served"
get pxelinux.cfg/01-52-54-00-12-34-56 || fail "per-MAC menu after a refused reload"

# Reload with an inventory that parses but renders a broken kickstart (a
# profile without the required lang): the kickstart generator is re-created
# against the new inventory, refuses it, and nothing changes.
sed -i 's/    mac: 52:54:00:12:34$/    mac: 52:54:00:12:34:56/' "$conf/conf.d/50-inventory.yaml"
sed -i '/^      lang: en_US.UTF-8$/d' "$conf/conf.d/50-inventory.yaml"
assert_eq refused "$(pxed_reload)" "reload with a kickstart missing lang"
grep -qE 'reload refused.*lang' "$PXED_LOG" || fail "kickstart refusal reason not logged"
get ks/52-54-00-12-34-56.cfg || fail "kickstart after a refused reload"
cmp -s "$out/got" "$src/plugins/kickstart/tests/golden/centos7-web01.cfg" \
  || fail "a refused reload changed the kickstart served"

pxed_stop
echo "generators tftp-reload: OK"
