#!/bin/bash
# Logging: readable one-line text on stderr, level and per-domain debug
# filters from pxed.yaml and PXED_DEBUG, and journald-native entries with
# pxed's fields when JOURNAL_STREAM says stderr is the journal.
. "$PXED_TEST_LIB/harness.sh"

conf=$(tmpdir); mkdir -p "$conf/conf.d"
p1=$(free_port udp)
printf 'state-dir: %s/state\nlog-level: message\n' "$conf" > "$conf/pxed.yaml"
printf 'plugin: testproto\nlisten: ["127.0.0.1:%s"]\n' "$p1" > "$conf/conf.d/10-echo.yaml"
export PXED_PLUGIN_DIR=$PXED_TEST_PLUGIN_DIR

# Text: "HH:MM:SS.mmm level domain: message", no debug lines at level message.
pxed_start "$conf"
pxed_stop
grep -qE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} message pxed-testproto: 10-echo answering with .hello.$' "$PXED_LOG" \
  || fail "text line format"
grep -q ' debug ' "$PXED_LOG" && fail "debug output at log-level message"

# PXED_DEBUG turns on debug output of one domain only.
PXED_DEBUG=pxed pxed_start "$conf"
pxed_stop
grep -qE ' debug   pxed: loaded plugin testproto 1\.0 from ' "$PXED_LOG" || fail "PXED_DEBUG=pxed shows no core debug line"
grep -qE ' debug   pxed-content' "$PXED_LOG" && fail "PXED_DEBUG=pxed leaked another domain's debug"

# debug-domains in pxed.yaml does the same; log-level debug shows all.
printf 'state-dir: %s/state\nlog-level: warning\n' "$conf" > "$conf/pxed.yaml"
pxed_start "$conf"
pxed_stop
grep -q 'pxed ready' "$PXED_LOG" && fail "message shown at log-level warning"
printf 'state-dir: %s/state\nlog-level: warning\ndebug-domains: [pxed-testproto]\n' "$conf" > "$conf/pxed.yaml"
pxed_start "$conf"
pxed_stop
grep -q 'pxed ready' "$PXED_LOG" && fail "domain pxed shown at log-level warning"
grep -q ' message pxed-testproto: 10-echo answering' "$PXED_LOG" || fail "debug-domains not applied"
out=$("$PXED" --version --log-level debug) || fail "--log-level debug"

# journald: entries in the native protocol with PXED_* fields.
[ "$(id -u)" -eq 0 ] || skip "the journald half needs root (a private mount namespace for /run/systemd/journal)"
printf 'state-dir: %s/state\nlog-level: message\n' "$conf" > "$conf/pxed.yaml"
unshare -m -- /usr/bin/python3 - "$PXED" "$conf" "$PXED_PLUGIN_DIR" "$p1" <<'PY' || fail "journald output"
import os, socket, subprocess, sys, time
pxed, conf, plugins, port = sys.argv[1:]
os.makedirs("/run/systemd/journal", exist_ok=True)
subprocess.check_call(["mount", "-t", "tmpfs", "tmpfs", "/run/systemd/journal"])
journal = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
journal.bind("/run/systemd/journal/socket")
journal.settimeout(5)
ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
st = os.fstat(theirs.fileno())
env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
p = subprocess.Popen([pxed, "--foreground", "--config", conf, "--plugin-dir", plugins],
                     stderr=theirs, env=env)
entries = []
deadline = time.time() + 5
while time.time() < deadline:
    data = journal.recv(65536).decode(errors="replace")
    fields = dict(l.split("=", 1) for l in data.split("\n") if "=" in l)
    entries.append(fields)
    if "pxed ready" in fields.get("MESSAGE", ""):
        break
p.terminate(); p.wait()
ready = [e for e in entries if "pxed ready" in e.get("MESSAGE", "")]
proto = [e for e in entries if e.get("GLIB_DOMAIN") == "pxed-testproto"]
assert ready and ready[0].get("PRIORITY") == "5" and ready[0].get("GLIB_DOMAIN") == "pxed", entries
assert proto and "answering" in proto[0]["MESSAGE"], entries
ours.setblocking(False)
try:
    leaked = ours.recv(65536)
except BlockingIOError:
    leaked = b""
assert b"pxed ready" not in leaked, leaked
print("journald ok:", len(entries), "entries")
PY
echo ok
