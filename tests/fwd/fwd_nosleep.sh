#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Poll-mode workers never sleep, measured: fwd_nosleep.sh EXE MODE WORKERS
# labyrinth-fwd runs on two net_null ports; after a 2 s warm-up, each
# worker thread's (named lfwd-w<lcore>) voluntary_ctxt_switches from
# /proc/<pid>/task/<tid>/status is read, again 5 s later, and must not have
# grown. (Involuntary switches, i.e. preemption, are allowed.) Then the
# program must exit cleanly.

# shellcheck source=tests/fwd/lib.sh
. "$(dirname "$0")/lib.sh"

EXE=$1
MODE=${2:-io}
WORKERS=${3:-1}
WINDOW=5
[ -x "$EXE" ] || fail "no executable '$EXE'"

case $WORKERS in
1) LCORES="-l 0-1" ;;
*) LCORES="--lcores (0-$WORKERS)@(0,1)" ;;
esac
PFX=$(prefix "nosleep-$MODE")
JSON=$FWD_TMP/summary.json
LOG=$FWD_TMP/out.log

# shellcheck disable=SC2046,SC2086
"$EXE" $LCORES $(eal_mem_args) --no-pci --file-prefix "$PFX" \
	--vdev net_null0 --vdev net_null1 -- --mode "$MODE" \
	--duration $((WINDOW + 5)) --stats-interval 1 --stats-json "$JSON" \
	>"$LOG" 2>&1 &
PID=$!
FWD_CLEANUP="kill -9 $PID 2>/dev/null"

# worker tids: thread name lfwd-w*
workers() {
	local t
	for t in /proc/$PID/task/*; do
		if grep -q '^lfwd-w' "$t/comm" 2>/dev/null; then
			echo "${t##*/}"
		fi
	done
}

vcs() {
	awk '/^voluntary_ctxt_switches:/ { print $2 }' \
		"/proc/$PID/task/$1/status"
}

ivcs() {
	awk '/^nonvoluntary_ctxt_switches:/ { print $2 }' \
		"/proc/$PID/task/$1/status"
}

for _ in $(seq 1 100); do
	[ "$(workers | wc -l)" -ge "$WORKERS" ] && break
	kill -0 $PID 2>/dev/null || break
	sleep 0.1
done
sleep 2
TIDS=$(workers)
n=$(echo "$TIDS" | grep -c .)
[ "$n" -eq "$WORKERS" ] || { cat "$LOG"; fail "found $n worker threads, expected $WORKERS"; }

declare -A before ibefore
main_before=$(vcs "$PID")
for t in $TIDS; do
	before[$t]=$(vcs "$t")
	ibefore[$t]=$(ivcs "$t")
done
sleep $WINDOW
bad=0
# Control: the main lcore sleeps in its control loop, so the same
# measurement must see it switch voluntarily; otherwise it proves nothing.
main_after=$(vcs "$PID")
echo "main thread $PID: voluntary $main_before -> $main_after over ${WINDOW} s"
if [ "$main_after" -le "$main_before" ]; then
	echo "  the measurement saw no sleep even in the main thread"
	bad=1
fi
for t in $TIDS; do
	after=$(vcs "$t")
	iafter=$(ivcs "$t")
	echo "thread $t ($(cat /proc/$PID/task/$t/comm)): voluntary" \
		"${before[$t]} -> $after, involuntary ${ibefore[$t]} -> $iafter" \
		"over ${WINDOW} s"
	[ -n "$after" ] || { bad=1; echo "  thread gone"; continue; }
	if [ "$after" -ne "${before[$t]}" ]; then
		echo "  worker slept: $((after - before[$t])) voluntary switches"
		bad=1
	fi
done

wait $PID
rc=$?
FWD_CLEANUP=""
cat "$LOG"
[ $bad -eq 0 ] || fail "a worker thread made voluntary context switches (or the control failed)"
ok "no worker made a voluntary context switch in $WINDOW s"
[ $rc -eq 0 ] || fail "exit code $rc"
json_check "$JSON" 'j["totals"]["tx"] > 0' || fail "nothing forwarded"
json_check_common "$JSON" || fail "JSON invariants"
echo "PASS: $MODE workers never slept"
