# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared shell helpers for pxed integration tests. Source it:
#   . "$PXED_TEST_LIB/harness.sh"
# Environment (set by meson): PXED (daemon), PXED_PLUGIN_DIR, PXED_BUILD_ROOT, PXED_SOURCE_ROOT.

set -u

: "${PXED:?PXED must point at the pxed binary}"
: "${PXED_PLUGIN_DIR:?PXED_PLUGIN_DIR must be set}"

PXED_PID=""
PXED_LOG=""
_HARNESS_TMP=()
_HARNESS_CLEANUPS=()

# Runs every registered cleanup (LIFO), stops pxed, removes temp dirs.
_harness_exit () {
  local status=$?
  local i
  for (( i=${#_HARNESS_CLEANUPS[@]}-1; i>=0; i-- )); do
    eval "${_HARNESS_CLEANUPS[$i]}" || true
  done
  if [ -n "$PXED_PID" ] && kill -0 "$PXED_PID" 2>/dev/null; then
    kill -TERM "$PXED_PID" 2>/dev/null || true
    wait "$PXED_PID" 2>/dev/null || true
  fi
  for d in "${_HARNESS_TMP[@]}"; do
    rm -rf "$d"
  done
  exit $status
}
trap _harness_exit EXIT
trap 'exit 130' INT TERM

# at_exit 'command': run at exit, last registered first.
at_exit () {
  _HARNESS_CLEANUPS+=("$1")
}

fail () {
  echo "FAIL: $*" >&2
  if [ -n "$PXED_LOG" ] && [ -f "$PXED_LOG" ]; then
    echo "---- last lines of the pxed log ($PXED_LOG) ----" >&2
    tail -n 30 "$PXED_LOG" >&2
  fi
  exit 1
}

skip () {
  echo "SKIP: $*" >&2
  exit 77
}

require_root () {
  [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces / privileged ports); run the suite as root"
}

require_cmd () {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || fail "required command '$c' is not installed"
  done
}

tmpdir () {
  local d
  d=$(mktemp -d "${TMPDIR:-/tmp}/pxed-test.XXXXXX")
  _HARNESS_TMP+=("$d")
  echo "$d"
}

# free_port udp|tcp: a port free on 127.0.0.1 at the time of asking.
free_port () {
  /usr/bin/python3 - "$1" <<'PY'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

# pxed_start CONFDIR [extra args...]: starts pxed in the foreground and waits
# until it is ready: READY=1 on its NOTIFY_SOCKET (or its "pxed ready" log
# line), or fails when it dies first. Sets PXED_PID and PXED_LOG.
# PXED_WRAPPER (e.g. "ip netns exec ns1") runs it inside something.
pxed_start () {
  local conf=$1
  shift
  PXED_LOG=${PXED_LOG_FILE:-$conf/pxed.log}
  : > "$PXED_LOG"
  local notify="$conf/.notify" sock="$conf/.notify.sock"
  rm -f "$notify" "$sock"
  if [ -n "${NOTIFY_SOCKET:-}" ]; then
    # The caller listens itself: wait for the log line only.
    sock=$NOTIFY_SOCKET
  else
  /usr/bin/python3 - "$sock" "$notify" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
try:
    while True:
        with open(sys.argv[2], "a") as out:
            out.write(s.recv(4096).decode(errors="replace").replace("\n", "|") + "\n")
except Exception:
    pass
PY
  local listener=$!
  at_exit "kill $listener 2>/dev/null"
  fi
  local i
  for i in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.02; done
  NOTIFY_SOCKET=$sock ${PXED_WRAPPER:-} "$PXED" --foreground --config "$conf" \
    --plugin-dir "$PXED_PLUGIN_DIR" "$@" 2>>"$PXED_LOG" &
  PXED_PID=$!
  for i in $(seq 1 400); do
    if grep -q "READY=1" "$notify" 2>/dev/null || grep -q "pxed ready" "$PXED_LOG" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$PXED_PID" 2>/dev/null; then
      wait "$PXED_PID" 2>/dev/null
      local rc=$?
      PXED_PID=""
      fail "pxed exited (status $rc) before it was ready"
    fi
    sleep 0.025
  done
  fail "pxed not ready after 10 s"
}

# pxed_stop: SIGTERM, wait, and check the exit status is 0.
pxed_stop () {
  [ -n "$PXED_PID" ] || return 0
  kill -TERM "$PXED_PID"
  local rc=0
  wait "$PXED_PID" || rc=$?
  PXED_PID=""
  [ "$rc" -eq 0 ] || fail "pxed exited with status $rc after SIGTERM"
}

# pxed_reload: SIGHUP and wait for the outcome line; prints "reloaded" or "refused".
pxed_reload () {
  local before
  before=$(grep -cE "configuration reloaded|reload refused" "$PXED_LOG" || true)
  kill -HUP "$PXED_PID"
  local i
  for i in $(seq 1 200); do
    local now
    now=$(grep -cE "configuration reloaded|reload refused" "$PXED_LOG" || true)
    if [ "$now" -gt "$before" ]; then
      if grep -E "configuration reloaded|reload refused" "$PXED_LOG" | tail -n 1 | grep -q refused; then
        echo refused
      else
        echo reloaded
      fi
      return 0
    fi
    sleep 0.05
  done
  fail "no reload outcome logged after SIGHUP"
}

# wait_log PATTERN [SECONDS]: waits until the pxed log matches an extended regex.
wait_log () {
  local pattern=$1 secs=${2:-10} i
  for i in $(seq 1 $((secs * 20))); do
    grep -qE "$pattern" "$PXED_LOG" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "log never matched /$pattern/ within ${secs}s"
}

# assert_eq EXPECTED ACTUAL MESSAGE
assert_eq () {
  [ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# sha FILE: sha256 of a file.
sha () {
  sha256sum "$1" | cut -d' ' -f1
}

# udp_ask HOST PORT MESSAGE [TIMEOUT]: sends one datagram, prints the answer
# (empty on timeout).
udp_ask () {
  /usr/bin/python3 - "$1" "$2" "$3" "${4:-1}" <<'PY'
import socket, sys
host, port, msg, timeout = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(timeout)
s.sendto(msg.encode(), (host, port))
try:
    print(s.recvfrom(65535)[0].decode(errors="replace"))
except socket.timeout:
    print("")
PY
}

# mkfile NAME BYTES: a file of random content beneath the served root $ROOT.
mkfile () {
  mkdir -p "$(dirname "$ROOT/$1")"
  head -c "$2" /dev/urandom > "$ROOT/$1"
}

# check_same NAME GOT: the fetched file GOT has the checksum of $ROOT/NAME.
check_same () {
  [ -f "$2" ] || fail "$1: nothing was written to $2"
  assert_eq "$(sha "$ROOT/$1")" "$(sha "$2")" "checksum of $1"
}
