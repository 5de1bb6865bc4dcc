#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# scripts/bench-fwd.sh must not run labyrinth-fwd first in every pair: a
# round's first run, right after the last run of the round before, was
# slower here (see testpmd_ops_order.sh). Run against stand-ins for
# labyrinth-fwd and dpdk-testpmd (no DPDK needed) that log the order of
# their runs; over 2 rounds each of the two must go first in each pair
# once.
#
# Usage: fwd_order.sh SOURCE_ROOT BUILD_ROOT

set -u

SRC=$1
OUT=$2/fwd-order

fail() {
	echo "fwd-order: FAIL: $*"
	exit 1
}

rm -rf "$OUT"
mkdir -p "$OUT" || fail "cannot create $OUT"
export FAKE_LOG=$OUT/order.log
: >"$FAKE_LOG"

# labyrinth-fwd: logs "fwd MODE" and prints no statistics.
cat >"$OUT/fwd" <<'FAKE'
#!/bin/bash
mode=?
while [ $# -gt 0 ]; do [ "$1" = --mode ] && mode=$2; shift; done
echo "fwd $mode" >>"$FAKE_LOG"
FAKE
# dpdk-testpmd: logs "testpmd MODE", answers until "quit".
cat >"$OUT/testpmd" <<'FAKE'
#!/bin/bash
mode=?
for a in "$@"; do case $a in --forward-mode=*) mode=${a#*=} ;; esac; done
echo "testpmd $mode" >>"$FAKE_LOG"
printf 'testpmd> '
while read -r line; do
	[ "$line" = quit ] && exit 0
	printf 'testpmd> '
done
FAKE
chmod +x "$OUT/fwd" "$OUT/testpmd"

bash "$SRC/scripts/bench-fwd.sh" --quick --rounds 2 --fwd "$OUT/fwd" \
	--testpmd "$OUT/testpmd" >"$OUT/bench.log" 2>&1 ||
	{ cat "$OUT/bench.log"; fail "bench-fwd.sh exited with $?"; }
cat "$FAKE_LOG"

# The io and macswap pairs of each round: who came first.
firsts=$(awk '$2 != "page-copy" { n++; if (n % 2 == 1) print $1 }' "$FAKE_LOG" |
	sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
echo "fwd-order: first of the 4 pairs: $firsts"
[ "$firsts" = "fwd:2 testpmd:2 " ] || fail "first in the pairs: $firsts (want 2 each)"
echo "fwd-order: PASS"
