#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
"""Benchmark (not a test): dpdk-testpmd io forwarding on a net_null pair with
the mbuf pool served by the labyrinth, ring_mp_mc and stack mempool ops, with
testpmd's default mempool cache and with --mbcache=0. Configurations
alternate within each round, so that drift (turbo, noisy neighbours) hits all
of them alike; each figure is the median (min, max) over the rounds of the
forwarded packet rate, Rx-pps summed over both ports, measured by testpmd
between two "show port stats all" commands on one forwarding core. The ops'
order within each round rotates from round to round (round_order()): the
first run of a round, right after the last one of the round before, was
slower (0.95-0.97x for the labyrinth, always first, against 0.99-1.01x in
the middle), so no configuration may keep one place.

    scripts/bench-testpmd-ops.py [--plugin PATH] [--rounds N] [--quick]
                                 [--json FILE]

Targets (docs/mempool-driver.md): labyrinth >= 1.0x ring_mp_mc with the
default cache; >= 1.0x stack at --mbcache=0.
"""

import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGIN_NAME = "libmempool_labyrinth.so"


def find_plugin():
    """The newest plugin under a build directory of the source tree."""
    cands = glob.glob(os.path.join(ROOT, "*", "lib", "mempool_labyrinth",
                                   PLUGIN_NAME))
    if not cands:
        return None
    return max(cands, key=os.path.getmtime)


def world_writable_parent(path):
    """First folder above path that is world-writable (EAL refuses -d
    plugins below one), or None."""
    d = os.path.dirname(os.path.realpath(path))
    while True:
        if os.stat(d).st_mode & 0o002:
            return d
        if d == "/":
            return None
        d = os.path.dirname(d)


def plugin_args(plugin, env):
    """EAL -d argument for plugin. Below a world-writable folder EAL would
    refuse the path, so load it by bare name through LD_LIBRARY_PATH (EAL
    dlopen()s names it cannot resolve as paths without the folder check)."""
    plugin = os.path.realpath(plugin)
    libdirs = [os.path.dirname(plugin)]
    # liblabyrinth.so next to the plugin's build folder (the plugin's own
    # folder, first, holds liblabyrinth_mempool.so).
    libdirs.append(os.path.join(os.path.dirname(os.path.dirname(plugin)),
                                "labyrinth"))
    env["LD_LIBRARY_PATH"] = ":".join(
        libdirs + [p for p in env.get("LD_LIBRARY_PATH", "").split(":") if p])
    bad = world_writable_parent(plugin)
    if bad is None:
        return ["-d", plugin]
    print("note: %s is world-writable; loading the plugin by name" % bad)
    return ["-d", os.path.basename(plugin)]


def hugepages_usable():
    try:
        with open("/proc/meminfo") as f:
            free = int(re.search(r"HugePages_Free:\s+(\d+)", f.read()).group(1))
        with open("/proc/mounts") as f:
            mounted = " hugetlbfs " in f.read()
        return mounted and free >= 64
    except (OSError, AttributeError):
        return False


def run_one(args, env, dargs, ops, mbcache):
    """One testpmd run; returns forwarded Mpps (sum of Rx-pps of both
    ports over the measurement window)."""
    # A prefix of our own: another DPDK primary on this machine (a test,
    # a CI run of another clone) must not make EAL refuse to start.
    eal = ["-l", args.lcores, "--no-pci",
           "--file-prefix=lab_bench_%d" % os.getpid(),
           "--vdev", "net_null0", "--vdev", "net_null1",
           "--mbuf-pool-ops-name=" + ops] + dargs
    if hugepages_usable():
        # unlink the hugepage files once mapped: nothing is left behind
        # if testpmd dies
        eal += ["--huge-unlink"]
    else:
        eal += ["--no-huge", "-m", "512"]
    app = ["-i", "--forward-mode=io", "--nb-cores=1",
           "--total-num-mbufs=%d" % args.mbufs]
    if mbcache is not None:
        app.append("--mbcache=%d" % mbcache)
    cmd = [args.testpmd] + eal + ["--"] + app
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, env=env)
    # Read the output in a thread, so that the commands go out only once
    # testpmd shows its prompt: the warm-up and the window then start when
    # forwarding can start, however long the pool takes to populate.
    chunks = []
    prompt = threading.Event()

    def reader():
        while True:
            b = os.read(p.stdout.fileno(), 65536)
            if not b:
                break
            chunks.append(b)
            if b"testpmd> " in b"".join(chunks[-2:]):
                prompt.set()
        prompt.set()

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    script = [("start", args.warmup), ("show port stats all", args.seconds),
              ("show port stats all", 0.1), ("stop", 0.2), ("quit", 0)]
    try:
        prompt.wait(30)
        time.sleep(args.startup)
        for line, pause in script:
            p.stdin.write((line + "\n").encode())
            p.stdin.flush()
            time.sleep(pause)
        p.stdin.close()
        p.wait(timeout=30)
    except (subprocess.TimeoutExpired, BrokenPipeError):
        p.kill()
        p.wait()
        th.join(5)
        out = b"".join(chunks).decode(errors="replace")
        sys.exit("testpmd did not finish:\n" + out[-3000:])
    th.join(5)
    out = b"".join(chunks).decode(errors="replace")
    if "preferred mempool ops selected: %s" % ops not in out and \
            "mempool ops selected: %s" % ops not in out:
        sys.exit("testpmd did not use ops %s:\n%s" % (ops, out[-3000:]))
    pps = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", out)]
    if len(pps) < 4:
        sys.exit("cannot parse testpmd output:\n" + out[-3000:])
    return sum(pps[-2:]) / 1e6


