#!/bin/bash
# tests/e2e/lib/assets.sh: everything a test VM boots, built from Debian packages only.
#
# Source it (functions below) or run it: `tests/e2e/lib/assets.sh` builds/refreshes the cache and prints
# the boot tree directory.  See tests/e2e/README.md for the layout.
#
#   e2e_assets            build (only what changed) and set E2E_TREE, E2E_KERNEL, E2E_INITRD,
#                         E2E_FTP_FILE (tree-relative), E2E_FTP_SHA256
#   e2e_tree_copy DIR     copy the boot tree into DIR (a server root)
#
# Cache: ${PXED_E2E_CACHE:-/var/cache/pxed-e2e}.  Every product has a stamp holding the hash of its inputs
# (package versions, module list, the init script, this file); a product is rebuilt only when it changes.

E2E_CACHE=${PXED_E2E_CACHE:-/var/cache/pxed-e2e}
# NIC drivers for the initrd; their dependencies are resolved from each module's depends= field.
E2E_MODULES=${E2E_MODULES:-"virtio_pci virtio_net e1000 af_packet"}
E2E_FIRMWARE_PKGS="pxelinux syslinux-common syslinux-efi grub-efi-amd64-bin busybox-static"
# What the VMs need besides (installed by e2e_assets when missing; E2E_NO_INSTALL=1 forbids it).
E2E_VM_PKGS="qemu-system-x86 ipxe-qemu ovmf cpio kmod"

e2e_log () { echo "e2e: $*" >&2; }
e2e_die () { echo "e2e: ERROR: $*" >&2; exit 1; }

# The versioned kernel package behind linux-image-amd64 (e.g. linux-image-6.1.0-56-amd64).
e2e_kernel_pkg () {
  local pkg
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null \
        | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1)
  if [ -z "$pkg" ]; then
    e2e_log "apt-cache knows no linux-image-amd64; running apt-get update once"
    apt-get update -qq >&2 || true
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null \
          | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1)
  fi
  [ -n "$pkg" ] || e2e_die "cannot resolve linux-image-amd64's kernel package"
  echo "$pkg"
}

# Print the version of an installed Debian package (empty when missing).
e2e_pkg_version () { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }

e2e_require_pkgs () {
  local p missing=()
  for p in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "${E2E_NO_INSTALL:-}" = 1 ] && e2e_die "missing packages: ${missing[*]}"
  e2e_log "installing ${missing[*]}"
  apt-cache show "${missing[0]}" >/dev/null 2>&1 || apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 \
    || e2e_die "cannot install ${missing[*]}"
}

