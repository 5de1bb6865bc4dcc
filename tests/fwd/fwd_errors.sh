#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Setup errors: fwd_errors.sh EXE
# Each exits non-zero with one clear message; --help exits 0.

# shellcheck source=tests/fwd/lib.sh
. "$(dirname "$0")/lib.sh"

EXE=$1
[ -x "$EXE" ] || fail "no executable '$EXE'"
MEM=$(eal_mem_args)
n=0

# expect_error WORDS ARGS...: non-zero exit and WORDS in the output.
expect_error() {
	local words=$1
	shift
	n=$((n + 1))
	# shellcheck disable=SC2086
	timeout 60 "$EXE" $MEM --no-pci --file-prefix "$(prefix "err$n")" \
		--log-level='*:warning' "$@" >"$FWD_TMP/out" 2>&1
	local rc=$?
	cat "$FWD_TMP/out"
	[ $rc -ne 0 ] || fail "exit code 0 for: $*"
	[ $rc -ne 124 ] || fail "hung: $*"
	grep -q -- "$words" "$FWD_TMP/out" || fail "no '$words' for: $*"
	ok "exit $rc, '$words'"
}

expect_error "no Ethernet port" -l 0-1 -- --duration 1
expect_error "odd number of ports (3)" -l 0-1 --vdev net_null0 \
	--vdev net_null1 --vdev net_null2 -- --duration 1
expect_error "unknown option '--bogus'" -l 0-1 --vdev net_null0 \
	--vdev net_null1 -- --bogus
expect_error "no worker lcore" -l 0 --vdev net_null0 --vdev net_null1 \
	-- --duration 1
expect_error "port 5 does not exist" -l 0-1 --vdev net_null0 \
	--vdev net_null1 -- --pairs '(0,5)'
expect_error "mempool ops 'nosuchops' are not registered" -l 0-1 \
	--vdev net_null0 --vdev net_null1 -- --pool-ops nosuchops
expect_error "is polled by no lcore" -l 0-1 --vdev net_null0 \
	--vdev net_null1 -- --lcore-map '(0,0,1)'

# An odd count works with explicit pairs.
n=$((n + 1))
# shellcheck disable=SC2086
timeout 60 "$EXE" -l 0-1 $MEM --no-pci --file-prefix "$(prefix "err$n")" \
	--vdev net_null0 --vdev net_null1 --vdev net_null2 -- \
	--pairs '(0,1),(2,2)' --duration 1 --stats-interval 0 \
	--stats-json "$FWD_TMP/odd.json" >"$FWD_TMP/out" 2>&1 ||
	{ cat "$FWD_TMP/out"; fail "explicit pairs with 3 ports"; }
json_check "$FWD_TMP/odd.json" 'len(j["ports"]) == 3' \
	'[p for p in j["ports"] if p["port"] == 2][0]["tx"] > 0' ||
	fail "3 ports with (2,2)"
json_check_common "$FWD_TMP/odd.json" || fail "JSON invariants"
ok "odd port count with explicit pairs"

"$EXE" --no-pci --no-huge -m 64 --file-prefix "$(prefix help)" \
	--log-level='*:warning' -- --help >"$FWD_TMP/out" 2>&1 ||
	fail "--help exit code"
for o in portmask pairs queues lcore-map mode burst pool-size page-reserve \
		cache-size stats-interval duration config stats-json; do
	grep -q -- "--$o" "$FWD_TMP/out" || fail "--help does not document --$o"
done
ok "--help documents the options"
echo "PASS: setup errors"
