#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# TFTP benchmark: pxed against tftpd-hpa, dnsmasq (TFTP only) and atftpd, all
# on loopback, the same client (pxed-tftp-client) against each, interleaved,
# client and server pinned to the same CPU. Prints a table of medians and
# ratios pxed/peer, with server CPU seconds per GiB.
#
# usage: tests/bench/tftp/run.sh [BUILD_DIR]       (as root: dnsmasq only serves TFTP on port 69)
# Knobs (environment): REPS=3 FILE_MB=256 STORM_CLIENTS=200 STORM_MB=32 STORM_REPS=1
#   SERVERS="pxed tftpd-hpa dnsmasq atftpd"  CASES="512 1468 65464 w16 w64 storm"
#   Optional servers (add them to SERVERS): floor (floor.c, a minimal one-socket-
#   per-transfer server: what any RFC 1350 server costs at the least), floor-conn
#   (the same with connect()ed transfer sockets), floor-uring (the same on
#   io_uring: one syscall per batch of packets; needs liburing-dev), pxed-old (a
#   second pxed with the plugin OLD_PLUGIN=/path/pxed-tftp.so, for A/B runs).
#   docs/tftp-storm.md has what they showed.
#   ATFTPD=/path/to/atftpd (default: apt-get download atftpd and unpack it here;
#   Debian's atftpd package conflicts with tftpd-hpa)
# Needs: taskset, in.tftpd (tftpd-hpa), dnsmasq.
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
. "$HERE/../lib/bench.sh"

BUILD=${1:-${PXED_BUILD_ROOT:-$SRC/build}}
PXED=$BUILD/core/pxed
CLIENT=$BUILD/plugins/tftp/pxed-tftp-client
PLUGIN=$BUILD/plugins/tftp/pxed-tftp.so
REPS=${REPS:-3}
FILE_MB=${FILE_MB:-256}
STORM_CLIENTS=${STORM_CLIENTS:-200}
STORM_MB=${STORM_MB:-32}
STORM_REPS=${STORM_REPS:-1}
SERVERS=${SERVERS:-pxed tftpd-hpa dnsmasq atftpd}
CASES=${CASES:-512 1468 65464 w16 w64 storm}

[ "$(id -u)" -eq 0 ] || bench_die "run as root (dnsmasq's TFTP port is 69; servers drop privileges)"
for f in "$PXED" "$CLIENT" "$PLUGIN"; do
  [ -e "$f" ] || bench_die "$f missing: build first (meson compile -C $BUILD)"
done
command -v taskset >/dev/null || bench_die "taskset missing (util-linux)"
has () { case " $SERVERS " in *" $1 "*) return 0 ;; esac; return 1; }
has_case () { case " $CASES " in *" $1 "*) return 0 ;; esac; return 1; }

