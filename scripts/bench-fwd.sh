#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Benchmark (not a test): forwarding rate of labyrinth-fwd against
# dpdk-testpmd on the same net_null pair, same cores (-l 0-1: main lcore 0,
# one forwarding lcore 1), alternating in one run:
#   labyrinth-fwd io      vs  testpmd io
#   labyrinth-fwd macswap vs  testpmd mac
#   labyrinth-fwd page-copy (no testpmd counterpart)
# Rate = packets received per second over both ports, in steady state
# (after a warm-up), Mpps. Prints median, min and max over the rounds and
# the ratio of the medians; target: ratio >= 1.0 for io and macswap. In
# each pair, who runs first alternates from round to round.
#
# Usage: scripts/bench-fwd.sh [--quick] [--rounds N] [--build DIR]
#                             [--fwd PATH] [--testpmd PATH] [--pool-ops OPS]
#                             [--json FILE]
#   --quick   one round, short windows: a CI smoke (~15 s)
#   --json    also write every run's figures to FILE (scripts/perf-report.sh)
#   default   5 rounds (~75 s on an idle machine)

set -u

ROUNDS=5
WARM=1          # seconds of warm-up before measuring
WINDOW=2        # seconds measured
BUILD=build
FWD=""
TESTPMD=$(command -v dpdk-testpmd || true)
POOL_OPS=labyrinth
JSON=""

while [ $# -gt 0 ]; do
	case $1 in
	--quick) ROUNDS=1; WINDOW=1 ;;
	--rounds) ROUNDS=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--fwd) FWD=$2; shift ;;
	--testpmd) TESTPMD=$2; shift ;;
	--pool-ops) POOL_OPS=$2; shift ;;
	--json) JSON=$2; shift ;;
	-h|--help) sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-fwd: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

[ -n "$FWD" ] || FWD=$BUILD/app/labyrinth-fwd/labyrinth-fwd
[ -x "$FWD" ] || { echo "bench-fwd: no labyrinth-fwd at '$FWD' (build first, or --fwd PATH)" >&2; exit 2; }
[ -n "$TESTPMD" ] && [ -x "$TESTPMD" ] || { echo "bench-fwd: dpdk-testpmd not found (--testpmd PATH)" >&2; exit 2; }

