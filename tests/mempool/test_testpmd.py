#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
"""End-to-end test: unmodified dpdk-testpmd takes its mbufs from the
labyrinth mempool driver, loaded with -d and selected with
--mbuf-pool-ops-name=labyrinth.

  null [--mbcache=N]  io forwarding on a net_null pair for a few seconds;
                      checks that mb_pool_0 uses ops "labyrinth" (testpmd's
                      dump_mempool), that packets were forwarded, that every
                      mbuf is back after "stop", and the driver's telemetry.
  tap                 io forwarding between two net_tap ports whose kernel
                      ends sit in two network namespaces (10.99.0.1/24 and
                      10.99.0.2/24): ping goes through testpmd. Skips (77)
                      without /dev/net/tun, ip netns, or ping.

Environment (set by meson): LT_MEMPOOL_PLUGIN (the built plugin),
LT_PLUGIN_DIR (a folder of ours to copy it to), LD_LIBRARY_PATH.
"""

import argparse
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import time

SKIP = 77
POOL = "mb_pool_0"


def fail(msg, out=None):
    if out:
        print(out[-6000:])
    print("FAILED: " + msg)
    sys.exit(1)


def skip(msg):
    print("skip: " + msg)
    sys.exit(SKIP)


def world_writable_above(path):
    d = os.path.dirname(os.path.realpath(path))
    while True:
        if os.stat(d).st_mode & stat.S_IWOTH:
            return d
        if d == "/":
            return None
        d = os.path.dirname(d)


def plugin_arg(name):
    """Copy the plugin into a 0755 folder of ours; the path to give -d (or
    the bare name when a folder above is world-writable: EAL then dlopen()s
    it through LD_LIBRARY_PATH without its folder check)."""
    src = os.environ.get("LT_MEMPOOL_PLUGIN")
    top = os.environ.get("LT_PLUGIN_DIR")
    if not src or not top or not os.path.exists(src):
        fail("LT_MEMPOOL_PLUGIN / LT_PLUGIN_DIR not set or plugin missing")
    os.makedirs(top, exist_ok=True)
    os.chmod(top, 0o755)
    base = os.path.basename(src)
    dst = os.path.join(top, base)
    tmp = "%s.tmp.%d" % (dst, os.getpid())
    shutil.copyfile(src, tmp)
    os.chmod(tmp, 0o755)
    os.replace(tmp, dst)  # atomic: parallel tests never see half a file
    bad = world_writable_above(dst)
    if bad:
        print("note: %s is world-writable; loading %s by name" % (bad, base))
        return base
    return dst


def hugepages_usable():
    try:
        with open("/proc/meminfo") as f:
            free = int(re.search(r"HugePages_Free:\s+(\d+)", f.read()).group(1))
        with open("/proc/mounts") as f:
            return " hugetlbfs " in f.read() and free >= 64
    except (OSError, AttributeError):
        return False


def telemetry_path(prefix):
    run = "/var/run" if os.getuid() == 0 else \
        os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(run, "dpdk", prefix, "dpdk_telemetry.v2")


def telemetry(prefix, cmds):
    """Answers of DPDK's telemetry socket to cmds (a list)."""
    path = telemetry_path(prefix)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    info = json.loads(s.recv(16384).decode())
    out = []
    for c in cmds:
        s.send(c.encode())
        out.append(json.loads(s.recv(info.get("max_output_len", 16384))
                              .decode()))
    s.close()
    return out