chmod 0755 "$BENCH_TMP"
ROOT=$BENCH_TMP/root
mkdir -p "$ROOT"
chmod 0777 "$ROOT"
echo "creating ${FILE_MB} MiB and ${STORM_MB} MiB files..." >&2
head -c $((FILE_MB * 1024 * 1024)) /dev/urandom > "$ROOT/big.img"
head -c $((STORM_MB * 1024 * 1024)) /dev/urandom > "$ROOT/storm.img"
chmod 0644 "$ROOT"/*.img

free_udp_port () {
  /usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
declare -A PORT=()

# ---- servers ---------------------------------------------------------------
if has pxed; then
  PORT[pxed]=$(free_udp_port)
  mkdir -p "$BENCH_TMP/pxed/conf.d" "$BENCH_TMP/pxed/plugins"
  cp "$PLUGIN" "$BENCH_TMP/pxed/plugins/"
  chmod 0644 "$BENCH_TMP/pxed/plugins/pxed-tftp.so"
  cat > "$BENCH_TMP/pxed/conf.d/10-tftp.yaml" <<YAML
plugin: tftp
listen: ["127.0.0.1:${PORT[pxed]}"]
root: $ROOT
max-sessions: 1000
max-sessions-per-client: 1000
YAML
  bench_server_start pxed "$PXED" --foreground --config "$BENCH_TMP/pxed" \
    --plugin-dir "$BENCH_TMP/pxed/plugins"
fi
if has pxed-old; then
  [ -n "${OLD_PLUGIN:-}" ] && [ -e "$OLD_PLUGIN" ] || bench_die "pxed-old needs OLD_PLUGIN=/path/pxed-tftp.so"
  PORT[pxed-old]=$(free_udp_port)
  mkdir -p "$BENCH_TMP/pxed-old/conf.d" "$BENCH_TMP/pxed-old/plugins"
  install -m 0644 "$OLD_PLUGIN" "$BENCH_TMP/pxed-old/plugins/pxed-tftp.so"
  sed "s/:${PORT[pxed]:-0}\"/:${PORT[pxed-old]}\"/" "$BENCH_TMP/pxed/conf.d/10-tftp.yaml" \
    > "$BENCH_TMP/pxed-old/conf.d/10-tftp.yaml"
  grep -q ":${PORT[pxed-old]}" "$BENCH_TMP/pxed-old/conf.d/10-tftp.yaml" || bench_die "pxed-old needs pxed"
  bench_server_start pxed-old "$PXED" --foreground --config "$BENCH_TMP/pxed-old" \
    --plugin-dir "$BENCH_TMP/pxed-old/plugins"
fi
if has floor-uring; then
  ${CC:-cc} -O2 -std=gnu11 -DFLOOR_URING -o "$BENCH_TMP/floor-uring" "$HERE/floor.c" -luring \
    || bench_die "building floor.c with io_uring failed (apt-get install liburing-dev)"
  PORT[floor-uring]=$(free_udp_port)
  bench_server_start floor-uring "$BENCH_TMP/floor-uring" 127.0.0.1 "${PORT[floor-uring]}" "$ROOT"
fi
if has floor || has floor-conn; then
  ${CC:-cc} -O2 -std=gnu11 -o "$BENCH_TMP/floor" "$HERE/floor.c" || bench_die "building floor.c failed"
  if has floor; then
    PORT[floor]=$(free_udp_port)
    bench_server_start floor "$BENCH_TMP/floor" 127.0.0.1 "${PORT[floor]}" "$ROOT"
  fi
  if has floor-conn; then
    PORT[floor-conn]=$(free_udp_port)
    bench_server_start floor-conn env FLOOR_CONNECT=1 "$BENCH_TMP/floor" 127.0.0.1 \
      "${PORT[floor-conn]}" "$ROOT"
  fi
fi
if has tftpd-hpa; then
  command -v in.tftpd >/dev/null || bench_die "in.tftpd missing (apt-get install tftpd-hpa)"
  PORT[tftpd-hpa]=$(free_udp_port)
  bench_server_start tftpd-hpa in.tftpd -L -a "127.0.0.1:${PORT[tftpd-hpa]}" -s "$ROOT"
fi
if has dnsmasq; then
  command -v dnsmasq >/dev/null || bench_die "dnsmasq missing (apt-get install dnsmasq-base)"
  PORT[dnsmasq]=69
  bench_server_start dnsmasq dnsmasq -k --conf-file=/dev/null --port=0 --enable-tftp \
    --tftp-root="$ROOT" --listen-address=127.0.0.1 --bind-interfaces --tftp-max=250 \
    --user=root --pid-file= --log-facility=- --quiet-tftp
fi
if has atftpd; then
  if [ -z "${ATFTPD:-}" ]; then
    (cd "$BENCH_TMP" && apt-get download atftpd >/dev/null 2>&1) || bench_die "apt-get download atftpd failed"
    dpkg -x "$BENCH_TMP"/atftpd_*.deb "$BENCH_TMP/atftpd-pkg"
    ATFTPD=$BENCH_TMP/atftpd-pkg/usr/sbin/atftpd
  fi
  PORT[atftpd]=$(free_udp_port)
  bench_server_start atftpd "$ATFTPD" --daemon --no-fork --port "${PORT[atftpd]}" \
    --bind-address 127.0.0.1 --user root.root --logfile /dev/null -m 300 "$ROOT"
fi

# ---- cases -------------------------------------------------------------------
run_case () {
  local case=$1 servers=$2
  shift 2
  local s
  for s in $servers; do
    has "$s" || continue
    bench_run "$case" "$s" "$CLIENT" -H 127.0.0.1 -p "${PORT[$s]}" -q -t "$@"
  done
}

echo "pinning: server CPU $BENCH_SERVER_CPU, client CPU $BENCH_CLIENT_CPU; $REPS runs per case, interleaved" >&2
for rep in $(seq 1 "$REPS"); do
  echo "run $rep/$REPS" >&2
  has_case 512 && run_case "${FILE_MB}MiB blksize 512" "pxed pxed-old tftpd-hpa dnsmasq atftpd floor floor-conn floor-uring" -b 512 -V "$ROOT/big.img" big.img
  has_case 1468 && run_case "${FILE_MB}MiB blksize 1468" "pxed pxed-old tftpd-hpa dnsmasq atftpd floor floor-conn floor-uring" -b 1468 -V "$ROOT/big.img" big.img
  has_case 65464 && run_case "${FILE_MB}MiB blksize 65464" "pxed pxed-old tftpd-hpa dnsmasq atftpd floor floor-conn floor-uring" -b 65464 -V "$ROOT/big.img" big.img
  has_case w16 && run_case "${FILE_MB}MiB 1468 windowsize 16" "pxed pxed-old atftpd" -b 1468 -w 16 -V "$ROOT/big.img" big.img
  has_case w64 && run_case "${FILE_MB}MiB 1468 windowsize 64" "pxed pxed-old atftpd" -b 1468 -w 64 -V "$ROOT/big.img" big.img
done
if has_case storm; then
  for rep in $(seq 1 "$STORM_REPS"); do
    echo "storm $rep/$STORM_REPS: $STORM_CLIENTS clients x ${STORM_MB} MiB at blksize 1468" >&2
    run_case "storm ${STORM_CLIENTS}x${STORM_MB}MiB 1468" "pxed pxed-old dnsmasq floor floor-conn floor-uring tftpd-hpa atftpd" \
      -b 1468 -P "$STORM_CLIENTS" -n "$STORM_CLIENTS" -V "$ROOT/storm.img" storm.img
  done
fi

echo
bench_report pxed

# On a shared machine the medians move with other load; the best run of each
# (least disturbed) is the steadier measure of what a server itself costs.
echo
echo "best run of each (fastest time; lowest server CPU per GiB, of any run):"
/usr/bin/python3 - "$BENCH_RESULTS" <<'PY'
import sys, collections
runs = collections.defaultdict(list)
order = []
for line in open(sys.argv[1]):
    case, server, secs, cpu, nbytes, failed = line.rstrip("\n").split("\t")
    if (case, server) not in runs:
        order.append((case, server))
    runs[(case, server)].append((float(secs), float(cpu), int(nbytes)))
print("%-30s %-12s %9s %10s %11s" % ("case", "server", "seconds", "MB/s", "cpu-s/GiB"))
for key in order:
    rs = runs[key]
    secs = min(r[0] for r in rs)
    nbytes = max(r[2] for r in rs)
    cpu_gib = min(r[1] / (r[2] / 2**30) for r in rs if r[2] > 0) if nbytes else 0.0
    print("%-30s %-12s %9.3f %10.1f %11.2f" % (key[0], key[1], secs, nbytes / secs / 1e6, cpu_gib))
PY