TMP=$(mktemp -d /tmp/bench-fwd.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

MEM="--huge-unlink"
free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
if ! grep -q ' hugetlbfs ' /proc/mounts || [ "${free:-0}" -lt 64 ]; then
	echo "note: no usable hugepages: running with --no-huge -m 512"
	MEM="--no-huge -m 512"
fi
EAL="-l 0-1 --no-pci --vdev net_null0 --vdev net_null1 --log-level=*:warning"

# run_fwd MODE: prints "WALL CPU": Mpps received (mean of the statistics
# intervals after the warm-up; labyrinth-fwd times them with the TSC), and
# Mpps per CPU-second the worker was actually on a CPU (its schedstat), which
# does not depend on how much of the CPU other processes took.
run_fwd() {
	local log=$TMP/fwd.log
	# shellcheck disable=SC2086
	"$FWD" $EAL $MEM --file-prefix "bench-fwd-$$" -- --mode "$1" \
		--pool-ops "$POOL_OPS" --stats-interval 1 \
		--duration $((WARM + WINDOW + 1)) >"$log" 2>&1 ||
		{ echo "labyrinth-fwd $1 failed:" >&2; tail -5 "$log" >&2; echo "0 0"; return; }
	awk -v w="$WARM" -v n="$WINDOW" '
		/^== labyrinth-fwd / {
			t = $4 + 0; use = (t > w + 0.5 && c < n)
			if (use) { s += $7; c++ }
		}
		/^workers on a CPU/ && use { sc += $(NF - 5); cc++ }
		END { printf "%.2f %.2f\n", c ? s / c : 0, cc ? sc / cc : 0 }' "$log"
}

# thread_cpu_ns PID REGEX: on-CPU ns of PID's thread whose name matches.
thread_cpu_ns() {
	local t
	for t in /proc/"$1"/task/*; do
		if grep -Eq "$2" "$t/comm" 2>/dev/null; then
			cut -d' ' -f1 "$t/schedstat"
			return
		fi
	done
	echo 0
}

# run_testpmd MODE: prints "WALL CPU": the sum over both ports of
# testpmd's Rx-pps between two "show port stats all" WINDOW s apart, after
# WARM, and the same per CPU-second of its forwarding thread (EAL names it
# lcore-worker-1, or rte-worker-1 in later 22.11 releases).
run_testpmd() {
	local log=$TMP/testpmd.log fifo=$TMP/testpmd.in pid c0 c1 t0 t1 wall
	rm -f "$fifo"
	mkfifo "$fifo"
	# shellcheck disable=SC2086
	"$TESTPMD" $EAL $MEM --file-prefix "bench-tp-$$" -- -i \
		--forward-mode="$1" --nb-cores=1 --rxq=1 --txq=1 \
		<"$fifo" >"$log" 2>&1 &
	pid=$!
	exec 3>"$fifo"
	for _ in $(seq 1 100); do
		grep -q "testpmd> " "$log" && break
		sleep 0.1
	done
	echo "start" >&3
	sleep "$WARM"
	c0=$(thread_cpu_ns $pid '^(lcore|rte)-worker-1$')
	t0=$(date +%s%N)
	echo "show port stats all" >&3
	sleep "$WINDOW"
	c1=$(thread_cpu_ns $pid '^(lcore|rte)-worker-1$')
	t1=$(date +%s%N)
	echo "show port stats all" >&3
	echo "stop" >&3
	echo "quit" >&3
	exec 3>&-
	wait $pid || { echo "testpmd $1 failed:" >&2; tail -5 "$log" >&2; echo "0 0"; return; }
	wall=$(grep 'Rx-pps:' "$log" | tail -2 | awk '{ s += $2 } END { print s / 1e6 }')
	awk -v w="$wall" -v c=$((c1 - c0)) -v t=$((t1 - t0)) \
		'BEGIN { printf "%.2f %.2f\n", w, (c > 0 ? w * t / c : 0) }'
}

echo "labyrinth-fwd: $FWD (pool ops $POOL_OPS); testpmd: $TESTPMD (default pool ops)"
echo "net_null pair, -l 0-1 (1 forwarding lcore), $ROUNDS round(s), ${WINDOW} s windows"
echo "wall: Mpps received; cpu: Mpps per CPU-second the forwarding thread ran"
: >"$TMP/results"
for r in $(seq 1 "$ROUNDS"); do
	for pair in "io io" "macswap mac"; do
		set -- $pair
		# Who runs first alternates from round to round: a round's
		# first run, right after the last one of the round before,
		# was slower (bench-testpmd-ops.py saw 0.95-0.97x for the
		# one always first, 0.99-1.01x in the middle).
		if [ $((r % 2)) = 1 ]; then
			read -r a ac <<<"$(run_fwd "$1")"
			read -r b bc <<<"$(run_testpmd "$2")"
		else
			read -r b bc <<<"$(run_testpmd "$2")"
			read -r a ac <<<"$(run_fwd "$1")"
		fi
		echo "$1 fwd $a $ac" >>"$TMP/results"
		echo "$1 testpmd $b $bc" >>"$TMP/results"
		printf 'round %d: %-9s labyrinth-fwd %7.2f wall %7.2f cpu   testpmd %-3s %7.2f wall %7.2f cpu\n' \
			"$r" "$1" "$a" "$ac" "$2" "$b" "$bc"
	done
	read -r c cc <<<"$(run_fwd page-copy)"
	echo "page-copy fwd $c $cc" >>"$TMP/results"
	printf 'round %d: %-9s labyrinth-fwd %7.2f wall %7.2f cpu\n' "$r" page-copy "$c" "$cc"
done

python3 - "$TMP/results" "$JSON" "$ROUNDS" "$WARM" "$WINDOW" "$POOL_OPS" <<'PYEOF'
import json, statistics, sys
res = {}
for line in open(sys.argv[1]):
    mode, who, wall, cpu = line.split()
    res.setdefault((mode, who, "wall"), []).append(float(wall))
    res.setdefault((mode, who, "cpu"), []).append(float(cpu))
def fmt(v):
    if not v:
        return "%23s" % "-"
    return "%7.2f %7.2f %7.2f" % (statistics.median(v), min(v), max(v))
worst = {}
for kind, title in (("wall", "Mpps (wall clock)"),
                    ("cpu", "Mpps per CPU-second of the forwarding thread")):
    print()
    print(title)
    print("%-11s | %-23s | %-23s | %s" % ("mode", "labyrinth-fwd med/min/max",
                                          "testpmd med/min/max", "ratio"))
    print("-" * 75)
    for mode, tp in (("io", "io"), ("macswap", "mac"), ("page-copy", None)):
        f = res.get((mode, "fwd", kind), [])
        t = res.get((mode, "testpmd", kind), []) if tp else []
        ratio = "-"
        if f and t and statistics.median(t) > 0:
            r = statistics.median(f) / statistics.median(t)
            ratio = "%.2fx" % r
            worst[kind] = min(worst.get(kind, r), r)
        name = mode if not tp else "%s/%s" % (mode, tp)
        print("%-11s | %s | %s | %s" % (name, fmt(f), fmt(t), ratio))
print()
for kind in ("wall", "cpu"):
    if kind in worst:
        print("target >= 1.00x in io and macswap (%s): %s (worst %.2fx)" %
              (kind, "met" if worst[kind] >= 1.0 else "NOT met", worst[kind]))
if sys.argv[2]:
    # Every run, in the order they ran: {mode: {who: {wall: [], cpu: []}}}.
    runs = {}
    for (mode, who, kind), v in res.items():
        runs.setdefault(mode, {}).setdefault(who, {})[kind] = v
    with open(sys.argv[2], "w") as f:
        json.dump({"tool": "bench-fwd", "rounds": int(sys.argv[3]),
                   "warmup_s": float(sys.argv[4]),
                   "window_s": float(sys.argv[5]),
                   "fwd_pool_ops": sys.argv[6], "unit": "Mpps",
                   "pairs": {"io": "io", "macswap": "mac"},
                   "runs": runs}, f, indent=1)
    print("figures written to %s" % sys.argv[2])
PYEOF
