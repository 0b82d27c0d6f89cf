#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Scripted FTP clients for the ftp plugin's integration tests.

  ftp-client.py ftplib HOST PORT ROOT     Python's ftplib against the tree
  ftp-client.py hostile HOST PORT ROOT    hostile sequences on raw sockets
  ftp-client.py flood HOST PORT N SECS    N idle connections held SECS seconds
  ftp-client.py noread HOST PORT FILE     RETR without reading the data

Exits non-zero with a message on the first unexpected answer."""

import ftplib
import hashlib
import io
import os
import socket
import sys
import time


def die(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        die(msg)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def file_sha(path):
    with open(path, "rb") as f:
        return sha(f.read())


# ---- ftplib ------------------------------------------------------------------

def run_ftplib(host, port, root):
    family_host = host
    ftp = ftplib.FTP()
    ftp.connect(family_host, port, timeout=10)
    welcome = ftp.getwelcome()
    check(welcome.startswith("220"), "welcome: " + welcome)
    check(ftp.login().startswith("230"), "login")
    check(ftp.sendcmd("SYST").startswith("215"), "SYST")
    feat = ftp.sendcmd("FEAT")
    for f in ("EPSV", "MLST", "REST STREAM", "SIZE", "MDTM", "UTF8"):
        check(f in feat, "FEAT lacks " + f)
    check(ftp.pwd() == "/", "pwd")
    ftp.cwd("..")
    check(ftp.pwd() == "/", "CWD .. at the root left the root")
    ftp.cwd("pub")
    check(ftp.pwd() == "/pub", "cwd pub")
    ftp.cwd("../../../..")
    check(ftp.pwd() == "/", "CWD ../../.. did not clamp")
    names = sorted(ftp.nlst("pub"))
    check("pub/big.bin" in names and "pub/sub" in names, "NLST pub: %r" % names)
    check("pub/evil" not in names, "NLST shows a symlink leading out of the root")
    check(ftp.nlst("pub/*.bin") == ["pub/big.bin"], "NLST glob: %r" % ftp.nlst("pub/*.bin"))
    facts = dict(ftp.mlsd("pub"))
    check(facts["big.bin"]["type"] == "file", "MLSD type")
    check(int(facts["big.bin"]["size"]) == os.path.getsize(os.path.join(root, "pub/big.bin")),
          "MLSD size")
    check(facts["sub"]["type"] == "dir", "MLSD dir")
    lines = []
    ftp.retrlines("LIST pub", lines.append)
    check(any(l.endswith(" big.bin") and l.startswith("-") for l in lines), "LIST: %r" % lines)
    check(not any(root in l for l in lines), "LIST shows the server path")
    check(all(" ftp      ftp " in l for l in lines), "LIST shows real owners: %r" % lines)
    ftp.voidcmd("TYPE I")
    size = ftp.size("pub/big.bin")
    check(size == os.path.getsize(os.path.join(root, "pub/big.bin")), "SIZE")
    check(ftp.sendcmd("MDTM pub/big.bin").startswith("213 "), "MDTM")
    buf = io.BytesIO()
    ftp.retrbinary("RETR pub/big.bin", buf.write)
    check(sha(buf.getvalue()) == file_sha(os.path.join(root, "pub/big.bin")), "RETR content")
    # Resume from the middle.
    buf = io.BytesIO()
    ftp.retrbinary("RETR pub/big.bin", buf.write, rest=size // 2)
    with open(os.path.join(root, "pub/big.bin"), "rb") as f:
        f.seek(size // 2)
        check(buf.getvalue() == f.read(), "REST + RETR content")
    # Active mode (PORT to ourselves is allowed).
    ftp.set_pasv(False)
    buf = io.BytesIO()
    ftp.retrbinary("RETR readme.txt", buf.write)
    check(buf.getvalue() == open(os.path.join(root, "readme.txt"), "rb").read(), "PORT RETR")
    ftp.set_pasv(True)
    # ABOR in the middle of a big transfer (ftplib sends it as urgent data).
    conn = ftp.transfercmd("RETR pub/big.bin")
    conn.recv(65536)
    try:
        resp = ftp.abort()
    except ftplib.error_proto as e:
        resp = str(e)
    check(resp[:3] in ("225", "226", "426"), "ABOR: " + resp)
    conn.close()
    # The session still works after ABOR.
    line = ftp.sendcmd("NOOP")
    while not line.startswith("200"):
        line = ftp.getresp()
    buf = io.BytesIO()
    ftp.retrbinary("RETR readme.txt", buf.write)
    check(buf.getvalue() == open(os.path.join(root, "readme.txt"), "rb").read(), "RETR after ABOR")
    for cmd in ("STOR x", "DELE readme.txt", "MKD d", "RMD pub", "RNFR readme.txt", "APPE x"):
        try:
            ftp.sendcmd(cmd)
            die(cmd + " was accepted")
        except ftplib.error_perm as e:
            check(str(e)[:3] in ("550", "502"), cmd + ": " + str(e))
    try:
        ftp.sendcmd("SITE CHMOD 777 readme.txt")
        die("SITE accepted")
    except ftplib.error_perm as e:
        check(str(e).startswith("502"), "SITE: " + str(e))
    ftp.quit()
    print("ftplib: ok")


# ---- raw control connection ------------------------------------------------------

class Raw:
    def __init__(self, host, port, family=socket.AF_INET):
        self.s = socket.socket(family, socket.SOCK_STREAM)
        self.s.settimeout(10)
        self.s.connect((host, port))
        self.buf = b""
        self.host = host

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.s.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                return None
            self.buf += d
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l.decode("utf-8", "replace")

    def reply(self):
        """A whole (possibly multi-line) reply: (code, text)."""
        first = self.line()
        if first is None:
            return None, ""
        text = [first]
        if len(first) > 3 and first[3] == "-":
            while True:
                l = self.line()
                if l is None:
                    break
                text.append(l)
                if l[:3] == first[:3] and len(l) > 3 and l[3] == " ":
                    break
        return first[:3], "\n".join(text)

    def cmd(self, c):
        self.send(c + "\r\n" if isinstance(c, str) else c + b"\r\n")
        return self.reply()

    def expect(self, c, code):
        got, text = self.cmd(c)
        check(got == code, "%r: expected %s, got %r" % (c, code, text))
        return text

    def closed(self, secs=5):
        """True when the server closes the connection within secs."""
        self.s.settimeout(secs)
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    return True
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True

    def login(self):
        code, text = self.reply()
        check(code == "220", "greeting: " + text)
        self.expect("USER anonymous", "331")
        self.expect("PASS x@y", "230")

    def pasv_connect(self, bind_ip=None):
        text = self.expect("EPSV", "229")
        port = int(text.split("|||")[1].split("|")[0])
        d = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        d.settimeout(10)
        if bind_ip:
            d.bind((bind_ip, 0))
        d.connect((self.host, port))
        return d

    def close(self):
        self.s.close()


def recv_all(sock):
    out = b""
    while True:
        d = sock.recv(1 << 20)
        if not d:
            return out
        out += d


def run_hostile(host, port, root):
    # 1. Every command but the login ones before login: 530.
    c = Raw(host, port)
    check(c.reply()[0] == "220", "greeting")
    for cmd in ("RETR readme.txt", "LIST", "CWD pub", "PASV", "EPSV", "PORT 127,0,0,1,200,0",
                "SIZE readme.txt", "MLSD", "STOR x", "DELE readme.txt", "PWD", "REST 10"):
        c.expect(cmd, "530")
    c.expect("PASS nobody", "503")
    c.expect("SYST", "215")
    # 2. Only anonymous logins; three bad users and the connection closes.
    c.expect("USER root", "530")
    c.expect("USER admin", "530")
    c.expect("USER ftpuser", "530")
    check(c.closed(), "still open after three refused logins")
    c.close()

    # 3. An overlong line (over 4 KiB): 500 and closed.
    c = Raw(host, port)
    c.login()
    c.send("RETR " + "A" * 6000 + "\r\n")
    code, text = c.reply()
    check(code == "500", "overlong line: %r" % text)
    check(c.closed(), "still open after an overlong line")
    c.close()
    # ...even without any terminator at all.
    c = Raw(host, port)
    c.login()
    c.send(b"X" * 20000)
    code, text = c.reply()
    check(code == "500", "unterminated overlong line: %r" % text)
    check(c.closed(), "still open after 20000 bytes without a newline")
    c.close()

    # 4. NUL and CR injection, unknown commands, telnet garbage, pipelining.
    c = Raw(host, port)
    c.login()
    c.expect(b"RETR readme.txt\x00/../../etc/passwd", "501")
    c.expect(b"CWD pub\rDELE readme.txt", "501")
    c.expect(b"PWD", "257")
    c.expect("XYZZY", "500")
    c.expect("", "500")
    c.expect(b"\xff\xfb\x01\xff\xf4NOOP", "200")
    c.send("NOOP\r\nSYST\r\nPWD\r\n")
    check(c.reply()[0] == "200" and c.reply()[0] == "215" and c.reply()[0] == "257", "pipelined")

    # 5. Paths: nothing outside the root, no server paths in replies.
    for cmd in ("RETR ../../../../etc/passwd", "RETR /etc/passwd", "RETR pub/evil",
                "RETR ..\\..\\etc\\passwd", "SIZE /etc/passwd", "SIZE pub/evil", "MLST pub/evil",
                "RETR pub", "CWD pub/evil-dir"):
        # RETR needs a data channel first; set one up so 550 comes from the path.
        if cmd.startswith("RETR"):
            d = c.pasv_connect()
            code, text = c.cmd(cmd)
            d.close()
        else:
            code, text = c.cmd(cmd)
        check(code == "550", "%r: %r" % (cmd, text))
        check(root not in text, "reply reveals the root: %r" % text)
    c.expect("CWD ../../..", "250")
    c.expect("PWD", "257")
    check('"/"' in c.cmd("PWD")[1], "PWD after CWD ../../..")
    code, text = c.cmd("MLST /")
    check(code == "250" and root not in text, "MLST /: %r" % text)
    code, text = c.cmd("STAT pub")
    check(code == "213" and "evil" not in text and root not in text, "STAT pub: %r" % text)

    # 6. Bounce: PORT/EPRT only to the client's own address, ports >= 1024.
    c.expect("PORT 192,0,2,1,200,0", "500")
    c.expect("PORT 127,0,0,2,200,0", "500")
    c.expect("PORT 127,0,0,1,0,25", "500")
    c.expect("PORT 127,0,0,1,3,255", "500")
    c.expect("EPRT |1|203.0.113.5|2000|", "500")
    c.expect("EPRT |2|::1|2000|", "522")
    c.expect("EPRT |7|x|2000|", "522")
    c.expect("PORT 1,2,3", "501")
    c.expect("PORT 127,0,0,1,4,0", "200")

    # 7. Writes are refused.
    for cmd in ("STOR x", "STOU", "APPE readme.txt", "DELE readme.txt", "MKD new", "XMKD new",
                "RMD pub", "XRMD pub", "RNFR readme.txt", "RNTO y", "MFMT 20200101000000 readme.txt"):
        c.expect(cmd, "550")
    c.expect("SITE CHMOD 777 readme.txt", "502")
    check(os.path.exists(os.path.join(root, "readme.txt")), "readme.txt vanished")
    check(not os.path.exists(os.path.join(root, "x")), "a file was created")

    # 8. A data connection from another address than the control's is refused.
    text = c.expect("EPSV", "229")
    dport = int(text.split("|||")[1].split("|")[0])
    thief = socket.socket()
    thief.settimeout(5)
    thief.bind(("127.0.0.2", 0))
    thief.connect((host, dport))
    check(recv_all(thief) == b"", "the stranger got data")
    thief.close()
    d = socket.socket()
    d.settimeout(10)
    d.connect((host, dport))
    code, text = c.cmd("RETR readme.txt")
    check(code == "150", "RETR after the stranger: %r" % text)
    data = recv_all(d)
    d.close()
    check(data == open(os.path.join(root, "readme.txt"), "rb").read(), "RETR content")
    check(c.reply()[0] == "226", "226 after RETR")

    # 9. REST beyond the end; ABOR with nothing running.
    d = c.pasv_connect()
    c.expect("REST 999999999999", "350")
    c.expect("RETR readme.txt", "554")
    d.close()
    c.expect("ABOR", "225")
    c.expect("QUIT", "221")
    check(c.closed(), "open after QUIT")
    c.close()

    # 10. RETR and QUIT pipelined: QUIT waits for the transfer (RFC 959).
    c = Raw(host, port)
    c.login()
    d = c.pasv_connect()
    c.send("RETR pub/big.bin\r\nQUIT\r\n")
    check(c.reply()[0] == "150", "pipelined RETR")
    data = recv_all(d)
    check(sha(data) == file_sha(os.path.join(root, "pub/big.bin")), "pipelined RETR content")
    check(c.reply()[0] == "226" and c.reply()[0] == "221", "226 then 221")
    check(c.closed(), "open after the pipelined QUIT")
    c.close()

    # 11. A byte at a time still works.
    c = Raw(host, port)
    c.reply()
    for b in b"USER anonymous\r\n":
        c.send(bytes([b]))
        time.sleep(0.002)
    check(c.reply()[0] == "331", "byte-at-a-time USER")
    c.close()

    # 12. The server is still healthy.
    c = Raw(host, port)
    c.login()
    d = c.pasv_connect()
    check(c.cmd("RETR pub/big.bin")[0] == "150", "final RETR")
    data = recv_all(d)
    check(sha(data) == file_sha(os.path.join(root, "pub/big.bin")), "final RETR content")
    check(c.reply()[0] == "226", "final 226")
    c.close()
    print("hostile: ok")


def run_flood(host, port, n, secs):
    socks, greeted, refused = [], 0, 0
    for _ in range(n):
        s = socket.socket()
        s.settimeout(5)
        try:
            s.connect((host, port))
            first = s.recv(4096)
        except OSError:
            refused += 1
            s.close()
            continue
        if first.startswith(b"220"):
            greeted += 1
            socks.append(s)
        else:
            if first.startswith(b"421"):
                refused += 1
            s.close()
    print("greeted=%d refused=%d" % (greeted, refused), flush=True)
    time.sleep(secs)
    closed = 0
    for s in socks:
        s.settimeout(0.5)
        try:
            while True:
                d = s.recv(4096)
                if not d:
                    closed += 1
                    break
        except (socket.timeout, TimeoutError):
            pass
        except ConnectionResetError:
            closed += 1
        s.close()
    print("closed=%d" % closed)


def run_noread(host, port, name):
    c = Raw(host, port)
    c.login()
    d = c.pasv_connect()
    d.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    code, text = c.cmd("RETR " + name)
    check(code == "150", "RETR: %r" % text)
    c.s.settimeout(30)
    code, text = c.reply()
    print(code)
    d.close()
    c.close()


def main():
    if len(sys.argv) < 4:
        die(__doc__)
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "ftplib":
        run_ftplib(host, port, sys.argv[4])
    elif mode == "hostile":
        run_hostile(host, port, sys.argv[4])
    elif mode == "flood":
        run_flood(host, port, int(sys.argv[4]), float(sys.argv[5]))
    elif mode == "noread":
        run_noread(host, port, sys.argv[4])
    else:
        die(__doc__)


if __name__ == "__main__":
    main()
