#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Smoke of the performance report: scripts/perf-report.sh --quick into
# <build>/perf-smoke, then check that report.md has every section, that
# every labyrinth row of the bench has its strict counterpart (in the
# JSON and in the report's tables) and, when gnuplot is installed, that
# every plot was drawn. The figures of a quick run are noise; only the
# plumbing is tested.
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

# Strict vs default everywhere: every labyrinth row of the bench's JSON
# (both invocations) has a strict counterpart in its section, the same
# name with "labyrinth " made "labyrinth strict ", and the same unit;
# but for the exceptions listed here, each with its reason.
python3 - "$OUT/data/bench.json" "$OUT/data/bench-oversub.json" <<'PY' ||
import json, sys

EXCEPTIONS = {
    # The scalar loops of a default pool's bulk (its cache scattered, so
    # no run for the AVX2 loops): a strict pool's bulk never takes the
    # run loops, so "strict bulk 32, cache 256" is already that row.
    ("pair", "labyrinth bulk 32 scattered, cache 256"),
}
SECTIONS = ("pair", "empty", "scale", "latency", "llfree")

rows = set()
for path in sys.argv[1:]:
    doc = json.load(open(path))
    rows |= {(g["section"], g["name"], g["unit"]) for g in doc["figures"]}
names = {(sec, name) for sec, name, _ in rows}
bad = []
for sec, name in sorted(EXCEPTIONS):
    if (sec, name) not in names:
        bad.append("stale exception: %s: %s" % (sec, name))
for sec, name, unit in sorted(rows):
    if not name.startswith("labyrinth ") or "strict" in name \
            or (sec, name) in EXCEPTIONS:
        continue
    twin = "labyrinth strict " + name[len("labyrinth "):]
    if (sec, twin, unit) not in rows:
        bad.append("%s: '%s' (%s) has no '%s'" % (sec, name, unit, twin))
for sec in SECTIONS:
    if not any(s == sec and n.startswith("labyrinth strict ")
               for s, n in names):
        bad.append("%s: no strict row at all" % sec)
for b in bad:
    print("perf-smoke: " + b)
sys.exit(1 if bad else 0)
PY
	fail "labyrinth rows without a strict counterpart (see above)"
# ... and the report's tables show them beside the default rows.
for row in \
	'| labyrinth strict no cache | ' \
	'| labyrinth strict bulk 32, no cache | ' \
	'| labyrinth strict order 9 (2048 KiB) | ' \
	'| labyrinth strict cache 256 | ' \
	'| labyrinth strict no cache | local | 2 |' \
	'| labyrinth strict no cache | remote | 2 |' \
	'| labyrinth strict no cache | local | 8 (oversub.) |' \
	'| labyrinth strict order 0 (4 KiB) | ' \
	'labyrinth strict ns/pair | strict ratio |'; do
	grep -qF -- "$row" "$REPORT" || fail "no row '$row' in $REPORT"
done

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
