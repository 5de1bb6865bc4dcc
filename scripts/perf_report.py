#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
"""Write report.md and its gnuplot plots from the figures that
scripts/perf-report.sh collected in DATA (bench.json, bench-oversub.json,
latency-cdf.dat, fwd.json, testpmd-ops.json, atomics.txt, callgrind.txt,
steps.txt). Standard library only; gnuplot is optional (the plots are
skipped, with a note in the report, when it is missing).

    scripts/perf_report.py --data DIR --out DIR [--elapsed S] [--quick] ...
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess

PLOTS = ("latency-cdf.png", "scaling.png", "empty.png", "forwarding.png")


# ---------------------------------------------------------------- inputs

def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def figures(bench):
    """{(section, name, unit): figure} of a labyrinth-bench JSON."""
    out = {}
    for g in (bench or {}).get("figures", []):
        if g.get("valid"):
            out[(g["section"], g["name"], g["unit"])] = g
    return out


def parse_atomics(path):
    res = {}
    try:
        for line in open(path):
            k, v = line.split()
            res[k] = float(v)
    except (OSError, ValueError):
        pass
    return res


def parse_callgrind(path):
    """Inclusive Ir per call of each ir_* function of perf-ir, and of the
    labyrinth calls it makes: {name: Ir}. N is read from the call counts."""
    try:
        text = open(path).read()
    except OSError:
        return {}
    res = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+\*\s+\S*:(ir_\w+) \[", line)
        if m:
            cur = m.group(2)
            res[cur] = {"incl": int(m.group(1).replace(",", "")), "calls": {}}
            continue
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+>\s+\S*:(\w+) \(([\d,]+)x\)",
                     line)
        if m and cur:
            res[cur]["calls"][m.group(2)] = (int(m.group(1).replace(",", "")),
                                             int(m.group(3).replace(",", "")))
            continue
        if not line.strip():
            cur = None
    return res


def parse_perf(report_path, annotate_path):
    """From perf record of perf-ir: [(function, % of all samples, % of the
    function's samples on a locked instruction)]. cpu-clock samples skid
    to the instruction after the one that took the time, so a sample on
    the instruction right after a `lock` one counts as the lock's."""
    share = {}
    try:
        for line in open(report_path):
            p = line.split()
            if len(p) >= 4 and p[0].endswith("%") and p[1] == "perf-ir" \
                    and p[2] == "[.]":
                share[p[3]] = float(p[0][:-1])
    except (OSError, ValueError):
        return []
    res = []
    try:
        text = open(annotate_path).read()
    except OSError:
        return []
    for block in text.split("=== ")[1:]:
        lines = block.splitlines()
        fn = lines[0].strip()
        total = locked = 0.0
        prev_lock = False
        for line in lines[1:]:
            m = re.match(r"\s*([\d.]+)\s+:\s+[0-9a-f]+:\s+(\S+)", line)
            if not m:
                continue
            pct, op = float(m.group(1)), m.group(2)
            total += pct
            if op == "lock" or prev_lock:
                locked += pct
            prev_lock = op == "lock"
        if total > 0:
            res.append((fn, share.get(fn), locked / total * 100))
    return res


def parse_steps(path):
    steps = []
    try:
        for line in open(path):
            p = line.split()
            if len(p) >= 3:
                steps.append((p[0], p[1], p[2]))
    except OSError:
        pass
    return steps


# ---------------------------------------------------------------- format

def num(v, digits=None):
    if v is None:
        return "n/a"
    if digits is not None:
        return "%.*f" % (digits, v)
    a = abs(v)
    if a >= 1000:
        return "%.0f" % v
    if a >= 100:
        return "%.1f" % v
    if a >= 10:
        return "%.2f" % v
    return "%.2f" % v


def med(v):
    return statistics.median(v) if v else None


def mmm(v):
    """median, min, max of a list (None if empty)."""
    if not v:
        return None, None, None
    return statistics.median(v), min(v), max(v)


class Target:
    def __init__(self, tid, what, value, op, limit, where, note=""):
        self.tid, self.what, self.value = tid, what, value
        self.op, self.limit, self.where, self.note = op, limit, where, note

    def known(self):
        return self.value is not None

    def passed(self):
        if self.value is None:
            return None
        if self.op == "<=":
            return self.value <= self.limit
        return self.value >= self.limit

    def verdict(self):
        p = self.passed()
        if p is None:
            return "n/a"
        if self.op == "<=":
            off = (self.value / self.limit - 1) * 100
        else:
            off = (1 - self.value / self.limit) * 100
        if p:
            return "PASS"
        return "MISS by %.0f%%" % off

    def row(self):
        return "| %s | %s | %s | %s %s | %s | %s |" % (
            self.tid, self.what, num(self.value), self.op, num(self.limit),
            "**%s**" % self.verdict() if self.passed() is False
            else self.verdict(), self.where)


# ---------------------------------------------------------------- gnuplot

def gnuplot_terminal():
    """pngcairo if this gnuplot has it, else png; None without gnuplot."""
    gp = shutil.which("gnuplot")
    if gp is None:
        return None
    for term in ("pngcairo", "png"):
        r = subprocess.run([gp, "-e", "set terminal %s" % term],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
        if r.returncode == 0 and "unknown" not in r.stderr.lower():
            return term
    return None


def run_gnuplot(term, path, script, data_dir, out_png, size="900,560"):
    if term is None:
        return False
    font = "font 'sans,10'" if term == "pngcairo" else "font 'sans' 10"
    head = ("set terminal %s size %s %s noenhanced\n"
            "set output '%s'\n" % (term, size, font, out_png))
    with open(path, "w") as f:
        f.write(head + script)
    r = subprocess.run(["gnuplot", os.path.basename(path)], cwd=data_dir,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode != 0:
        print("perf_report: gnuplot %s failed:\n%s" % (path, r.stdout[-2000:]))
        return False
    return True


# ---------------------------------------------------------------- report

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--elapsed", type=float, default=None)
    ap.add_argument("--load", default="?")
    ap.add_argument("--load-end", default="?")
    ap.add_argument("--busy", default="?")
    ap.add_argument("--git", default="?")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    # Defaults from the run's own record (scripts/perf-report.sh writes it).
    run = load_json(os.path.join(args.data, "run.json")) or {}
    for key in ("elapsed", "load", "load_end", "busy", "git"):
        if key in run and getattr(args, key) in (None, "?"):
            setattr(args, key, run[key])
    args.quick = args.quick or bool(run.get("quick"))

    D = args.data
    bench = load_json(os.path.join(D, "bench.json"))
    over = load_json(os.path.join(D, "bench-oversub.json"))
    fwd = load_json(os.path.join(D, "fwd.json"))
    tpo = load_json(os.path.join(D, "testpmd-ops.json"))
    atom = parse_atomics(os.path.join(D, "atomics.txt"))
    ir = parse_callgrind(os.path.join(D, "callgrind.txt"))
    steps = parse_steps(os.path.join(D, "steps.txt"))
    prof = parse_perf(os.path.join(D, "perf-report.txt"),
                      os.path.join(D, "perf-annotate.txt"))
    F = figures(bench)
    FO = figures(over)
    term = gnuplot_terminal()
    # plots go next to report.md; gnuplot runs in DATA, so paths from there
    rel_out = os.path.relpath(args.out, D)

    def fg(sec, name, unit, src=None):
        return (src if src is not None else F).get((sec, name, unit))

    def fmed(sec, name, unit, src=None):
        g = fg(sec, name, unit, src)
        return g["median"] if g else None

    def ratio(a, b):
        return a / b if a is not None and b else None

    md = []
    w = md.append
    runs = bench["runs"] if bench else "?"

    # ------------------------------------------------------------ targets
    lab_c = fmed("pair", "labyrinth cache 256", "ns/pair")
    lab_nc = fmed("pair", "labyrinth no cache", "ns/pair")
    ring_c = fmed("pair", "mempool ring_mp_mc cache 256", "ns/pair")
    stack_c = fmed("pair", "mempool stack cache 256", "ns/pair")
    ring_nc = fmed("pair", "mempool ring_mp_mc cache 0", "ns/pair")
    stack_nc = fmed("pair", "mempool stack cache 0", "ns/pair")
    best_c = min([x for x in (ring_c, stack_c) if x is not None], default=None)
    rmalloc = fmed("pair", "rte_malloc 4 KiB", "ns/pair")
    glibc = fmed("pair", "glibc malloc 4 KiB", "ns/pair")

    sizes = (("1 Ki", 1024), ("64 Ki", 65536), ("1024 Ki", 1048576))
    empty = {}
    for cname in ("no cache", "cache 256"):
        empty[cname] = [fmed("empty", "labyrinth %s, %s pages of 64 B" %
                             (cname, s), "ns/fail") for s, _ in sizes]
    ring_empty = fmed("empty", "mempool ring_mp_mc cache 0, empty", "ns/fail")
    all_empty = [x for v in empty.values() for x in v if x is not None]
    flat = {}
    for cname, v in empty.items():
        v = [x for x in v if x is not None]
        flat[cname] = max(v) / min(v) if v else None

    agg2 = fmed("scale", "labyrinth no cache, 2 lcores", "x 1 lcore")

    def lat(name, pct):
        return fmed("latency", "%s %s" % (name, pct), "ns")

    def fwd_runs(mode, who, kind="wall"):
        try:
            return fwd["runs"][mode][who][kind]
        except (TypeError, KeyError):
            return []

    def tpo_runs(cache, ops):
        try:
            return tpo["runs"][cache][ops]
        except (TypeError, KeyError):
            return []

    def paired(a, b):
        """Per-round ratios a[i] / b[i] of alternated runs."""
        return [x / y for x, y in zip(a, b) if y]

    fwd_io = ratio(med(fwd_runs("io", "fwd")), med(fwd_runs("io", "testpmd")))
    fwd_mac = ratio(med(fwd_runs("macswap", "fwd")),
                    med(fwd_runs("macswap", "testpmd")))
    tp_def = ratio(med(tpo_runs("default", "labyrinth")),
                   med(tpo_runs("default", "ring_mp_mc")))
    tp_0 = ratio(med(tpo_runs("0", "labyrinth")), med(tpo_runs("0", "stack")))

    T = [
        Target("T1", "cached grab+free pair / best cached rte_mempool pair",
               ratio(lab_c, best_c), "<=", 1.0, "[1](#1-grabfree-pair-1-lcore)"),
        Target("T2", "cache-less pair / ring_mp_mc cache 0 pair",
               ratio(lab_nc, ring_nc), "<=", 0.7, "[1](#1-grabfree-pair-1-lcore)"),
        Target("T3", "cache-less aggregate, 2 pinned lcores / 1 lcore", agg2,
               ">=", 1.8, "[3](#3-scaling)"),
        Target("T4", "rte_malloc 4 KiB pair / cached labyrinth pair "
               "(speed-up)", ratio(rmalloc, lab_c), ">=", 20.0,
               "[1](#1-grabfree-pair-1-lcore)"),
        Target("T5", "slowest failed grab on an empty pool / empty "
               "ring_mp_mc get", ratio(max(all_empty) if all_empty else None,
                                       ring_empty), "<=", 1.5,
               "[4](#4-empty-pool-failure-cost)"),
        Target("T6", "flat: slowest / fastest failed grab, 1 Ki..1 Mi pages, "
               "no cache", flat["no cache"], "<=", 1.25,
               "[4](#4-empty-pool-failure-cost)"),
        Target("T7", "flat: slowest / fastest failed grab, 1 Ki..1 Mi pages, "
               "cache 256", flat["cache 256"], "<=", 1.25,
               "[4](#4-empty-pool-failure-cost)"),
        Target("T8", "grab p99.9 / p50, labyrinth cache 256",
               ratio(lat("labyrinth cache 256", "p99.9"),
                     lat("labyrinth cache 256", "p50")), "<=", 4.0,
               "[2](#2-latency-of-single-grabs)"),
        Target("T9", "grab p99.9 / p50, labyrinth no cache",
               ratio(lat("labyrinth no cache", "p99.9"),
                     lat("labyrinth no cache", "p50")), "<=", 4.0,
               "[2](#2-latency-of-single-grabs)"),
        Target("T10", "labyrinth-fwd io / testpmd io (Mpps)", fwd_io, ">=",
               1.0, "[5](#5-forwarding)"),
        Target("T11", "labyrinth-fwd macswap / testpmd mac (Mpps)", fwd_mac,
               ">=", 1.0, "[5](#5-forwarding)"),
        Target("T12", "testpmd, labyrinth ops / ring_mp_mc, default cache",
               tp_def, ">=", 1.0, "[5](#5-forwarding)"),
        Target("T13", "testpmd, labyrinth ops / stack, --mbcache=0", tp_0,
               ">=", 1.0, "[5](#5-forwarding)"),
    ]
    meta_pct = None
    g = fg("meta", "labyrinth, 8192 x 4096 B, cache 256", "B/page")
    if g:
        meta_pct = g["median"] / 4096 * 100
    T.append(Target("T14", "metadata, % of page bytes (8 Ki pages of 4 KiB; "
                    "issue 2)", meta_pct, "<=", 1.0,
                    "[6](#6-metadata-bytes-per-page)"))
    tmap = {t.tid: t for t in T}

    # Fast-path targets (issue 10): default and strict pools.
    cas_ns = atom.get("lock_cmpxchg")
    lab_sc = fmed("pair", "labyrinth strict cache 256", "ns/pair")
    bulk_lab = fmed("pair", "labyrinth bulk 32, cache 256", "ns/page")
    bulk_mp = min([x for x in (
        fmed("pair", "mempool ring_mp_mc bulk 32, cache 256", "ns/object"),
        fmed("pair", "mempool stack bulk 32, cache 256", "ns/object"))
        if x is not None], default=None)
    llf_worst, llf_worst_order = None, None
    for o in range(10):
        r = ratio(fmed("llfree", "labyrinth order %d (%d KiB)" % (o, 4 << o),
                       "ns/pair"),
                  fmed("llfree", "LLFree order %d (%d KiB)" % (o, 4 << o),
                       "ns/pair"))
        if r is not None and (llf_worst is None or r > llf_worst):
            llf_worst, llf_worst_order = r, o
    remote = ratio(
        fmed("scale", "labyrinth cache 256, 2 lcores, remote free",
             "Mpairs/s"),
        fmed("scale", "mempool ring_mp_mc cache 256, 2 lcores, remote free",
             "Mpairs/s"))

    def better_tp(cache):
        """The better anchor ops: the higher median Mpps over the rounds."""
        ring, stack = tpo_runs(cache, "ring_mp_mc"), tpo_runs(cache, "stack")
        if not ring or not stack:
            return None
        return "stack" if med(stack) >= med(ring) else "ring_mp_mc"

    def best_tp(cache):
        """Labyrinth paired per round with the better anchor ops."""
        ops = better_tp(cache)
        per = paired(tpo_runs(cache, "labyrinth"), tpo_runs(cache, ops)) \
            if ops else []
        return med(per) if per else None

    def best_tp_max(cache):
        """Labyrinth paired per round with the faster of the two anchors in
        that round: a max of two noisy runs, biased upwards (the reports'
        definition until b4cccac), shown beside the targets."""
        rounds = [max(a, b) for a, b in zip(tpo_runs(cache, "ring_mp_mc"),
                                            tpo_runs(cache, "stack"))]
        per = paired(tpo_runs(cache, "labyrinth"), rounds)
        return med(per) if per else None

    def tail(name):
        return ratio(lat(name, "p99.9"), lat(name, "p50"))

    lab_tail = tail("labyrinth cache 256")
    mp_tail = tail("mempool ring_mp_mc cache 256")
    FT = [
        Target("F1", "default cached pair / best cached rte_mempool pair",
               ratio(lab_c, best_c), "<=", 1.0,
               "[1](#1-grabfree-pair-1-lcore)"),
        Target("F2", "default bulk 32 per page / best rte_mempool bulk 32 "
               "per object", ratio(bulk_lab, bulk_mp), "<=", 1.5,
               "[1](#1-grabfree-pair-1-lcore)"),
        Target("F3", "strict cached pair / (best cached rte_mempool pair "
               "+ one locked CAS)", ratio(lab_sc, best_c + cas_ns)
               if best_c and cas_ns else None, "<=", 1.2,
               "[1](#1-grabfree-pair-1-lcore)"),
        Target("F4", "cache-less pair / ring_mp_mc cache 0 pair",
               ratio(lab_nc, ring_nc), "<=", 1.0,
               "[1](#1-grabfree-pair-1-lcore)"),
        Target("F5", "cache-less aggregate, 2 pinned lcores / 1 lcore",
               agg2, ">=", 1.8, "[3](#3-scaling)"),
        Target("F6", "cache-less block pair / LLFree, worst order 0..9%s" %
               (" (order %d)" % llf_worst_order
                if llf_worst_order is not None else ""), llf_worst, "<=",
               1.0, "[7](#7-blocks-beside-llfree)"),
        Target("F7", "remote-free pipeline, 2 lcores, cache 256 / "
               "ring_mp_mc (Mpairs/s)", remote, ">=", 1.0,
               "[3](#3-scaling)"),
        Target("F8", "testpmd, labyrinth ops / better of ring_mp_mc and "
               "stack (%s), default cache (paired)" %
               (better_tp("default") or "n/a"), best_tp("default"), ">=",
               1.0, "[5](#5-forwarding)"),
        Target("F9", "testpmd, labyrinth ops / better of ring_mp_mc and "
               "stack (%s), --mbcache=0 (paired)" %
               (better_tp("0") or "n/a"), best_tp("0"), ">=", 1.0,
               "[5](#5-forwarding)"),
        Target("F10", "grab p99.9/p50 cache 256 / rte_mempool's own ratio",
               ratio(lab_tail, mp_tail), "<=", 1.0,
               "[2](#2-latency-of-single-grabs)"),
    ]

    # ------------------------------------------------------------ header
    w("# Labyrinth performance report")
    w("")
    w("Generated by `scripts/perf-report.sh%s` (see [README.md](README.md)); "
      "do not edit by hand." % (" --quick" if args.quick else ""))
    w("")
    if args.quick:
        w("> **--quick smoke run: 1 run per figure and tiny N. The figures "
          "are noise; only the plumbing is checked.**")
        w("")
    w("| | |")
    w("|---|---|")
    w("| source | `%s` |" % args.git)
    if bench:
        w("| CPU | %s, TSC %.1f MHz, %d lcores used, TSC step %d cycles |" % (
            bench["cpu"], bench["tsc_hz"] / 1e6, bench["lcores"],
            bench["tsc_step_cycles"]))
        w("| build | %s, %s, `-march=%s` (%s); default pools' bulk loops "
          "of 4 KiB pages: %s |" % (
              bench["dpdk"], bench["compiler"], bench["march"], bench["isa"],
              bench.get("bulk_loops", "scalar (no record)")))
        w("| memory | %s |" % ("2 MiB hugepages" if bench["hugepages"]
                              else "--no-huge -m 512 (no usable hugepages)"))
    w("| load | load average %s at the start (CPUs %s%% busy in the second "
      "before), %s at the end |" % (args.load, args.busy, args.load_end))
    w("| runs | every figure: median of %s run(s), with min and max; "
      "alternated A/B within one run |" % runs)
    if args.elapsed is not None:
        w("| elapsed | %.0f s for the whole suite (%s) |" % (
            args.elapsed, ", ".join("%s %s s" % (n, t) for n, rc, t in steps
                                     if rc != "skipped")))
    failed = [n for n, rc, t in steps if rc not in ("0", "skipped")]
    if failed:
        w("| **failed parts** | %s (see `data/*.log`) |" % ", ".join(failed))
    w("")

    # ------------------------------------------------------------ targets
    w("## Targets")
    w("")
    w("Ratios of medians measured in this run. A MISS gives how far the "
      "figure is from the limit; [Why targets are missed](#why-targets-are-"
      "missed) explains each one.")
    w("")
    w("| | target | measured | limit | verdict | section |")
    w("|---|---|---|---|---|---|")
    for t in T:
        w(t.row())
    npass = sum(1 for t in T if t.passed())
    nmiss = sum(1 for t in T if t.passed() is False)
    w("")
    w("%d passed, %d missed, %d n/a." % (npass, nmiss,
                                        len(T) - npass - nmiss))
    w("")
    w("### Fast-path targets (default and strict pools)")
    w("")
    w("The targets of the fast-path work, from the same figures. Locked "
      "instructions per operation are counted by the `unit_locked` test "
      "(0 on every cached path of a default pool, 1 per free in a strict "
      "pool, 2 per cache-less pair); why the misses stay is in "
      "[docs/perf/fast-path.md](fast-path.md).")
    w("")
    w("| | target | measured | limit | verdict | section |")
    w("|---|---|---|---|---|---|")
    for t in FT:
        w(t.row())
    w("")
    w("%d passed, %d missed, %d n/a." % (
        sum(1 for t in FT if t.passed()),
        sum(1 for t in FT if t.passed() is False),
        sum(1 for t in FT if t.passed() is None)))
    w("")
    w("F8 and F9 pair each round's labyrinth run with the same round's run "
      "of the better anchor ops, the one with the higher median over the "
      "rounds. Paired instead with whichever of the two anchors was faster "
      "in that round (the definition of the reports before this one: a "
      "maximum of two noisy runs: for two pools at parity it exceeds "
      "either one's mean by about 0.56 standard deviations of one run): "
      "F8 %s, F9 "
      "%s." % (num(best_tp_max("default")), num(best_tp_max("0"))))
    w("")

    # ------------------------------------------------------------ 1 pair
    w("## 1. Grab+free pair, 1 lcore")
    w("")
    w("A loop of N grab+free pairs of one object on lcore 0; ns per pair "
      "(bulk: per object, one call of 32 each way; order k: per block of "
      "2^k pages). The variants run round-robin, one round per run. "
      "*ratio* compares with the best anchor of the same shape: the faster "
      "of ring_mp_mc and stack with the same cache size (orders: the "
      "aligned rte_malloc of the same size); *vs best cached* divides by the "
      "fastest cached single-object rte_mempool pair.")
    w("")
    w("| variant | median | min | max | unit | ratio | anchor | vs best cached |")
    w("|---|---|---|---|---|---|---|---|")
    for (sec, name, unit), g in F.items():
        if sec != "pair":
            continue
        vb = ""
        if best_c and unit in ("ns/pair",):
            vb = "%.2fx" % (g["median"] / best_c)
        w("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            name, num(g["median"]), num(g["min"]), num(g["max"]), unit,
            "%.2fx" % g["ratio"] if g.get("ratio") is not None else "",
            g.get("anchor") or "", vb))
    w("")
    w("Targets: T1 (cached ≤ 1.0× rte_mempool cached): %s; T2 (cache-less "
      "≤ 0.7× ring_mp_mc cache 0): %s; T4 (≥ 20× faster than rte_malloc): "
      "%s. glibc malloc 4 KiB: %s ns per pair." % (
          tmap["T1"].verdict(), tmap["T2"].verdict(), tmap["T4"].verdict(),
          num(glibc)))
    w("")

    # ------------------------------------------------------------ 2 latency
    w("## 2. Latency of single grabs")
    w("")
    w("Each grab timed alone on pinned lcore 0: `rte_rdtsc()`, the grab, "
      "`rte_rdtsc()`; batches of 32 grabs, then 32 untimed frees; the "
      "samples kept in one 4 KiB page and folded into a histogram every "
      "1024, untimed. Percentiles are medians over the runs (min..max in "
      "brackets). The TSC here advances in steps of %s cycles (%s ns), so "
      "every sample is a multiple of that step; each includes a read of "
      "the TSC, %s cycles (%s ns; the *timer alone* line is two reads "
      "with nothing between). The CDF shows the shape." % (
          bench["tsc_step_cycles"] if bench else "?",
          num(bench["tsc_step_cycles"] / bench["tsc_hz"] * 1e9)
          if bench else "?",
          bench.get("tsc_read_cycles", "?") if bench else "?",
          num(bench["tsc_read_cycles"] / bench["tsc_hz"] * 1e9)
          if bench and "tsc_read_cycles" in bench else "?"))
    w("")
    w("| variant | p50 ns | p99 ns | p99.9 ns | max ns | p99.9 / p50 "
      "| first of batch above p99 |")
    w("|---|---|---|---|---|---|---|")
    for v in ("labyrinth cache 256", "labyrinth strict cache 256",
              "labyrinth no cache", "labyrinth strict no cache",
              "mempool ring_mp_mc cache 256", "mempool ring_mp_mc cache 0",
              "timer alone (rdtsc pair)"):
        cells = []
        for p in ("p50", "p99", "p99.9", "max"):
            g = fg("latency", "%s %s" % (v, p), "ns")
            cells.append("%s (%s..%s)" % (num(g["median"]), num(g["min"]),
                                          num(g["max"])) if g else "n/a")
        r = ratio(lat(v, "p99.9"), lat(v, "p50"))
        g = fg("latency", v + " first of batch above p99", "%")
        w("| %s | %s | %s | %s |" % (
            v, " | ".join(cells), "%.2f" % r if r is not None else "n/a",
            "%.1f %%" % g["median"] if g else "n/a"))
    w("")
    w("*First of batch above p99*: of the samples above the run's p99, "
      "the share that were the first grab after the 32 untimed frees; "
      "about 3 % (1 in 32) when the tail falls anywhere. A fence after "
      "the frees keeps their last cycles out of that grab's sample "
      "(`tests/bench/latency_harness.sh` holds the cached pools under "
      "20 %); a default cache-less labyrinth's first grab takes the page its last "
      "free put back, its own path.")
    w("")
    w("![latency CDF](latency-cdf.png)")
    w("")
    w("Targets: T8 and T9 (p99.9 ≤ 4× p50): %s, %s. The max is one "
      "sample in %s and is an interrupt or a preemption, not the "
      "allocator." % (tmap["T8"].verdict(), tmap["T9"].verdict(),
                      "{:,}".format(bench["n"] * runs) if bench else "?"))
    w("")

    # ------------------------------------------------------------ 3 scaling
    pools = ("labyrinth no cache", "labyrinth strict no cache",
             "labyrinth cache 256", "labyrinth strict cache 256",
             "mempool ring_mp_mc cache 0", "mempool ring_mp_mc cache 256")
    w("## 3. Scaling")
    w("")
    w("Aggregate grab+free pairs per second over all lcores (Mpairs/s; one "
      "pair is one grab and one free, i.e. 2 operations), from the first "
      "start to the last end. 1 and 2 lcores: pinned, `-l 0-1`. 4 and 8 "
      "lcores: `--lcores '(0-7)@(0,1)'`, 8 EAL threads floating over the "
      "2 CPUs (oversubscribed). *remote free*: lcore i grabs, lcore i+1 "
      "frees, through an SPSC ring (whose cost is in both pools' "
      "figures). *x 1 lcore*: median of the per-round ratios to the "
      "1-lcore aggregate of the same pool and invocation.")
    w("")
    w("| pool | frees | lcores | Mpairs/s median | min | max | x 1 lcore |")
    w("|---|---|---|---|---|---|---|")
    scale_pts = {}
    for remote in (False, True):
        for p in pools:
            for k in (1, 2, 4, 8):
                if remote and k == 1:
                    continue
                src = F if k <= 2 else FO
                name = "%s, %d lcore%s%s" % (p, k, "s" if k > 1 else "",
                                             ", remote free" if remote else "")
                g = fg("scale", name, "Mpairs/s", src)
                x = fg("scale", name, "x 1 lcore", src)
                if g is None:
                    continue
                scale_pts.setdefault((p, remote), []).append(
                    (k, g["median"], g["min"], g["max"]))
                w("| %s | %s | %d%s | %s | %s | %s | %s |" % (
                    p, "remote" if remote else "local", k,
                    "" if k <= 2 else " (oversub.)", num(g["median"]),
                    num(g["min"]), num(g["max"]),
                    num(x["median"]) if x else ""))
    w("")
    w("![scaling](scaling.png)")
    w("")
    w("Target T3 (cache-less 2-lcore aggregate ≥ 1.8× one lcore, pinned): "
      "%s." % tmap["T3"].verdict())
    w("")

    # ------------------------------------------------------------ 4 empty
    w("## 4. Empty-pool failure cost")
    w("")
    w("Every page is taken, then N grabs are timed, all of which fail "
      "(`GFP_NORMAL`, reserve 0). Pools of 1 Ki, 64 Ki and 1 Mi pages of "
      "64 B, default and strict (`LABYRINTH_F_STRICT`); the targets are "
      "the default pools'. The anchor is `rte_mempool_get` on an empty "
      "ring_mp_mc pool with cache 0.")
    w("")
    w("| variant | 1 Ki pages | 64 Ki pages | 1 Mi pages | slowest / fastest |"
      " slowest / anchor |")
    w("|---|---|---|---|---|---|")
    for cname in ("no cache", "strict no cache", "cache 256",
                  "strict cache 256"):
        cells, v = [], []
        for s, _ in sizes:
            g = fg("empty", "labyrinth %s, %s pages of 64 B" % (cname, s),
                   "ns/fail")
            cells.append("%s (%s..%s)" % (num(g["median"]), num(g["min"]),
                                          num(g["max"])) if g else "n/a")
            if g:
                v.append(g["median"])
        # a strict row only where the run had strict pools
        if not v and cname.startswith("strict "):
            continue
        fl = max(v) / min(v) if v else None
        w("| labyrinth %s | %s | %s | %s |" % (
            cname, " | ".join(cells), "%.2f" % fl if fl else "n/a",
            "%.2fx" % (max(v) / ring_empty) if v and ring_empty else "n/a"))
    for name in ("mempool ring_mp_mc cache 0, empty",
                 "mempool ring_mp_mc cache 256, empty"):
        g = fg("empty", name, "ns/fail")
        if g:
            w("| %s (any size) | %s (%s..%s) | | | | |" % (
                name, num(g["median"]), num(g["min"]), num(g["max"])))
    w("")
    w("![empty-pool failure](empty.png)")
    w("")
    w("Targets: T5 (≤ 1.5× an empty ring_mp_mc get): %s; flat (T6, T7: "
      "slowest ≤ 1.25× fastest): %s, %s." % (
          tmap["T5"].verdict(), tmap["T6"].verdict(), tmap["T7"].verdict()))
    w("")

    # ------------------------------------------------------------ 5 fwd
    w("## 5. Forwarding")
    w("")
    if fwd is None and tpo is None:
        w("Not run: dpdk-testpmd was not found, or both scripts failed "
          "(see `data/fwd.log`, `data/testpmd-ops.log`).")
        w("")
    if fwd is not None:
        w("`scripts/bench-fwd.sh`: labyrinth-fwd (pool ops `%s`) against "
          "dpdk-testpmd (its default pool ops, ring_mp_mc) on a net_null "
          "pair, `-l 0-1` (one forwarding lcore), %d round(s); each round "
          "runs labyrinth-fwd io and testpmd io, labyrinth-fwd macswap and "
          "testpmd mac (who goes first in each pair alternating from round "
          "to round), then labyrinth-fwd page-copy, %.0f s warm-up and "
          "%.0f s measured each. Mpps received over both ports. *cpu* is "
          "Mpps per second the forwarding thread was on a CPU (schedstat), "
          "which depends less on other load. *paired* is the median "
          "(min..max) of the per-round ratios." % (
              fwd["fwd_pool_ops"], fwd["rounds"], fwd["warmup_s"],
              fwd["window_s"]))
        w("")
        w("| mode | labyrinth-fwd Mpps med (min..max) | testpmd Mpps med "
          "(min..max) | ratio | paired | cpu ratio |")
        w("|---|---|---|---|---|---|")
        for mode, tp in (("io", "io"), ("macswap", "mac"),
                         ("page-copy", None)):
            a = fwd_runs(mode, "fwd")
            b = fwd_runs(mode, "testpmd") if tp else []
            ma, mb = mmm(a), mmm(b)
            cell = lambda m: ("%s (%s..%s)" % (num(m[0]), num(m[1]),
                                               num(m[2])) if m[0] is not None
                              else "-")
            r = ratio(ma[0], mb[0])
            pr = mmm(paired(a, b))
            rc = ratio(med(fwd_runs(mode, "fwd", "cpu")),
                       med(fwd_runs(mode, "testpmd", "cpu"))) if tp else None
            w("| %s | %s | %s | %s | %s | %s |" % (
                mode if tp is None else "%s / %s" % (mode, tp), cell(ma),
                cell(mb), "%.2fx" % r if r else "-",
                "%.2f (%.2f..%.2f)" % pr if pr[0] else "-",
                "%.2fx" % rc if rc else "-"))
        w("")
    if tpo is not None:
        w("`scripts/bench-testpmd-ops.py`: dpdk-testpmd io forwarding on a "
          "net_null pair, one forwarding core, mbuf pool ops labyrinth "
          "(the plugin, `-d`), ring_mp_mc and stack, with testpmd's default "
          "mempool cache and with `--mbcache=0`; %d round(s), the six "
          "configurations alternating within each round, the ops' order "
          "rotated from round to round (the first run of a round was "
          "slower: the labyrinth, always first until then, measured "
          "0.95-0.97x the anchors where it measured 0.99-1.01x in the "
          "middle), %.1f s measured each. Ratios are of medians; "
          "*paired* is the median (min..max) of the per-round ratios." % (
              tpo["rounds"], tpo["window_s"]))
        w("")
        w("| mbcache | ops | Mpps median | min | max | labyrinth / this | "
          "paired |")
        w("|---|---|---|---|---|---|---|")
        for c in ("default", "0"):
            lab = tpo_runs(c, "labyrinth")
            for ops in ("labyrinth", "ring_mp_mc", "stack"):
                v = tpo_runs(c, ops)
                m = mmm(v)
                if m[0] is None:
                    continue
                r = ratio(med(lab), m[0]) if ops != "labyrinth" else None
                pr = mmm(paired(lab, v)) if ops != "labyrinth" else (None,)
                w("| %s | %s | %s | %s | %s | %s | %s |" % (
                    c, ops, num(m[0]), num(m[1]), num(m[2]),
                    "%.2fx" % r if r else "",
                    "%.2f (%.2f..%.2f)" % pr if pr[0] else ""))
        w("")
    # How noisy were the forwarding runs, and was it this VM's doing?
    spreads, cpu_share = [], []
    if fwd is not None:
        for mode in ("io", "macswap", "page-copy"):
            for who in ("fwd", "testpmd"):
                v = [x for x in fwd_runs(mode, who) if x > 0]
                c = fwd_runs(mode, who, "cpu")
                if len(v) > 1:
                    spreads.append(max(v) / min(v))
                cpu_share += [x / y for x, y in zip(v, c) if y > 0]
    if tpo is not None:
        for c in ("default", "0"):
            for ops in ("labyrinth", "ring_mp_mc", "stack"):
                v = [x for x in tpo_runs(c, ops) if x > 0]
                if len(v) > 1:
                    spreads.append(max(v) / min(v))
    if spreads and max(spreads) > 1.2:
        txt = ("**Noise.** The runs of one configuration spread by up to "
               "%.2f× (max / min; median spread %.2f×)." % (
                   max(spreads), statistics.median(spreads)))
        if cpu_share and min(cpu_share) > 0.95:
            txt += (" The labyrinth-fwd and testpmd forwarding threads were "
                    "on a CPU for %s%% of every measured window (wall / cpu "
                    "figures), so the slow runs are not the forwarding "
                    "thread being preempted: they come from interference "
                    "it cannot see (work on the other CPU sharing caches "
                    "and memory, or the host under this VM). The "
                    "alternation spreads it over all configurations; the "
                    "paired ratios are the figures to read." % (
                        "≈100" if min(cpu_share) >= 0.995 else
                        "at least %.0f" % (min(cpu_share) * 100)))
        w(txt)
        w("")
    w("![forwarding](forwarding.png)")
    w("")
    w("Targets: T10, T11 (labyrinth-fwd ≥ 1.0× testpmd io, mac): %s, %s; "
      "T12 (plugin ≥ 1.0× ring_mp_mc, default cache): %s; T13 (plugin ≥ "
      "1.0× stack at --mbcache=0): %s." % (
          tmap["T10"].verdict(), tmap["T11"].verdict(),
          tmap["T12"].verdict(), tmap["T13"].verdict()))
    w("")

    # ------------------------------------------------------------ 6 meta
    w("## 6. Metadata bytes per page")
    w("")
    w("DPDK heap growth caused by creating the pool, less the page bytes, "
      "per page (`rte_malloc_get_socket_stats` before and after): memzones, "
      "malloc element headers, the map, the owner records and every "
      "per-lcore structure for RTE_MAX_LCORE lcores. *stats* is the "
      "library's own account (`labyrinth_stats.metadata_bytes`).")
    w("")
    w("| pool | B/page | % of page | stats B/page |")
    w("|---|---|---|---|")
    for (sec, name, unit), g in F.items():
        if sec != "meta" or "(stats.metadata_bytes)" in name:
            continue
        m = re.search(r"x (\d+) B", name)
        pct = g["median"] / int(m.group(1)) * 100 if m else None
        st = fg("meta", name + " (stats.metadata_bytes)", "B/page")
        w("| %s | %s | %s | %s |" % (name, num(g["median"]),
                                     "%.3f%%" % pct if pct is not None
                                     else "", num(st["median"]) if st
                                     else "n/a"))
    w("")

    # ------------------------------------------------------------ 7 LLFree
    w("## 7. Blocks beside LLFree")
    w("")
    w("Cache-less grab+free pairs of one block of 2^k pages on one lcore "
      "(`labyrinth-bench --only llfree`), on a default and on a strict "
      "(`LABYRINTH_F_STRICT`) pool, beside LLFree's get and put of "
      "the same order on as many 4 KiB frames, alternated round-robin "
      "(at least 9 rounds). A ratio below 1 means labyrinth is faster; "
      "F6 is the default pool's.")
    w("")
    w("| order | labyrinth ns/pair | LLFree ns/pair | ratio | "
      "labyrinth strict ns/pair | strict ratio |")
    w("|---|---|---|---|---|---|")
    for o in range(10):
        a_ = fmed("llfree", "labyrinth order %d (%d KiB)" % (o, 4 << o),
                  "ns/pair")
        b_ = fmed("llfree", "LLFree order %d (%d KiB)" % (o, 4 << o),
                  "ns/pair")
        s_ = fmed("llfree", "labyrinth strict order %d (%d KiB)" %
                  (o, 4 << o), "ns/pair")
        if a_ is None and b_ is None and s_ is None:
            continue
        w("| %d | %s | %s | %s | %s | %s |" % (
            o, num(a_), num(b_) if b_ is not None else "not found",
            "%.2f" % (a_ / b_) if a_ and b_ else "", num(s_),
            "%.2f" % (s_ / b_) if s_ and b_ else ""))
    w("")

    # ------------------------------------------------------------ why
    w("## Why targets are missed")
    w("")
    missed = [t for t in T if t.passed() is False]
    if not missed:
        w("Every target was met in this run.")
    else:
        w("Missed in this run: %s. The cost of the primitives and the "
          "instruction counts come first; then one paragraph per miss." %
          ", ".join(t.tid for t in missed))
    w("")
    w("**Cost of the primitives on this CPU** (`perf-atomics`, back to "
      "back on one cached line, best of 5, this run):")
    w("")
    if atom:
        w("| locked CAS | locked OR | plain load+store | rdtsc |")
        w("|---|---|---|---|")
        w("| %s ns | %s ns | %s ns | %s ns |" % (
            num(atom.get("lock_cmpxchg")), num(atom.get("lock_or")),
            num(atom.get("plain_load_store")), num(atom.get("rdtsc"))))
    else:
        w("(perf-atomics was not run.)")
    w("")
    lock = atom.get("lock_cmpxchg")
    if ir:
        w("**Instructions per operation** (callgrind on `perf-ir`: each "
          "operation in its own `noipa` function, inclusive Ir / calls):")
        w("")
        w("| operation | Ir per call | of which labyrinth_alloc_page | "
          "labyrinth_free_page |")
        w("|---|---|---|---|")
        labels = (
            ("ir_lab_pair_cache", "labyrinth pair, cache 256"),
            ("ir_lab_pair_nocache", "labyrinth pair, no cache"),
            ("ir_mp_ring_pair_cache", "rte_mempool pair, ring_mp_mc cache 256"),
            ("ir_mp_stack_pair_cache", "rte_mempool pair, stack cache 256"),
            ("ir_mp_ring_pair_nocache", "rte_mempool pair, ring_mp_mc cache 0"),
            ("ir_mp_stack_pair_nocache", "rte_mempool pair, stack cache 0"),
            ("ir_lab_bulk32", "labyrinth bulk 32 grab + free, cache 256 (per call: 32 pages)"),
            ("ir_mp_ring_bulk32", "rte_mempool bulk 32 get + put, ring_mp_mc cache 256 (per call)"),
            ("ir_lab_fail", "labyrinth failed grab, empty, no cache"),
            ("ir_mp_ring_fail", "rte_mempool failed get, empty ring_mp_mc"),
            ("ir_rte_malloc_pair", "rte_malloc + rte_free 4 KiB"),
            ("ir_libc_malloc_pair", "malloc + free 4 KiB"),
        )
        # N: the calls of the labyrinth functions from the cached pair.
        n = None
        for fn in ("ir_lab_pair_cache", "ir_lab_fail"):
            c = ir.get(fn, {}).get("calls", {}).get("labyrinth_alloc_page")
            if c:
                n = c[1]
                break
        n = n or 100000
        for fn, label in labels:
            e = ir.get(fn)
            if not e:
                continue
            sub = []
            for callee in ("labyrinth_alloc_page", "labyrinth_free_page"):
                c = e["calls"].get(callee)
                sub.append("%.0f" % (c[0] / c[1]) if c else "")
            w("| %s | %.0f | %s |" % (label, e["incl"] / n, " | ".join(sub)))
        w("")
    if prof:
        w("**Where the time goes** (`perf record -e cpu-clock` of `perf-ir` "
          "on CPU 1, each operation of the table above 2 million times; `data/"
          "perf-annotate.txt`). For each library function with samples: "
          "its share of all samples, and the share of its own samples that "
          "sit on a locked instruction (a `lock cmpxchg` or `lock or`; "
          "sampling skid puts them on the next instruction, counted with "
          "it):")
        w("")
        w("| function | % of all samples | % of its samples on locked "
          "instructions |")
        w("|---|---|---|")
        for fn, sh, lk in prof:
            w("| `%s` | %s | %.0f%% |" % (fn, "%.1f%%" % sh if sh is not None
                                         else "?", lk))
        w("")
    irv = lambda fn: (ir[fn]["incl"] / 100000.0) if fn in ir else None

    def why(tid, text):
        t = tmap[tid]
        if t.passed() is not False:
            return
        w("- **%s, %s** (%s %s %s: %s). %s" % (tid, t.what, num(t.value),
                                               t.op, num(t.limit),
                                               t.verdict(), text))

    # T1
    cas = num(lock) if lock else "≈5.3"
    ir_lab = irv("ir_lab_pair_cache")
    ir_mp = irv("ir_mp_ring_pair_cache")
    why("T1", "The cached labyrinth pair costs %s ns, rte_mempool's %s ns. "
        "In default pools it takes no locked instruction (the `unit_locked` "
        "test counts 0 per pair; the owner record is released with a plain "
        "store, and only `LABYRINTH_F_STRICT` pools pay one CAS per free, "
        "%s ns here). Both are inline in the caller. What is left is "
        "instructions%s: per page the pool validates the pointer (one "
        "rotated-index comparison), writes the page's owner record on the "
        "grab and reads, checks and writes it on the free (a second cache "
        "line per operation), checks the zone's budget against the min "
        "watermark on both sides and bumps one per-lcore counter on each; "
        "rte_mempool's cached get and put only move a pointer in and out of "
        "the per-lcore cache and check nothing. Both loops are bound by the "
        "same chain through the cache's length (a store, then a load of it, "
        "on each side of the pair), so the extra instructions show only "
        "where they no longer fit beside it (docs/perf/fast-path.md)." % (
            num(lab_c), num(best_c), cas,
            " (%.0f Ir against %.0f Ir per pair under callgrind)" % (
                ir_lab, ir_mp) if ir_lab and ir_mp else ""))
    # T2
    limit2 = ring_nc * 0.7 if ring_nc else None
    why("T2", "0.7× ring_mp_mc cache 0 is %s ns here. A cache-less pair "
        "needs two locked read-modify-writes on the atomic map (claim a "
        "bit, set it back; `unit_locked` counts 2.0 per pair in default "
        "pools, 3 in strict ones, whose free CASes the owner record): %s "
        "ns at %s ns each, before any other instruction. %s No map with "
        "one bit per page meets it without batching (claiming several bits "
        "per atomic and keeping them, which is a cache: the cached path). "
        "The measured pair is %s ns; ring_mp_mc's cache-0 pair also pays a "
        "CAS on the ring head for the get and one for the put, but checks "
        "no owner record and no watermark." % (
            num(limit2), num(2 * lock) if lock else "?", cas,
            ("Even two locked ops (%s ns) exceed the target." %
             num(2 * lock)) if lock and limit2 and 2 * lock > limit2 else
            ("Two locked ops (%s ns) leave %s ns for the record, the "
             "tokens and the watermark check." % (
                 num(2 * lock), num(limit2 - 2 * lock))
             if lock and limit2 else ""),
            num(lab_nc)))
    # T3
    why("T3", "On the cache-less path two pinned lcores share the map words "
        "they claim bits from and put them back into (per-lcore start hints "
        "spread them over different words) and, once per batch of tokens, "
        "the zone's budget counter; the figure depends above all on the "
        "second CPU being free of other work. Load average at "
        "the start of this run: %s. Earlier reports measured 1.89× to "
        "2.01× (docs/perf/fast-path.md, F5); with another process spinning "
        "on CPU 1 it falls below 1.1×, and rte_mempool's falls as well." %
        args.load)
    # T4
    why("T4", "rte_malloc 4 KiB + rte_free costs %s ns here (%s Ir under "
        "callgrind; most of them are rte_free() clearing the 4 KiB it "
        "frees, as DPDK's heap zeroes freed memory), not the 177 ns of "
        "the issue's reference machine. 20× "
        "would need a labyrinth pair of %s ns (a default pool's cached "
        "pair takes no locked instruction), and rte_mempool's cached pair, "
        "which checks nothing, costs %s ns: even it is only %s× faster "
        "than rte_malloc here. The "
        "target scales with rte_malloc's speed on the machine; at the "
        "reference 177 ns the measured labyrinth pair would be %s× faster."
        % (num(rmalloc), "%.0f" % irv("ir_rte_malloc_pair")
           if irv("ir_rte_malloc_pair") else "?",
           num(rmalloc / 20) if rmalloc else "?", num(best_c),
           "%.1f" % (rmalloc / best_c) if rmalloc and best_c else "?",
           "%.1f" % (177.0 / lab_c) if lab_c else "?"))
    # T5
    why("T5", "An empty ring_mp_mc get costs %s ns (%s Ir): "
        "`rte_mempool_get()` is inline in the application and makes one "
        "indirect call into the ring driver, which reads the ring's head "
        "and tail and returns. "
        "The labyrinth's refusal is a call into the library (%s ns, %s Ir): "
        "the inline fast path finds no cached page and no token, falls to "
        "the out-of-line slow path, which checks the arguments and the "
        "lcore again, refuses in O(1) when the zone's budget is at its "
        "reserve, and counts the failure. It is flat in the pool size (T6, "
        "T7), which is the property O(1) asks for; the ratio is a library "
        "call against an inline check." % (
            num(ring_empty), "%.0f" % irv("ir_mp_ring_fail")
            if irv("ir_mp_ring_fail") else "?",
            num(max(all_empty)) if all_empty else "?",
            "%.0f" % irv("ir_lab_fail") if irv("ir_lab_fail") else "?"))
    why("T8", "Single samples are multiples of the TSC step and each "
        "includes a read of the TSC (the *timer alone* line); a tail "
        "above 4x p50 is events in the timed grabs: see the CDF and the "
        "*first of batch* column in section 2 (until the harness kept its "
        "samples in one page and fenced the untimed frees, its page walks "
        "and the frees' last cycles made these tails).")
    why("T9", "As T8.")

    def spread(a, b):
        pr = mmm(paired(a, b))
        if pr[0] is None:
            return ""
        if pr[2] >= 1.0:
            return ("The per-round ratios range over %.2f..%.2f and reach "
                    "1.0: the difference is within the run-to-run spread "
                    "of this run." % (pr[1], pr[2]))
        return ("Every round was below 1.0 (per-round ratios %.2f..%.2f)."
                % (pr[1], pr[2]))
    why("T10", "labyrinth-fwd io against testpmd io, same cores, same "
        "net_null ports, alternated. " + spread(fwd_runs("io", "fwd"),
                                                fwd_runs("io", "testpmd")))
    why("T11", "macswap against testpmd's mac mode. " +
        spread(fwd_runs("macswap", "fwd"), fwd_runs("macswap", "testpmd")))
    why("T12", "With the default mempool cache the cache serves nearly "
        "every get and put, so the ops differ only on cache refills and "
        "flushes. " + spread(tpo_runs("default", "labyrinth"),
                             tpo_runs("default", "ring_mp_mc")))
    why("T13", "At --mbcache=0 every mbuf goes through the driver. A "
        "return is the object's index from its address (the page table, "
        "the chunk and a multiplication by the stride's reciprocal) and one "
        "atomic OR of its map bit, which also rejects a double return (both "
        "ops names); a dequeue of 32 claims bits with one CAS or exchange "
        "per map word and writes each object's hold record. The stack "
        "driver stores or loads pointers under its spinlock, whose two "
        "locked instructions are cheap on a CPU where a locked CAS costs "
        "%s ns. A build whose OR was a plain store measured the same ratio "
        "(docs/perf/fast-path.md): the cost is the translation and the "
        "per-object dequeue work, not the locked instruction. " % cas +
        spread(tpo_runs("0", "labyrinth"), tpo_runs("0", "stack")))
    w("")
    bulk_c = fmed("pair", "labyrinth bulk 32, cache 256", "ns/page")
    mp_bulk = fmed("pair", "mempool ring_mp_mc bulk 32, cache 256",
                   "ns/object")
    bulk_s = fmed("pair", "labyrinth bulk 32 scattered, cache 256",
                  "ns/page")
    if bulk_c and lab_c:
        w("Not a target, but worth knowing: `labyrinth_alloc_bulk` / "
          "`labyrinth_free_bulk` of 32 cost %s ns per page against %s ns "
          "for single pages, and rte_mempool's bulk %s ns per object. The "
          "bulk calls take no locked instruction in default pools (one per "
          "page freed in strict pools, %s ns each), but each page's owner "
          "record is still read and written on both sides, where "
          "rte_mempool copies 32 pointers." % (
              num(bulk_c), num(lab_c), num(mp_bulk), cas))
        w("")
    if bulk_c and bulk_s:
        w("F2's bulk takes a run of consecutive pages, as a refill leaves "
          "the cache (a map word's pages in order) and as bursts grabbed "
          "and freed in the same order keep it. Where the CPU has AVX2 "
          "(this run: %s), such a run's pointers and records move four "
          "pages to an instruction (`lib/labyrinth/labyrinth_simd.c`). "
          "With the cache's pages scattered first (`labyrinth bulk 32 "
          "scattered`), every bulk takes the scalar loops: %s ns per page, "
          "%s the best rte_mempool bulk." % (
              bench.get("bulk_loops", "n/a") if bench else "n/a",
              num(bulk_s), "%sx" % num(ratio(bulk_s, bulk_mp))
              if bulk_mp else "n/a x"))
        w("")
    w("Profiles: `perf stat` counters are not available in this VM; "
      "`perf record` (cpu-clock sampling) and `valgrind --tool=callgrind` "
      "work. The instruction counts above come from callgrind "
      "(`scripts/perf-report.sh --callgrind`, `data/callgrind.txt`).")
    w("")

    # ------------------------------------------------------------ method
    w("## Machine and method")
    w("")
    w("- Everything ran on the same 2 CPUs, one part after the other: "
      "labyrinth-bench on `-l 0-1` (sections 1, 2, 3 pinned, 4, 6), "
      "labyrinth-bench `--lcores '(0-7)@(0,1)' --only scale` (section 3 "
      "oversubscribed), `scripts/bench-fwd.sh`, "
      "`scripts/bench-testpmd-ops.py`, then perf-atomics and callgrind.")
    w("- Timing: each timed loop is bracketed by `rte_rdtsc_precise()`. "
      "Every figure is the median of the runs, with min and max. Within a "
      "section the variants alternate round-robin (round r starts at "
      "variant r mod V), so drift hits all alike; the forwarding scripts "
      "alternate their configurations within each round and rotate their "
      "order from round to round (`tests/bench/testpmd_ops_order.sh`, "
      "`tests/bench/fwd_order.sh`).")
    w("- The machine is shared: other processes on these 2 CPUs make the "
      "medians worse, the 2-lcore and forwarding figures most. The load "
      "at the start is in the header.")
    w("- Raw data: `data/bench.json`, `data/bench-oversub.json` (every "
      "run of every figure), `data/latency-cdf.dat`, `data/fwd.json`, "
      "`data/testpmd-ops.json`, the logs, and the gnuplot scripts "
      "`data/*.gp`.")
    w("- Method of each figure in detail: [docs/benchmark.md]"
      "(../benchmark.md), [docs/labyrinth-fwd.md](../labyrinth-fwd.md#"
      "benchmark), [docs/mempool-driver.md](../mempool-driver.md#"
      "benchmark).")
    w("")

    # ------------------------------------------------------------ plots
    plots_ok = []
    note = None
    if term is None:
        note = ("gnuplot is not installed (or has no png terminal): the "
                "plots were skipped. Install it (`apt-get install -y "
                "gnuplot-nox`) and run the script again.")
    else:
        plots_ok = make_plots(term, D, rel_out, F, scale_pts, sizes, empty,
                              ring_empty, fwd, tpo, fwd_runs, tpo_runs)
        missing = [p for p in PLOTS if p not in plots_ok]
        if missing:
            note = "gnuplot failed for: %s (see the .gp files in data/)." % (
                ", ".join(missing))
    if note:
        md.insert(md.index("## Targets"), "> **Plots:** " + note + "\n")

    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("perf_report: wrote %s (%d targets: %d passed, %d missed; plots: "
          "%s)" % (os.path.join(args.out, "report.md"), len(T), npass, nmiss,
                   ", ".join(plots_ok) or "none"))


def make_plots(term, D, rel_out, F, scale_pts, sizes, empty, ring_empty,
               fwd, tpo, fwd_runs, tpo_runs):
    ok = []
    out = lambda name: os.path.join(rel_out, name)

    # latency CDF: the data file from labyrinth-bench
    if os.path.exists(os.path.join(D, "latency-cdf.dat")):
        s = ("set multiplot layout 1,2 title 'Latency of single grabs "
             "(pinned lcore, rdtsc around each grab, all runs pooled; "
             "samples are TSC-quantised and include the timer)'\n"
             "set xlabel 'ns'\nset logscale x\nset xrange [5:*]\n"
             "set grid\nset key right bottom\n"
             "set title 'CDF'\nset ylabel 'fraction of grabs at or below'\n"
             "set yrange [0:1.02]\n"
             "plot for [i=0:6] 'latency-cdf.dat' index i using 1:2 "
             "with steps lw 2 title columnheader(1)\n"
             "set title 'Tail: 1 - CDF (log)'\n"
             "set ylabel 'fraction of grabs above'\n"
             "set logscale y\nset yrange [1e-7:1]\nset key right top\n"
             "plot for [i=0:6] 'latency-cdf.dat' index i using 1:(1 - $2 "
             "> 0 ? 1 - $2 : 1e-9) with steps lw 2 title columnheader(1)\n"
             "unset multiplot\n")
        if run_gnuplot(term, os.path.join(D, "latency-cdf.gp"), s, D,
                       out("latency-cdf.png"), size="1100,520"):
            ok.append("latency-cdf.png")

    # scaling: two panels, local and remote frees
    with open(os.path.join(D, "scaling.dat"), "w") as f:
        f.write("# lcores median min max (Mpairs/s); 1-2 pinned, 4-8 "
                "oversubscribed\n")
        idx = []
        for remote in (False, True):
            for p in ("labyrinth no cache", "labyrinth cache 256",
                      "mempool ring_mp_mc cache 0",
                      "mempool ring_mp_mc cache 256"):
                pts = scale_pts.get((p, remote), [])
                f.write('"%s"\n' % p)
                for k, m, lo, hi in pts:
                    f.write("%d %g %g %g\n" % (k, m, lo, hi))
                if not pts:
                    f.write("nan nan nan nan\n")
                f.write("\n\n")
                idx.append((remote, p))
    lines = []
    for panel, remote in ((0, False), (1, True)):
        plots = []
        for i, (r, p) in enumerate(idx):
            if r != remote:
                continue
            plots.append("'scaling.dat' index %d using 1:2:3:4 with "
                         "yerrorlines lw 2 pt 7 title '%s'" % (i, p))
        lines.append("set title '%s frees'\nplot %s\n" % (
            "Local" if not remote else "Remote", ", \\\n  ".join(plots)))
    s = ("set multiplot layout 1,2 title 'Aggregate grab+free pairs/s "
         "(1, 2 lcores pinned; 4, 8 lcores oversubscribed on 2 CPUs; "
         "bars: min..max)'\n"
         "set logscale x 2\nset xrange [0.8:10]\nset xtics (1,2,4,8)\n"
         "set logscale y\nset xlabel 'lcores'\n"
         "set ylabel 'Mpairs/s, all lcores (log)'\nset grid\n"
         "set key outside bottom center horizontal maxrows 2 samplen 2\n"
         + "".join(lines) + "unset multiplot\n")
    if run_gnuplot(term, os.path.join(D, "scaling.gp"), s, D,
                   out("scaling.png"), size="1100,520"):
        ok.append("scaling.png")

    # empty-pool failure cost vs pool size
    with open(os.path.join(D, "empty.dat"), "w") as f:
        f.write("# pages median min max (ns per failed grab)\n")
        for cname in ("no cache", "cache 256"):
            f.write('"labyrinth %s"\n' % cname)
            for s_, pages in sizes:
                g = F.get(("empty", "labyrinth %s, %s pages of 64 B" %
                           (cname, s_), "ns/fail"))
                if g:
                    f.write("%d %g %g %g\n" % (pages, g["median"], g["min"],
                                               g["max"]))
            f.write("\n\n")
    anchor = ring_empty if ring_empty else float("nan")
    s = ("set title 'Failed grab on an empty pool, 1 lcore (bars: min..max)'\n"
         "set xlabel 'pool size (pages of 64 B)'\n"
         "set ylabel 'ns per failed grab'\n"
         "set logscale x 2\nset xrange [512:2097152]\n"
         "set xtics ('1 Ki' 1024, '64 Ki' 65536, '1 Mi' 1048576)\n"
         "set yrange [0:*]\nset grid\nset key right bottom opaque\n"
         "a = %g\n"
         "plot 'empty.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 "
         "title columnheader(1), \\\n"
         "  'empty.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 5 "
         "title columnheader(1), \\\n"
         "  a with lines lw 2 dt 1 lc rgb 'black' title 'empty ring_mp_mc "
         "get (anchor)', \\\n"
         "  1.5 * a with lines lw 1 dt 2 lc rgb 'red' title 'target: "
         "1.5x anchor'\n" % anchor)
    if run_gnuplot(term, os.path.join(D, "empty.gp"), s, D, out("empty.png")):
        ok.append("empty.png")

    # forwarding bars: labyrinth-fwd vs testpmd, and testpmd ops
    with open(os.path.join(D, "forwarding.dat"), "w") as f:
        f.write("# label median min max (Mpps)\n")
        for mode, tp in (("io", "io"), ("macswap", "mac"),
                         ("page-copy", None)):
            m = mmm(fwd_runs(mode, "fwd"))
            f.write('"labyrinth-fwd %s" %s\n' % (mode, " ".join(
                "%g" % x if x is not None else "nan" for x in m)))
            if tp:
                m = mmm(fwd_runs(mode, "testpmd"))
                f.write('"testpmd %s" %s\n' % (tp, " ".join(
                    "%g" % x if x is not None else "nan" for x in m)))
        f.write("\n\n")
        for c in ("default", "0"):
            for ops in ("labyrinth", "ring_mp_mc", "stack"):
                m = mmm(tpo_runs(c, ops))
                f.write('"%s %s" %s\n' % (
                    ops, "cache" if c == "default" else "mbcache=0",
                    " ".join("%g" % x if x is not None else "nan" for x in m)))
        f.write("\n")
    s = ("set multiplot layout 1,2 title 'Forwarding on a net_null pair, "
         "1 forwarding lcore (median; bars: min..max)'\n"
         "set style fill solid 0.6 border -1\nset boxwidth 0.6\n"
         "set yrange [0:*]\nset grid y\nset ylabel 'Mpps'\n"
         "set xtics rotate by -30 left\nunset key\n"
         "set title 'labyrinth-fwd vs dpdk-testpmd'\n"
         "plot 'forwarding.dat' index 0 using 0:2:(0.6):(int($0) % 2 == 0 "
         "|| int($0) == 4 ? 1 : 2):xtic(1) with boxes lc variable, \\\n"
         "  '' index 0 using 0:2:3:4 with yerrorbars lc rgb 'black' lw 1.5 pt 0\n"
         "set title 'dpdk-testpmd io, mbuf pool ops'\n"
         "plot 'forwarding.dat' index 1 using 0:2:(0.6):(int($0) % 3 == 0 "
         "? 1 : int($0) % 3 == 1 ? 2 : 3):xtic(1) with boxes lc variable, "
         "\\\n"
         "  '' index 1 using 0:2:3:4 with yerrorbars lc rgb 'black' lw 1.5 pt 0\n"
         "unset multiplot\n")
    if fwd is not None or tpo is not None:
        if run_gnuplot(term, os.path.join(D, "forwarding.gp"), s, D,
                       out("forwarding.png"), size="1100,520"):
            ok.append("forwarding.png")
    return ok


if __name__ == "__main__":
    main()
