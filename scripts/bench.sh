#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Benchmark (not a test) of the page pool against rte_mempool, rte_malloc
# and glibc malloc, measured side by side in the same run (labyrinth-bench).
# Two invocations:
#   1. every section, 2 pinned lcores (-l 0-1)
#   2. the scaling section again with 8 lcores oversubscribed on the 2 CPUs
#      (--lcores '(0-7)@(0,1)'): 4 and 8 lcores, remote frees on and off
# Hugepages are used when a hugetlbfs mount has 64 free 2 MiB pages, else
# EAL runs with --no-huge -m 512 (labyrinth-bench does this itself and
# prints which). Tables go to stdout; with --out DIR also JSON with every
# figure, the latency CDF (gnuplot data) and the logs.
#
# Usage: scripts/bench.sh [--build DIR] [--quick] [--runs N] [--out DIR]
#                         [--no-oversub] [-- extra labyrinth-bench options]
#   --build DIR   build directory (default: build, from scripts/build.sh);
#                 configured here with meson if it does not exist
#   --quick       tiny N, 1 run: a smoke test of a few seconds
#   --runs N      runs per figure (default 5)
#   --out DIR     write bench.json, bench-oversub.json, latency-cdf.dat and
#                 the two logs there
#   --no-oversub  skip the second invocation
#   default       about 20 s on 2 idle cores (longer when the rings
#                 collapse under load)

set -eu

cd "$(dirname "$0")/.."

BUILD=build
OUT=""
OVERSUB=1
ARGS=()
EXTRA=()

while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift ;;
	--quick) ARGS+=(--quick) ;;
	--runs) ARGS+=(--runs "$2"); shift ;;
	--out) OUT=$2; shift ;;
	--no-oversub) OVERSUB=0 ;;
	--) shift; EXTRA=("$@"); break ;;
	-h|--help) sed -n '5,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

if [ ! -f "$BUILD/build.ninja" ]; then
	echo "bench: configuring $BUILD"
	meson setup "$BUILD" >/dev/null
fi
ninja -C "$BUILD" app/labyrinth-bench/labyrinth-bench >/dev/null
BENCH=$BUILD/app/labyrinth-bench/labyrinth-bench

JSON1=() JSON2=() CDF=()
if [ -n "$OUT" ]; then
	mkdir -p "$OUT"
	JSON1=(--json "$OUT/bench.json")
	JSON2=(--json "$OUT/bench-oversub.json")
	CDF=(--cdf "$OUT/latency-cdf.dat")
fi

# The figures are only as good as the machine is quiet: say so when other
# processes used more than a tenth of the CPUs over the last second.
cpu_idle() { awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
read -r idle0 total0 < <(cpu_idle)
sleep 1
read -r idle1 total1 < <(cpu_idle)
busy=$(( 100 - 100 * (idle1 - idle0) / (total1 - total0 + 1) ))
if [ "$busy" -gt 10 ]; then
	echo "bench: warning: the CPUs were ${busy}% busy before the start;" \
		"other processes will distort the figures (2-lcore ones most)"
fi

# Each invocation its own --file-prefix: tests may run beside it.
EAL=(--no-pci --log-level='*:warning' --file-prefix "labyrinth-bench-$$")

run() {
	local log=$1
	shift
	if [ -n "$OUT" ]; then
		"$BENCH" "$@" | tee "$OUT/$log"
		return "${PIPESTATUS[0]}"
	fi
	"$BENCH" "$@"
}

rc=0
run bench.log -l 0-1 "${EAL[@]}" -- \
	"${ARGS[@]}" "${JSON1[@]}" "${CDF[@]}" "${EXTRA[@]}" || rc=$?

if [ "$OVERSUB" = 1 ]; then
	echo
	echo "=== scaling, 8 lcores oversubscribed on CPUs 0 and 1 ==="
	run bench-oversub.log --lcores '(0-7)@(0,1)' "${EAL[@]}" -- \
		--only scale "${ARGS[@]}" "${JSON2[@]}" "${EXTRA[@]}" || rc=$?
fi
exit "$rc"
