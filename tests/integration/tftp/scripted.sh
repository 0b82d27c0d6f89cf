#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The cases real clients cannot produce, with pxed-tftp-client: duplicate
# ACKs, a wrong TID, garbage on a transfer port, malformed requests, a
# stalled client, an ERROR mid-transfer, netascii, windows, many at once.
. "$(dirname "$0")/tftp-lib.sh" "$@"

mkfile boot.bin 300000
mkfile small 700
printf 'a\nb\rc\r\n\n' > "$ROOT/text.cfg"
sum=$(sha "$ROOT/boot.bin")
OUT=$WORK/out
mkdir -p "$OUT"

tftp_start "timeout: 300ms" "timeout-max: 1s" "retries: 3"

run () {
  local out
  out=$(client "$@" 2>&1) || fail "client $*: $out"
  echo "$out"
}

# Plain transfers, octet, several block and window sizes.
for args in "" "-b 1468 -t" "-b 8 -t" "-b 65464 -t" "-b 1468 -w 4 -t" "-b 1432 -w 64" "-w 7 -b 1000"; do
  # shellcheck disable=SC2086
  run $args --expect-sha256 "$sum" boot.bin >/dev/null
done

# Duplicate ACKs never cause duplicate DATA (Sorcerer's Apprentice).
out=$(run -s dup-ack --expect-sha256 "$sum" boot.bin)
echo "$out" | grep -q "dup_data=0" || fail "duplicate ACKs caused duplicate DATA: $out"
out=$(run -s dup-ack -b 1468 -w 8 --expect-sha256 "$sum" boot.bin)
echo "$out" | grep -q "dup_data=0" || fail "duplicate ACKs (window 8) caused duplicate DATA: $out"

# A packet from a wrong TID gets error 5 and the transfer goes on.
out=$(run -s wrong-tid --after 5 --expect-sha256 "$sum" boot.bin)
echo "$out" | grep -q "wrong_tid_error=5" || fail "wrong TID: $out"

# Garbage from the client's own TID is dropped; the transfer goes on.
run -s garbage --after 2 --expect-sha256 "$sum" boot.bin >/dev/null

# A client ERROR ends the transfer: no more DATA after the in-flight window.
out=$(run -s error-mid --after 3 --watch-ms 1500 boot.bin)
echo "$out" | grep -q "stray_after_error=0" || fail "server kept sending after ERROR: $out"
wait_log "boot.bin: aborted by the client \(error 0 \"client gave up\"\)" 5

# A stalled client: retransmissions with backoff (300 ms, 600 ms, 1 s cap),
# at most `retries` of them, then the session is freed and logged.
out=$(run -s stall --after 2 --watch-ms 3500 boot.bin)
n=$(echo "$out" | sed -n 's/.*stall_retransmits=\([0-9]*\).*/\1/p')
[ "$n" = 3 ] || fail "expected 3 retransmissions from a stalled client: $out"
times=$(echo "$out" | sed -n 's/.*times_ms=\([0-9,]*\).*/\1/p')
IFS=, read -r t1 t2 t3 <<<"$times"
# (Generous upper bounds: CI machines are busy.)
[ "$t1" -ge 250 ] && [ "$t1" -le 900 ] || fail "first retransmission at ${t1}ms"
[ $((t2 - t1)) -ge 450 ] && [ $((t2 - t1)) -le 1100 ] || fail "backoff: second after $((t2 - t1))ms"
[ $((t3 - t2)) -ge 850 ] && [ $((t3 - t2)) -le 1700 ] || fail "backoff cap: third after $((t3 - t2))ms"
wait_log "boot.bin: failed, timed out" 5

# netascii: LF -> CR LF, CR -> CR NUL on the wire, decoded back by the client.
out=$(run -a --expect-sha256 "$(sha "$ROOT/text.cfg")" text.cfg)
out=$(run -a -t -b 8 --expect-sha256 "$(sha "$ROOT/text.cfg")" text.cfg)
# tsize is never answered for netascii (the client fails on an unasked tsize
# only, so check the log instead).
grep -E "sent text.cfg: 13 bytes .* netascii blksize=8," "$PXED_LOG" >/dev/null \
  || fail "netascii transfer with blksize 8 not logged as expected"

# Out-of-range and non-numeric option values are ignored (no OACK for them),
# unknown options too: the client fails on any OACK entry it did not ask for.
run -o blksize=7 -o windowsize=0 -o timeout=256 -o tsize=abc -o multicast= --expect-sha256 "$sum" boot.bin >/dev/null
run -o blksize=65465 -o windowsize=65536 -o timeout=-1 --expect-sha256 "$sum" boot.bin >/dev/null

# Malformed requests to the request port: error 4 or silence, never a crash.
raw=$(client -s raw \
  00000061006f6374657400 \
  00076100 \
  0001 \
  000161626300 \
  0001006f6374657400 \
  000161006d61696c00 \
  000300010000 \
  00040001 \
  0005000078 \
  01)
lines=$(echo "$raw" | sed 's/^REPLY 00050004.*/E4/')
assert_eq "E4
E4
E4
E4
E4
E4
NOREPLY
NOREPLY
NOREPLY
E4" "$lines" "replies to malformed requests"

# Overlong filename.
long=$(head -c 1400 /dev/zero | tr '\0' 'a')
hex=$(printf '\0\1%s\0octet\0' "$long" | od -An -tx1 -v | tr -d ' \n')
raw=$(client -s raw "$hex")
echo "$raw" | grep -q "^REPLY 0005000[0-4]" || fail "overlong filename: $raw"

# A flood of 300 transfers from one process, 100 at a time.
out=$(run -q -P 100 -n 300 -b 1468 --expect-sha256 "$(sha "$ROOT/small")" small)
echo "$out" | grep -q "ok=300 failed=0" || fail "flood: $out"

# Still healthy afterwards.
run --expect-sha256 "$sum" -b 1468 -t boot.bin >/dev/null
kill -0 "$PXED_PID" || fail "pxed died"
pxed_stop

# Windows without UDP GSO (the sendmmsg path), with losses recovered.
PXED_TFTP_NO_GSO=1 tftp_start
for args in "-b 1468 -w 4" "-b 512 -w 64" "-b 1000 -w 7 -s dup-ack"; do
  # shellcheck disable=SC2086
  run $args -t --expect-sha256 "$sum" boot.bin >/dev/null
done
pxed_stop
echo "tftp scripted client: ok"