# Stamp helpers: e2e_stamp_ok FILE HASH
e2e_stamp_ok () { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

# 1. Kernel: download the versioned package, keep vmlinuz and the module closure of E2E_MODULES.
#    Sets E2E_KDIR (holds vmlinuz, modules/*.ko, modules/order).
e2e_kernel () {
  local pkg ver kdir hash tmp deb
  pkg=$(e2e_kernel_pkg)
  ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
  kdir="$E2E_CACHE/kernel/$pkg"
  hash=$(printf '%s\n' "$pkg" "$ver" "$E2E_MODULES" | sha256sum | cut -d' ' -f1)
  E2E_KDIR=$kdir
  if e2e_stamp_ok "$kdir/stamp" "$hash"; then
    return 0
  fi
  e2e_log "building kernel assets from $pkg $ver"
  mkdir -p "$E2E_CACHE/debs"
  deb=$(ls "$E2E_CACHE/debs/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ] || [ "$(dpkg-deb -f "$deb" Version)" != "$ver" ]; then
    rm -f "$E2E_CACHE/debs/${pkg}_"*.deb
    # apt-get download drops privileges to _apt; let it write there.
    chmod 0777 "$E2E_CACHE/debs"
    if ! (cd "$E2E_CACHE/debs" && apt-get download -qq "$pkg" >&2); then
      # Stale package lists name a kernel the archive no longer has: refresh once and start over.
      [ -z "${E2E_APT_REFRESHED:-}" ] || e2e_die "apt-get download $pkg failed"
      E2E_APT_REFRESHED=1
      e2e_log "apt-get download $pkg failed; running apt-get update and resolving again"
      apt-get update -qq >&2 || true
      e2e_kernel
      return
    fi
    deb=$(ls "$E2E_CACHE/debs/${pkg}_"*.deb | head -n1)
  fi
  tmp=$(mktemp -d "$E2E_CACHE/x.XXXXXX")
  dpkg -x "$deb" "$tmp" || { rm -rf "$tmp"; e2e_die "dpkg -x $deb failed"; }
  rm -rf "$kdir"
  mkdir -p "$kdir/modules"
  cp "$tmp"/boot/vmlinuz-* "$kdir/vmlinuz" || e2e_die "no vmlinuz in $deb"
  cp "$tmp"/boot/config-* "$kdir/config" 2>/dev/null || true
  local moddir
  moddir=$(echo "$tmp"/lib/modules/*)
  [ -d "$moddir" ] || moddir=$(echo "$tmp"/usr/lib/modules/*)
  [ -d "$moddir" ] || e2e_die "no lib/modules in $deb"

  # name (underscored) -> file
  declare -A modfile=()
  local f n
  while IFS= read -r f; do
    n=${f##*/}; n=${n%%.ko*}; n=${n//-/_}
    modfile[$n]=$f
  done < <(find "$moddir" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')

  # Depth-first: dependencies before the module; a name that is built in (no .ko) is skipped.
  declare -A seen=()
  local order=()
  e2e__visit () {
    local m=${1//-/_} d
    [ -n "${seen[$m]:-}" ] && return 0
    seen[$m]=1
    if [ -z "${modfile[$m]:-}" ]; then
      e2e_log "module $m: not a module in $pkg (built in?), skipped"
      return 0
    fi
    for d in $(modinfo -F depends "${modfile[$m]}" | tr ',' ' '); do
      e2e__visit "$d"
    done
    order+=("$m")
  }
  for n in $E2E_MODULES; do e2e__visit "$n"; done
  for n in "${order[@]}"; do
    f=${modfile[$n]}
    case "$f" in
      *.ko.xz) xz -dc "$f" > "$kdir/modules/$n.ko" ;;
      *.ko.zst) zstd -qdc "$f" > "$kdir/modules/$n.ko" ;;
      *.ko.gz) gzip -dc "$f" > "$kdir/modules/$n.ko" ;;
      *) cp "$f" "$kdir/modules/$n.ko" ;;
    esac
  done
  printf '%s\n' "${order[@]}" > "$kdir/modules/order"
  e2e_log "modules (load order): ${order[*]}"
  rm -rf "$tmp"
  echo "$hash" > "$kdir/stamp"
}

# The initrd's /init.  Kernel command line (all optional but pxed.ks / pxed.ftp):
#   pxed.ks=URL            kickstart over HTTP
#   pxed.ks_expect=TOKEN   a string the kickstart must contain (no spaces)
#   pxed.ftp=URL           a file of the install tree over FTP
#   pxed.ftp_sha256=HEX    its sha256
#   pxed.keep=1            drop to a shell instead of powering off (debugging by hand)
e2e_init_script () {
  cat <<'EOF'
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /usr/bin /usr/sbin /sbin /run
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec >/dev/console 2>&1 </dev/console
say () { echo "PXED-E2E: $*"; }
finish () {
  sync
  if grep -q 'pxed.keep=1' /proc/cmdline; then exec sh; fi
  poweroff -f
}
fail () { say "FAIL $1${2:+ ($2)}"; finish; }
arg () { sed -n "s/.*\(^\| \)$1=\([^ ]*\).*/\2/p" /proc/cmdline; }

say init
for m in $(cat /lib/modules/order); do
  insmod /lib/modules/$m.ko || fail modules "$m"
done

# The NIC: first interface that is not lo.
nic=
i=0
while [ $i -lt 100 ]; do
  for d in /sys/class/net/*; do
    n=${d##*/}
    [ "$n" = lo ] || [ ! -e "$d" ] || { nic=$n; break; }
  done
  [ -n "$nic" ] && break
  sleep 0.1; i=$((i + 1))
done
[ -n "$nic" ] || fail nic "no network interface"
ip link set lo up
ip link set "$nic" up
say "nic $nic $(cat /sys/class/net/$nic/address)"

udhcpc -i "$nic" -n -q -f -t 6 -T 2 -s /etc/udhcpc.script -x hostname:pxed-e2e >/tmp/udhcpc.log 2>&1 \
  || { cat /tmp/udhcpc.log; fail lease "udhcpc got no lease"; }
ip=$(ip -4 -o addr show dev "$nic" | sed -n 's/.* inet \([0-9.]*\).*/\1/p' | head -n1)
[ -n "$ip" ] || fail lease "no address on $nic"
say "lease $ip"

ks=$(arg pxed.ks)
if [ -n "$ks" ]; then
  timeout 30 wget -q -O /tmp/ks "$ks" || fail ks "wget $ks"
  sed -n '1,40s/^/PXED-E2E| ks: /p' /tmp/ks
  want=$(arg pxed.ks_expect)
  if [ -n "$want" ] && ! grep -q -F -- "$want" /tmp/ks; then
    fail ks "kickstart lacks $want"
  fi
  say "ks ok"
fi

ftp=$(arg pxed.ftp)
if [ -n "$ftp" ]; then
  timeout 60 wget -q -O /tmp/ftpfile "$ftp" || fail ftp "wget $ftp"
  got=$(sha256sum /tmp/ftpfile | cut -d' ' -f1)
  want=$(arg pxed.ftp_sha256)
  if [ -n "$want" ] && [ "$got" != "$want" ]; then
    fail ftp "sha256 $got, expected $want"
  fi
  say "ftp ok $(wc -c < /tmp/ftpfile) bytes"
fi

say done
finish
EOF
}

e2e_udhcpc_script () {
  cat <<'EOF'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    if [ -n "$router" ]; then
      for r in $router; do ip route add default via "$r" dev "$interface"; break; done
    fi
    echo "udhcpc: $1 $ip/${mask:-24} from ${serverid:-?}"
    ;;
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
esac
exit 0
EOF
}

