#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# The performance report (issue 6): runs the whole benchmark suite and
# writes DIR/report.md (Markdown tables, targets with PASS/MISS) and PNG
# plots made with gnuplot. Sections:
#   1. grab+free pair, 1 lcore            labyrinth-bench (pair)
#   2. latency of single grabs (CDF)      labyrinth-bench (latency)
#   3. scaling 1, 2 pinned; 4, 8 over-    labyrinth-bench (scale), -l 0-1
#      subscribed; remote frees on/off    and --lcores '(0-7)@(0,1)'
#   4. empty-pool failure cost            labyrinth-bench (empty)
#   5. forwarding                         scripts/bench-fwd.sh and
#                                         scripts/bench-testpmd-ops.py
#   6. metadata bytes per page            labyrinth-bench (meta)
# plus the cost of a locked op and rdtsc here (perf-atomics) and, with
# --callgrind, instructions per operation (valgrind on perf-ir).
# Every figure is a median of 9 runs (1 with --quick) with min and max;
# the variants of each comparison alternate within one run.
#
# Usage: scripts/perf-report.sh [--quick] [--out DIR] [--build DIR]
#                               [--no-build] [--callgrind|--no-callgrind]
#   --quick         1 run of each, short windows: a smoke (about 30 s)
#   --out DIR       where report.md, the PNGs and data/ go (docs/perf)
#   --build DIR     build directory (build); configured if missing
#   --no-build      do not run ninja (the test suite passes this)
#   --callgrind     count instructions per operation with valgrind
#                   (default on for a full run when valgrind exists)
#   default         about 6 to 7 minutes on 2 idle cores (at most 8; the
#                   two forwarding benchmarks take 5 of them, 9 rounds each)

set -u

cd "$(dirname "$0")/.." || exit 1

QUICK=0
OUT=docs/perf
BUILD=build
DO_BUILD=1
CALLGRIND=auto

while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--out) OUT=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--no-build) DO_BUILD=0 ;;
	--callgrind) CALLGRIND=1 ;;
	--no-callgrind) CALLGRIND=0 ;;
	-h|--help) sed -n '5,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "perf-report: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
if [ "$CALLGRIND" = auto ]; then
	CALLGRIND=$(( QUICK == 0 ))
fi

T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

if [ "$DO_BUILD" = 1 ]; then
	if [ ! -f "$BUILD/build.ninja" ]; then
		echo "perf-report: configuring $BUILD"
		meson setup "$BUILD" >/dev/null || exit 1
	fi
	ninja -C "$BUILD" >/dev/null || { echo "perf-report: build failed" >&2; exit 1; }
fi
BENCH=$BUILD/app/labyrinth-bench/labyrinth-bench
FWD=$BUILD/app/labyrinth-fwd/labyrinth-fwd
PLUGIN=$BUILD/lib/mempool_labyrinth/libmempool_labyrinth.so
IR=$BUILD/tests/bench/perf-ir
ATOMICS=$BUILD/tests/bench/perf-atomics
[ -x "$BENCH" ] || { echo "perf-report: no $BENCH (build first)" >&2; exit 1; }

