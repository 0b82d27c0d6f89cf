# SPDX-License-Identifier: LGPL-2.1-or-later
# Reusable benchmark harness: pxed side by side with the servers it replaces.
#   . tests/bench/lib/bench.sh
#   bench_server_start NAME CMD...   start a server pinned to $BENCH_SERVER_CPU
#   bench_run CASE SERVER CMD...     run a client pinned to $BENCH_CLIENT_CPU, record
#                                    wall time, server CPU seconds and the client's
#                                    "bytes=N ... failed=N" summary
#   bench_report [BASE]              median per (case, server) and ratios BASE/peer
#   bench_server_stop NAME
# Only loopback. Servers are killed by PID at exit.
#
# Pinning: on a 2-core machine a lock-step transfer runs ~80 MB/s when client
# and server share a CPU and ~6 MB/s when they do not, which swamps any server
# difference; so every server runs on the same CPU as the client, identically.

set -u

BENCH_SERVER_CPU=${BENCH_SERVER_CPU:-1}
BENCH_CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pxed-bench.XXXXXX")
BENCH_RESULTS=$BENCH_TMP/results.tsv
: > "$BENCH_RESULTS"
declare -A BENCH_PID=()
CLK_TCK=$(getconf CLK_TCK)

bench_cleanup () {
  local name
  for name in "${!BENCH_PID[@]}"; do
    bench_server_stop "$name"
  done
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_die () {
  echo "bench: $*" >&2
  exit 1
}

# bench_cpu_seconds PID: user+system CPU of PID and its reaped children
# (fields 14-17 of /proc/PID/stat), in seconds.
bench_cpu_seconds () {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  # The command name (field 2) may contain spaces: cut after its ')'.
  stat=${stat##*) }
  echo "$stat" | awk -v hz="$CLK_TCK" '{ printf "%.3f", ($12 + $13 + $14 + $15) / hz }'
}

# A CPU accounting cgroup per server, when the machine lets us make one, so
# servers that fork a process per transfer (tftpd-hpa) are charged for their
# children too; otherwise /proc/PID/stat (children only once reaped).
declare -A BENCH_CG=()
bench_cgroup_new () {
  local name=$1 base dir
  for base in /sys/fs/cgroup/cpuacct /sys/fs/cgroup/unified /sys/fs/cgroup; do
    dir=$base/pxed-bench-$$-$name
    if mkdir "$dir" 2>/dev/null; then
      if [ -f "$dir/cpuacct.usage" ] || [ -f "$dir/cpu.stat" ]; then
        echo "$dir"
        return 0
      fi
      rmdir "$dir" 2>/dev/null
    fi
  done
  return 1
}

# bench_server_cpu NAME: CPU seconds used so far by server NAME.
bench_server_cpu () {
  local cg=${BENCH_CG[$1]:-}
  if [ -n "$cg" ] && [ -f "$cg/cpuacct.usage" ]; then
    awk '{ printf "%.3f", $1 / 1e9 }' "$cg/cpuacct.usage"
  elif [ -n "$cg" ]; then
    awk '$1 == "usage_usec" { printf "%.3f", $2 / 1e6 }' "$cg/cpu.stat"
  else
    bench_cpu_seconds "${BENCH_PID[$1]}"
  fi
}

# bench_server_start NAME CMD...: starts CMD in the background pinned to
# $BENCH_SERVER_CPU (output in $BENCH_TMP/NAME.log).
bench_server_start () {
  local name=$1 cg
  shift
  cg=$(bench_cgroup_new "$name") || cg=""
  BENCH_CG[$name]=$cg
  if [ -n "$cg" ]; then
    bash -c 'echo $$ > "$0/cgroup.procs" && exec taskset -c "$@"' "$cg" "$BENCH_SERVER_CPU" "$@" \
      >"$BENCH_TMP/$name.log" 2>&1 &
  else
    taskset -c "$BENCH_SERVER_CPU" "$@" >"$BENCH_TMP/$name.log" 2>&1 &
  fi
  BENCH_PID[$name]=$!
  sleep "${BENCH_SERVER_SETTLE:-0.5}"
  kill -0 "${BENCH_PID[$name]}" 2>/dev/null || {
    cat "$BENCH_TMP/$name.log" >&2
    bench_die "server $name did not start"
  }
}

bench_server_stop () {
  local name=$1 pid=${BENCH_PID[$1]:-}
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "BENCH_PID[$name]"
  local cg=${BENCH_CG[$name]:-}
  if [ -n "$cg" ]; then
    # Leftover children (if any) go back to the root group first.
    local p
    for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do
      kill -KILL "$p" 2>/dev/null || true
    done
    sleep 0.1
    rmdir "$cg" 2>/dev/null || true
  fi
}

# bench_run CASE SERVER CMD...: one measured run. The client must print a
# summary containing "bytes=N" and "failed=N".
bench_run () {
  local case=$1 server=$2
  shift 2
  local pid=${BENCH_PID[$server]:-}
  [ -n "$pid" ] || bench_die "server $server is not running"
  local cpu0 cpu1 t0 t1 out bytes failed
  cpu0=$(bench_server_cpu "$server")
  t0=$(date +%s.%N)
  out=$(taskset -c "$BENCH_CLIENT_CPU" "$@" 2>&1 | tail -n 1)
  t1=$(date +%s.%N)
  cpu1=$(bench_server_cpu "$server")
  bytes=$(echo "$out" | sed -n 's/.*bytes=\([0-9]*\).*/\1/p')
  failed=$(echo "$out" | sed -n 's/.*failed=\([0-9]*\).*/\1/p')
  local secs cpu
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.3f", b - a }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$server" "$secs" "$cpu" "${bytes:-0}" "${failed:-?}" \
    >> "$BENCH_RESULTS"
  printf '  %-28s %-10s %8s s  cpu %6s s  %s\n' "$case" "$server" "$secs" "$cpu" "$out" >&2
}

# bench_report [BASE]: medians per (case, server): seconds, MB/s, server CPU
# seconds per GiB, failures, and the ratio BASE/peer of MB/s (> 1: BASE is
# faster) and of CPU per GiB (< 1: BASE is cheaper).
bench_report () {
  /usr/bin/python3 - "$BENCH_RESULTS" "${1:-pxed}" <<'PY'
import sys, statistics, collections
path, base = sys.argv[1], sys.argv[2]
runs = collections.defaultdict(list)
order = []
for line in open(path):
    case, server, secs, cpu, nbytes, failed = line.rstrip("\n").split("\t")
    key = (case, server)
    if key not in runs:
        order.append(key)
    runs[key].append((float(secs), float(cpu), int(nbytes), failed))
med = {}
for key, rs in runs.items():
    secs = statistics.median(r[0] for r in rs)
    cpu = statistics.median(r[1] for r in rs)
    nbytes = statistics.median(r[2] for r in rs)
    failed = max((int(r[3]) if r[3].isdigit() else -1) for r in rs)
    mbps = nbytes / secs / 1e6 if secs > 0 else 0.0
    cpu_gib = cpu / (nbytes / 2**30) if nbytes else 0.0
    med[key] = (secs, mbps, cpu_gib, failed, len(rs))
print("%-30s %-10s %9s %10s %11s %7s %5s %10s %10s" % (
    "case", "server", "seconds", "MB/s", "cpu-s/GiB", "failed", "runs",
    base + "/peer", "cpu ratio"))
for key in order:
    case, server = key
    secs, mbps, cpu_gib, failed, n = med[key]
    b = med.get((case, base))
    ratio = cratio = ""
    if b is not None and server != base:
        ratio = "%.2fx" % (b[1] / mbps) if mbps > 0 else "inf"
        cratio = "%.2f" % (b[2] / cpu_gib) if cpu_gib > 0 else "-"
    print("%-30s %-10s %9.3f %10.1f %11.2f %7s %5d %10s %10s" % (
        case, server, secs, mbps, cpu_gib, failed if failed >= 0 else "?", n, ratio, cratio))
PY
}
