#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tftp-hpa, atftp and curl against the tftp plugin; every transfer is checked
# by SHA-256.
. "$(dirname "$0")/tftp-lib.sh" "$@"
require_cmd tftp atftp curl

mkfile pxelinux.0 42000
mkfile images/vmlinuz 3000000
mkfile empty 0
mkfile exact 1024
printf 'DEFAULT menu.c32\nLABEL x\r\n  KERNEL vmlinuz\n' > "$ROOT/netascii.cfg"
mkfile world-writable 1000
chmod 0666 "$ROOT/world-writable"
ww_sum=$(sha "$ROOT/world-writable")
OUT=$WORK/out
mkdir -p "$OUT"

HAVE_V6=""
if [ -f /proc/net/if_inet6 ] && grep -q "^00000000000000000000000000000001" /proc/net/if_inet6; then
  HAVE_V6=1
  TFTP_LISTEN="[\"127.0.0.1:$PORT\", \"[::1]:$PORT\"]"
fi
tftp_start

# tftp-hpa: RFC 1350 only (no options), octet and netascii.
for f in pxelinux.0 images/vmlinuz empty exact; do
  rm -f "$OUT/f"
  tftp -m binary 127.0.0.1 "$PORT" -c get "$f" "$OUT/f" || fail "tftp-hpa get $f"
  check_same "$f" "$OUT/f"
done
rm -f "$OUT/f"
tftp -m netascii 127.0.0.1 "$PORT" -c get netascii.cfg "$OUT/f" || fail "tftp-hpa netascii"
check_same netascii.cfg "$OUT/f"

# Leading '/' and '\' separators as pxelinux and Windows clients send them.
rm -f "$OUT/f"
tftp -m binary 127.0.0.1 "$PORT" -c get /images/vmlinuz "$OUT/f" || fail "tftp-hpa /path"
check_same images/vmlinuz "$OUT/f"
client -q -O "$OUT/bs" '\images\vmlinuz' >/dev/null || fail "backslash path"
check_same images/vmlinuz "$OUT/bs"

# atftp with blksize / tsize / windowsize.
for opts in "blksize 1468" "blksize 8" "blksize 65464" "windowsize 4" "windowsize 64"; do
  rm -f "$OUT/f"
  atftp --option "$opts" --option "tsize 0" -g -r images/vmlinuz -l "$OUT/f" 127.0.0.1 "$PORT" \
    >/dev/null 2>&1 || fail "atftp --option '$opts'"
  check_same images/vmlinuz "$OUT/f"
done
rm -f "$OUT/f"
atftp --option "blksize 1432" --option "windowsize 16" -g -r pxelinux.0 -l "$OUT/f" 127.0.0.1 "$PORT" \
  >/dev/null 2>&1 || fail "atftp blksize+windowsize"
check_same pxelinux.0 "$OUT/f"

# curl with --tftp-blksize (and its default request).
for bs in 512 1432 8192 65464; do
  rm -f "$OUT/f"
  curl -sS --tftp-blksize "$bs" -o "$OUT/f" "tftp://127.0.0.1:$PORT/images/vmlinuz" || fail "curl blksize $bs"
  check_same images/vmlinuz "$OUT/f"
done
rm -f "$OUT/f"
curl -sS -o "$OUT/f" "tftp://127.0.0.1:$PORT/pxelinux.0" || fail "curl default"
check_same pxelinux.0 "$OUT/f"

# IPv6 (when the loopback has ::1).
if [ -n "$HAVE_V6" ]; then
  rm -f "$OUT/f"
  curl -sS --tftp-blksize 1432 -o "$OUT/f" "tftp://[::1]:$PORT/images/vmlinuz" || fail "curl over IPv6"
  check_same images/vmlinuz "$OUT/f"
  "$CLIENT" -H ::1 -p "$PORT" -q -b 1468 -w 4 -t --expect-sha256 "$(sha "$ROOT/images/vmlinuz")" \
    images/vmlinuz >/dev/null || fail "client over IPv6"
fi

# Errors say "File not found" / "Access violation", never a server path.
msg=$(tftp 127.0.0.1 "$PORT" -c get no/such/file "$OUT/x" 2>&1 || true)
echo "$msg" | grep -q "Error code 1: File not found" || fail "not found: $msg"
echo "$msg" | grep -q "$ROOT" && fail "server path leaked: $msg"
msg=$(tftp 127.0.0.1 "$PORT" -c get ../../etc/passwd "$OUT/x" 2>&1 || true)
echo "$msg" | grep -qE "Error code (1|2)" || fail "traversal: $msg"
echo "$msg" | grep -q "$ROOT" && fail "server path leaked: $msg"

# Write requests are refused with error 2, whatever the permissions, and the
# file is left alone.
echo "overwrite" > "$WORK/upload"
msg=$(tftp -m binary 127.0.0.1 "$PORT" -c put "$WORK/upload" world-writable 2>&1 || true)
echo "$msg" | grep -q "Error code 2: Access violation" || fail "WRQ: $msg"
assert_eq "$ww_sum" "$(sha "$ROOT/world-writable")" "world-writable file after WRQ"

# One log line per finished transfer, with the negotiated options.
grep -qE "sent images/vmlinuz: 3000000 bytes in .* blksize=1468 tsize=3000000" "$PXED_LOG" \
  || fail "no transfer log line with options"
grep -q "write request for world-writable refused" "$PXED_LOG" || fail "no WRQ log line"

pxed_stop
echo "tftp real clients: ok"
