#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A scripted hostile HTTP client for http-repo.

Usage: hostile.py PORT MARKER
Sends malformed, overlong, traversing, pipelined, slow and idle requests and
checks each answer: the right 4xx or a closed connection, never MARKER (the
content of a file outside the root), and other clients keep being served.
"""
import socket
import sys
import time

PORT = int(sys.argv[1])
MARKER = sys.argv[2].encode()
failures = []
BUF = {}  # bytes read past a response, by socket


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def connect(host="127.0.0.1"):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((host, PORT))
    return s


def read_response(s, head=False):
    """Reads one response; returns (status, headers, body) or (None, {}, b'') when closed."""
    buf = BUF.pop(s.fileno(), b"")
    try:
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                return None, {}, b""
            buf += chunk
    except (socket.timeout, ConnectionResetError):
        return None, {}, b""
    head_part, _, rest = buf.partition(b"\r\n\r\n")
    lines = head_part.split(b"\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return -1, {}, buf
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode(errors="replace")
    n = 0 if head or status == 304 else int(headers.get("content-length", "0"))
    try:
        while len(rest) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
    except socket.timeout:
        pass
    BUF[s.fileno()] = rest[n:]
    return status, headers, rest[:n]


def ask(raw, host="127.0.0.1"):
    s = connect(host)
    s.sendall(raw)
    r = read_response(s)
    s.close()
    return r


def closed_within(s, seconds):
    """True when the server closes s within seconds."""
    s.settimeout(seconds)
    start = time.time()
    try:
        while True:
            d = s.recv(4096)
            if not d:
                return True, time.time() - start
    except socket.timeout:
        return False, time.time() - start
    except ConnectionResetError:
        return True, time.time() - start


def served(path="/ks.cfg", host="127.0.0.1"):
    st, _, _ = ask(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n", host)
    return st == 200


# --- malformed requests --------------------------------------------------------
for raw, want in [
    (b"GARBAGE\r\n\r\n", (400, None)),
    (b"GET\r\n\r\n", (400, None)),
    (b"GET /ks.cfg HTTP/9.9\r\nHost: x\r\n\r\n", (400, 505, None)),
    (b"GET /ks.cfg FOO/1.1\r\nHost: x\r\n\r\n", (400, 505, None)),
    (b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", (400,)),
    (b"GET /%4 HTTP/1.1\r\nHost: x\r\n\r\n", (400,)),
    (b"GET /ks.cfg%00 HTTP/1.1\r\nHost: x\r\n\r\n", (400,)),
    (b"GET /ks.cfg\x00/../x HTTP/1.1\r\nHost: x\r\n\r\n", (400, None)),
    (b"GET /a%0d%0aX:y HTTP/1.1\r\nHost: x\r\n\r\n", (400,)),
    (b"GET ks.cfg HTTP/1.1\r\nHost: x\r\n\r\n", (400,)),
    (b"GET * HTTP/1.1\r\nHost: x\r\n\r\n", (400,)),
    (b"GET /ks.cfg HTTP/1.1\r\nBad Header\r\n\r\n", (400, 200, None)),
    (b"BREW /ks.cfg HTTP/1.1\r\nHost: x\r\n\r\n", (405,)),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64), (400, None)),
]:
    st, _, body = ask(raw)
    check(st in want, "%r -> %s (want %s)" % (raw[:40], st, want))
    check(MARKER not in body, "no marker for %r" % raw[:40])

# --- limits: URL, header size, header count ---------------------------------------
st, _, _ = ask(b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
check(st == 414, "overlong URL -> %s (want 414)" % st)
st, _, _ = ask(b"GET /" + b"a/" * 1500 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
check(st in (414, 404), "long path within the header limit -> %s (want 414/404)" % st)
st, _, _ = ask(b"GET /ks.cfg HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20000 + b"\r\n\r\n")
check(st == 431, "20 KiB header -> %s (want 431)" % st)
st, _, _ = ask(b"GET /ks.cfg HTTP/1.1\r\nHost: x\r\nX-Ok: " + b"b" * 5000 + b"\r\n\r\n")
check(st == 200, "5 KiB header is fine -> %s" % st)
many = b"".join(b"X-H%d: v\r\n" % i for i in range(100))
st, _, _ = ask(b"GET /ks.cfg HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
check(st == 431, "100 headers -> %s (want 431)" % st)

# --- nothing outside the root -------------------------------------------------------
for p in [b"/../secret", b"/%2e%2e/secret", b"/%2E%2E%2Fsecret", b"/..%2fsecret",
          b"/%252e%252e/secret", b"/..\\secret", b"/%5c..%5csecret", b"/images/../../secret",
          b"/escape/secret", b"//../secret", b"/.%2e/secret", b"/%2e./secret",
          b"http://127.0.0.1/../secret", b"/ks.cfg/../../secret", b"/%c0%ae%c0%ae/secret"]:
    st, _, body = ask(b"GET " + p + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    check(st in (400, 403, 404) and MARKER not in body, "%r -> %s" % (p, st))

# --- Range past the end, bogus ranges ------------------------------------------------
st, h, _ = ask(b"GET /ks.cfg HTTP/1.1\r\nHost: x\r\nRange: bytes=999999-\r\n\r\n")
check(st == 416 and h.get("content-range", "").startswith("bytes */"), "range past end -> %s" % st)
st, _, _ = ask(b"GET /ks.cfg HTTP/1.1\r\nHost: x\r\nRange: bytes=99999999999999999999999-1\r\n\r\n")
check(st == 200, "nonsense range ignored -> %s" % st)

# --- pipelining: three requests in one segment, three answers in order ----------------
s = connect()
s.sendall(b"GET /ks.cfg HTTP/1.1\r\nHost: x\r\n\r\n"
          b"HEAD /images/vmlinuz HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /nonexistent HTTP/1.1\r\nHost: x\r\n\r\n")
r1 = read_response(s)
r2 = read_response(s, head=True)
r3 = read_response(s)
check((r1[0], r2[0], r3[0]) == (200, 200, 404), "pipelined -> %s %s %s" % (r1[0], r2[0], r3[0]))
check(r1[2] == open(sys.argv[3], "rb").read(), "pipelined body")
s.close()

# --- clients that leave in the middle of a large body (EPIPE/ECONNRESET in sendfile)
for i in range(5):
    s = connect()
    s.sendall(b"GET /big.img HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(1024)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()
time.sleep(0.2)
check(served(), "served after clients left in the middle of a body")

# --- slow headers: closed after header-timeout, others still served --------------------
slow = connect()
slow.sendall(b"GET /ks.cfg HTTP/1.1\r\n")
check(served(), "served while a slow client waits")
closed, t = closed_within(slow, 8)
check(closed and t < 6, "slow-header client closed after %.1fs" % t)

# --- idle keep-alive: closed after keepalive-timeout --------------------------------
s = connect()
s.sendall(b"GET /ks.cfg HTTP/1.1\r\nHost: x\r\n\r\n")
check(read_response(s)[0] == 200, "keep-alive request")
closed, t = closed_within(s, 10)
check(closed and 1.5 < t < 7, "idle keep-alive closed after %.1fs" % t)

# --- many idle connections: the per-client limit, other clients unaffected -------------
idle = []
for i in range(300):
    try:
        idle.append(connect())
    except OSError:
        break
time.sleep(0.5)
n_open = 0
for c in idle:
    c.setblocking(False)
    try:
        d = c.recv(1)
        if d == b"":
            continue
        n_open += 1
    except BlockingIOError:
        n_open += 1
    except OSError:
        pass
check(n_open <= 40, "per-client limit: %d of %d idle connections stay open" % (n_open, len(idle)))
check(served(host="::1"), "another client address is served during the flood")
# max-sessions (60) counts every address: 40 are taken, so ::1 gets 20 more
idle6 = []
for i in range(40):
    try:
        idle6.append(connect("::1"))
    except OSError:
        break
time.sleep(0.5)
n6 = 0
for c in idle6:
    c.setblocking(False)
    try:
        if c.recv(1) != b"":
            n6 += 1
    except BlockingIOError:
        n6 += 1
    except OSError:
        pass
check(n6 <= 20, "max-sessions: %d of %d more connections stay open" % (n6, len(idle6)))
for c in idle6:
    c.close()
for c in idle:
    c.close()
time.sleep(0.3)
check(served(), "served again after the flood")

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
