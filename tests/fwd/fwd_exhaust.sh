#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Exhaustion: fwd_exhaust.sh EXE
# page-copy with a labyrinth of 16 pages (4 of them reserve, no lcore
# cache) under net_null load at burst 32: most grabs fail. The workers must
# drop and count (grab failures), never hang, keep forwarding in every
# statistics interval as pages come back, dip into the reserve (they grab
# with LABYRINTH_GFP_ATOMIC), and at exit every page must be back.

# shellcheck source=tests/fwd/lib.sh
. "$(dirname "$0")/lib.sh"

EXE=$1
[ -x "$EXE" ] || fail "no executable '$EXE'"
PFX=$(prefix exhaust)
JSON=$FWD_TMP/summary.json
LOG=$FWD_TMP/out.log

# shellcheck disable=SC2046
timeout 60 "$EXE" -l 0-1 $(eal_mem_args) --no-pci --file-prefix "$PFX" \
	--vdev net_null0 --vdev net_null1 -- --mode page-copy \
	--pages 16 --page-reserve 4 --page-cache 0 --burst 32 \
	--duration 4 --stats-interval 1 --stats-json "$JSON" >"$LOG" 2>&1
rc=$?
cat "$LOG"
[ $rc -ne 124 ] || fail "hung: killed by timeout"
[ $rc -eq 0 ] || fail "exit code $rc"
ok "exit code 0, no hang"

# Every interval forwarded something: the workers recover by themselves.
rates=$(sed -n 's/^== labyrinth-fwd page-copy, .*tx \([0-9.]*\) Mpps.*/\1/p' "$LOG")
n=$(echo "$rates" | grep -c .)
[ "$n" -ge 3 ] || fail "expected at least 3 statistics tables, got $n"
for r in $rates; do
	python3 -c "import sys; sys.exit(0 if float('$r') > 0 else 1)" ||
		fail "an interval forwarded nothing (tx $r Mpps)"
done
ok "forwarding went on in all $n intervals: $(echo $rates) Mpps"

LAB='[l for l in j["labyrinths"] if l["name"] == "lfwd_pages"][0]'
json_check "$JSON" \
	'j["totals"]["tx"] > 0' \
	'j["totals"]["grab_fail"] > 0' \
	'j["totals"]["dropped"] == j["totals"]["grab_fail"]' \
	"${LAB}[\"pages\"] == 16" \
	"${LAB}[\"alloc_fail\"] > 0" \
	"${LAB}[\"reserve_dips\"] > 0" \
	"${LAB}[\"frees\"] == ${LAB}[\"alloc_ok\"]" \
	|| fail "exhaustion accounting"
json_check_common "$JSON" || fail "JSON invariants"
echo "PASS: exhaustion counted, no hang, forwarding resumed, nothing leaked"
