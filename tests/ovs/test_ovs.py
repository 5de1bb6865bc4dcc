#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
"""Open vSwitch with DPDK (Debian's openvswitch-switch-dpdk, OVS 3.1,
DPDK 22.11) on the labyrinth mempool driver, end to end; what
docs/ovs-dpdk.md tells a user to do.

A private ovsdb-server and ovs-vswitchd-dpdk (their own run, db, log and
etc folders in a 0700 folder under /run, an EAL file prefix of their own,
one PMD thread on one CPU); other_config:dpdk-extra loads a copy of
libmempool_labyrinth.so with -d and selects it with
--mbuf-pool-ops-name=labyrinth. A netdev bridge gets two ports of type
dpdk on net_tap devices; the kernel end of each tap moves into a network
namespace of its own, with 10.200.0.1/24 and 10.200.0.2/24 inside.

Checks, in order:
  1. netdev-dpdk/get-mempool-info on both ports names one shared mempool
     with ops_name <labyrinth>; our telemetry (/labyrinth/mempools and
     /labyrinth/mempool,<pool>, through OVS's DPDK telemetry socket) lists
     it with ops_name labyrinth and every object populated.
  2. 20 pings each way with 0% loss, then 8 MiB of random data over TCP
     from one namespace to the other with the same SHA-256 at both ends;
     OVS's rx counters on both dpdk ports cover that traffic.
  3. Once the traffic stops, the mbufs in use (size - objects_free -
     objects_free_in_caches) are back to what they were before the
     traffic (the rx rings' fill), returns - claims == map_free_bits, and
     nothing was rejected.
  4. After del-br the pool is still there (OVS frees an unused mempool
     only when a later port asks for one: dpdk_mp_sweep() in
     dpdk_mp_get()), and every mbuf is back: objects_free +
     objects_free_in_caches == size.
  5. A new bridge with one dpdk port of mtu_request=500 (another mbuf
     size, hence another mempool) makes OVS sweep: the old pool is freed
     ('Freeing mempool' in OVS's debug log, gone from /labyrinth/mempools)
     and the new one is a labyrinth pool too. After its del-br all its
     mbufs are back as well.
Then OVS stops on ovs-appctl exit. Processes, namespaces, taps and folders
are removed on every exit path (atexit, SIGTERM, SIGINT).

Exits 77 only when Open vSwitch's DPDK build is not installed (scripts/
setup.sh installs openvswitch-switch-dpdk). Environment (set by meson):
LT_MEMPOOL_PLUGIN, LT_PLUGIN_DIR, LD_LIBRARY_PATH (tests/lt_dpdk.py).
Without 160 free 2 MiB hugepages (or with LT_OVS_NO_HUGE=1), EAL runs
with --no-huge -m 512 instead of dpdk-socket-mem.
"""

import argparse
import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import lt_dpdk  # noqa: E402
from lt_dpdk import fail, skip  # noqa: E402

VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
PKG = "openvswitch-switch-dpdk"
OPS = "labyrinth"
PINGS = 20
TCP_BYTES = 8 << 20
TCP_PORT = 5201
ADDR = ("10.200.0.1", "10.200.0.2")
SMALL_MTU = 500  # another mbuf size than MTU 1500's: another mempool
T0 = time.time()

STATE = {"procs": [], "netns": [], "dir": None, "logs": []}


def log(msg):
    print("[%5.1f s] %s" % (time.time() - T0, msg), flush=True)


def ok(msg):
    log("ok: " + msg)


def run(cmd, check=True, timeout=60, env=None, quiet=False):
    """Runs cmd (a list); its stdout+stderr. Fails when check and the exit
    status is not 0."""
    if not quiet:
        log("+ " + " ".join(c if "\n" not in c else "<script>"
                            for c in cmd))
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout,
                           env=env or STATE.get("env"))
    except subprocess.TimeoutExpired:
        fail("%r did not finish within %d s" % (cmd, timeout), ovs_logs())
    out = p.stdout.decode(errors="replace")
    if check and p.returncode != 0:
        fail("%r: exit status %d" % (cmd, p.returncode),
             out + "\n" + ovs_logs())
    return out