class Testpmd:
    """dpdk-testpmd in interactive mode, fed commands through a pipe."""

    def __init__(self, exe, eal, app):
        self.cmd = [exe] + eal + ["--", "-i"] + app
        print("+ " + " ".join(self.cmd), flush=True)
        self.p = subprocess.Popen(self.cmd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        self.t0 = time.time()

    def send(self, line, pause=0.3):
        if self.p.poll() is not None:
            out, _ = self.p.communicate()
            fail("testpmd exited early (%d)" % self.p.returncode, out)
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        time.sleep(pause)

    def finish(self, timeout=30):
        try:
            self.send("quit", 0)
            out, _ = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, _ = self.p.communicate()
            fail("testpmd did not quit", out)
        return out

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.communicate()


def check_pool_dump(out, expect_full=True):
    """Check the last dump of mb_pool_0: ops labyrinth, all mbufs back."""
    dumps = re.split(r"\nmempool <", out)
    dump = None
    for d in dumps:
        if d.startswith(POOL + ">"):
            dump = d
    if dump is None:
        fail("no dump_mempool output for " + POOL, out)
    if "ops_name: <labyrinth>" not in dump:
        fail("%s does not use ops labyrinth" % POOL, dump)
    size = int(re.search(r"populated_size=(\d+)", dump).group(1))
    common = int(re.search(r"common_pool_count=(\d+)", dump).group(1))
    m = re.search(r"total_cache_count=(\d+)", dump)
    cached = int(m.group(1)) if m else 0
    print("%s: populated %d, in driver %d, in caches %d" %
          (POOL, size, common, cached))
    if expect_full and common + cached != size:
        fail("%d mbufs not back in the pool" % (size - common - cached), dump)
    return size, common, cached


def fwd_stats(out):
    """Total RX and TX packets of the accumulated forward statistics."""
    m = re.search(r"Accumulated forward statistics for all ports.*?"
                  r"RX-packets:\s+(\d+).*?TX-packets:\s+(\d+)", out, re.S)
    if not m:
        fail("no forward statistics", out)
    return int(m.group(1)), int(m.group(2))


def base_eal(args, name):
    eal = ["-l", "0,1", "--no-pci", "--file-prefix=" + name,
           "-d", plugin_arg(name), "--mbuf-pool-ops-name=labyrinth",
           "--log-level=pmd.mempool.labyrinth:info"]
    if not hugepages_usable():
        print("note: no usable hugepages: --no-huge -m 512")
        eal += ["--no-huge", "-m", "512"]
    return eal


def run_null(args):
    eal = base_eal(args, args.name) + ["--vdev", "net_null0",
                                       "--vdev", "net_null1"]
    app = ["--forward-mode=io", "--nb-cores=1", "--total-num-mbufs=16384"]
    app += args.extra
    tp = Testpmd(args.testpmd, eal, app)
    try:
        time.sleep(1.0)
        tp.send("start", 3.0)
        tp.send("show port stats all", 0.3)
        tp.send("stop", 0.5)
        tp.send("dump_mempool", 0.5)
        try:
            lst, st = telemetry(args.name, ["/labyrinth/mempools",
                                            "/labyrinth/mempool," + POOL])
        except OSError as e:
            lst, st = None, None
            print("note: telemetry socket unavailable (%s)" % e)
        out = tp.finish()
    finally:
        tp.kill()
    if tp.p.returncode != 0:
        fail("testpmd exit status %d" % tp.p.returncode, out)
    if "mempool ops selected: labyrinth" not in out:
        fail("testpmd did not select ops labyrinth", out)
    rx, tx = fwd_stats(out)
    print("forwarded: RX %d TX %d" % (rx, tx))
    if rx == 0 or tx == 0:
        fail("nothing forwarded", out)
    size, _, _ = check_pool_dump(out)
    if st is not None:
        print("telemetry: %s\n           %s" % (lst, st))
        pools = lst.get("/labyrinth/mempools", [])
        d = st.get("/labyrinth/mempool", {})
        if POOL not in pools:
            fail("/labyrinth/mempools does not list " + POOL)
        # Quiet pool: every object is free, in the driver or a cache;
        # returns (populate included) minus claims is what sits in the
        # map; without a cache, every received mbuf was claimed.
        ok = d.get("claims", 0) > 0 and d.get("rejected_returns") == 0 \
            and d.get("objects_free", -1) + \
            d.get("objects_free_in_caches", -1) == size \
            and d.get("returns", 0) - d.get("claims", 0) == \
            d.get("map_free_bits", -1)
        if "--mbcache=0" in args.extra and d.get("claims", 0) < rx:
            ok = False
        if not ok:
            fail("telemetry counters disagree: %s" % d)
    print("ok")


def sh(cmd, check=True):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=30)
    if check and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), r.stdout.strip()))
    return r


