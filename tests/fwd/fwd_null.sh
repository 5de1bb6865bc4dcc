#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# labyrinth-fwd on two net_null ports: fwd_null.sh EXE MODE WORKERS [ARGS]
# (ARGS: more application options, e.g. queues and an lcore map)
# Runs 3 s; checks that packets were forwarded, that the per-port and
# per-lcore counters add up, that live statistics were printed, that
# nothing leaked (mbufs, pages, labyrinth audit), that the live statistics
# show who holds the mbufs (and pages) per lcore, and that the JSON summary
# parses and says nothing is held at exit.

# shellcheck source=tests/fwd/lib.sh
. "$(dirname "$0")/lib.sh"

EXE=$1
MODE=$2
WORKERS=${3:-1}
shift 3
[ -x "$EXE" ] || fail "no executable '$EXE'"

case $WORKERS in
1) LCORES="-l 0-1" ;;
*) LCORES="--lcores (0-$WORKERS)@(0,1)" ;;
esac
PFX=$(prefix "null-$MODE-$WORKERS-$#")
JSON=$FWD_TMP/summary.json
LOG=$FWD_TMP/out.log

# shellcheck disable=SC2046,SC2086
timeout 60 "$EXE" $LCORES $(eal_mem_args) --no-pci --file-prefix "$PFX" \
	--vdev net_null0 --vdev net_null1 -- \
	--mode "$MODE" --duration 3 --stats-interval 1 --stats-json "$JSON" \
	"$@" >"$LOG" 2>&1
rc=$?
cat "$LOG"
[ $rc -eq 0 ] || fail "exit code $rc"
ok "exit code 0"

nb_stats=$(grep -c "^== labyrinth-fwd $MODE" "$LOG")
[ "$nb_stats" -ge 2 ] || fail "expected live statistics, got $nb_stats tables"
ok "$nb_stats statistics tables"
grep -q "^result: clean" "$LOG" || fail "summary does not say clean"

# Holder summary in the live statistics: a line per labyrinth pool, and a
# row for a worker lcore (held, oldest-ms, in-caches, cache-len).
grep -qE '^  holders: [0-9]+ mbufs held outside the mempool caches' "$LOG" ||
	fail "no mbuf holder summary in the statistics"
grep -qE '^ +[1-9][0-9]* +[0-9]+ +[0-9.]+ +[0-9]+ +[1-9][0-9]*$' "$LOG" ||
	fail "no worker lcore row in the mbuf holder table"
grep -qE '^    ages \(lower bound, us\):' "$LOG" || fail "no age histogram"
if [ "$MODE" = page-copy ]; then
	grep -qE '^  holders: [0-9]+ pages held in [0-9]+ blocks' "$LOG" ||
		fail "no page holder summary in the statistics"
fi
ok "holder summaries in the statistics"

json_check "$JSON" \
	"j['mode'] == '$MODE'" \
	'j["totals"]["tx"] > 0' \
	"len(j['lcores']) == $WORKERS" \
	'all(l["tx"] > 0 for l in j["lcores"])' \
	'all(p["tx"] > 0 for p in j["ports"])' \
	'all(p["ipackets"] == p["rx"] and p["opackets"] == p["tx"] for p in j["ports"])' \
	|| fail "JSON summary"
json_check_common "$JSON" || fail "JSON invariants"
json_check "$JSON" \
	'all(p["holders"]["held"] == 0 for p in j["pools"])' \
	'all("cache_len" in p["holders"] for p in j["pools"])' \
	'all(l["holders"]["held"] == 0 for l in j["labyrinths"])' \
	|| fail "JSON holder summaries"
if [ "$MODE" = page-copy ]; then
	json_check "$JSON" \
		'[l for l in j["labyrinths"] if l["name"] == "lfwd_pages"][0]["alloc_ok"] >= j["totals"]["tx"]' \
		'[l for l in j["labyrinths"] if l["name"] == "lfwd_pages"][0]["frees"] == [l for l in j["labyrinths"] if l["name"] == "lfwd_pages"][0]["alloc_ok"]' \
		|| fail "page accounting"
fi
echo "PASS: net_null $MODE with $WORKERS worker(s)"
