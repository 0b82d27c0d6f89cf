#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wget --mirror of an install tree through the HTML directory listings, and
# a plain wget download (what busybox-based installers do).
. "$(dirname "$0")/http-lib.sh"
require_cmd wget

mkfile images/pxeboot/vmlinuz 2000000
mkfile images/pxeboot/initrd.img 3000000
mkfile images/install.img 500000
mkfile EFI/BOOT/BOOTX64.EFI 4000
mkfile repodata/repomd.xml 600
mkfile repodata/0123-primary.xml.gz 7000
mkfile "Packages/b/bash-5.2 (copy)&x.rpm" 1000
mkfile Packages/z/zsh.rpm 2000
printf '[general]\nname=test\n' > "$ROOT/.treeinfo"
mkdir -p "$ROOT/empty-dir"
OUT=$WORK/mirror
mkdir -p "$OUT"

# two worker threads sharing the listening sockets (EPOLLEXCLUSIVE)
http_start "directory-listing: true" "threads: 2"

(cd "$OUT" && wget -q --mirror --no-parent --no-host-directories --reject 'index.html*' \
   "$BASE/") || fail "wget --mirror failed"
# hidden files are not listed; everything else arrives intact
diff -r -x .treeinfo -x empty-dir "$ROOT" "$OUT" || fail "mirror differs from the tree"

rm -f "$OUT/one"
wget -q -O "$OUT/one" "$BASE/images/pxeboot/vmlinuz" || fail "plain wget"
check_same images/pxeboot/vmlinuz "$OUT/one"
# wget -c resumes with a Range request
head -c 777777 "$ROOT/images/pxeboot/initrd.img" > "$OUT/part"
wget -q -c -O "$OUT/part" "$BASE/images/pxeboot/initrd.img" || fail "wget -c"
check_same images/pxeboot/initrd.img "$OUT/part"

# the listing is HTML with escaped names and encoded links
curl -s "$BASE/Packages/b/" > "$OUT/listing.html"
grep -q 'href="./bash-5.2%20%28copy%29%26x.rpm"' "$OUT/listing.html" || fail "listing href"
grep -q '>bash-5.2 (copy)&amp;x.rpm<' "$OUT/listing.html" || fail "listing text"
assert_eq "text/html; charset=utf-8" "$(header Content-Type "$BASE/Packages/")" "listing type"

# eight downloads at once, spread over both workers
pids=()
for i in 1 2 3 4 5 6 7 8; do
  curl -sf -o "$OUT/par$i" "$BASE/images/pxeboot/initrd.img" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "parallel downloads"; done
for i in 1 2 3 4 5 6 7 8; do check_same images/pxeboot/initrd.img "$OUT/par$i"; done
[ "$(ls /proc/"$PXED_PID"/task | wc -l)" -ge 3 ] || fail "expected two HTTP worker threads"

pxed_stop
echo ok
