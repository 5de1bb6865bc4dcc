# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
"""Helpers of the Python tests that run stock DPDK programs (dpdk-testpmd,
dpdk-test) on the labyrinth mempool driver: suites testpmd and clients.
Standard library only.

  plugin_copy(src)    copy a -d plugin into a folder of this process's own
                      that EAL accepts (the C tests: tests/lt_plugin.h)
  Testpmd             dpdk-testpmd in interactive mode, fed through stdin
  parse_pool_dump()   the figures of one pool in testpmd's dump_mempool
  telemetry()         DPDK's telemetry socket of a running program
"""

import atexit
import json
import os
import pty
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import termios
import threading
import time

SKIP = 77


def condense(out, lines=120):
    """The last lines of out, runs of one repeated line folded into one."""
    res = []
    for line in out.splitlines():
        if res and res[-1][0] == line:
            res[-1][1] += 1
        else:
            res.append([line, 1])
    text = [l if n == 1 else "%s   [line repeated %d times]" % (l, n)
            for l, n in res]
    if len(text) > lines:
        text = ["[... %d lines before]" % (len(text) - lines)] + \
            text[-lines:]
    return "\n".join(text)


def fail(msg, out=None):
    if out:
        print(condense(out))
    print("FAILED: " + msg, flush=True)
    sys.exit(1)


def skip(msg):
    print("skip: " + msg, flush=True)
    sys.exit(SKIP)


# --- -d plugins from a folder EAL accepts ------------------------------------

def unsafe_above(path):
    """First of path and its folders up to / that is world-writable (EAL
    refuses a -d plugin below one), or None."""
    d = os.path.realpath(path)
    while True:
        try:
            if os.stat(d).st_mode & stat.S_IWOTH:
                return d
        except OSError:
            return d
        if d == "/":
            return None
        d = os.path.dirname(d)


def _private_base(base):
    """<base>/labyrinth-tests, made 0700, when base's chain is safe."""
    if not base or not os.path.isabs(base) or not os.path.isdir(base) or \
            unsafe_above(base):
        return None
    d = os.path.join(base, "labyrinth-tests")
    try:
        os.mkdir(d, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    st = os.lstat(d)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or \
            st.st_mode & 0o022:
        return None
    return d


_plugin_dir = None


def plugin_dir():
    """This process's plugin folder (mkdtemp, removed at exit), under the
    first safe of: $LT_PLUGIN_DIR (meson: in the build folder), then
    <base>/labyrinth-tests for $XDG_RUNTIME_DIR, $HOME/.cache, $HOME, /run
    (root only). The same order as tests/lt_plugin.h."""
    global _plugin_dir
    if _plugin_dir:
        return _plugin_dir
    parent = None
    env = os.environ.get("LT_PLUGIN_DIR")
    bad = None
    if env:
        os.makedirs(env, mode=0o755, exist_ok=True)
        bad = unsafe_above(env)
        if bad is None:
            parent = env
        else:
            print("note: %s is world-writable: EAL would refuse a -d "
                  "plugin in %s" % (bad, env))
    if parent is None:
        home = os.environ.get("HOME", "")
        bases = [os.environ.get("XDG_RUNTIME_DIR")]
        if home.startswith("/") and unsafe_above(home) is None:
            cache = os.path.join(home, ".cache")
            try:
                os.makedirs(cache, mode=0o700, exist_ok=True)
            except OSError:
                pass
            bases += [cache, home]
        if os.geteuid() == 0:
            bases.append("/run")
        for b in bases:
            parent = _private_base(b)
            if parent:
                break
    if parent is None:
        fail("no folder EAL accepts -d plugins from: tried LT_PLUGIN_DIR, "
             "$XDG_RUNTIME_DIR, $HOME/.cache, $HOME, /run (as root)")
    _plugin_dir = tempfile.mkdtemp(prefix="plugin-", dir=parent)
    atexit.register(shutil.rmtree, _plugin_dir, True)
    if bad:
        print("note: plugins copied to %s instead" % _plugin_dir)
    return _plugin_dir


def plugin_copy(src):
    """Copy plugin src into plugin_dir(); the path of the copy, for -d.
    The copy loses the plugin's $ORIGIN rpath: liblabyrinth and
    liblabyrinth_mempool come through LD_LIBRARY_PATH (meson sets it)."""
    if not src or not os.path.isfile(src):
        fail("plugin %r not found (meson sets LT_MEMPOOL_PLUGIN)" % src)
    dst = os.path.join(plugin_dir(), os.path.basename(src))
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o755)
    return dst


def mempool_plugin():
    """-d argument for the labyrinth driver: a safe copy of
    $LT_MEMPOOL_PLUGIN."""
    return plugin_copy(os.environ.get("LT_MEMPOOL_PLUGIN"))


# --- machine -----------------------------------------------------------------

def hugepages_usable(min_free=64):
    try:
        with open("/proc/meminfo") as f:
            free = int(re.search(r"HugePages_Free:\s+(\d+)",
                                 f.read()).group(1))
        with open("/proc/mounts") as f:
            return " hugetlbfs " in f.read() and free >= min_free
    except (OSError, AttributeError):
        return False