def run_tap(args):
    if not os.path.exists("/dev/net/tun"):
        skip("/dev/net/tun is missing")
    ip = shutil.which("ip")
    ping = shutil.which("ping")
    if not ip or not ping:
        skip("needs ip (iproute2) and ping")
    ns = ["lt_mp_ns0", "lt_mp_ns1"]
    ifs = ["ltmp_tap0", "ltmp_tap1"]
    addrs = ["10.99.0.1/24", "10.99.0.2/24"]
    for n in ns:  # leftovers of an interrupted run of this test only
        sh([ip, "netns", "del", n], check=False)
    try:
        for n in ns:
            sh([ip, "netns", "add", n])
    except (RuntimeError, OSError) as e:
        for n in ns:
            sh([ip, "netns", "del", n], check=False)
        skip("cannot create network namespaces: %s" % e)

    eal = base_eal(args, args.name) + [
        "--vdev", "net_tap0,iface=" + ifs[0],
        "--vdev", "net_tap1,iface=" + ifs[1]]
    app = ["--forward-mode=io", "--nb-cores=1", "--total-num-mbufs=8192"]
    tp = Testpmd(args.testpmd, eal, app)
    out = ""
    try:
        for _ in range(100):
            if all(sh([ip, "link", "show", i], check=False).returncode == 0
                   for i in ifs):
                break
            if tp.p.poll() is not None:
                break
            time.sleep(0.1)
        else:
            fail("tap interfaces did not appear")
        tp.send("start", 0.5)
        for n, i, a in zip(ns, ifs, addrs):
            sh([ip, "link", "set", i, "netns", n])
            sh([ip, "-n", n, "link", "set", "lo", "up"])
            sh([ip, "-n", n, "addr", "add", a, "dev", i])
            sh([ip, "-n", n, "link", "set", i, "up"])
        r = subprocess.run([ip, "netns", "exec", ns[0], ping, "-c", "10",
                            "-i", "0.2", "-W", "2", "10.99.0.2"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=60)
        print(r.stdout)
        m = re.search(r"(\d+) received", r.stdout)
        received = int(m.group(1)) if m else 0
        tp.send("stop", 0.5)
        tp.send("dump_mempool", 0.5)
        out = tp.finish()
    finally:
        tp.kill()
        for n in ns:
            sh([ip, "netns", "del", n], check=False)
    if "mempool ops selected: labyrinth" not in out:
        fail("testpmd did not select ops labyrinth", out)
    rx, tx = fwd_stats(out)
    print("forwarded: RX %d TX %d; ping replies %d/10" % (rx, tx, received))
    if received < 8:
        fail("ping through testpmd: %d/10 replies" % received, out)
    if rx < 2 * received or tx < 2 * received:
        fail("testpmd forwarded fewer packets than the pings", out)
    # The tap rx queues keep mbufs posted while the ports are started:
    # what is not in the pool must be less than their descriptors.
    size, common, cached = check_pool_dump(out, expect_full=False)
    if size - common - cached > 2 * 1024:
        fail("more mbufs out than the tap rx rings hold", out)
    print("ok")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True, help="test name, file prefix")
    ap.add_argument("--testpmd", default="")
    ap.add_argument("mode", choices=["null", "tap"])
    ap.add_argument("extra", nargs="*", help="more testpmd options")
    args, unknown = ap.parse_known_args()
    args.extra += unknown
    if not args.testpmd or not os.access(args.testpmd, os.X_OK):
        skip("dpdk-testpmd not found")
    if args.mode == "null":
        run_null(args)
    else:
        run_tap(args)


if __name__ == "__main__":
    main()
