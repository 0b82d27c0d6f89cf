#!/bin/bash
# Every shipped conf.d/*.yaml.example passes `pxed --check-config`: each one
# with the inventory example, then all of them together (as a fresh install
# that renamed them all), with the served roots pointed at a temp tree.
. "$PXED_TEST_LIB/harness.sh"

src=$PXED_SOURCE_ROOT/conf.d
for f in 10-dhcp 15-proxydhcp 20-tftp 30-http-repo 40-ftp 50-inventory 60-syslinux 61-grub \
         70-kickstart; do
  [ -f "$src/$f.yaml.example" ] || fail "conf.d/$f.yaml.example is missing"
done

work=$(tmpdir)
mkdir -p "$work/root" "$work/state"

# make_conf DIR EXAMPLE...: a config dir with the shipped pxed.yaml and the
# examples renamed to .yaml; /srv/pxed (the examples' root) -> the temp tree.
make_conf () {
  local dir=$1 ex name
  shift
  mkdir -p "$dir/conf.d"
  { cat "$src/pxed.yaml"; printf '\nstate-dir: %s\n' "$work/state"; } > "$dir/pxed.yaml"
  for ex in "$@"; do
    name=$(basename "$ex" .example)
    sed "s|/srv/pxed|$work/root|g" "$ex" > "$dir/conf.d/$name"
  done
}

check () {
  local dir=$1 what=$2 out
  out=$("$PXED" --check-config --config "$dir" --plugin-dir "$PXED_PLUGIN_DIR" 2>&1) ||
    fail "check-config of $what failed: $out"
  assert_eq "configuration OK" "$out" "check-config of $what"
}

n=0
for ex in "$src"/*.yaml.example; do
  [ "$(basename "$ex")" = 50-inventory.yaml.example ] && continue
  make_conf "$work/one-$n" "$ex" "$src/50-inventory.yaml.example"
  check "$work/one-$n" "$(basename "$ex") with the inventory"
  n=$((n + 1))
done
[ $n -ge 8 ] || fail "only $n examples besides the inventory"

make_conf "$work/all" "$src"/*.yaml.example
check "$work/all" "every example together"
[ "$(grep -c '' < <(ls "$work/all/conf.d"))" -eq $((n + 1)) ] || fail "not every example was copied"
echo "ok ($((n + 1)) examples)"
