#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
"""The labyrinth mempool driver under DPDK's own stock consumers, which
nobody on this project wrote: each case runs the client twice, first on
DPDK's default ops ring_mp_mc (the control: no plugin), then with
-d <copy of libmempool_labyrinth.so> --mbuf-pool-ops-name=labyrinth. A
failing control means the client itself is broken here; a failing second
run is the driver's.

  autotest <test>   dpdk-test's <test> (mbuf_autotest, mempool_autotest)
                    on -l 0-1 --no-pci --in-memory: must print "Test OK".
  testpmd <alloc>   dpdk-testpmd -i on a net_null pair, 16384 mbufs,
                    --mp-alloc=<alloc> (native, xmem, xmemhuge, xbuf), or
                    <alloc> nohuge: native under EAL --no-huge -m 512.
                    start, ~1.5 s of io forwarding, stop, then
                    dump_mempool <pool> for each pool testpmd created:
                    every mbuf must be back (common_pool_count +
                    total_cache_count == populated_size == 16384), and,
                    for labyrinth, nothing rejected (the driver's log and
                    its telemetry counter rejected_returns).

Exits 77 only when the client program is not installed; xmemhuge also
skips without free hugepages. Environment (set by meson):
LT_MEMPOOL_PLUGIN, LT_PLUGIN_DIR, LD_LIBRARY_PATH (see tests/lt_dpdk.py).
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import lt_dpdk  # noqa: E402
from lt_dpdk import condense, fail, skip  # noqa: E402

NB_MBUFS = 16384
LABYRINTH = "labyrinth"
CONTROL = "ring_mp_mc"
# What the driver logs when it turns objects away (lib/mempool_labyrinth).
DRIVER_COMPLAINTS = re.compile(
    r"^.*mempool_labyrinth: .*(rejected|more than \d+ memory chunks).*$",
    re.M)


def exe_or_skip(path, name):
    if not path or not os.access(path, os.X_OK):
        skip("%s is not installed (Debian package dpdk-dev; "
             "scripts/setup.sh installs it)" % name)
    return path


def status_text(rc):
    if rc is None:
        return "timed out"
    if rc < 0:
        try:
            return "killed by %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit status %d" % rc


def mem_args(huge_ok):
    if huge_ok:
        return ["--in-memory"]
    print("note: no usable hugepages: EAL --no-huge -m 512")
    return ["--no-huge", "-m", "512"]


def ops_args(ops):
    """EAL arguments selecting ops for the mbuf pools."""
    if ops == CONTROL:
        return []  # DPDK's default
    return ["-d", lt_dpdk.mempool_plugin(), "--mbuf-pool-ops-name=" + ops]


def who(ops):
    return ("the control run (DPDK's default ops ring_mp_mc, no plugin)"
            if ops == CONTROL else "the labyrinth driver")


def verdict(ops, client, problems, out):
    """Fail with a message that says whose fault it is."""
    if not problems:
        print("%s: ok with %s" % (client, who(ops)), flush=True)
        return
    print(condense(out))
    if ops == CONTROL:
        print("FAILED: %s fails with DPDK's default ops ring_mp_mc: the "
              "client itself is broken here, not the labyrinth driver "
              "(which was not run):" % client)
    else:
        print("FAILED: the labyrinth driver fails %s (the same client "
              "passes with ring_mp_mc):" % client)
    for p in problems:
        print("  - " + p)
    sys.stdout.flush()
    sys.exit(1)


# --- dpdk-test ---------------------------------------------------------------

def run_autotest(args):
    exe = exe_or_skip(args.dpdk_test, "dpdk-test")
    mem = mem_args(lt_dpdk.hugepages_usable())
    for ops in (CONTROL, LABYRINTH):
        prefix = lt_dpdk.file_prefix(
            "%s_%s" % (args.name, "ring" if ops == CONTROL else "lab"))
        cmd = [exe, "-l", "0-1", "--no-pci", "--file-prefix=" + prefix] + \
            mem + ops_args(ops)
        env = dict(os.environ, DPDK_TEST=args.test)
        print("+ DPDK_TEST=%s %s" % (args.test, " ".join(cmd)), flush=True)
        t0 = time.time()
        try:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=env,
                               timeout=args.timeout)
            rc, out = r.returncode, r.stdout.decode(errors="replace")
        except subprocess.TimeoutExpired as e:
            rc = None
            out = (e.stdout or b"").decode(errors="replace")
        print("(dpdk-test ran %.1f s)" % (time.time() - t0))
        problems = []
        if rc != 0 or "Test OK" not in out:
            problems.append("dpdk-test %s: %s, %s" % (
                args.test, status_text(rc),
                "printed \"Test OK\"" if "Test OK" in out
                else "no \"Test OK\""))
            lines = out.splitlines()
            for i, line in enumerate(lines):
                if line.startswith("PANIC in"):  # and the panic message
                    problems.append("it said: " + " ".join(
                        l.strip() for l in lines[i:i + 2]))
                elif re.search(r"Test Failed|test failed", line, re.I):
                    problems.append("it said: " + line.strip())
            del problems[6:]
        if ops == LABYRINTH and not problems:
            m = DRIVER_COMPLAINTS.search(out)
            if m:
                problems.append("the driver logged: " + m.group(0).strip())
        verdict(ops, "dpdk-test " + args.test, problems, out)
    print("ok")


# --- dpdk-testpmd ------------------------------------------------------------

def testpmd_once(args, exe, ops, eal_mem, alloc):
    """One testpmd session; the list of problems found and the output."""
    prefix = lt_dpdk.file_prefix(
        "%s_%s" % (args.name, "ring" if ops == CONTROL else "lab"))
    eal = ["-l", "0-1", "--no-pci", "--file-prefix=" + prefix,
           "--vdev", "net_null0", "--vdev", "net_null1"] + eal_mem + \
        ops_args(ops)
    app = ["--forward-mode=io", "--nb-cores=1",
           "--total-num-mbufs=%d" % NB_MBUFS, "--mp-alloc=" + alloc]
    tp = lt_dpdk.Testpmd(exe, eal, app)
    st = {}
    try:
        tp.wait_for(tp.PROMPT, 60)
        pools = lt_dpdk.pool_names(tp.output())
        if not pools:
            fail("testpmd did not log \"create a new mbuf pool <name>\"",
                 tp.output())
        tp.send("start", 1.5)
        tp.send("stop", 0.3)
        tp.wait_for(r"Accumulated forward statistics for all ports", 20)
        for pool in pools:
            tp.send("dump_mempool " + pool, 0.1)
            tp.wait_for(r"mempool <%s>@[^\n]*\n(?:.*\n)*?\s*"
                        r"common_pool_count=\d+" % re.escape(pool), 20)
        if ops == LABYRINTH:
            try:
                for pool in pools:
                    st[pool] = lt_dpdk.telemetry(
                        prefix, ["/labyrinth/mempool," + pool])[0].get(
                            "/labyrinth/mempool")
            except (OSError, ValueError) as e:
                print("note: telemetry socket unavailable (%s)" % e)
        out = tp.finish()
    finally:
        tp.kill()

    print("(testpmd ran %.1f s)" % (time.time() - tp.t0))
    problems = []
    if tp.p.returncode != 0:
        problems.append("testpmd: " + status_text(tp.p.returncode))
    m = re.search(r"mempool ops selected: (\S+)", out)
    if not m or m.group(1) != ops:
        problems.append("testpmd did not select ops %s (%s)" %
                        (ops, m.group(0) if m else "no such log line"))
    stats = lt_dpdk.fwd_stats(out)
    if stats is None:
        problems.append("no forward statistics")
    else:
        print("forwarded: RX %d TX %d" % stats)
        if stats[0] == 0 or stats[1] == 0:
            problems.append("nothing forwarded: RX %d TX %d" % stats)
    for pool in pools:
        d = lt_dpdk.parse_pool_dump(out, pool)
        if d is None:
            problems.append("no dump_mempool output for " + pool)
            continue
        print("%s: ops %s, populated_size=%d, common_pool_count=%d, "
              "total_cache_count=%d" %
              (pool, d["ops"], d["size"], d["common"], d["cached"]))
        if d["ops"] != ops:
            problems.append("%s has ops <%s>, not <%s>" %
                            (pool, d["ops"], ops))
        if d["size"] != NB_MBUFS:
            problems.append("%s: populated_size=%d, not the %d mbufs asked "
                            "for" % (pool, d["size"], NB_MBUFS))
        if d["common"] + d["cached"] != d["size"]:
            problems.append(
                "%s: %d of %d mbufs not back after stop: common_pool_count"
                "=%d + total_cache_count=%d != populated_size=%d" %
                (pool, d["size"] - d["common"] - d["cached"], d["size"],
                 d["common"], d["cached"], d["size"]))
        t = st.get(pool)
        if t is not None:
            print("telemetry /labyrinth/mempool,%s: %s" % (pool, t))
            if t.get("rejected_returns", 0) != 0:
                problems.append("%s: telemetry rejected_returns=%d (objects "
                                "the driver refused to take back)" %
                                (pool, t["rejected_returns"]))
    if ops == LABYRINTH:
        seen = {}
        for m in DRIVER_COMPLAINTS.finditer(out):
            line = m.group(0).strip()
            seen[line] = seen.get(line, 0) + 1
        for line, n in seen.items():
            problems.append("the driver logged %d time%s: %s" %
                            (n, "" if n == 1 else "s", line))
    return problems, out


def run_testpmd(args):
    exe = exe_or_skip(args.testpmd, "dpdk-testpmd")
    huge = lt_dpdk.hugepages_usable()
    alloc = args.alloc
    if alloc == "nohuge":
        eal_mem, alloc = ["--no-huge", "-m", "512"], "native"
    else:
        if alloc == "xmemhuge" and not huge:
            skip("--mp-alloc=xmemhuge needs hugepages (a hugetlbfs mount "
                 "and 64 free 2 MiB pages); the other variants still run")
        eal_mem = mem_args(huge)
    client = "dpdk-testpmd --mp-alloc=%s%s" % (
        alloc, " under --no-huge -m 512" if "--no-huge" in eal_mem else "")
    for ops in (CONTROL, LABYRINTH):
        problems, out = testpmd_once(args, exe, ops, eal_mem, alloc)
        verdict(ops, client, problems, out)
    print("ok")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True,
                    help="test name (file prefixes: name_<ops>_<pid>)")
    ap.add_argument("--dpdk-test", default="")
    ap.add_argument("--testpmd", default="")
    ap.add_argument("--timeout", type=int, default=60,
                    help="seconds per dpdk-test run")
    sub = ap.add_subparsers(dest="mode", required=True)
    a = sub.add_parser("autotest")
    a.add_argument("test")
    t = sub.add_parser("testpmd")
    t.add_argument("alloc", choices=["native", "xmem", "xmemhuge", "xbuf",
                                     "nohuge"])
    args = ap.parse_args()
    if args.mode == "autotest":
        run_autotest(args)
    else:
        run_testpmd(args)


if __name__ == "__main__":
    main()
