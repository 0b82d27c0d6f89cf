#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# FTP benchmark: pxed's ftp plugin against vsftpd (anonymous, read-only), both
# on loopback, the same clients against each, interleaved:
#   retr-1g       one 1 GiB RETR (curl, EPSV)
#   retr-1g-x8    eight parallel 1 GiB RETRs
#   list-10k      LIST of a directory of 10,000 files, LIST_COUNT times in one
#                 session (the client prints ms-per-listing)
#   mlsd-10k      MLSD of the same directory (vsftpd has no MLSD: failed=1)
# Prints medians and ratios pxed/peer (MB/s; > 1: pxed is faster) with server
# CPU seconds per GiB.
# Scheduling note: with kernel.sched_autogroup_enabled=1 each vsftpd session
# (a session leader) is its own autogroup, so with 8 parallel transfers on a
# loaded machine vsftpd gets up to 8 CPU shares where pxed's one process gets
# one; compare retr-1g-x8 on an otherwise idle machine.
#
# usage: tests/bench/ftp/run.sh [BUILD_DIR]   (as root: vsftpd needs it)
# Knobs (environment): REPS=3 FILE_MB=1024 PARALLEL=8 LIST_FILES=10000 LIST_COUNT=20
#   SERVERS="pxed vsftpd" CASES="retr-1g retr-1g-x8 list-10k mlsd-10k"
#   BENCH_SERVER_CPU=0 BENCH_CLIENT_CPU=1 (TCP streams: client and server on
#   different CPUs, identically for both servers)
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
export BENCH_SERVER_CPU=${BENCH_SERVER_CPU:-0}
export BENCH_CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
. "$HERE/../lib/bench.sh"

BUILD=${1:-${PXED_BUILD_ROOT:-$SRC/build}}
PXED=$BUILD/core/pxed
PLUGIN=$BUILD/plugins/ftp/pxed-ftp.so
REPS=${REPS:-3}
FILE_MB=${FILE_MB:-1024}
PARALLEL=${PARALLEL:-8}
LIST_FILES=${LIST_FILES:-10000}
LIST_COUNT=${LIST_COUNT:-20}
SERVERS=${SERVERS:-pxed vsftpd}
CASES=${CASES:-retr-1g retr-1g-x8 list-10k mlsd-10k}
VSFTPD=${VSFTPD:-/usr/sbin/vsftpd}

[ "$(id -u)" -eq 0 ] || bench_die "run as root (vsftpd insists)"
for f in "$PXED" "$PLUGIN"; do
  [ -e "$f" ] || bench_die "$f missing: build first (meson compile -C $BUILD)"
done
command -v taskset >/dev/null || bench_die "taskset missing (util-linux)"
command -v curl >/dev/null || bench_die "curl missing"
has () { case " $SERVERS " in *" $1 "*) return 0 ;; esac; return 1; }
has_case () { case " $CASES " in *" $1 "*) return 0 ;; esac; return 1; }

chmod 0755 "$BENCH_TMP"
ROOT=$BENCH_TMP/root
mkdir -p "$ROOT/many"
echo "creating a ${FILE_MB} MiB file and ${LIST_FILES} small files..." >&2
dd if=/dev/zero of="$ROOT/big.img" bs=1M count="$FILE_MB" status=none
/usr/bin/python3 - "$ROOT/many" "$LIST_FILES" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, "file-%05d.rpm" % i), "wb") as f:
        f.write(b"x" * (i % 1000))
PY
chmod -R a+rX "$ROOT"
cat "$ROOT/big.img" > /dev/null  # warm the page cache

free_tcp_port () {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
declare -A PORT=()

if has pxed; then
  PORT[pxed]=$(free_tcp_port)
  mkdir -p "$BENCH_TMP/pxed-conf/conf.d" "$BENCH_TMP/plugins"
  ln -sf "$PLUGIN" "$BENCH_TMP/plugins/"
  cat > "$BENCH_TMP/pxed-conf/conf.d/50-ftp.yaml" <<EOC
plugin: ftp
listen: ["127.0.0.1:${PORT[pxed]}"]
root: $ROOT
passive-ports: "41000-41099"
max-sessions-per-client: 64
EOC
  # setsid: vsftpd makes every session process a session leader, which under
  # the kernel's autogroup scheduling gives each its own CPU share against the
  # other load on the machine; pxed gets the same standing (under systemd both
  # would live in their own service cgroup instead).
  bench_server_start pxed setsid "$PXED" --foreground --config "$BENCH_TMP/pxed-conf" \
    --plugin-dir "$(dirname "$PLUGIN")" --log-level message
fi
if has vsftpd; then
  [ -x "$VSFTPD" ] || bench_die "vsftpd missing (apt-get install vsftpd)"
  PORT[vsftpd]=$(free_tcp_port)
  mkdir -p /var/run/vsftpd/empty
  cat > "$BENCH_TMP/vsftpd.conf" <<EOC
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=${PORT[vsftpd]}
background=NO
anonymous_enable=YES
local_enable=NO
write_enable=NO
anon_root=$ROOT
no_anon_password=YES
pasv_enable=YES
pasv_min_port=42000
pasv_max_port=42099
max_clients=0
max_per_ip=0
xferlog_enable=NO
use_localtime=NO
seccomp_sandbox=NO
EOC
  bench_server_start vsftpd "$VSFTPD" "$BENCH_TMP/vsftpd.conf"
fi

retr_one () { # PORT
  curl -s -o /dev/null -w 'bytes=%{size_download} failed=0\n' "ftp://127.0.0.1:$1/big.img" ||
    echo "bytes=0 failed=1"
}
retr_many () { # PORT
  local i pids=() out=$BENCH_TMP/par.$$
  for i in $(seq 1 "$PARALLEL"); do
    retr_one "$1" > "$out.$i" &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$out".* | awk -F'[= ]' '{ b += $2; f += $4 } END { printf "bytes=%.0f failed=%d\n", b, f }'
  rm -f "$out".*
}
export -f retr_one retr_many
export BENCH_TMP PARALLEL

for rep in $(seq 1 "$REPS"); do
  echo "round $rep/$REPS" >&2
  for s in $SERVERS; do
    p=${PORT[$s]}
    has_case retr-1g && bench_run retr-1g "$s" bash -c "retr_one $p"
    has_case retr-1g-x8 && bench_run retr-1g-x$PARALLEL "$s" bash -c "retr_many $p"
    has_case list-10k && bench_run list-10k "$s" /usr/bin/python3 "$HERE/ftp-list.py" 127.0.0.1 "$p" LIST /many "$LIST_COUNT"
    has_case mlsd-10k && bench_run mlsd-10k "$s" /usr/bin/python3 "$HERE/ftp-list.py" 127.0.0.1 "$p" MLSD /many "$LIST_COUNT"
  done
done
bench_report pxed
