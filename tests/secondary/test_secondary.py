#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
"""Suite 'secondary': stock DPDK secondaries (dpdk-proc-info, dpdk-pdump)
of a primary on the labyrinth mempool driver, with the -d arguments that
labyrinth-secondary-args prints (DPDK bugzilla 1073).

  testpmd   primary dpdk-testpmd -d <plugin> on a net_null pair. Control:
            proc-info with -d <plugin> alone names the wrong ops. Then
            labyrinth-secondary-args for proc-info, pdump and testpmd:
            proc-info shows ops "labyrinth" and every mbuf in the pool;
            pdump captures forwarded packets into a pcap file; the
            primary's driver saw no bad call; after "stop" the pool is full
            (dump_mempool).
  fwd       primary labyrinth-fwd (driver built in) on a net_null pair:
            the same with --plugin; labyrinth-fwd ends with every mbuf
            back ("mbufs missing: 0", "result: clean").
  nomatch   primary labyrinth-fwd; --for dpdk-testpmd (which links
            librte_mempool_dpaa, index 0) cannot match: exit 1, a message
            on stderr, nothing on stdout.

Each run has its own --file-prefix; every process is bounded in time and
killed on failure; hugepage files of the prefix are removed at exit.
Environment (meson): LT_MEMPOOL_PLUGIN, LT_PLUGIN_DIR, LD_LIBRARY_PATH.
"""

import argparse
import atexit
import glob
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import lt_dpdk  # noqa: E402
from lt_dpdk import Testpmd, fail, skip  # noqa: E402

POOL_TESTPMD = "mb_pool_0"
POOL_FWD = "lfwd_mbuf_s0"
NB_MBUFS = 8192
# net_null forwards tens of Mpps and pdump writes them as fast: stop it as
# soon as the file holds this much (the ring's rest is flushed on exit).
CAPTURE_BYTES = 256 * 1024


def exe_or_skip(path, name):
    if not path or not os.access(path, os.X_OK):
        skip("%s not found" % name)
    return path


def hugepage_cleanup(prefix):
    """At exit: hugepage files of prefix left by a killed process."""
    def rm():
        try:
            with open("/proc/mounts") as f:
                mounts = [l.split()[1] for l in f if " hugetlbfs " in l]
        except OSError:
            return
        for m in mounts:
            for p in glob.glob(os.path.join(m, prefix + "map_*")):
                try:
                    os.unlink(p)
                except OSError:
                    pass
    atexit.register(rm)


def new_prefix(name):
    prefix = lt_dpdk.file_prefix(name)
    hugepage_cleanup(prefix)
    return prefix


