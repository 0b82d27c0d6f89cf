#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# http-repo against nginx, side by side in one run (issue 6, item 7):
#   - a 1 GiB file with one curl, and with 8 parallel curls (aggregate rate);
#   - a 1 KiB file with wrk (2 threads, 64 connections, keep-alive);
#   - idle RSS of each server after start-up.
# Both servers run pinned to CPU $SERVER_CPU, every client to CPU $CLIENT_CPU
# (on a 2-core machine placement changes results more than the server does).
# nginx: one worker, no master, sendfile on, access_log off. pxed: one
# http-repo instance, one worker thread, log level "message" (the
# access log lines are info: formatted, then filtered).
#
# On a machine busy with other work, every server and client process runs
# under $PRIO (as root: nice -n -19, so compilers elsewhere barely disturb the
# measurement; both servers get the same treatment).
#
# Usage: tests/bench/http/bench.sh BUILD_DIR   (env: REPS=3 WRK_SECS=10 PRIO=...
#        TESTS="one_large eight_large small" to run a subset,
#        PXED_HTTP_EXTRA="threads: 2" for more keys in pxed's http-repo section)
# Prints a table with the median of REPS runs and the ratio pxed/nginx.
set -eu

BUILD=${1:?usage: bench.sh BUILD_DIR}
REPS=${REPS:-3}
WRK_SECS=${WRK_SECS:-10}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
TESTS=${TESTS:-one_large eight_large small}
if [ -z "${PRIO+x}" ]; then
  PRIO=""
  [ "$(id -u)" -eq 0 ] && PRIO="nice -n -19"
fi
PXED=$BUILD/core/pxed
PLUGIN=$BUILD/plugins/http-repo/pxed-http-repo.so
for c in nginx wrk curl taskset; do
  command -v "$c" >/dev/null || { echo "needs $c" >&2; exit 1; }
done
[ -x "$PXED" ] && [ -f "$PLUGIN" ] || { echo "no pxed or plugin in $BUILD" >&2; exit 1; }

WORK=$(mktemp -d /tmp/pxed-bench-http.XXXXXX)
PIDS=()
cleanup () {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port () {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ROOT=$WORK/root
mkdir -p "$ROOT" "$WORK/conf/conf.d" "$WORK/plugins" "$WORK/nginx"
echo "creating the files..." >&2
case " $TESTS " in
  *large*) head -c 1G /dev/urandom > "$ROOT/1g.img"
           cat "$ROOT/1g.img" > /dev/null ;; # into the page cache
esac
head -c 1024 /dev/urandom > "$ROOT/1k.bin"

PX_PORT=$(free_port)
NG_PORT=$(free_port)

# pxed
cp "$PLUGIN" "$WORK/plugins/" && chmod 0644 "$WORK/plugins/pxed-http-repo.so"
cat > "$WORK/conf/conf.d/10-http.yaml" <<EOC
plugin: http-repo
listen: ["127.0.0.1:$PX_PORT"]
root: $ROOT
max-sessions-per-client: 10000
max-sessions: 10000
${PXED_HTTP_EXTRA:-}
EOC
$PRIO taskset -c "$SERVER_CPU" "$PXED" --foreground --config "$WORK/conf" \
  --plugin-dir "$WORK/plugins" 2> "$WORK/pxed.log" &
PX_PID=$!
PIDS+=("$PX_PID")

# nginx
cat > "$WORK/nginx/nginx.conf" <<EOC
worker_processes 1;
daemon off;
master_process off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 10000; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  default_type application/octet-stream;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:$NG_PORT; root $ROOT; }
}
EOC
$PRIO taskset -c "$SERVER_CPU" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NG_PID=$!
PIDS+=("$NG_PID")

for i in $(seq 1 100); do
  if curl -sf -o /dev/null "http://127.0.0.1:$PX_PORT/1k.bin" &&
     curl -sf -o /dev/null "http://127.0.0.1:$NG_PORT/1k.bin"; then
    break
  fi
  sleep 0.1
