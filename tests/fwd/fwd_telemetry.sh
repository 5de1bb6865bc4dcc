#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Telemetry: fwd_telemetry.sh EXE
# While labyrinth-fwd runs, /labyrinth_fwd/stats and /labyrinth_fwd/ports
# are read twice with dpdk-telemetry.py; the counters must be there, grow,
# agree with each other, and never exceed the final JSON summary. The run
# is ended with SIGINT, which must give exit code 0 and a clean summary.

# shellcheck source=tests/fwd/lib.sh
. "$(dirname "$0")/lib.sh"

EXE=$1
[ -x "$EXE" ] || fail "no executable '$EXE'"
TEL=$(command -v dpdk-telemetry.py) || skip "dpdk-telemetry.py not installed"
PFX=$(prefix tel)
JSON=$FWD_TMP/summary.json
LOG=$FWD_TMP/out.log

# shellcheck disable=SC2046
"$EXE" -l 0-1 $(eal_mem_args) --no-pci --file-prefix "$PFX" \
	--vdev net_null0 --vdev net_null1 -- --mode page-copy \
	--stats-interval 0 --stats-json "$JSON" >"$LOG" 2>&1 &
PID=$!
FWD_CLEANUP="kill -9 $PID 2>/dev/null"

query() {
	printf '/labyrinth_fwd/stats\n/labyrinth_fwd/ports\n' |
		timeout 10 python3 "$TEL" -f "$PFX" >"$1" 2>&1
}
sleep 2
query "$FWD_TMP/t1" || { cat "$FWD_TMP/t1"; fail "telemetry query"; }
sleep 1
query "$FWD_TMP/t2" || { cat "$FWD_TMP/t2"; fail "telemetry query"; }
cat "$FWD_TMP/t1" "$FWD_TMP/t2"
kill -INT $PID
for _ in $(seq 1 100); do
	kill -0 $PID 2>/dev/null || break
	sleep 0.1
done
kill -0 $PID 2>/dev/null && { cat "$LOG"; fail "still running 10 s after SIGINT"; }
wait $PID
rc=$?
FWD_CLEANUP=""
[ $rc -eq 0 ] || { cat "$LOG"; fail "exit code $rc after SIGINT"; }
ok "exit code 0 after SIGINT"

python3 - "$FWD_TMP/t1" "$FWD_TMP/t2" "$JSON" <<'PYEOF' || fail "telemetry values"
import json, sys

def load(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            out.update(json.loads(line))
    return out

t1, t2 = load(sys.argv[1]), load(sys.argv[2])
final = json.load(open(sys.argv[3]))
checks = []
for t in (t1, t2):
    s, p = t["/labyrinth_fwd/stats"], t["/labyrinth_fwd/ports"]
    checks += [
        ("mode is page-copy", s["mode"] == "page-copy"),
        ("rx > 0", s["rx"] > 0),
        ("tx > 0", s["tx"] > 0),
        ("pages_total > 0", s["pages_total"] > 0),
        ("per-lcore rx sums to rx",
         sum(v["rx"] for k, v in s.items() if k.startswith("lcore_")) == s["rx"]),
        ("2 ports", sorted(p) == ["port_0", "port_1"]),
        ("ports: rx >= fwd + dropped",
         all(v["rx"] >= v["fwd"] + v["dropped"] for v in p.values())),
        ("never above the final summary",
         s["rx"] <= final["totals"]["rx"] and s["tx"] <= final["totals"]["tx"]),
    ]
s1, s2 = t1["/labyrinth_fwd/stats"], t2["/labyrinth_fwd/stats"]
checks.append(("counters grow between queries", s2["rx"] > s1["rx"] and s2["tx"] > s1["tx"]))
bad = [n for n, ok in checks if not ok]
for n, ok in checks:
    print("  %s %s" % ("ok  " if ok else "FAIL", n))
sys.exit(1 if bad else 0)
PYEOF
json_check_common "$JSON" || fail "JSON invariants"
echo "PASS: telemetry"
