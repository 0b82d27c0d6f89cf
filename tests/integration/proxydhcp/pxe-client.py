#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A scripted PXE client for the proxydhcp integration tests.

Runs inside the client network namespace. For each scenario it does what the
firmware in ../../../CLIENTS.md does: broadcasts a DISCOVER (option 60
PXEClient:Arch:NNNNN, 93, 94, 97, iPXE's 77/175 when asked), collects the
foreign DHCP server's offer (an address, no PXE) and pxed's proxy offer (no
address, PXE), takes the address with REQUEST/ACK from the foreign server,
then asks pxed's port 4011 for the boot file from port 68 (iPXE) and from
port 4011 (EDK2's own PXE) and checks each answer. Exits 1 with a message
on the first failed check.

Usage: pxe-client.py IFACE PROXY_IP FOREIGN_IP SCENARIO [ARGS...]
"""
import glob
import os
import random
import socket
import struct
import subprocess
import sys
import time

IFACE, PROXY, FOREIGN, SCENARIO = sys.argv[1:5]
ARGS = sys.argv[5:]
SO_BINDTODEVICE = 25
UUID = bytes([0]) + bytes.fromhex("8a6a7d3e2e2e4d1d0102030405060708")


def fail(msg):
    print("FAIL: %s: %s" % (SCENARIO, msg), file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def udp_socket(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, IFACE.encode())
    s.bind(("", port))
    return s


def opt(code, value):
    return bytes([code, len(value)]) + value


def build(mtype, mac, xid, opts, ciaddr="0.0.0.0", broadcast=True):
    hdr = struct.pack("!BBBBIHH", 1, 1, 6, 0, xid, 0, 0x8000 if broadcast else 0)
    hdr += socket.inet_aton(ciaddr) + bytes(12)
    hdr += mac + bytes(10) + bytes(64 + 128) + bytes([99, 130, 83, 99])
    return hdr + opt(53, bytes([mtype])) + b"".join(opts) + b"\xff"


class Reply:
    def __init__(self, data, src):
        self.src = src
        self.raw = data
        (self.op, _, self.hlen, _, self.xid, _, self.flags) = struct.unpack("!BBBBIHH", data[:12])
        self.ciaddr = socket.inet_ntoa(data[12:16])
        self.yiaddr = socket.inet_ntoa(data[16:20])
        self.siaddr = socket.inet_ntoa(data[20:24])
        self.chaddr = data[28:34]
        self.file = data[108:236].split(b"\0", 1)[0].decode(errors="replace")
        check(data[236:240] == bytes([99, 130, 83, 99]), "reply without magic cookie")
        self.opts = {}
        pos = 240
        while pos < len(data):
            code = data[pos]
            if code == 255:
                break
            if code == 0:
                pos += 1
                continue
            ln = data[pos + 1]
            self.opts[code] = self.opts.get(code, b"") + data[pos + 2:pos + 2 + ln]
            pos += 2 + ln

    def type(self):
        return self.opts.get(53, b"\0")[0]

    def __repr__(self):
        return "<%s:%d type %d yiaddr %s siaddr %s file %r opts %s>" % (
            self.src[0], self.src[1], self.type(), self.yiaddr, self.siaddr, self.file,
            sorted(self.opts))


def collect(sock, xid, seconds, enough=None):
    """Every reply with @xid that arrives within @seconds, or until
    enough(replies) holds (then 0.3 s more, to catch duplicates)."""
    out = []
    end = time.time() + seconds
    settled = False
    while True:
        if not settled and enough is not None and enough(out):
            end = min(end, time.time() + 0.3)
            settled = True
        left = end - time.time()
        if left <= 0:
            return out
        sock.settimeout(left)
        try:
            data, src = sock.recvfrom(4096)
        except socket.timeout:
            return out
        if len(data) < 240 or data[0] != 2:
            continue
        r = Reply(data, src)
        if r.xid == xid:
            out.append(r)


def pxe_opts(arch, uuid=True, ipxe=False, http=False, undi="003010", extra=()):
    if http:
        vc = b"HTTPClient:Arch:%05d:UNDI:%s" % (arch, undi.encode())
    else:
        vc = b"PXEClient:Arch:%05d:UNDI:%s" % (arch, undi.encode())
    opts = [opt(60, vc), opt(93, struct.pack("!H", arch)), opt(94, b"\x01\x03\x10"),
            opt(55, bytes([1, 3, 6, 43, 54, 60, 66, 67, 97, 175])), opt(57, b"\x05\xc0")]
    if uuid:
        opts.append(opt(97, UUID))
    if ipxe:
        opts += [opt(77, b"iPXE"), opt(175, b"\xb1\x05\x01\x10\xec\x10\x00")]
    return opts + list(extra)


def new_mac():
    return bytes([0x52, 0x54, 0x00, random.randrange(256), random.randrange(256),
                  random.randrange(256)])


def ip_addr(action, addr):
    subprocess.run(["ip", "addr", action, addr + "/24", "dev", IFACE], check=False,
                   stderr=subprocess.DEVNULL)


def discover(s68, mac, opts, broadcast=True, want_foreign=True, want_proxy=True):
    """Broadcasts a DISCOVER; returns (foreign offer, proxy offer)."""
    xid = random.getrandbits(32)
    s68.sendto(build(1, mac, xid, opts, broadcast=broadcast), ("255.255.255.255", 67))
    def enough(rs):
        have_f = any(r.src[0] == FOREIGN and r.yiaddr != "0.0.0.0" for r in rs)
        have_p = any(r.src[0] == PROXY and r.yiaddr == "0.0.0.0" for r in rs)
        return (have_f or not want_foreign) and have_p and want_proxy
    replies = collect(s68, xid, 2.0 if want_proxy else 1.0, enough)
    foreign = [r for r in replies if r.src[0] == FOREIGN and r.yiaddr != "0.0.0.0"]
    proxy = [r for r in replies if r.src[0] == PROXY and r.yiaddr == "0.0.0.0"]
    if FOREIGN != PROXY:
        check(not [r for r in replies if r.src[0] == PROXY and r.yiaddr != "0.0.0.0"],
              "pxed offered an address: %r" % replies)
    check(len(proxy) <= 1, "pxed sent %d offers: %r" % (len(proxy), proxy))
    if want_foreign:
        check(foreign, "no offer from the foreign DHCP server: %r" % replies)
    if want_proxy:
        check(proxy, "no proxy offer from pxed: %r" % replies)
    else:
        check(not proxy, "pxed answered a client it must ignore: %r" % proxy)
    return (foreign[0] if foreign else None), (proxy[0] if proxy else None), xid


def check_proxy_offer(p, mac, uuid, vendor_class="PXEClient"):
    check(p.type() == 2, "proxy reply is not an OFFER: %r" % p)
    check(p.src[1] == 67, "proxy offer not from port 67: %r" % (p.src,))
    check(p.yiaddr == "0.0.0.0", "proxy offer carries an address: %s" % p.yiaddr)
    check(p.chaddr == mac, "proxy offer for another chaddr")
    check(p.opts.get(54) == socket.inet_aton(PROXY), "option 54 is not pxed's address")
    check(p.opts.get(60) == vendor_class.encode(), "option 60 is %r" % p.opts.get(60))
    if uuid:
        check(p.opts.get(97) == UUID, "option 97 not echoed: %r" % p.opts.get(97))
    else:
        check(97 not in p.opts, "option 97 sent to a client that sent none")


def take_address(s68, mac, offer):
    """REQUEST/ACK with the foreign server; pxed must stay silent."""
    xid = random.getrandbits(32)
    opts = [opt(50, socket.inet_aton(offer.yiaddr)), opt(54, offer.opts[54]),
            opt(60, b"PXEClient:Arch:00000:UNDI:002001")]
    s68.sendto(build(3, mac, xid, opts), ("255.255.255.255", 67))
    replies = collect(s68, xid, 1.5, lambda rs: any(r.type() == 5 for r in rs))
    acks = [r for r in replies if r.src[0] == FOREIGN and r.type() == 5]
    check(acks, "the foreign server did not ACK %s: %r" % (offer.yiaddr, replies))
    check(not [r for r in replies if r.src[0] == PROXY and r.yiaddr == "0.0.0.0"],
          "pxed's proxy answered a REQUEST on port 67: %r" % replies)
    if FOREIGN != PROXY:
        check(60 not in acks[0].opts, "the foreign server is not plain (it sent option 60)")
    ip_addr("add", offer.yiaddr)
    return offer.yiaddr


def boot_request(sport, mac, addr, opts, item=None):
    """A REQUEST to pxed's port 4011 from @sport; returns the answer."""
    xid = random.getrandbits(32)
    if item is not None:
        opts = opts + [opt(43, struct.pack("!BBHH", 71, 4, item, 0) + b"\xff")]
    s = udp_socket(sport)
    try:
        s.sendto(build(3, mac, xid, opts, ciaddr=addr, broadcast=False), (PROXY, 4011))
        replies = collect(s, xid, 2.0, lambda rs: len(rs) > 0)
    finally:
        s.close()
    check(len(replies) == 1, "port 4011 from %d: expected one answer, got %r" % (sport, replies))
    r = replies[0]
    check(r.src == (PROXY, 4011), "4011 answer from %r" % (r.src,))
    check(r.type() == 5, "4011 answer is not an ACK: %r" % r)
    check(r.yiaddr == "0.0.0.0", "4011 answer carries an address")
    check(r.siaddr == PROXY, "4011 answer siaddr %s" % r.siaddr)
    check(r.opts.get(54) == socket.inet_aton(PROXY), "4011 answer without option 54")
    if item is not None:
        check(r.opts.get(43, b"")[:6] == struct.pack("!BBHH", 71, 4, item, 0),
              "boot item not echoed: %r" % r.opts.get(43))
    return r


def full(arch, expect_file, uuid=True, ipxe=False, file_in_offer=None, undi="003010",
         broadcast=True):
    """The whole proxyDHCP boot of one client; returns nothing, fails on error."""
    mac = new_mac()
    s68 = udp_socket(68)
    opts = pxe_opts(arch, uuid=uuid, ipxe=ipxe, undi=undi)
    foreign, proxy, _ = discover(s68, mac, opts, broadcast=broadcast, want_foreign=broadcast)
    check_proxy_offer(proxy, mac, uuid)
    if file_in_offer is None:
        check(proxy.file == "" and proxy.siaddr == "0.0.0.0",
              "BIOS offer carries a boot file: %r" % proxy)
        check(proxy.opts.get(43) == bytes([6, 1, 3, 255]),
              "BIOS offer option 43 is %r" % proxy.opts.get(43))
    else:
        check(proxy.file == file_in_offer, "offer file %r, expected %r" % (proxy.file, file_in_offer))
        check(proxy.siaddr == PROXY, "offer siaddr %s with a boot file" % proxy.siaddr)
    if not broadcast:
        s68.close()
        print("%s: arch %d ok: proxy offer broadcast though the flag is clear" % (SCENARIO, arch))
        return
    addr = take_address(s68, mac, foreign)
    s68.close()
    try:
        # iPXE: from port 68 with boot item 0x8000; EDK2: from port 4011.
        r = boot_request(68, mac, addr, opts, item=0x8000)
        check(r.file == expect_file, "4011 (from 68) file %r, expected %r" % (r.file, expect_file))
        if uuid:
            check(r.opts.get(97) == UUID, "4011 answer without option 97")
        r = boot_request(4011, mac, addr, opts)
        check(r.file == expect_file, "4011 (from 4011) file %r, expected %r" % (r.file, expect_file))
        check(r.opts.get(67, b"").decode() == expect_file, "option 67 missing though requested")
    finally:
        ip_addr("del", addr)
    print("%s: arch %d ok: address %s from %s, boot file %s from %s" % (
        SCENARIO, arch, addr, FOREIGN, expect_file, PROXY))


def menu():
    """The boot menu of menu.sh's configuration, then boot server discovery
    of item 0x8002 over port 4011."""
    mac = new_mac()
    s68 = udp_socket(68)
    opts = pxe_opts(0, undi="002001")
    foreign, proxy, _ = discover(s68, mac, opts)
    check_proxy_offer(proxy, mac, True)
    me = socket.inet_aton(PROXY)
    expect = (bytes([6, 1, 7])
              + bytes([8, 7, 0x80, 0x02, 1]) + me
              + bytes([9, 8 + 12]) + b"\x00\x00\x05Local" + b"\x80\x02\x09Install X"
              + bytes([10, 6, 5]) + b"Boot?"
              + b"\xff")
    check(proxy.opts.get(43) == expect, "menu option 43 %r, expected %r" % (proxy.opts.get(43), expect))
    check(proxy.file == "", "a boot file in a menu offer")
    addr = take_address(s68, mac, foreign)
    s68.close()
    try:
        r = boot_request(4011, mac, addr, opts, item=0x8002)
        check(r.file == "x/pxelinux.0", "item 0x8002 file %r" % r.file)
    finally:
        ip_addr("del", addr)
    print("menu: offer with menu and prompt, item 0x8002 booted x/pxelinux.0")


def non_pxe():
    mac = new_mac()
    s68 = udp_socket(68)
    discover(s68, mac, [opt(55, bytes([1, 3, 6]))], want_proxy=False)
    discover(s68, mac, [opt(60, b"MSFT 5.0"), opt(93, b"\0\x07")], want_proxy=False)
    s68.close()
    print("non-pxe: no answer from pxed")


def hostile(corpus):
    """Every corpus file to both ports; pxed keeps answering good clients and
    never answers a non-PXE one."""
    mac = new_mac()
    s68 = udp_socket(68)
    foreign, proxy, _ = discover(s68, mac, pxe_opts(7))
    addr = take_address(s68, mac, foreign)
    s68.close()
    files = sorted(glob.glob(os.path.join(corpus, "*")))
    check(files, "empty corpus %s" % corpus)
    s = udp_socket(4011)
    # byte patterns the corpus misses
    extra = [b"\x01" * 240, bytes(576), os.urandom(1400), b"\x01\x01\x06" + bytes(233) + b"c\x82Sc"]
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        if data:
            s.sendto(data, ("255.255.255.255", 67))
            s.sendto(data, (PROXY, 4011))
    for data in extra:
        s.sendto(data, ("255.255.255.255", 67))
        s.sendto(data, (PROXY, 4011))
    s.close()
    time.sleep(0.3)
    r = boot_request(4011, mac, addr, pxe_opts(7))
    check(r.file == "efi64/syslinux.efi", "after hostile input: file %r" % r.file)
    ip_addr("del", addr)
    s68 = udp_socket(68)
    discover(s68, new_mac(), pxe_opts(0))
    s68.close()
    print("hostile: %d corpus files and %d patterns on both ports; pxed still answers" % (
        len(files), len(extra)))


def main():
    random.seed()
    if SCENARIO == "bios":
        full(0, ARGS[0] if ARGS else "pxelinux.0")
    elif SCENARIO == "bios-no-uuid":
        full(0, "pxelinux.0", uuid=False, undi="002001")
    elif SCENARIO == "efi":
        full(7, "efi64/syslinux.efi", file_in_offer="efi64/syslinux.efi", undi="003000")
    elif SCENARIO == "efi-no-uuid":
        full(9, "efi64/syslinux.efi", uuid=False, file_in_offer="efi64/syslinux.efi")
    elif SCENARIO == "ipxe":
        # iPXE gets the script, never the iPXE binary again
        full(7, ARGS[0], ipxe=True, file_in_offer=ARGS[0])
    elif SCENARIO == "ipxe-nobroadcast":
        full(0, ARGS[0], ipxe=True, file_in_offer=ARGS[0], broadcast=False)
    elif SCENARIO == "menu":
        menu()
    elif SCENARIO == "non-pxe":
        non_pxe()
    elif SCENARIO == "non-pxe-coexist":
        # pxed's dhcp plugin offers an address; its proxy stays silent
        s68 = udp_socket(68)
        discover(s68, new_mac(), [opt(55, bytes([1, 3, 6]))], want_proxy=False)
        s68.close()
        print("non-pxe-coexist: an address, no proxy offer")
    elif SCENARIO == "hostile":
        hostile(ARGS[0])
    else:
        fail("unknown scenario")


main()