mkdir -p "$OUT/data" || exit 1
DATA=$OUT/data
rm -f "$DATA"/*.json "$DATA"/*.log "$DATA"/*.dat "$DATA"/*.gp "$DATA"/*.txt
STEPS=$DATA/steps.txt
: >"$STEPS"

# The figures are only as good as the machine is quiet: record the load
# average and how busy the CPUs were over the second before the start.
cpu_idle() { awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
read -r idle0 total0 < <(cpu_idle)
sleep 1
read -r idle1 total1 < <(cpu_idle)
BUSY=$(( 100 - 100 * (idle1 - idle0) / (total1 - total0 + 1) ))
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "perf-report: load average $LOAD0, CPUs ${BUSY}% busy before the start"
[ "$BUSY" -gt 10 ] && echo "perf-report: warning: other processes are running; figures will be noisy"

MODE=()
[ "$QUICK" = 1 ] && MODE=(--quick)
# A full run alternates at least 9 rounds of every comparison (the figures
# move 20-40 % from minute to minute on this VM, testpmd runs by 15 %).
BENCH_RUNS=(--runs 9)
ROUNDS=(--rounds 9)
[ "$QUICK" = 1 ] && BENCH_RUNS=() && ROUNDS=()
FAILED=0

# step NAME LOG CMD...: run one part, log its output, record its time and
# exit status in steps.txt (the report lists them).
step() {
	local name=$1 log=$2 t rc
	shift 2
	t=$(date +%s.%N)
	echo "perf-report: [$(elapsed) s] $name"
	"$@" >"$DATA/$log" 2>&1
	rc=$?
	t=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	echo "$name $rc $t" >>"$STEPS"
	if [ "$rc" != 0 ]; then
		echo "perf-report: $name failed (exit $rc); last lines of $DATA/$log:"
		tail -5 "$DATA/$log"
		FAILED=1
	fi
	return 0
}

EAL=(--no-pci --log-level='*:warning')

# perf-atomics first: a second of one CPU.
if [ -x "$ATOMICS" ]; then
	step atomics atomics.txt taskset -c 1 "$ATOMICS"
fi

# 1, 2, 3 (pinned), 4, 6: one invocation on 2 pinned lcores.
step bench bench.log "$BENCH" -l 0-1 "${EAL[@]}" --file-prefix "perf-report-$$" -- \
	"${MODE[@]}" "${BENCH_RUNS[@]}" --json "$DATA/bench.json" \
	--cdf "$DATA/latency-cdf.dat"

# 3: 4 and 8 lcores floating over the 2 CPUs.
step bench-oversub bench-oversub.log "$BENCH" --lcores '(0-7)@(0,1)' "${EAL[@]}" \
	--file-prefix "perf-report-os-$$" -- --only scale "${MODE[@]}" \
	"${BENCH_RUNS[@]}" \
	--json "$DATA/bench-oversub.json"

# 5: forwarding. Both need dpdk-testpmd.
if command -v dpdk-testpmd >/dev/null 2>&1; then
	step fwd fwd.log bash scripts/bench-fwd.sh "${MODE[@]}" "${ROUNDS[@]}" \
		--build "$BUILD" \
		--fwd "$FWD" --json "$DATA/fwd.json"
	step testpmd-ops testpmd-ops.log python3 scripts/bench-testpmd-ops.py \
		"${MODE[@]}" "${ROUNDS[@]}" --plugin "$PLUGIN" --json "$DATA/testpmd-ops.json"
else
	echo "perf-report: dpdk-testpmd not found: forwarding skipped"
	echo "fwd skipped 0" >>"$STEPS"
fi

# Where the time goes: perf record (cpu-clock sampling; perf stat counters
# are not available in every VM) of perf-ir on CPU 1, then, for each
# function of the library with samples, its annotated instructions, so
# the report can say what share of it sits on locked instructions.
perf_profile() {
	perf record -q -e cpu-clock -F 20000 -o "$DATA/perf.data" -- \
		taskset -c 1 "$IR" -l 0 --no-huge -m 256 "${EAL[@]}" \
		--file-prefix "perf-rec-$$" -- "$1" >/dev/null || return 1
	perf report -i "$DATA/perf.data" --stdio --no-children \
		--sort dso,symbol 2>/dev/null | grep -v '^$' | head -60 \
		>"$DATA/perf-report.txt" || return 1
	# functions of perf-ir (the statically linked library) other than the
	# ir_* drivers and main, with at least 0.3% of the samples
	awk '$1 ~ /%$/ && $2 == "perf-ir" && $3 == "[.]" && $1 + 0 >= 0.3 &&
		$4 !~ /^(ir_|main$|warm_)/ { print $4 }' "$DATA/perf-report.txt" |
	while read -r fn; do
		echo "=== $fn"
		perf annotate -i "$DATA/perf.data" --stdio -s "$fn" 2>/dev/null |
			grep -E '^ +[0-9]+\.[0-9]+ +: +[0-9a-f]+:'
	done
	rm -f "$DATA/perf.data" "$DATA/perf.data.old"
}
if [ "$CALLGRIND" = 1 ] && command -v perf >/dev/null 2>&1 && [ -x "$IR" ]; then
	step perf perf-annotate.txt perf_profile 2000000
fi

# Instructions per operation under callgrind (not timed: counts only).
if [ "$CALLGRIND" = 1 ]; then
	if command -v valgrind >/dev/null 2>&1 && [ -x "$IR" ]; then
		step callgrind callgrind.log valgrind --tool=callgrind \
			--callgrind-out-file="$DATA/callgrind.out" "$IR" -l 0 \
			--no-huge -m 256 "${EAL[@]}" --file-prefix "perf-ir-$$" -- 100000
		if [ -f "$DATA/callgrind.out" ]; then
			# only the header and the ir_* functions with their callees
			callgrind_annotate --inclusive=yes --auto=no --threshold=100 \
				--tree=calling "$DATA/callgrind.out" 2>/dev/null |
				awk 'NR <= 12 || /\* .*:ir_/ { keep = 1 } /^$/ { if (keep) print; keep = 0 }
					keep || NR <= 12' >"$DATA/callgrind.txt"
			rm -f "$DATA/callgrind.out"
		fi
	else
		echo "perf-report: valgrind or $IR missing: no instruction counts"
	fi
fi

# The run's context, so that `scripts/perf_report.py --data DIR --out DIR`
# can write the report again from data/ alone.
GIT=$(git describe --always --dirty 2>/dev/null || echo unknown)
if git diff --quiet HEAD -- lib app 2>/dev/null; then
	GIT="$GIT (lib/ and app/ as committed)"
else
	GIT="$GIT (lib/ or app/ modified)"
fi
printf '{"elapsed": %s, "load": "%s", "busy": "%s", "load_end": "%s",\n "git": "%s", "quick": %s}\n' \
	"$(elapsed)" "$LOAD0" "$BUSY" "$(cut -d' ' -f1-3 /proc/loadavg)" "$GIT" \
	"$([ "$QUICK" = 1 ] && echo true || echo false)" >"$DATA/run.json"
python3 scripts/perf_report.py --data "$DATA" --out "$OUT" ||
	{ echo "perf-report: writing the report failed" >&2; exit 1; }

ELAPSED=$(elapsed)
echo "perf-report: report in $OUT/report.md; elapsed ${ELAPSED} s"
if [ "$QUICK" = 0 ] && awk -v e="$ELAPSED" 'BEGIN { exit !(e > 480) }'; then
	echo "perf-report: warning: the full run took more than 8 minutes"
fi
exit "$FAILED"
