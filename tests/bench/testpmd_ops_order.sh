#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# scripts/bench-testpmd-ops.py must not keep a configuration in one place
# of its rounds: the first run of a round, right after the last run of the
# round before, was slower here, and the labyrinth, always first, measured
# 0.95-0.97x the anchors where it measured 0.99-1.01x in the middle. Run
# against a stand-in testpmd (no DPDK needed) that logs the order of its
# runs; over 3 rounds each of the 3 ops must run once in each place of
# each cache group.
#
# Usage: testpmd_ops_order.sh SOURCE_ROOT BUILD_ROOT

set -u

SRC=$1
OUT=$2/testpmd-ops-order

fail() {
	echo "testpmd-ops-order: FAIL: $*"
	exit 1
}

rm -rf "$OUT"
mkdir -p "$OUT" || fail "cannot create $OUT"
chmod 700 "$OUT"
: >"$OUT/plugin.so"

# The stand-in: says which ops it was given, answers testpmd's commands
# with two Rx-pps lines per "show port stats all", logs "ops mbcache".
cat >"$OUT/testpmd" <<'FAKE'
#!/bin/bash
ops=?; cache=default
for a in "$@"; do
	case $a in
	--mbuf-pool-ops-name=*) ops=${a#*=} ;;
	--mbcache=*) cache=${a#*=} ;;
	esac
done
echo "$ops $cache" >>"$FAKE_LOG"
echo "mempool ops selected: $ops"
printf 'testpmd> '
while read -r line; do
	case $line in
	"show port stats all")
		echo "  Rx-pps:     1000000          Rx-bps:            0"
		echo "  Rx-pps:     1000000          Rx-bps:            0" ;;
	quit) exit 0 ;;
	esac
	printf 'testpmd> '
done
FAKE
chmod +x "$OUT/testpmd"

FAKE_LOG=$OUT/order.log python3 "$SRC/scripts/bench-testpmd-ops.py" \
	--testpmd "$OUT/testpmd" --plugin "$OUT/plugin.so" --rounds 3 \
	--seconds 0 --warmup 0 >"$OUT/bench.log" 2>&1 ||
	{ cat "$OUT/bench.log"; fail "bench-testpmd-ops.py exited with $?"; }
cat "$OUT/order.log"

python3 - "$OUT/order.log" <<'PY' || fail "an ops keeps its place (above)"
import collections, sys

runs = [l.split() for l in open(sys.argv[1]) if l.strip()]
ops = sorted({o for o, _ in runs})
caches = list(dict.fromkeys(c for _, c in runs))
assert len(ops) == 3 and len(runs) == 3 * 2 * 3, (ops, len(runs))
places = collections.defaultdict(set)
for i, (o, c) in enumerate(runs):
    places[(o, c)].add(i % len(ops))
bad = {k: sorted(v) for k, v in places.items() if len(v) != len(ops)}
for k, v in sorted(bad.items()):
    print(f"testpmd-ops-order: {k[0]} (mbcache {k[1]}) only in place(s) {v}")
sys.exit(1 if bad else 0)
PY
echo "testpmd-ops-order: PASS (each ops in each place once over 3 rounds)"