def runtime_dir(prefix):
    run = "/var/run" if os.getuid() == 0 else \
        os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(run, "dpdk", prefix)


def file_prefix(name):
    """A --file-prefix of this process's own: name_<pid>, so that a second
    run of the same test (another checkout on the machine) does not meet
    our EAL lock or telemetry socket. Its runtime folder (left by
    --in-memory too: the telemetry socket) is removed at exit."""
    prefix = "%s_%d" % (name, os.getpid())
    atexit.register(shutil.rmtree, runtime_dir(prefix), True)
    return prefix


def telemetry(prefix, cmds):
    """Answers of DPDK's telemetry socket to cmds (a list)."""
    path = os.path.join(runtime_dir(prefix), "dpdk_telemetry.v2")
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


# --- dpdk-testpmd ------------------------------------------------------------

class Testpmd:
    """dpdk-testpmd in interactive mode, fed commands through a pipe; a
    thread collects its output (stdout and stderr) as it comes."""

    PROMPT = r"testpmd> "

    def __init__(self, exe, eal, app, env=None):
        self.cmd = [exe] + eal + ["--", "-i"] + app
        print("+ " + " ".join(self.cmd), flush=True)
        # Output to a pseudo-terminal: testpmd's printf()s (statistics,
        # dump_mempool) are then line-buffered, and can be waited for.
        # Input stays a pipe, as cmdline does not need a terminal.
        master, slave = pty.openpty()
        attr = termios.tcgetattr(slave)
        attr[1] &= ~termios.ONLCR  # no "\r\n" for "\n"
        termios.tcsetattr(slave, termios.TCSANOW, attr)
        try:
            self.p = subprocess.Popen(self.cmd, stdin=subprocess.PIPE,
                                      stdout=slave, stderr=slave, env=env)
        finally:
            os.close(slave)
        self._master = master
        self.t0 = time.time()
        self._buf = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        # Chunks, not lines: the prompt "testpmd> " ends without newline.
        while True:
            try:
                b = os.read(self._master, 65536)
            except OSError:  # EIO: the terminal's last writer is gone
                b = b""
            if not b:
                break
            with self._lock:
                self._buf.append(b.decode(errors="replace"))
        os.close(self._master)

    def output(self):
        with self._lock:
            return "".join(self._buf)

    def wait_for(self, pattern, timeout=30):
        """The first match of regex pattern in the output so far, waiting
        up to timeout s; fails when testpmd exits or time runs out."""
        rx = re.compile(pattern)
        end = time.time() + timeout
        while True:
            m = rx.search(self.output())
            if m:
                return m
            if self.p.poll() is not None:
                self._reader.join(5)
                m = rx.search(self.output())
                if m:
                    return m
                fail("testpmd exited (status %d) before printing %r" %
                     (self.p.returncode, pattern), self.output())
            if time.time() > end:
                fail("testpmd did not print %r within %d s" %
                     (pattern, timeout), self.output())
            time.sleep(0.05)

    def send(self, line, pause=0.3):
        if self.p.poll() is not None:
            self._reader.join(5)
            fail("testpmd exited early (%d)" % self.p.returncode,
                 self.output())
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()
        time.sleep(pause)

    def finish(self, timeout=30):
        """Send quit; testpmd's whole output once it exited."""
        try:
            self.send("quit", 0)
            self.p.stdin.close()
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            self._reader.join(5)
            fail("testpmd did not quit", self.output())
        self._reader.join(5)
        return self.output()

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self._reader.join(5)


def pool_names(out):
    """Pools testpmd created, from its log: create a new mbuf pool <x>."""
    return re.findall(r"create a new mbuf pool <([^>]+)>", out)


def parse_pool_dump(out, pool):
    """The last dump_mempool of pool in out: dict of ops, size (populated),
    common (in the driver), cached (in lcore caches), text; or None."""
    dump = None
    for d in re.split(r"\nmempool <", "\n" + out):
        if d.startswith(pool + ">"):
            dump = d
    if dump is None:
        return None
    dump = re.split(r"\ntestpmd> ", dump)[0]
    ops = re.search(r"ops_name: <([^>]*)>", dump)
    size = re.search(r"populated_size=(\d+)", dump)
    common = re.search(r"common_pool_count=(\d+)", dump)
    cached = re.search(r"total_cache_count=(\d+)", dump)
    if not size or not common:
        return None
    return {"ops": ops.group(1) if ops else None,
            "size": int(size.group(1)),
            "common": int(common.group(1)),
            "cached": int(cached.group(1)) if cached else 0,
            "text": "mempool <" + dump}


def fwd_stats(out):
    """Total RX and TX packets of the accumulated forward statistics, or
    None."""
    m = re.search(r"Accumulated forward statistics for all ports.*?"
                  r"RX-packets:\s+(\d+).*?TX-packets:\s+(\d+)", out, re.S)
    return (int(m.group(1)), int(m.group(2))) if m else None