done
sleep 1
rss_kib () { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
PX_RSS=$(rss_kib "$PX_PID")
NG_RSS=$(rss_kib "$NG_PID")

# cpu_ns PID: CPU time the server used so far (all its threads, including
# threads that have exited), in ns (utime + stime, clock-tick resolution).
# CPU per unit of work is what a busy machine distorts least: with other load,
# a server with more threads also gets more CPU shares, so rates alone mislead.
CLK_TCK=$(getconf CLK_TCK)
cpu_ns () {
  sed 's/.*) //' /proc/"$1"/stat | awk -v hz="$CLK_TCK" '{printf "%.0f", ($12 + $13) * 1e9 / hz}'
}
pid_of () { if [ "$1" = "$PX_PORT" ]; then echo "$PX_PID"; else echo "$NG_PID"; fi; }

# Each test prints "RATE CPU": RATE in MB/s or req/s, CPU in server CPU ms
# per GiB sent or server CPU us per request.
# one_large PORT: one 1 GiB download
one_large () {
  local pid c0 rate
  pid=$(pid_of "$1"); c0=$(cpu_ns "$pid")
  rate=$($PRIO taskset -c "$CLIENT_CPU" curl -s -o /dev/null -w '%{speed_download}' \
    "http://127.0.0.1:$1/1g.img")
  awk -v r="$rate" -v c="$(( $(cpu_ns "$pid") - c0 ))" 'BEGIN {printf "%.0f %.0f", r / 1e6, c / 1e6}'
}
# eight_large PORT: 8 parallel 1 GiB downloads (aggregate rate)
eight_large () {
  local pid c0 start end i pids=()
  pid=$(pid_of "$1"); c0=$(cpu_ns "$pid")
  start=$(date +%s.%N)
  for i in 1 2 3 4 5 6 7 8; do
    $PRIO taskset -c "$CLIENT_CPU" curl -s -o /dev/null "http://127.0.0.1:$1/1g.img" &
    pids+=($!)
  done
  wait "${pids[@]}"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v c="$(( $(cpu_ns "$pid") - c0 ))" \
    'BEGIN {printf "%.0f %.0f", 8 * 1073741824 / (e - s) / 1e6, c / 8 / 1e6}'
}
# small PORT: wrk on the 1 KiB file
small () {
  local pid c0 out
  pid=$(pid_of "$1"); c0=$(cpu_ns "$pid")
  out=$($PRIO taskset -c "$CLIENT_CPU" wrk -t2 -c64 -d"${WRK_SECS}s" "http://127.0.0.1:$1/1k.bin")
  echo "$out" | awk -v c="$(( $(cpu_ns "$pid") - c0 ))" \
    '/requests in/ {n = $1} /Requests\/sec/ {r = $2} END {printf "%.0f %.1f", r, c / n / 1e3}'
}
median () { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A R
for test in $TESTS; do
  px=() ng=() pxc=() ngc=()
  for r in $(seq 1 "$REPS"); do
    # alternate who goes first
    if [ $((r % 2)) -eq 1 ]; then
      a=$($test "$PX_PORT"); b=$($test "$NG_PORT")
    else
      b=$($test "$NG_PORT"); a=$($test "$PX_PORT")
    fi
    px+=("${a% *}"); pxc+=("${a#* }"); ng+=("${b% *}"); ngc+=("${b#* }")
    echo "$test run $r: pxed $a nginx $b (rate cpu)" >&2
  done
  R[$test,px]=$(echo "${px[*]}" | median)
  R[$test,ng]=$(echo "${ng[*]}" | median)
  R[$test,pxc]=$(echo "${pxc[*]}" | median)
  R[$test,ngc]=$(echo "${ngc[*]}" | median)
done

kill -0 "$PX_PID" || { echo "pxed died" >&2; exit 1; }
ratio () { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }
row () { printf '%-44s %10s %10s %8s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
printf '\n%-44s %10s %10s %8s\n' "test (median of $REPS)" pxed nginx pxed/nginx
if [ -n "${R[one_large,px]:-}" ]; then
  row "1 GiB, 1 curl (MB/s)" "${R[one_large,px]}" "${R[one_large,ng]}"
  row "  server CPU (ms per GiB)" "${R[one_large,pxc]}" "${R[one_large,ngc]}"
fi
if [ -n "${R[eight_large,px]:-}" ]; then
  row "1 GiB, 8 parallel curls (MB/s, aggregate)" "${R[eight_large,px]}" "${R[eight_large,ng]}"
  row "  server CPU (ms per GiB)" "${R[eight_large,pxc]}" "${R[eight_large,ngc]}"
fi
if [ -n "${R[small,px]:-}" ]; then
  row "1 KiB, wrk -t2 -c64 (req/s)" "${R[small,px]}" "${R[small,ng]}"
  row "  server CPU (us per request)" "${R[small,pxc]}" "${R[small,ngc]}"
fi
row "idle RSS (KiB)" "$PX_RSS" "$NG_RSS"