# 2. Initrd: busybox-static + modules + /init.  Sets E2E_INITRD_FILE.
e2e_initrd () {
  local out="$E2E_CACHE/initrd.gz" hash stage bb
  bb=/bin/busybox
  [ -x "$bb" ] && "$bb" --list >/dev/null 2>&1 || e2e_die "busybox-static is not installed"
  hash=$( { e2e_pkg_version busybox-static; cat "$E2E_KDIR/stamp"; e2e_init_script; e2e_udhcpc_script; } \
          | sha256sum | cut -d' ' -f1)
  E2E_INITRD_FILE=$out
  e2e_stamp_ok "$out.stamp" "$hash" && [ -f "$out" ] && return 0
  e2e_log "building initrd"
  stage=$(mktemp -d "$E2E_CACHE/initrd.XXXXXX")
  mkdir -p "$stage"/{bin,dev,etc,proc,sys,tmp,lib/modules}
  cp "$bb" "$stage/bin/busybox"
  ln -s busybox "$stage/bin/sh"
  mknod -m 600 "$stage/dev/console" c 5 1
  mknod -m 666 "$stage/dev/null" c 1 3
  e2e_init_script > "$stage/init"
  e2e_udhcpc_script > "$stage/etc/udhcpc.script"
  chmod 755 "$stage/init" "$stage/etc/udhcpc.script"
  cp "$E2E_KDIR"/modules/*.ko "$E2E_KDIR/modules/order" "$stage/lib/modules/"
  (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -9n) > "$out.tmp" \
    || e2e_die "cpio failed"
  mv "$out.tmp" "$out"
  rm -rf "$stage"
  echo "$hash" > "$out.stamp"
}

# 3. The boot tree (layout: tests/e2e/README.md).  Sets E2E_TREE.
e2e_tree () {
  local tree="$E2E_CACHE/tree" hash v
  hash=$( { for v in $E2E_FIRMWARE_PKGS; do echo "$v $(e2e_pkg_version "$v")"; done
            cat "$E2E_KDIR/stamp" "$E2E_INITRD_FILE.stamp"; echo tree-v1; } | sha256sum | cut -d' ' -f1)
  E2E_TREE=$tree
  e2e_stamp_ok "$tree.stamp" "$hash" && [ -d "$tree" ] && return 0
  e2e_log "assembling boot tree $tree"
  rm -rf "$tree"
  mkdir -p "$tree"/{images,efi64,grub,install}
  local bios=/usr/lib/syslinux/modules/bios efi=/usr/lib/syslinux/modules/efi64
  cp /usr/lib/PXELINUX/pxelinux.0 "$tree/" || e2e_die "pxelinux.0 missing (package pxelinux)"
  cp "$bios"/{ldlinux.c32,menu.c32,libutil.c32,libcom32.c32} "$tree/" || e2e_die "syslinux-common bios modules missing"
  cp /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi "$tree/efi64/" || e2e_die "syslinux.efi missing (package syslinux-efi)"
  cp "$efi"/{ldlinux.e64,menu.c32,libutil.c32,libcom32.c32} "$tree/efi64/" || e2e_die "syslinux-common efi64 modules missing"
  cp /usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi "$tree/grubnetx64.efi" \
    || e2e_die "grubnetx64.efi missing (package grub-efi-amd64-bin)"
  cp "$E2E_KDIR/vmlinuz" "$tree/images/vmlinuz"
  cp "$E2E_INITRD_FILE" "$tree/images/initrd.gz"
  # A deterministic 1 MiB "install tree" file for the FTP check.
  head -c 1048576 /dev/zero | openssl enc -aes-128-ctr -K 00112233445566778899aabbccddeeff \
      -iv 000102030405060708090a0b0c0d0e0f 2>/dev/null > "$tree/install/tree.img" \
    || { i=0; while [ $i -lt 16384 ]; do printf 'pxed-e2e install tree block %08d ......................\n' $i; i=$((i+1)); done > "$tree/install/tree.img"; }
  chmod -R a+rX "$tree"
  echo "$hash" > "$tree.stamp"
}

e2e_assets () {
  [ "$(id -u)" = 0 ] || e2e_die "building the e2e assets needs root (mknod, apt-get)"
  mkdir -p "$E2E_CACHE"
  e2e_require_pkgs $E2E_FIRMWARE_PKGS $E2E_VM_PKGS ${E2E_EXTRA_PKGS:-}
  e2e_kernel
  e2e_initrd
  e2e_tree
  E2E_KERNEL=$E2E_TREE/images/vmlinuz
  E2E_INITRD=$E2E_TREE/images/initrd.gz
  E2E_FTP_FILE=install/tree.img
  E2E_FTP_SHA256=$(sha256sum "$E2E_TREE/$E2E_FTP_FILE" | cut -d' ' -f1)
}

# Copy the boot tree into a server root (files, not links: pxed refuses links that leave its root).
e2e_tree_copy () {
  mkdir -p "$1"
  cp -a "$E2E_TREE"/. "$1"/
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  e2e_assets
  echo "$E2E_TREE"
fi