def secondary_args(tool, prefix, extra):
    """labyrinth-secondary-args' -d list (a list of words)."""
    cmd = [tool, "--file-prefix=" + prefix, "-v"] + extra
    print("+ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    sys.stdout.write(r.stderr)
    if r.returncode != 0:
        fail("labyrinth-secondary-args exited %d: %s" %
             (r.returncode, r.stderr.strip()))
    words = r.stdout.split()
    print("  -> %s" % " ".join(words))
    if len(words) % 2 or any(w != "-d" for w in words[0::2]):
        fail("labyrinth-secondary-args printed more than -d arguments: %r"
             % r.stdout)
    return words


def proc_info(prefix, dargs, pool):
    """dpdk-proc-info --show-mempool: the dump of pool (lt_dpdk's
    parse_pool_dump) and the whole output."""
    cmd = ["dpdk-proc-info", "--file-prefix=" + prefix, "--no-pci",
           "--log-level=lib.eal:error"] + dargs + ["--", "--show-mempool"]
    print("+ " + " ".join(cmd), flush=True)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        fail("dpdk-proc-info did not finish within 60 s")
    out = r.stdout + r.stderr
    if r.returncode != 0:
        fail("dpdk-proc-info exited %d" % r.returncode, out)
    return lt_dpdk.parse_pool_dump(out, pool), out


def pcap_packets(path, limit=1000):
    """Packets in a pcap file (counted up to limit; -1 if not a pcap)."""
    try:
        with open(path, "rb") as f:
            hdr = f.read(24)
            if len(hdr) < 24:
                return 0
            magic, = struct.unpack("<I", hdr[:4])
            if magic in (0xa1b2c3d4, 0xa1b23c4d):
                endian = "<"
            elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
                endian = ">"
            else:
                return -1
            n = 0
            while n < limit:
                rec = f.read(16)
                if len(rec) < 16:
                    break
                incl, = struct.unpack(endian + "I", rec[8:12])
                data = f.read(incl)
                if len(data) < incl:
                    break
                n += 1
            return n
    except OSError:
        return 0


def pdump(prefix, dargs, port, workdir):
    """dpdk-pdump capturing port's tx into a pcap file until it holds
    CAPTURE_BYTES; the packets in the file. The file goes to a short path
    of its own: dpdk-pdump cuts tx-dev paths at 56 characters."""
    pcapdir = tempfile.mkdtemp(prefix="lt-pdump-")
    atexit.register(shutil.rmtree, pcapdir, True)
    pcap = os.path.join(pcapdir, "tx.pcap")
    if len(pcap) > 50:
        fail("no short folder for the pcap file (%s): set TMPDIR" % pcap)
    cmd = ["dpdk-pdump", "--file-prefix=" + prefix, "--no-pci",
           "--log-level=lib.eal:error"] + dargs + \
        ["--", "--pdump", "port=%d,queue=*,tx-dev=%s" % (port, pcap)]
    print("+ " + " ".join(cmd), flush=True)
    log = open(os.path.join(workdir, "pdump.log"), "w+")
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        end = time.time() + 30
        while time.time() < end and p.poll() is None:
            if os.path.exists(pcap) and \
                    os.path.getsize(pcap) >= CAPTURE_BYTES:
                break
            time.sleep(0.01)
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        log.seek(0)
        fail("dpdk-pdump did not stop on SIGINT", log.read())
    log.seek(0)
    out = log.read()
    log.close()
    if p.returncode != 0:
        fail("dpdk-pdump exited %d" % p.returncode, out)
    n = pcap_packets(pcap)
    size = os.path.getsize(pcap) if os.path.exists(pcap) else 0
    print("pdump: %d bytes of pcap, %s packets" %
          (size, "%d+" % n if n >= 1000 else n))
    shutil.rmtree(pcapdir, True)
    if n <= 0:
        fail("dpdk-pdump captured no packet (pcap %d bytes)" % size, out)
    return n


def check_dump(d, pool, size, full):
    if d is None:
        fail("no dump of " + pool)
    print("%s: ops <%s>, populated_size=%d, common_pool_count=%d, "
          "total_cache_count=%d" %
          (pool, d["ops"], d["size"], d["common"], d["cached"]))
    if d["ops"] != "labyrinth":
        fail("%s: ops <%s>, not <labyrinth>" % (pool, d["ops"]), d["text"])
    if d["size"] != size:
        fail("%s: populated_size=%d, not %d" % (pool, d["size"], size),
             d["text"])
    if full and d["common"] + d["cached"] != size:
        fail("%s: common_pool_count %d + total_cache_count %d != %d" %
             (pool, d["common"], d["cached"], size), d["text"])
    if not 0 < d["common"] + d["cached"] <= size:
        fail("%s: implausible counts" % pool, d["text"])


def driver_clean(prefix, pool):
    """The primary's driver saw no bad call and no rejected return."""
    t = lt_dpdk.telemetry(prefix, ["/labyrinth/mempool," + pool])[0]
    t = t.get("/labyrinth/mempool")
    if not isinstance(t, dict):
        fail("no /labyrinth/mempool,%s in the primary: %r" % (pool, t))
    print("primary's driver: bad_pool_calls=%d rejected_returns=%d" %
          (t["bad_pool_calls"], t["rejected_returns"]))
    if t["bad_pool_calls"] or t["rejected_returns"]:
        fail("the primary's driver saw bad calls: %r" % t)
    return t


def run_testpmd(args, plugin, workdir):
    exe = exe_or_skip(args.testpmd, "dpdk-testpmd")
    prefix = new_prefix(args.name)
    eal = ["-l", "0-1", "--no-pci", "--file-prefix=" + prefix, "-d", plugin,
           "--mbuf-pool-ops-name=labyrinth",
           "--vdev", "net_null0", "--vdev", "net_null1"]
    tp = Testpmd(exe, eal, ["--forward-mode=io", "--nb-cores=1",
                            "--total-num-mbufs=%d" % NB_MBUFS])
    try:
        tp.wait_for(tp.PROMPT, 60)
        # Control: the plugin alone puts "labyrinth" at index 0 of the
        # secondary's table, where the primary (which links
        # librte_mempool_dpaa) has "dpaa": the pool reads as another ops.
        d, _ = proc_info(prefix, ["-d", plugin], POOL_TESTPMD)
        if d is not None and d["ops"] != "labyrinth":
            print("control: with -d <plugin> alone proc-info names ops "
                  "<%s> (the bug)" % d["ops"])
        else:
            print("note: control run named <%s>: this DPDK orders the "
                  "ops tables alike" % (d or {}).get("ops"))

        # What the tool prints for each secondary program.
        mine = secondary_args(args.tool, prefix,
                              ["--for", exe])
        if mine != ["-d", os.path.realpath(plugin)]:
            fail("for dpdk-testpmd itself (links librte_mempool_dpaa as "
                 "the primary does) expected -d <plugin> only, got %r" %
                 mine)
        pi = secondary_args(args.tool, prefix, ["--for", args.proc_info])
        pd = secondary_args(args.tool, prefix, ["--for", args.pdump])
        if pi[-1] != os.path.realpath(plugin) or len(pi) < 4:
            fail("for dpdk-proc-info expected a driver file before the "
                 "plugin, got %r" % pi)

        d, out = proc_info(prefix, pi, POOL_TESTPMD)
        check_dump(d, POOL_TESTPMD, NB_MBUFS, full=True)

        tp.send("start", 1)
        pdump(prefix, pd, 0, workdir)
        driver_clean(prefix, POOL_TESTPMD)
        d, out = proc_info(prefix, pi, POOL_TESTPMD)
        check_dump(d, POOL_TESTPMD, NB_MBUFS, full=False)
        tp.send("stop", 0.5)
        tp.wait_for(r"Accumulated forward statistics for all ports", 20)
        tp.send("dump_mempool " + POOL_TESTPMD, 0.1)
        tp.wait_for(r"mempool <%s>@[^\n]*\n(?:.*\n)*?\s*common_pool_count="
                    r"\d+" % POOL_TESTPMD, 20)
        out = tp.finish()
    finally:
        tp.kill()
    if tp.p.returncode != 0:
        fail("testpmd exited %d" % tp.p.returncode, out)
    st = lt_dpdk.fwd_stats(out)
    if st is None or st[1] == 0:
        fail("testpmd forwarded nothing", out)
    print("testpmd forwarded RX %d TX %d" % st)
    check_dump(lt_dpdk.parse_pool_dump(out, POOL_TESTPMD), POOL_TESTPMD,
               NB_MBUFS, full=True)
    if re.search(r"mempool/\S+: |Failed to allocate IO portal", out):
        fail("the primary logged another driver's errors", out)
    print("ok: primary's pool full after the secondaries")


class Fwd:
    """labyrinth-fwd as a primary on a net_null pair, until SIGINT."""

    def __init__(self, exe, prefix, workdir):
        self.json = os.path.join(workdir, "fwd.json")
        self.log = open(os.path.join(workdir, "fwd.log"), "w+")
        self.cmd = [exe, "-l", "0-1", "--no-pci", "--file-prefix=" + prefix,
                    "--vdev", "net_null0", "--vdev", "net_null1", "--",
                    "-T", "0", "-d", "120", "--pool-size",
                    str(NB_MBUFS - 1), "--stats-json", self.json]
        print("+ " + " ".join(self.cmd), flush=True)
        self.p = subprocess.Popen(self.cmd, stdout=self.log,
                                  stderr=subprocess.STDOUT)
        self.prefix = prefix

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def wait_ready(self, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            if self.p.poll() is not None:
                fail("labyrinth-fwd exited %d" % self.p.returncode,
                     self.output())
            try:
                r = lt_dpdk.telemetry(self.prefix, ["/labyrinth_fwd/stats"])
                if isinstance(r[0].get("/labyrinth_fwd/stats"), dict):
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        fail("labyrinth-fwd not ready within %d s" % timeout, self.output())

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            fail("labyrinth-fwd did not stop on SIGINT", self.output())
        return self.output()

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def run_fwd(args, plugin, workdir):
    exe = exe_or_skip(args.fwd, "labyrinth-fwd")
    prefix = new_prefix(args.name)
    fwd = Fwd(exe, prefix, workdir)
    try:
        fwd.wait_ready()
        if args.mode == "nomatch":
            cmd = [args.tool, "--file-prefix=" + prefix, "--plugin", plugin,
                   "--for", exe_or_skip(args.testpmd, "dpdk-testpmd")]
            print("+ " + " ".join(cmd), flush=True)
            r = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=60)
            print("exit %d, stdout %r, stderr %r" %
                  (r.returncode, r.stdout, r.stderr))
            if r.returncode != 1 or r.stdout.strip() or \
                    "no -d order can match" not in r.stderr:
                fail("expected exit 1, no output and a reason on stderr")
            fwd.stop()
            print("ok: no ordering reported")
            return
        pi = secondary_args(args.tool, prefix, ["--plugin", plugin, "--for",
                                                args.proc_info])
        pd = secondary_args(args.tool, prefix, ["--plugin", plugin, "--for",
                                                args.pdump])
        if pi[:2] != ["-d", os.path.realpath(plugin)]:
            fail("labyrinth-fwd has the driver at index 0: expected "
                 "-d <plugin> first, got %r" % pi)
        d, out = proc_info(prefix, pi, POOL_FWD)
        check_dump(d, POOL_FWD, NB_MBUFS - 1, full=False)
        pdump(prefix, pd, 0, workdir)
        driver_clean(prefix, POOL_FWD)
        out = fwd.stop()
    finally:
        fwd.kill()
    print(lt_dpdk.condense(out, 20))
    if fwd.p.returncode != 0:
        fail("labyrinth-fwd exited %d" % fwd.p.returncode, out)
    if "mbufs missing: 0;" not in out or "result: clean" not in out:
        fail("labyrinth-fwd's pool not full after the secondaries", out)
    print("ok: primary's pool full after the secondaries")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--testpmd", default="")
    ap.add_argument("--fwd", default="")
    ap.add_argument("--proc-info", default="")
    ap.add_argument("--pdump", default="")
    ap.add_argument("mode", choices=["testpmd", "fwd", "nomatch"])
    args = ap.parse_args()
    args.proc_info = exe_or_skip(args.proc_info, "dpdk-proc-info")
    args.pdump = exe_or_skip(args.pdump, "dpdk-pdump")
    if not lt_dpdk.hugepages_usable():
        skip("secondaries need hugepages (a hugetlbfs mount, 64 free)")
    plugin = lt_dpdk.mempool_plugin()
    workdir = tempfile.mkdtemp(prefix="secondary-",
                               dir=os.environ.get("LT_WORK_DIR"))
    atexit.register(shutil.rmtree, workdir, True)
    if args.mode == "testpmd":
        run_testpmd(args, plugin, workdir)
    else:
        run_fwd(args, plugin, workdir)
    print("PASS")


if __name__ == "__main__":
    main()
