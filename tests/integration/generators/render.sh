#!/bin/bash
# `pxed render` prints what each machine would receive, byte for byte the
# unit tests' golden files; broken inventories are located config errors.
. "$PXED_TEST_LIB/harness.sh"

src=$PXED_SOURCE_ROOT
for p in syslinux grub kickstart; do
  [ -e "$PXED_PLUGIN_DIR/pxed-$p.so" ] || skip "pxed-$p.so not built"
done

conf=$(tmpdir)
mkdir -p "$conf/conf.d"
cp "$src/conf.d/50-inventory.yaml.example" "$conf/conf.d/50-inventory.yaml"
printf 'plugin: syslinux\n' > "$conf/conf.d/60-syslinux.yaml"
printf 'plugin: grub\n' > "$conf/conf.d/61-grub.yaml"
printf 'plugin: kickstart\n' > "$conf/conf.d/70-kickstart.yaml"

render () {
  "$PXED" --config "$conf" --plugin-dir "$PXED_PLUGIN_DIR" render "$@"
}

"$PXED" --config "$conf" --plugin-dir "$PXED_PLUGIN_DIR" --check-config >/dev/null 2>&1 \
  || fail "the example inventory does not pass --check-config"

out=$(tmpdir)
render pxelinux.cfg/default --mac 52:54:00:aa:bb:cc --ip 192.0.2.99 > "$out/default" \
  || fail "render pxelinux.cfg/default"
cmp -s "$out/default" "$src/plugins/syslinux/tests/golden/default.cfg" \
  || fail "pxelinux.cfg/default differs from the golden file"
render pxelinux.cfg/01-52-54-00-12-34-56 > "$out/host" || fail "render per-MAC menu"
cmp -s "$out/host" "$src/plugins/syslinux/tests/golden/01-52-54-00-12-34-56.cfg" \
  || fail "per-MAC menu differs from the golden file"
# pxelinux's lookup order: the host by UUID (raw option-97 order) and hex IP.
render pxelinux.cfg/3e7d6a8a-2e2e-1d4d-9b3c-0123456789ab | cmp -s - "$out/host" \
  || fail "UUID lookup"
render /pxelinux.cfg//C000020A | cmp -s - "$out/host" || fail "hex IP lookup (path normalised)"
render pxelinux.cfg/C000020 >/dev/null 2>&1 && fail "a shortened hex IP must not be generated"
render pxelinux.cfg/01-52-54-00-99-99-99 >/dev/null 2>&1 \
  && fail "an unknown MAC must fall through to default"
render efi64/pxelinux.cfg/default | cmp -s - "$src/plugins/syslinux/tests/golden/efi64-default.cfg" \
  || fail "efi64/pxelinux.cfg/default"
render grub/grub.cfg --mac 52:54:00:aa:bb:cc | cmp -s - "$src/plugins/grub/tests/golden/grub.cfg" \
  || fail "grub.cfg"
render grub/grub.cfg-01-52-54-00-12-34-56 \
  | cmp -s - "$src/plugins/grub/tests/golden/grub.cfg-01-52-54-00-12-34-56" || fail "grub per-MAC"
render ks/52:54:00:12:34:56.cfg | cmp -s - "$src/plugins/kickstart/tests/golden/centos7-web01.cfg" \
  || fail "ks/<mac>.cfg"
render ks.cfg --ip 192.0.2.10 | cmp -s - "$src/plugins/kickstart/tests/golden/centos7-web01.cfg" \
  || fail "ks.cfg resolved from the address"

# A plaintext rootpw is hashed at load time and never printed.
sed -i 's/^      rootpw-crypted: .*/      rootpw: "pl41n-t3xt"/' "$conf/conf.d/50-inventory.yaml"
ks=$(render ks/centos7-ftp.cfg) || fail "render with a plaintext rootpw"
grep -q 'pl41n' <<<"$ks" && fail "the plaintext password was written out"
grep -q '^rootpw --iscrypted \$6\$' <<<"$ks" || fail "no SHA-512 crypted rootpw"

# Bad inventories: located errors, nothing served.
check_bad () {
  local sed_expr=$1 expect=$2
  cp "$src/conf.d/50-inventory.yaml.example" "$conf/conf.d/50-inventory.yaml"
  sed -i "$sed_expr" "$conf/conf.d/50-inventory.yaml"
  local msg
  msg=$("$PXED" --config "$conf" --plugin-dir "$PXED_PLUGIN_DIR" --check-config 2>&1) \
    && fail "accepted a bad inventory ($expect)"
  grep -qE "$expect" <<<"$msg" || fail "expected /$expect/, got: $msg"
}
check_bad 's/    mac: 52:54:00:12:34:56/    mac: 52:54:00:12:34/' \
  '50-inventory.yaml:[0-9]+:[0-9]+: web01.mac: .* is not a MAC address'
check_bad 's/    profile: centos7-ftp$/    profile: centos9/' \
  "50-inventory.yaml:[0-9]+:[0-9]+: hosts.web01.profile: no profile named 'centos9'"
check_bad 's/      profile: centos7-mirror/      profile: nope/' \
  "50-inventory.yaml:[0-9]+:[0-9]+: menu.entries\[2\].profile: no profile named 'nope'"
check_bad 's|    append: inst.repo=${install-url} ip=dhcp|    append: ks=${nope}|' \
  "50-inventory.yaml:[0-9]+:[0-9]+: unknown variable '\\$\\{nope\\}'"
check_bad 's/      lang: en_US.UTF-8/      lang: "en_US\\n%end"/' \
  '50-inventory.yaml:[0-9]+:[0-9]+: kickstart.lang: newlines'
check_bad 's/      - chrony/      - "%post"/' \
  '50-inventory.yaml:[0-9]+:[0-9]+: kickstart.packages\[2\]'
check_bad 's/      lang: en_US.UTF-8/      keyboard: de/' \
  "50-inventory.yaml:[0-9]+:[0-9]+: (kickstart: |.*)(duplicate|already|'keyboard')"
# check-root: a profile naming a kernel that is not there is a config error.
cp "$src/conf.d/50-inventory.yaml.example" "$conf/conf.d/50-inventory.yaml"
boot=$(tmpdir)
mkdir -p "$boot/centos7"
touch "$boot/centos7/vmlinuz" "$boot/centos7/initrd.img"
printf 'plugin: syslinux\ncheck-root: %s\n' "$boot" > "$conf/conf.d/60-syslinux.yaml"
"$PXED" --config "$conf" --plugin-dir "$PXED_PLUGIN_DIR" --check-config >/dev/null 2>&1 \
  || fail "check-root refused boot files that exist"
rm "$boot/centos7/vmlinuz"
msg=$("$PXED" --config "$conf" --plugin-dir "$PXED_PLUGIN_DIR" --check-config 2>&1) \
  && fail "check-root accepted a missing kernel"
grep -qE "50-inventory.yaml:[0-9]+:[0-9]+: profiles.centos7-ftp.kernel: centos7/vmlinuz does not exist" \
  <<<"$msg" || fail "missing kernel not located: $msg"
echo "generators render: OK"
