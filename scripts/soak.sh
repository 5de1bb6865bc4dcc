#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# The soak (app/labyrinth-soak, docs/hardening.md): a default and a
# LABYRINTH_F_STRICT pool churned at once by 8 lcores oversubscribed on
# 2 CPUs, with remote frees, orders 0..9, bulks, bad and racing double
# frees, and an audit of both pools every second. It stops by itself;
# the exit status is 0 only if no invariant was breached.
#
# Usage: scripts/soak.sh [--minutes M | --seconds S] [--build DIR]
#                        [--bin PATH] [--lcores SPEC] [-- soak options]
#   --minutes M   run M minutes (default 60)
#   --seconds S   run S seconds (CI: 30)
#   --build DIR   build directory (default: build); the soak is built
#                 there with ninja (configured with meson if needed)
#   --bin PATH    the labyrinth-soak binary to run (nothing is built)
#   --lcores SPEC EAL --lcores (default '(0-7)@(0,1)')
#   --expect-fail succeed only if the soak reports a breach and exits 1
#                 (with -- --inject-breach: a test of the soak itself)
#   -- ...        passed to labyrinth-soak (see its --help: --cache,
#                 --pages, --mode, --race, --debug, --seed, ...)
# Hugepages are used when a hugetlbfs mount has 64 free 2 MiB pages, else
# EAL runs with --no-huge -m 512 (and says so). A run that does not stop
# within its time + 120 s (+ 10 %) is killed and fails.

set -eu

BUILD=build
BIN=""
SECONDS_RUN=3600
LCORES='(0-7)@(0,1)'
EXTRA=()
EXPECT_FAIL=0

while [ $# -gt 0 ]; do
	case $1 in
	--minutes) SECONDS_RUN=$(( $2 * 60 )); shift ;;
	--seconds) SECONDS_RUN=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--bin) BIN=$2; shift ;;
	--lcores) LCORES=$2; shift ;;
	--expect-fail) EXPECT_FAIL=1 ;;
	--) shift; EXTRA=("$@"); break ;;
	-h|--help) sed -n '5,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "soak: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
# --bin is relative to where we were started (meson runs tests in the
# build directory); everything else to the source tree.
if [ -n "$BIN" ]; then
	BIN=$(realpath -- "$BIN")
fi
cd "$(dirname "$0")/.."

case $SECONDS_RUN in
''|*[!0-9]*|0) echo "soak: the time must be a positive whole number" >&2
	exit 2 ;;
esac

if [ -z "$BIN" ]; then
	if [ ! -f "$BUILD/build.ninja" ]; then
		echo "soak: configuring $BUILD"
		meson setup "$BUILD" >/dev/null
	fi
	ninja -C "$BUILD" app/labyrinth-soak/labyrinth-soak >/dev/null
	BIN=$BUILD/app/labyrinth-soak/labyrinth-soak
fi

# Its own --file-prefix: other DPDK programs may run beside it.
EAL=(--lcores "$LCORES" --no-pci --log-level='*:warning'
	--file-prefix "labyrinth-soak-$$")
free_huge=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if grep -q ' hugetlbfs ' /proc/mounts && [ "${free_huge:-0}" -ge 64 ]; then
	EAL+=(--in-memory)
else
	echo "soak: no usable hugepages: running with --no-huge -m 512"
	EAL+=(--no-huge -m 512)
fi

limit=$(( SECONDS_RUN + 120 + SECONDS_RUN / 10 ))
echo "soak: $SECONDS_RUN s, stopped by force after $limit s:" \
	"$BIN ${EAL[*]} -- --seconds $SECONDS_RUN ${EXTRA[*]}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
timeout --kill-after=10 "$limit" "$BIN" "${EAL[@]}" -- \
	--seconds "$SECONDS_RUN" "${EXTRA[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$EXPECT_FAIL" = 1 ]; then
	if [ "$rc" = 1 ] && grep -q '^BREACH' "$log" &&
			tail -n 1 "$log" | grep -q '^soak: FAIL'; then
		echo "soak: the breach was reported and failed the run, as expected"
		exit 0
	fi
	echo "soak: FAIL: expected a reported breach and exit status 1," \
		"got exit status $rc"
	exit 1
fi
case $rc in
0) ;;
124|137) echo "soak: FAIL: still running after $limit s: killed"; rc=1 ;;
*) echo "soak: FAIL: exit status $rc" ;;
esac
exit "$rc"
