#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A scripted DHCP relay-agent client for the durability test.

Acts as a relay (giaddr = LOCAL), so the server answers by unicast to
LOCAL:67 and thousands of clients (distinct chaddr) can run from one socket.

  dhcp-driver.py dora LOCAL SERVER N SECONDS OUT   run DORA for N clients, each ACK
                                                  appended to OUT ("mac addr") at once
  dhcp-driver.py verify LOCAL SERVER IN            every client in IN gets its address
                                                  back (DISCOVER -> OFFER, REQUEST -> ACK)
"""
import os
import select
import socket
import struct
import sys
import time

COOKIE = b"\x63\x82\x53\x63"


def mac_of(i):
    return bytes([0x02, 0x00, (i >> 24) & 0xFF, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])


def packet(kind, xid, mac, giaddr, requested=None, server_id=None):
    hdr = struct.pack("!BBBBIHH", 1, 1, 6, 1, xid, 0, 0)
    hdr += b"\0" * 12 + socket.inet_aton(giaddr) + mac + b"\0" * 10 + b"\0" * 192
    opts = bytes([53, 1, kind])
    if requested:
        opts += bytes([50, 4]) + socket.inet_aton(requested)
    if server_id:
        opts += bytes([54, 4]) + socket.inet_aton(server_id)
    return hdr + COOKIE + opts + b"\xff"


def parse(data):
    if len(data) < 240 or data[236:240] != COOKIE or data[0] != 2:
        return None
    xid = struct.unpack("!I", data[4:8])[0]
    yiaddr = socket.inet_ntoa(data[16:20])
    mac = data[28:34]
    opts, pos, kind, sid = data[240:], 0, None, None
    while pos < len(opts) and opts[pos] != 255:
        if opts[pos] == 0:
            pos += 1
            continue
        code, ln = opts[pos], opts[pos + 1]
        val = opts[pos + 2:pos + 2 + ln]
        if code == 53:
            kind = val[0]
        elif code == 54:
            sid = socket.inet_ntoa(val)
        pos += 2 + ln
    return kind, xid, yiaddr, mac, sid


def sock(local):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((local, 67))
    s.setblocking(False)
    return s


def dora(local, server, n, seconds, out):
    s = sock(local)
    f = open(out, "a", buffering=1)
    deadline = time.time() + seconds
    nxt, state, acked, sent_at = 0, {}, 0, {}
    window = 64
    while time.time() < deadline and acked < n:
        now = time.time()
        # keep a window of clients in flight; retry stale ones
        inflight = [i for i, st in state.items() if st != "done"]
        for i in inflight:
            if now - sent_at[i] > 1.0:
                st = state[i]
                if st == "discover":
                    s.sendto(packet(1, i, mac_of(i), local), (server, 67))
                else:
                    s.sendto(packet(3, i, mac_of(i), local, st[1], st[2]), (server, 67))
                sent_at[i] = now
        while len(inflight) < window and nxt < n:
            state[nxt] = "discover"
            sent_at[nxt] = now
            s.sendto(packet(1, nxt, mac_of(nxt), local), (server, 67))
            inflight.append(nxt)
            nxt += 1
        r, _, _ = select.select([s], [], [], 0.05)
        if not r:
            continue
        while True:
            try:
                data = s.recv(4096)
            except BlockingIOError:
                break
            p = parse(data)
            if p is None or p[1] not in state:
                continue
            kind, xid, yiaddr, mac, sid = p
            if kind == 2 and state[xid] == "discover":
                state[xid] = ("request", yiaddr, sid)
                sent_at[xid] = time.time()
                s.sendto(packet(3, xid, mac, local, yiaddr, sid), (server, 67))
            elif kind == 5 and state[xid] != "done":
                f.write("%s %s\n" % (mac.hex(":"), yiaddr))
                state[xid] = "done"
                acked += 1
            elif kind == 6:
                state[xid] = "discover"
    f.close()
    print("acked %d" % acked)


def verify(local, server, infile):
    s = sock(local)
    pairs = [line.split() for line in open(infile) if line.strip()]
    addrs = {}
    for mac, addr in pairs:
        if addr in addrs and addrs[addr] != mac:
            print("FAIL: %s given to %s and %s" % (addr, addrs[addr], mac))
            return 1
        addrs[addr] = mac
    bad = 0
    for idx, (mac, addr) in enumerate(pairs):
        m = bytes.fromhex(mac.replace(":", ""))
        got = {}
        for kind, req in ((1, None), (3, addr)):
            for attempt in range(5):
                s.sendto(packet(kind, 0x40000000 + idx, m, local, req), (server, 67))
                r, _, _ = select.select([s], [], [], 0.5)
                ans = None
                while r:
                    try:
                        p = parse(s.recv(4096))
                    except BlockingIOError:
                        break
                    if p and p[1] == 0x40000000 + idx:
                        ans = p
                        break
                if ans:
                    got[kind] = ans
                    break
        offer, ack = got.get(1), got.get(3)
        if not offer or offer[2] != addr or not ack or ack[0] != 5 or ack[2] != addr:
            print("FAIL: %s held %s, after restart: offer %s, request %s" % (
                mac, addr, offer and offer[2], ack and (ack[0], ack[2])))
            bad += 1
    print("verified %d leases, %d lost" % (len(pairs), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "dora":
        dora(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
    else:
        sys.exit(verify(sys.argv[2], sys.argv[3], sys.argv[4]))