def ovs_logs():
    """The last lines of OVS's logs, for failure messages."""
    text = []
    for path in STATE["logs"]:
        try:
            with open(path, errors="replace") as f:
                text.append("--- %s\n%s" % (path, lt_dpdk.condense(
                    f.read(), 60)))
        except OSError:
            pass
    return "\n".join(text)


# --- cleanup -----------------------------------------------------------------

def cleanup():
    """Everything this run made, whatever state it stopped in."""
    d = STATE["dir"]
    ctl = STATE.get("vswitchd_ctl")
    for p in reversed(STATE["procs"]):
        if p.poll() is None and ctl and p is STATE.get("vswitchd"):
            # --cleanup: OVS also deletes the datapath's ports, such as
            # the bridge's internal port, a tap that outlives the process.
            subprocess.run(["ovs-appctl", "-t", ctl, "--timeout=5", "exit",
                            "--cleanup"],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=STATE.get("env"))
        if p.poll() is None and p is STATE.get("ovsdb") and d:
            subprocess.run(["ovs-appctl", "-t",
                            os.path.join(d, "run", "ovsdb-server.ctl"),
                            "--timeout=5", "exit"],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=STATE.get("env"))
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    STATE["procs"] = []
    for ns in STATE["netns"]:
        subprocess.run(["ip", "netns", "del", ns], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    STATE["netns"] = []
    for link in STATE.get("links", ()):
        if os.path.exists("/sys/class/net/" + link):
            subprocess.run(["ip", "link", "del", link],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if d:
        shutil.rmtree(d, ignore_errors=True)
        STATE["dir"] = None


def on_signal(signum, _frame):
    print("caught %s: cleaning up" % signal.Signals(signum).name, flush=True)
    sys.exit(1)  # runs atexit


# --- OVS ---------------------------------------------------------------------

def private_dir():
    """A 0700 folder under /run (root), no world-writable folder above it,
    short enough for OVS's unix sockets (sun_path: 108 bytes)."""
    base = "/run"
    if lt_dpdk.unsafe_above(base):
        fail("%s is world-writable" % lt_dpdk.unsafe_above(base))
    d = tempfile.mkdtemp(prefix="lovs-", dir=base)
    STATE["dir"] = d
    for sub in ("run", "db", "log", "etc"):
        os.mkdir(os.path.join(d, sub), 0o700)
    longest = os.path.join(d, "run", "ovs-vswitchd.4194304.ctl")
    if len(longest) >= 100:
        fail("private folder %s: socket paths too long" % d)
    return d


def wait_for(what, pred, timeout, out=None):
    end = time.time() + timeout
    while True:
        v = pred()
        if v:
            return v
        for p in STATE["procs"]:
            if p.poll() is not None:
                fail("%s exited (status %d) while waiting for %s" %
                     (p.args[0], p.returncode, what), ovs_logs())
        if time.time() > end:
            fail("no %s within %d s" % (what, timeout),
                 (out() if out else "") + "\n" + ovs_logs())
        time.sleep(0.1)


def start_ovs(d, plugin, prefix, huge):
    env = dict(os.environ)
    env.update(OVS_RUNDIR=d + "/run", OVS_DBDIR=d + "/db",
               OVS_LOGDIR=d + "/log", OVS_SYSCONFDIR=d + "/etc")
    STATE["env"] = env
    db = d + "/db/conf.db"
    sock = d + "/run/db.sock"
    run(["ovsdb-tool", "create", db, SCHEMA])
    slog = d + "/log/ovsdb-server.log"
    STATE["logs"].append(slog)
    cmd = ["ovsdb-server", db, "--remote=punix:" + sock,
           "--pidfile=" + d + "/run/ovsdb-server.pid",
           "--unixctl=" + d + "/run/ovsdb-server.ctl",
           "--log-file=" + slog]
    log("+ " + " ".join(cmd))
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    STATE["procs"].append(p)
    STATE["ovsdb"] = p
    wait_for("ovsdb-server socket", lambda: os.path.exists(sock), 20)

    vsctl_base = ["ovs-vsctl", "--db=unix:" + sock, "--timeout=30"]
    STATE["vsctl"] = vsctl_base
    run(vsctl_base + ["--no-wait", "init"])

    cpus = sorted(os.sched_getaffinity(0))
    pmd_cpu = cpus[-1]
    extra = ["--file-prefix=" + prefix, "-d", plugin,
             "--mbuf-pool-ops-name=" + OPS, "--no-pci"]
    conf = ["other_config:dpdk-init=true",
            "other_config:pmd-cpu-mask=0x%x" % (1 << pmd_cpu)]
    if huge:
        # dpdk-socket-limit: EAL would otherwise grow the heap to what
        # OVS's first pool asks for (262144 mbufs, about 790 MB); with a
        # limit, OVS halves the pool until it fits.
        conf += ["other_config:dpdk-socket-mem=256",
                 "other_config:dpdk-socket-limit=256"]
    else:
        print("note: no usable hugepages: EAL --no-huge -m 512")
        # --legacy-mem (implied by --no-huge) keeps OVS from adding
        # --in-memory, which EAL refuses with it.
        extra += ["--no-huge", "-m", "512", "--legacy-mem"]
    conf.append("other_config:dpdk-extra=" + " ".join(extra))
    run(vsctl_base + ["--no-wait", "set", "Open_vSwitch", "."] + conf)

    vlog = d + "/log/ovs-vswitchd.log"
    STATE["logs"].append(vlog)
    ctl = d + "/run/ovs-vswitchd.ctl"
    cmd = [VSWITCHD, "unix:" + sock,
           "--pidfile=" + d + "/run/ovs-vswitchd.pid",
           "--unixctl=" + ctl, "--log-file=" + vlog]
    log("+ " + " ".join(cmd))
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    STATE["procs"].append(p)
    STATE["vswitchd"] = p
    STATE["vswitchd_ctl"] = ctl

    def initialized():
        out = run(vsctl_base + ["get", "Open_vSwitch", ".",
                                "dpdk_initialized"], check=False, quiet=True)
        return out.strip() == "true"
    wait_for("dpdk_initialized=true", initialized, 60)
    with open(vlog, errors="replace") as f:
        eal = re.search(r"EAL ARGS: (.*)", f.read())
    log("OVS DPDK initialized; " + (eal.group(0) if eal else "?"))
    # Debug log of netdev_dpdk in the file: 'Freeing mempool "<name>"'.
    appctl("vlog/set", "netdev_dpdk:file:dbg")
    return ctl


def vsctl(*args, **kw):
    return run(STATE["vsctl"] + list(args), **kw)


def appctl(*args, **kw):
    return run(["ovs-appctl", "-t", STATE["vswitchd_ctl"], "--timeout=30"] +
               list(args), **kw)


def mempool_info(port):
    """(pool name, ops name, populated size) from get-mempool-info."""
    out = appctl("netdev-dpdk/get-mempool-info", port)
    name = re.search(r"^mempool <([^>]+)>@", out, re.M)
    ops = re.search(r"ops_name: <([^>]*)>", out)
    size = re.search(r"populated_size=(\d+)", out)
    if not name or not ops or not size:
        fail("get-mempool-info %s: no mempool, ops_name or size" % port,
             out)
    return name.group(1), ops.group(1), int(size.group(1))


def tele(*cmds):
    r = lt_dpdk.telemetry(STATE["prefix"], list(cmds))
    return r[0] if len(r) == 1 else r


def pools():
    return tele("/labyrinth/mempools")["/labyrinth/mempools"]


def pool_stats(name):
    st = tele("/labyrinth/mempool," + name)["/labyrinth/mempool"]
    if not isinstance(st, dict):
        fail("telemetry /labyrinth/mempool,%s: %r" % (name, st))
    return st


def in_use(st):
    return st["size"] - st["objects_free"] - st["objects_free_in_caches"]


def port_ok(port):
    err = vsctl("get", "Interface", port, "error", quiet=True).strip()
    if err not in ("[]", '""'):
        fail("interface %s: %s" % (port, err), ovs_logs())
    ofport = vsctl("get", "Interface", port, "ofport", quiet=True).strip()
    if not ofport.isdigit() or int(ofport) <= 0:
        fail("interface %s: ofport %s" % (port, ofport), ovs_logs())


def add_dpdk_port(br, port, n, iface, *opts):
    vsctl("add-port", br, port, "--", "set", "Interface", port, "type=dpdk",
          "options:dpdk-devargs=net_tap%d,iface=%s" % (n, iface),
          # OVS gives each port n PMD threads + 1 tx queues (2 here), and
          # net_tap wants as many rx queues as tx queues.
          "options:n_rxq=2", *opts)
    port_ok(port)


# --- namespaces and traffic --------------------------------------------------

def nsx(ns, *cmd, **kw):
    return run(["ip", "netns", "exec", ns] + list(cmd), **kw)


def setup_ns(ns, tap, addr):
    run(["ip", "netns", "add", ns])
    STATE["netns"].append(ns)
    run(["ip", "link", "set", tap, "netns", ns])
    nsx(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", check=False)
    nsx(ns, "ip", "link", "set", "lo", "up")
    nsx(ns, "ip", "addr", "add", addr + "/24", "dev", tap)
    nsx(ns, "ip", "link", "set", tap, "up")


RECEIVER = r"""
import hashlib, socket, sys
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], int(sys.argv[2])))
srv.listen(1)
srv.settimeout(60)
print("listening", flush=True)
conn, _ = srv.accept()
conn.settimeout(60)
h, n = hashlib.sha256(), 0
while True:
    b = conn.recv(1 << 16)
    if not b:
        break
    h.update(b)
    n += len(b)
conn.close()
print(h.hexdigest(), n, flush=True)
"""

SENDER = r"""
import socket, sys, time
for attempt in range(50):
    try:
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])),
                                     timeout=30)
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("cannot connect")
with open(sys.argv[3], "rb") as f:
    s.sendfile(f)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
"""


def ping(ns, dst, count):
    out = nsx(ns, "ping", "-c", str(count), "-i", "0.05", "-W", "2", "-q",
              dst, check=False, timeout=60)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    if not m or m.group(1) != str(count) or m.group(2) != str(count):
        fail("%d pings %s -> %s: not all answered" % (count, ns, dst),
             out + "\n" + ovs_logs())
    return out


def tcp_transfer(ns_tx, ns_rx, dst):
    data = os.path.join(STATE["dir"], "send.bin")
    with open(data, "wb") as f:
        f.write(os.urandom(TCP_BYTES))
    import hashlib
    with open(data, "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    log("+ ip netns exec %s python3 -c <receiver> %s %d" %
        (ns_rx, dst, TCP_PORT))
    rx = subprocess.Popen(["ip", "netns", "exec", ns_rx, "python3", "-c",
                           RECEIVER, dst, str(TCP_PORT)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    STATE["procs"].append(rx)
    line = rx.stdout.readline().decode()
    if "listening" not in line:
        fail("TCP receiver did not start: %r" % line)
    t = time.time()
    nsx(ns_tx, "python3", "-c", SENDER, dst, str(TCP_PORT), data,
        timeout=90)
    try:
        out, _ = rx.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        fail("TCP receiver did not finish", ovs_logs())
    STATE["procs"].remove(rx)
    dt = time.time() - t
    got = out.decode().split()
    if rx.returncode != 0 or len(got) != 2:
        fail("TCP receiver: status %d, %r" % (rx.returncode, out))
    if int(got[1]) != TCP_BYTES or got[0] != want:
        fail("TCP: sent %d bytes sha256 %s, received %s bytes sha256 %s" %
             (TCP_BYTES, want, got[1], got[0]))
    os.unlink(data)
    return want, dt


def rx_packets(br):
    """Packets received on the bridge's OpenFlow ports, read now
    (ovs-ofctl dump-ports; the Interface table's statistics are only
    refreshed every 5 s)."""
    out = run(["ovs-ofctl", "dump-ports", br], quiet=True)
    return sum(int(n) for n in re.findall(r"rx pkts=(\d+)", out))


# --- the test ----------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="ovs_dpdk")
    ap.parse_args()

    if not os.access(VSWITCHD, os.X_OK) or not shutil.which("ovs-vsctl") or \
            not shutil.which("ovsdb-server"):
        skip("Open vSwitch's DPDK build %s is not installed (Debian "
             "package %s; scripts/setup.sh installs it)" % (VSWITCHD, PKG))
    if os.geteuid() != 0:
        fail("needs root: network namespaces, taps and /run")
    if not os.path.exists("/dev/net/tun"):
        fail("no /dev/net/tun: net_tap cannot make its taps")

    pid = os.getpid()
    tag = "%d" % (pid % 100000)
    br = "lvb" + tag
    taps = ("lv%sa" % tag, "lv%sb" % tag, "lv%sc" % tag)
    nss = ("lovs-%s-0" % tag, "lovs-%s-1" % tag)
    for t in taps + (br, br + "m"):
        if os.path.exists("/sys/class/net/" + t):
            fail("interface %s already exists (another run?)" % t)
    # The bridges' internal ports (taps that OVS makes persistent) and the
    # net_tap taps, should anything be left of them.
    STATE["links"] = taps + (br, br + "m")

    plugin = lt_dpdk.mempool_plugin()
    STATE["prefix"] = lt_dpdk.file_prefix("ovs")
    # After lt_dpdk's own atexit removals, so that it runs before them.
    atexit.register(cleanup)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    d = private_dir()
    # dpdk-socket-mem=256: 128 free 2 MiB pages and some room.
    huge = lt_dpdk.hugepages_usable(160) and \
        os.environ.get("LT_OVS_NO_HUGE") != "1"
    start_ovs(d, plugin, STATE["prefix"], huge)

    # The bridge and its two DPDK ports.
    vsctl("add-br", br, "--", "set", "Bridge", br, "datapath_type=netdev")
    add_dpdk_port(br, "p0", 0, taps[0])
    add_dpdk_port(br, "p1", 1, taps[1])

    # 1. One shared pool, on the labyrinth ops.
    name0, ops0, size0 = mempool_info("p0")
    name1, ops1, size1 = mempool_info("p1")
    log("get-mempool-info: p0 %s <%s> %d, p1 %s <%s> %d" %
        (name0, ops0, size0, name1, ops1, size1))
    if ops0 != OPS or ops1 != OPS:
        fail("get-mempool-info ops_name: p0 <%s>, p1 <%s>, want <%s>" %
             (ops0, ops1, OPS))
    if name0 != name1:
        fail("p0 and p1 on two pools (%s, %s): OVS shares one per MTU" %
             (name0, name1))
    pool = name0
    ok("get-mempool-info p0, p1: mempool %s, ops_name <%s>, %d mbufs" %
       (pool, OPS, size0))
    listed = pools()
    if pool not in listed:
        fail("/labyrinth/mempools %r does not list %s" % (listed, pool))
    st = pool_stats(pool)
    if st["ops_name"] != OPS or st["objects"] != st["size"] or \
            st["size"] != size0:
        fail("/labyrinth/mempool,%s: %r" % (pool, st))
    ok("telemetry: /labyrinth/mempools %s; %s ops_name %s, %d objects" %
       (listed, pool, st["ops_name"], st["objects"]))

    # 2. Traffic between the namespaces, through OVS.
    setup_ns(nss[0], taps[0], ADDR[0])
    setup_ns(nss[1], taps[1], ADDR[1])
    base = pool_stats(pool)
    rx0 = rx_packets(br)
    nsx(nss[0], "ping", "-c", "3", "-i", "0.2", "-W", "2", ADDR[1],
        check=False)  # ARP, MAC learning
    for ns, dst in ((nss[0], ADDR[1]), (nss[1], ADDR[0])):
        out = ping(ns, dst, PINGS)
        ok("%d pings %s -> %s, 0%% loss (%s)" % (
            PINGS, ns, dst, out.strip().splitlines()[-1]))
    sha, dt = tcp_transfer(nss[0], nss[1], ADDR[1])
    ok("%d MiB over TCP %s -> %s in %.2f s, SHA-256 %s... at both ends" %
       (TCP_BYTES >> 20, nss[0], nss[1], dt, sha[:16]))
    rx = rx_packets(br) - rx0
    want = 2 * 2 * PINGS + TCP_BYTES // 1500
    if rx < want:
        fail("OVS counted %d packets received on p0+p1, want >= %d" %
             (rx, want))
    ok("OVS received %d packets on the dpdk ports p0+p1" % rx)

    # 3. Quiet again: the mbufs in use are the rx rings' fill, as before.
    def settled():
        s = pool_stats(pool)
        return s if in_use(s) == in_use(base) else None
    st = wait_for("mbufs in use back to %d" % in_use(base), settled, 10,
                  lambda: repr(pool_stats(pool)))
    if st["returns"] - st["claims"] != st["map_free_bits"]:
        fail("returns - claims != map_free_bits: %r" % st)
    if st["rejected_returns"] or st["bad_pool_calls"]:
        fail("rejected returns or bad-pool calls: %r" % st)
    ok("after the traffic: %d mbufs in use (rx rings), as before it; "
       "claims %d -> %d, returns - claims == map_free_bits, nothing "
       "rejected" % (in_use(st), base["claims"], st["claims"]))

    # 4. del-br: the pool stays (refcount 0) with every mbuf back.
    vsctl("del-br", br)
    listed = pools()
    if pool not in listed:
        fail("%s was freed at del-br already (%r): OVS 3.1 frees unused "
             "pools only in a later dpdk_mp_get()" % (pool, listed))

    def full():
        s = pool_stats(pool)
        return s if in_use(s) == 0 else None
    st = wait_for("every mbuf back in %s" % pool, full, 10,
                  lambda: repr(pool_stats(pool)))
    ok("after del-br: %s still listed, objects_free %d + in caches %d == "
       "size %d" % (pool, st["objects_free"], st["objects_free_in_caches"],
                    st["size"]))

    # 5. A port that needs another mbuf size: OVS sweeps the unused pool.
    br2 = br + "m"
    vsctl("add-br", br2, "--", "set", "Bridge", br2, "datapath_type=netdev")
    add_dpdk_port(br2, "p2", 2, taps[2], "mtu_request=%d" % SMALL_MTU)
    name2, ops2, size2 = mempool_info("p2")
    if ops2 != OPS or name2 == pool:
        fail("p2 (MTU %d): mempool %s ops <%s>" % (SMALL_MTU, name2, ops2))
    listed = pools()
    if pool in listed or name2 not in listed:
        fail("/labyrinth/mempools after the sweep: %r (want %s gone, %s "
             "there)" % (listed, pool, name2))
    with open(d + "/log/ovs-vswitchd.log", errors="replace") as f:
        if 'Freeing mempool "%s"' % pool not in f.read():
            fail("OVS did not log 'Freeing mempool \"%s\"'" % pool,
                 ovs_logs())
    ok("port p2 (MTU %d) on new pool %s <%s>: OVS freed %s, and "
       "/labyrinth/mempools no longer lists it: %s" %
       (SMALL_MTU, name2, ops2, pool, listed))
    vsctl("del-br", br2)
    st = wait_for("every mbuf back in %s" % name2,
                  lambda: (lambda s: s if in_use(s) == 0 else None)(
                      pool_stats(name2)), 10,
                  lambda: repr(pool_stats(name2)))
    ok("after del-br %s: %s objects_free %d + in caches %d == size %d" %
       (br2, name2, st["objects_free"], st["objects_free_in_caches"],
        st["size"]))

    # Stop OVS.
    vs = STATE["vswitchd"]
    appctl("exit", "--cleanup")
    try:
        rc = vs.wait(timeout=20)
    except subprocess.TimeoutExpired:
        fail("ovs-vswitchd did not exit on ovs-appctl exit", ovs_logs())
    if rc != 0:
        fail("ovs-vswitchd exit status %d" % rc, ovs_logs())
    STATE["procs"].remove(vs)
    ok("ovs-vswitchd exited 0 on ovs-appctl exit --cleanup")
    with open(d + "/log/ovs-vswitchd.log", errors="replace") as f:
        bad = re.findall(r"^.*mempool_labyrinth.*(?:rejected|ERR).*$",
                         f.read(), re.M)
    if bad:
        fail("the driver complained:\n" + "\n".join(bad))
    cleanup()
    log("PASS: %s: OVS-DPDK on the labyrinth mempool driver" %
        sys.argv[0])


if __name__ == "__main__":
    main()
