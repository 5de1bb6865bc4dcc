#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Smoke of the performance report: scripts/perf-report.sh --quick into
# <build>/perf-smoke, then check that report.md has every section and,
# when gnuplot is installed, that every plot was drawn. The figures of a
# quick run are noise; only the plumbing is tested.
#
# Usage: perf_smoke.sh SOURCE_ROOT BUILD_ROOT

set -u

SRC=$1
BUILD=$2
OUT=$BUILD/perf-smoke

fail() {
	echo "perf-smoke: FAIL: $*"
	exit 1
}

rm -rf "$OUT"
start=$(date +%s)
bash "$SRC/scripts/perf-report.sh" --quick --no-build --out "$OUT" \
	--build "$BUILD" || fail "perf-report.sh exited with $?"
echo "perf-smoke: perf-report.sh --quick took $(( $(date +%s) - start )) s"

REPORT=$OUT/report.md
[ -s "$REPORT" ] || fail "no $REPORT"
for h in \
	'## Targets' \
	'## 1. Grab+free pair, 1 lcore' \
	'## 2. Latency of single grabs' \
	'## 3. Scaling' \
	'## 4. Empty-pool failure cost' \
	'## 5. Forwarding' \
	'## 6. Metadata bytes per page' \
	'## Why targets are missed' \
	'## Machine and method'; do
	grep -qF -- "$h" "$REPORT" || fail "no section '$h' in $REPORT"
done
grep -Eq '\| (PASS|MISS)' "$REPORT" || fail "no PASS/MISS verdict in $REPORT"

if command -v gnuplot >/dev/null 2>&1; then
	pngs="latency-cdf.png scaling.png empty.png"
	# forwarding needs dpdk-testpmd; without it the section says so
	command -v dpdk-testpmd >/dev/null 2>&1 && pngs="$pngs forwarding.png"
	for png in $pngs; do
		[ -s "$OUT/$png" ] || fail "no plot $OUT/$png"
		head -c 8 "$OUT/$png" | od -An -c | grep -q 'P   N   G' ||
			fail "$OUT/$png is not a PNG"
	done
else
	grep -q 'gnuplot is not installed' "$REPORT" ||
		fail "gnuplot missing but the report does not say so"
	echo "perf-smoke: gnuplot not installed: plots not checked"
fi
echo "perf-smoke: OK ($REPORT)"
