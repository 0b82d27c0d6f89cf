#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Block numbers roll over past 65535: a 40 MiB file at 512-byte blocks
# (81921 blocks), with tftp-hpa, atftp and the scripted client.
. "$(dirname "$0")/tftp-lib.sh" "$@"
require_cmd tftp atftp

mkfile big.img $((40 * 1024 * 1024))
OUT=$WORK/out
mkdir -p "$OUT"
tftp_start

client -q --expect-sha256 "$(sha "$ROOT/big.img")" big.img >/dev/null || fail "client rollover at 512"
client -q -w 16 --expect-sha256 "$(sha "$ROOT/big.img")" big.img >/dev/null \
  || fail "client rollover at 512 with windowsize 16"
tftp -m binary 127.0.0.1 "$PORT" -c get big.img "$OUT/a" || fail "tftp-hpa rollover"
check_same big.img "$OUT/a"
atftp --option "windowsize 8" -g -r big.img -l "$OUT/b" 127.0.0.1 "$PORT" >/dev/null 2>&1 \
  || fail "atftp rollover"
check_same big.img "$OUT/b"
[ "$(grep -c "sent big.img: 41943040 bytes" "$PXED_LOG")" -eq 4 ] || fail "expected 4 logged transfers"
pxed_stop
echo "tftp rollover: ok"
