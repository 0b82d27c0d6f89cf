#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# DHCPv4 benchmark: pxed (journal lease store, every ACK fdatasync'ed before it
# is sent), dnsmasq and kea-dhcp4 (memfile), each in its own network
# namespace, driven by perfdhcp acting as a relay agent from another namespace
# over a veth pair. Pool: 198.18.0.0/15 (benchmarking range), 10,240 addresses,
# 10,000 simulated clients. For each server: the highest offered rate with
# under 0.1% of exchanges dropped (sustained), the peak rate of completed
# exchanges, and the median DORA latency at a moderate load.
#
# Usage (root): tests/bench/dhcp/run.sh [BUILD_DIR]   (default: ./build)
# Env: RATES="1000 2000 ...", PERIOD=seconds per step (default 5),
#      SERVERS="pxed dnsmasq kea".
set -u
BUILD=${1:-build}
PXED=${PXED:-$BUILD/core/pxed}
PLUGIN_DIR=${PXED_PLUGIN_DIR:-$BUILD/tests}
RATES=${RATES:-"1000 2000 4000 6000 8000 10000 12000 14000 16000 20000 24000 28000 32000"}
PERIOD=${PERIOD:-5}
SERVERS=${SERVERS:-"pxed dnsmasq kea"}
LAT_RATE=${LAT_RATE:-1000}
CLIENTS=10000

[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 77; }
for c in perfdhcp ip taskset; do
  command -v $c >/dev/null || { echo "missing $c" >&2; exit 1; }
done

