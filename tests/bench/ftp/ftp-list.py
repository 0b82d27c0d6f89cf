#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ftp-list.py HOST PORT VERB DIR [COUNT]: logs in anonymously, sends VERB
(LIST, NLST or MLSD) for DIR over EPSV COUNT times (default 1) in one session
and prints "bytes=N lines=N ms-per-listing=X failed=0|1" (bytes and lines
summed over all listings)."""
import socket
import sys
import time


def main():
    host, port, verb, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    c = socket.create_connection((host, port), timeout=30)
    f = c.makefile("rb")

    def reply():
        line = f.readline()
        code = line[:3]
        if line[3:4] == b"-":
            while True:
                l = f.readline()
                if not l or (l[:3] == code and l[3:4] == b" "):
                    break
        return code.decode(), line

    def cmd(text):
        c.sendall(text.encode() + b"\r\n")
        return reply()

    reply()
    cmd("USER anonymous")
    cmd("PASS bench@")
    total = bytearray()
    nbytes = nlines = 0
    t0 = time.monotonic()
    for _ in range(count):
        code, line = cmd("EPSV")
        if code != "229":
            print("bytes=0 lines=0 failed=1 (%s)" % line.strip().decode(errors="replace"))
            return
        dport = int(line.split(b"|||")[1].split(b"|")[0])
        d = socket.create_connection((host, dport), timeout=30)
        code, line = cmd("%s %s" % (verb, path))
        if code not in ("125", "150"):
            print("bytes=0 lines=0 failed=1 (%s)" % line.strip().decode(errors="replace"))
            return
        data = bytearray()
        while True:
            b = d.recv(1 << 20)
            if not b:
                break
            data += b
        d.close()
        code, line = reply()
        if code != "226":
            print("bytes=0 lines=0 failed=1 (%s)" % line.strip().decode(errors="replace"))
            return
        nbytes += len(data)
        nlines += data.count(b"\n")
    ms = (time.monotonic() - t0) * 1000 / count
    cmd("QUIT")
    print("bytes=%d lines=%d ms-per-listing=%.1f failed=0" % (nbytes, nlines, ms))


main()
