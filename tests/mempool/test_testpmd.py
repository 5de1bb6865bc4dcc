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
LT_PLUGIN_DIR (where to copy it, see tests/lt_dpdk.py), LD_LIBRARY_PATH.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import lt_dpdk  # noqa: E402
from lt_dpdk import Testpmd, fail, hugepages_usable, skip, \
    telemetry  # noqa: E402

POOL = "mb_pool_0"


def check_pool_dump(out, expect_full=True):
    """Check the last dump of mb_pool_0: ops labyrinth, all mbufs back."""
    d = lt_dpdk.parse_pool_dump(out, POOL)
    if d is None:
        fail("no dump_mempool output for " + POOL, out)
    if d["ops"] != "labyrinth":
        fail("%s does not use ops labyrinth" % POOL, d["text"])
    size, common, cached = d["size"], d["common"], d["cached"]
    print("%s: populated %d, in driver %d, in caches %d" %
          (POOL, size, common, cached))
    if expect_full and common + cached != size:
        fail("%d mbufs not back in the pool" % (size - common - cached),
             d["text"])
    return size, common, cached


def fwd_stats(out):
    """Total RX and TX packets of the accumulated forward statistics."""
    st = lt_dpdk.fwd_stats(out)
    if st is None:
        fail("no forward statistics", out)
    return st


def base_eal(args):
    eal = ["-l", "0,1", "--no-pci", "--file-prefix=" + args.prefix,
           "-d", lt_dpdk.mempool_plugin(), "--mbuf-pool-ops-name=labyrinth",
           "--log-level=pmd.mempool.labyrinth:info"]
    if not hugepages_usable():
        print("note: no usable hugepages: --no-huge -m 512")
        eal += ["--no-huge", "-m", "512"]
    return eal


def run_null(args):
    eal = base_eal(args) + ["--vdev", "net_null0", "--vdev", "net_null1"]
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
            lst, st = telemetry(args.prefix, ["/labyrinth/mempools",
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
    # Names of our own: another run of this test (another clone on this
    # machine) must not share the namespaces.
    ns = ["lt_mp_ns0_%d" % os.getpid(), "lt_mp_ns1_%d" % os.getpid()]
    ifs = ["ltmp%d_0" % (os.getpid() % 100000),
           "ltmp%d_1" % (os.getpid() % 100000)]  # at most 15 characters
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

    eal = base_eal(args) + [
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
    ap.add_argument("--name", required=True,
                    help="test name (file prefix: name_<pid>)")
    ap.add_argument("--testpmd", default="")
    ap.add_argument("mode", choices=["null", "tap"])
    ap.add_argument("extra", nargs="*", help="more testpmd options")
    args, unknown = ap.parse_known_args()
    args.extra += unknown
    args.prefix = lt_dpdk.file_prefix(args.name)
    if not args.testpmd or not os.access(args.testpmd, os.X_OK):
        skip("dpdk-testpmd not found")
    if args.mode == "null":
        run_null(args)
    else:
        run_tap(args)


if __name__ == "__main__":
    main()