NS_S="pxbs$$"; NS_C="pxbc$$"; VS="pxbvs$$"; VC="pxbvc$$"
T=$(mktemp -d /var/tmp/pxed-bench.XXXXXX)   # on disk, not tmpfs: fsync is real
SRV_PID=""
cleanup () {
  [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
  ip netns del "$NS_S" 2>/dev/null
  ip netns del "$NS_C" 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS_S"; ip netns add "$NS_C"
ip link add "$VS" type veth peer name "$VC"
ip link set "$VS" netns "$NS_S"; ip link set "$VC" netns "$NS_C"
ip -n "$NS_S" addr add 192.0.2.1/24 dev "$VS"
ip -n "$NS_C" addr add 192.0.2.2/24 dev "$VC"
ip -n "$NS_C" addr add 198.18.0.1/15 dev "$VC"     # perfdhcp's relay address (giaddr)
ip -n "$NS_S" link set "$VS" up; ip -n "$NS_S" link set lo up
ip -n "$NS_C" link set "$VC" up; ip -n "$NS_C" link set lo up
ip -n "$NS_S" route add 198.18.0.0/15 via 192.0.2.2

POOL_START=198.18.0.10
POOL_END=198.18.40.9     # 10,240 addresses

start_pxed () {
  mkdir -p "$T/pxed/conf.d" "$T/pxed/state"
  rm -f "$T/pxed/state/"*
  printf 'state-dir: %s\nlog-level: message\n' "$T/pxed/state" > "$T/pxed/pxed.yaml"
  cat > "$T/pxed/conf.d/10-dhcp.yaml" <<YAML
plugin: dhcp
lease-store: journal
subnets:
  - subnet: 192.0.2.0/24
  - subnet: 198.18.0.0/15
    range: $POOL_START-$POOL_END
    routers: 198.18.0.1
    lease-time: 1h
YAML
  ip netns exec "$NS_S" taskset -c 0 "$PXED" --foreground --config "$T/pxed" --plugin-dir "$PLUGIN_DIR" \
    2> "$T/pxed.log" &
  SRV_PID=$!
  for i in $(seq 1 100); do grep -q "pxed ready" "$T/pxed.log" && return 0; sleep 0.05; done
  cat "$T/pxed.log" >&2; return 1
}

start_dnsmasq () {
  rm -f "$T/dnsmasq.leases"
  ip netns exec "$NS_S" taskset -c 0 dnsmasq --keep-in-foreground --no-daemon --port=0 --no-resolv \
    --no-hosts --user=root --pid-file="$T/dnsmasq.pid" --dhcp-leasefile="$T/dnsmasq.leases" \
    --dhcp-range=192.0.2.0,static --dhcp-range=$POOL_START,$POOL_END,255.254.0.0,1h \
    --dhcp-authoritative --no-ping --dhcp-lease-max=20000 --log-facility=- 2> "$T/dnsmasq.log" &
  SRV_PID=$!
  sleep 1
}

start_kea () {
  rm -f "$T/kea-leases4.csv"*
  cat > "$T/kea.json" <<JSON
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$VS" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "persist": true, "name": "$T/kea-leases4.csv", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "198.18.0.0/15", "pools": [ { "pool": "$POOL_START - $POOL_END" } ],
                   "option-data": [ { "name": "routers", "data": "198.18.0.1" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output_options": [ { "output": "$T/kea.log" } ] } ]
} }
JSON
  KEA_PIDFILE_DIR=$T KEA_LOCKFILE_DIR=$T ip netns exec "$NS_S" taskset -c 0 kea-dhcp4 -c "$T/kea.json" \
    > "$T/kea.out" 2>&1 &
  SRV_PID=$!
  sleep 1.5
}

stop_server () {
  kill "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null; SRV_PID=""
}

# udp_rcvbuf_errors NS: the namespace's UDP RcvbufErrors counter (datagrams
# the kernel dropped because a socket's receive buffer was full)
udp_rcvbuf_errors () {
  ip netns exec "$1" awk '/^Udp:/ { n++; if (n == 2) print $6 }' /proc/net/snmp
}

# perf RATE SECONDS [EXTRA...]: prints "sent completed drops_pct" for DORA
perf () {
  local rate=$1 secs=$2; shift 2
  ip netns exec "$NS_C" taskset -c 1 perfdhcp -4 -l 198.18.0.1 -r "$rate" -R $CLIENTS -p "$secs" \
    -d 2 -W 1000000 "$@" 192.0.2.1 > "$T/perf.out" 2>&1
  awk '
    /Statistics for: DISCOVER-OFFER/ { sec = "do" }
    /Statistics for: REQUEST-ACK/ { sec = "ra" }
    /sent packets:/ { sent[sec] = $3 }
    /received packets:/ { recv[sec] = $3 }
    END {
      s = sent["do"]; c = recv["ra"] + 0;
      d = s > 0 ? 100.0 * (s - c) / s : 100;
      printf "%d %d %.3f\n", s, c, d
    }' "$T/perf.out"
}

# median DORA latency in ms at a moderate rate (perfdhcp -x t prints every
# exchange's delays)
latency () {
  ip netns exec "$NS_C" taskset -c 1 perfdhcp -4 -l 198.18.0.1 -r "$LAT_RATE" -R $CLIENTS -p 3 -x t \
    192.0.2.1 > "$T/lat.out" 2>&1
  /usr/bin/python3 - "$T/lat.out" <<'PY'
import statistics, sys
do, ra, cur = [], [], None
for line in open(sys.argv[1]):
    if "Timestamps for packets: DISCOVER-OFFER" in line:
        cur = do
    elif "Timestamps for packets: REQUEST-ACK" in line:
        cur = ra
    elif line.startswith("sent / received:") and cur is not None:
        parts = line.split(":", 1)[1].split("/")
        cur.append(float(parts[1]) - float(parts[0]))
if not do or not ra:
    print("n/a")
else:
    # one DORA = the DISCOVER-OFFER round trip + the REQUEST-ACK round trip
    print("%.2f" % (1000 * (statistics.median(do) + statistics.median(ra))))
PY
}

declare -A SUSTAINED PEAK LAT
for srv in $SERVERS; do
  case $srv in
    pxed) command -v "$PXED" >/dev/null || { echo "no pxed at $PXED" >&2; continue; } ;;
    dnsmasq) command -v dnsmasq >/dev/null || continue ;;
    kea) command -v kea-dhcp4 >/dev/null || { echo "kea-dhcp4 missing (apt-get install kea-dhcp4-server)" >&2; continue; } ;;
  esac
  SUSTAINED[$srv]=0; PEAK[$srv]=0
  for rate in $RATES; do
    "start_$srv" || { echo "$srv failed to start" >&2; break; }
    s0=$(udp_rcvbuf_errors "$NS_S"); c0=$(udp_rcvbuf_errors "$NS_C")
    read -r sent done drops < <(perf "$rate" "$PERIOD")
    s1=$(udp_rcvbuf_errors "$NS_S"); c1=$(udp_rcvbuf_errors "$NS_C")
    stop_server
    achieved=$((done / PERIOD))
    # where packets were lost: the server's socket or perfdhcp's own
    printf '%-8s offered %6d/s  sent %7d  completed %7d  (%6d/s)  dropped %7.3f%%  rcvbuf drops server %d perfdhcp %d\n' \
      "$srv" "$rate" "$sent" "$done" "$achieved" "$drops" $((s1 - s0)) $((c1 - c0)) >&2
    [ "$achieved" -gt "${PEAK[$srv]}" ] && PEAK[$srv]=$achieved
    if awk -v d="$drops" 'BEGIN { exit !(d < 0.1) }'; then
      SUSTAINED[$srv]=$rate
    elif awk -v d="$drops" 'BEGIN { exit !(d > 20) }'; then
      break  # far past saturation
    fi
  done
  "start_$srv" && { LAT[$srv]=$(latency); stop_server; }
done

echo
printf '%-10s %22s %18s %22s\n' server "sustained (<0.1% drop)" "peak completed" "median DORA latency"
for srv in $SERVERS; do
  [ -n "${SUSTAINED[$srv]:-}" ] || continue
  printf '%-10s %18s/s %16s/s %19s ms\n' "$srv" "${SUSTAINED[$srv]}" "${PEAK[$srv]}" "${LAT[$srv]:-n/a}"
done
for peer in dnsmasq kea; do
  if [ -n "${SUSTAINED[pxed]:-}" ] && [ -n "${SUSTAINED[$peer]:-}" ] && [ "${SUSTAINED[$peer]}" -gt 0 ]; then
    awk -v a="${SUSTAINED[pxed]}" -v b="${SUSTAINED[$peer]}" -v p="$peer" -v pa="${PEAK[pxed]}" -v pb="${PEAK[$peer]}" \
      'BEGIN { printf "ratio pxed/%s: sustained %.2fx, peak %.2fx\n", p, a / b, (pb > 0 ? pa / pb : 0) }'
  fi
done
