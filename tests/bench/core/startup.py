#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Time from exec to READY=1 (sd_notify) and idle RSS of pxed with every
shipped plugin enabled, next to dnsmasq's idle RSS, on loopback.

usage: startup.py BUILD_DIR [RUNS]
Goals (issue #2): READY under 20 ms, idle RSS under 6 MiB."""
import os, shutil, socket, statistics, subprocess, sys, tempfile, time

build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
pxed = os.path.join(build, "core", "pxed")
plugin_dir = os.path.join(build, "tests")  # the staged plugin directory

def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def write_conf(d):
    root = os.path.join(d, "root")
    os.makedirs(os.path.join(root, "images"), exist_ok=True)
    os.makedirs(os.path.join(d, "conf.d"))
    with open(os.path.join(d, "pxed.yaml"), "w") as f:
        f.write(f"state-dir: {d}/state\nlog-level: warning\n")
    files = {
        "tftp": f"plugin: tftp\nlisten: ['127.0.0.1:{free_port(socket.SOCK_DGRAM)}']\nroot: {root}\n",
        "http-repo": f"plugin: http-repo\nlisten: ['127.0.0.1:{free_port(socket.SOCK_STREAM)}']\nroot: {root}\n",
        "ftp": f"plugin: ftp\nlisten: ['127.0.0.1:{free_port(socket.SOCK_STREAM)}']\nroot: {root}\n",
        "dhcp": (f"plugin: dhcp\nlisten: ['127.0.0.1:{free_port(socket.SOCK_DGRAM)}']\n"
                 "subnets:\n  - subnet: 198.51.100.0/24\n    range: 198.51.100.100-198.51.100.200\n"),
        "proxydhcp": f"plugin: proxydhcp\nlisten: ['127.0.0.1:{free_port(socket.SOCK_DGRAM)}']\n",
        "syslinux": "plugin: syslinux\n",
        "grub": "plugin: grub\n",
        "kickstart": "plugin: kickstart\n",
    }
    enabled = []
    for i, (name, text) in enumerate(files.items()):
        if os.path.exists(os.path.join(plugin_dir, f"pxed-{name}.so")):
            with open(os.path.join(d, "conf.d", f"{10 + i}-{name}.yaml"), "w") as f:
                f.write(text)
            enabled.append(name)
    return enabled

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def start_pxed(d):
    sock_path = os.path.join(d, "notify.sock")
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(sock_path)
    s.settimeout(5)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    t0 = time.perf_counter()
    p = subprocess.Popen([pxed, "--foreground", "--config", d, "--plugin-dir", plugin_dir],
                         env=env, stderr=subprocess.DEVNULL)
    while True:
        msg = s.recv(4096).decode()
        if "READY=1" in msg:
            break
    t1 = time.perf_counter()
    s.close()
    return p, (t1 - t0) * 1000

def main():
    d = tempfile.mkdtemp(prefix="pxed-bench-")
    try:
        enabled = write_conf(d)
        times = []
        for _ in range(runs):
            p, ms = start_pxed(d)
            times.append(ms)
            p.terminate()
            p.wait()
        p, _ = start_pxed(d)
        time.sleep(1.0)
        pxed_rss = rss_kib(p.pid)
        p.terminate()
        p.wait()

        dnsmasq_rss = None
        if shutil.which("dnsmasq"):
            port = free_port(socket.SOCK_DGRAM)
            q = subprocess.Popen(["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                                  "--port=0", "--enable-tftp", f"--tftp-root={d}/root",
                                  "--listen-address=127.0.0.1", "--bind-interfaces",
                                  f"--pid-file={d}/dnsmasq.pid", "--user=root",
                                  f"--dhcp-range=198.51.100.100,198.51.100.200",
                                  f"--dhcp-leasefile={d}/dnsmasq.leases"],
                                 stderr=subprocess.DEVNULL)
            time.sleep(1.0)
            dnsmasq_rss = rss_kib(q.pid)
            q.terminate()
            q.wait()
        med = statistics.median(times)
        print(f"plugins enabled: {', '.join(enabled) or '(none)'}")
        print(f"{'measure':<28} {'pxed':>10} {'peer':>10} {'ratio':>8} {'goal':>10}")
        print(f"{'exec to READY, median ms':<28} {med:>10.2f} {'-':>10} {'-':>8} {'< 20':>10}")
        print(f"{'exec to READY, max ms':<28} {max(times):>10.2f} {'-':>10} {'-':>8} {'':>10}")
        peer = f"{dnsmasq_rss / 1024:.2f}" if dnsmasq_rss else "-"
        ratio = f"{pxed_rss / dnsmasq_rss:.2f}" if dnsmasq_rss else "-"
        print(f"{'idle RSS MiB (dnsmasq)':<28} {pxed_rss / 1024:>10.2f} {peer:>10} {ratio:>8} {'< 6':>10}")
    finally:
        shutil.rmtree(d, ignore_errors=True)

main()
