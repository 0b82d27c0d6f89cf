#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# curl (PASV, EPSV, resume, list), lftp (mirror, MLSD), wget (recursive) and
# Python's ftplib against the ftp plugin, over IPv4 and IPv6; every file is
# checked by SHA-256.
. "$(dirname "$0")/ftp-lib.sh"
require_cmd curl lftp wget
. "$HERE/tree.sh"
ftp_start
URL=ftp://127.0.0.1:$PORT
OUT=$WORK/out
mkdir -p "$OUT"

# curl: EPSV (default) and PASV.
curl -s -o "$OUT/big.epsv" "$URL/pub/big.bin" || fail "curl EPSV"
assert_eq "$(sha "$ROOT/pub/big.bin")" "$(sha "$OUT/big.epsv")" "curl EPSV content"
curl -s --disable-epsv -o "$OUT/big.pasv" "$URL/pub/big.bin" || fail "curl PASV"
assert_eq "$(sha "$ROOT/pub/big.bin")" "$(sha "$OUT/big.pasv")" "curl PASV content"
curl -s --ftp-port 127.0.0.1 -o "$OUT/big.port" "$URL/pub/big.bin" || fail "curl PORT"
assert_eq "$(sha "$ROOT/pub/big.bin")" "$(sha "$OUT/big.port")" "curl active content"
curl -s -o "$OUT/space" "$URL/pub/with%20space.txt" || fail "curl name with a space"
assert_eq "$(sha "$ROOT/pub/with space.txt")" "$(sha "$OUT/space")" "name with a space"
curl -s -o "$OUT/empty" "$URL/pub/sub/empty" || fail "curl empty file"
[ -f "$OUT/empty" ] && [ ! -s "$OUT/empty" ] || fail "empty file"
# Resume: -C - continues a partial file.
head -c 1234567 "$ROOT/pub/big.bin" > "$OUT/big.part"
curl -s -C - -o "$OUT/big.part" "$URL/pub/big.bin" || fail "curl resume"
assert_eq "$(sha "$ROOT/pub/big.bin")" "$(sha "$OUT/big.part")" "curl resumed content"
grep -q "RETR /pub/big.bin complete: 3765433 bytes (from offset 1234567)" "$PXED_LOG" ||
  fail "no transfer log line for the resumed RETR"
# Listings: LIST and NLST (-l), no owners, no server paths, no symlinks out.
list=$(curl -s "$URL/pub/") || fail "curl LIST"
echo "$list" | grep -q " big.bin" || fail "LIST: $list"
echo "$list" | grep -q " inside-link" || fail "LIST lacks the inside symlink: $list"
echo "$list" | grep -Eq "evil|root|$ROOT" && fail "LIST reveals too much: $list"
names=$(curl -s -l "$URL/pub/") || fail "curl NLST"
echo "$names" | tr -d '\r' | grep -qx sub || fail "NLST: $names"
# Errors.
curl -s -o /dev/null "$URL/nope"; rc=$?
assert_eq 78 "$rc" "curl of a missing file"
curl -s -o /dev/null "$URL/pub/evil"; rc=$?
assert_eq 78 "$rc" "curl of a symlink out of the root"
curl -s -T "$ROOT/readme.txt" "$URL/upload.txt" && fail "upload accepted"
[ -e "$ROOT/upload.txt" ] && fail "upload created a file"

# IPv6: EPSV and EPRT.
if [ "$HAVE_V6" = 1 ]; then
  curl -s -g -o "$OUT/big.v6" "ftp://[::1]:$PORT/pub/big.bin" || fail "curl IPv6 EPSV"
  assert_eq "$(sha "$ROOT/pub/big.bin")" "$(sha "$OUT/big.v6")" "IPv6 content"
  curl -s -g --ftp-port ::1 -o "$OUT/big.v6a" "ftp://[::1]:$PORT/pub/big.bin" || fail "curl EPRT"
  assert_eq "$(sha "$ROOT/pub/big.bin")" "$(sha "$OUT/big.v6a")" "IPv6 EPRT content"
fi

# lftp: mirror (it lists with MLSD when FEAT offers MLST).
timeout 60 lftp -e "set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; mirror pub $OUT/mirror; quit" \
  "$URL" > "$OUT/lftp.log" 2>&1 || fail "lftp mirror: $(cat "$OUT/lftp.log")"
for f in big.bin sub/deep.bin sub/empty "with space.txt" inside-link; do
  assert_eq "$(sha "$ROOT/pub/$f")" "$(sha "$OUT/mirror/$f")" "lftp mirror $f"
done
[ -e "$OUT/mirror/evil" ] && fail "lftp mirrored a symlink out of the root"
grep -q ": MLSD" "$PXED_LOG" || fail "lftp did not use MLSD"
cls=$(timeout 30 lftp -e "set net:max-retries 1; cls -1 pub/sub; quit" "$URL" 2>&1) || fail "lftp cls: $cls"
assert_eq "deep.bin empty" "$(echo $cls | tr -d '\r' | sed 's|pub/sub/||g')" "lftp cls"

# wget: recursive.
(cd "$OUT" && timeout 60 wget -q -r -nH "$URL/") || fail "wget -r"
for f in readme.txt pub/big.bin pub/sub/deep.bin "pub/with space.txt"; do
  assert_eq "$(sha "$ROOT/$f")" "$(sha "$OUT/$f")" "wget $f"
done

# Python's ftplib (login, CWD clamping, NLST, MLSD, LIST, SIZE, MDTM, REST,
# PORT, ABOR, refused writes).
$FTPC ftplib 127.0.0.1 "$PORT" "$ROOT" || fail "ftplib"
if [ "$HAVE_V6" = 1 ]; then
  $FTPC ftplib ::1 "$PORT" "$ROOT" || fail "ftplib over IPv6"
fi

n=$(grep -c "RETR /pub/big.bin complete" "$PXED_LOG")
[ "$n" -ge 8 ] || fail "only $n transfer log lines for big.bin"
pxed_stop
echo "ftp real clients: ok"