def round_order(ops_list, r):
    """The ops of round r (0-based): ops_list rotated by r, so that over
    len(ops_list) rounds each ops runs once in each place."""
    k = r % len(ops_list)
    return ops_list[k:] + ops_list[:k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plugin", help="libmempool_labyrinth.so (default: "
                    "newest under <source>/*/lib/mempool_labyrinth)")
    ap.add_argument("--testpmd", default=shutil.which("dpdk-testpmd") or
                    "dpdk-testpmd")
    ap.add_argument("--rounds", type=int, default=5,
                    help="a multiple of the number of ops puts each ops "
                    "in each place equally often")
    ap.add_argument("--seconds", type=float, default=1.0,
                    help="measurement window per run")
    ap.add_argument("--warmup", type=float, default=0.4)
    ap.add_argument("--startup", type=float, default=0.0,
                    help="pause before the first command")
    ap.add_argument("--lcores", default="0,1",
                    help="EAL -l; the first is main, the second forwards")
    ap.add_argument("--mbufs", type=int, default=16384)
    ap.add_argument("--ops", default="labyrinth,ring_mp_mc,stack")
    ap.add_argument("--quick", action="store_true",
                    help="CI smoke: 1 round, short windows")
    ap.add_argument("--json", help="also write every run's figure to this "
                    "file (scripts/perf-report.sh reads it)")
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.warmup = 1, 0.3, 0.2
    plugin = args.plugin or find_plugin()
    if plugin is None or not os.path.exists(plugin):
        sys.exit("plugin not found; build it or pass --plugin")
    env = dict(os.environ)
    dargs = plugin_args(plugin, env)
    ops_list = args.ops.split(",")
    caches = [("default", None), ("0", 0)]
    res = {(o, c[0]): [] for o in ops_list for c in caches}
    t0 = time.time()
    for r in range(args.rounds):
        for cname, cval in caches:
            for ops in round_order(ops_list, r):
                mpps = run_one(args, env, dargs, ops, cval)
                res[(ops, cname)].append(mpps)
                print("round %d  mbcache=%-7s %-11s %7.2f Mpps" %
                      (r + 1, cname, ops, mpps), flush=True)
    print("\n%d round(s) in %.0f s; Mpps forwarded (both ports), 1 core\n" %
          (args.rounds, time.time() - t0))
    print("| mbcache | ops | median | min | max |")
    print("|---|---|---|---|---|")
    for cname, _ in caches:
        for ops in ops_list:
            v = res[(ops, cname)]
            print("| %s | %s | %.2f | %.2f | %.2f |" %
                  (cname, ops, statistics.median(v), min(v), max(v)))
    print()
    for cname, _ in caches:
        lab = statistics.median(res.get(("labyrinth", cname), [0]) or [0])
        for ref in ops_list:
            if ref == "labyrinth" or not res[(ref, cname)]:
                continue
            base = statistics.median(res[(ref, cname)])
            print("mbcache=%-7s labyrinth / %-10s = %.2fx" %
                  (cname, ref, lab / base if base else 0.0))
    print("targets: default cache >= 1.00x ring_mp_mc; "
          "mbcache=0 >= 1.00x stack")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"tool": "bench-testpmd-ops", "rounds": args.rounds,
                       "window_s": args.seconds, "warmup_s": args.warmup,
                       "mbufs": args.mbufs, "lcores": args.lcores,
                       "unit": "Mpps",
                       "runs": {c: {o: res[(o, c)] for o in ops_list}
                                for c, _ in caches}}, f, indent=1)
        print("figures written to %s" % args.json)


if __name__ == "__main__":
    main()
