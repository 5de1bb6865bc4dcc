#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Usage: scripts/fuzz.sh [seconds] [outdir] [libFuzzer options...]
#
# Builds the libFuzzer harnesses with clang, -fsanitize=fuzzer,address,
# undefined, and runs them one after the other, <seconds> in all (default
# 600, split evenly between them), into <outdir> (default build-fuzz):
#   api      tests/fuzz/fuzz_api.c: the labyrinth API; lib/labyrinth/*.c
#            compiled in; seeds tests/fuzz/corpus
#   mempool  tests/fuzz/fuzz_mempool.c: the mempool driver's ops;
#            lib/labyrinth/*.c and lib/mempool_labyrinth/*.c (but
#            mempool_labyrinth_ops.c) compiled in; seeds
#            tests/fuzz/corpus_mempool
# For each harness H: the binary <outdir>/fuzz_H, a working corpus
# <outdir>/corpus_H (kept between runs, seeded from the seed corpus), crash
# and mismatch inputs in <outdir>/artifacts_H/, the log <outdir>/fuzz_H.log
# and a last line "fuzz_H: N executions, M corpus inputs in S s, cov A -> B".
#
# Environment:
#   FUZZ_HARNESS="api mempool"  the harnesses to run (default both)
#   FUZZ_CHECK_GROWTH=1         CI mode: start from the seed corpus alone (the
#                               working corpus is emptied first) and fail
#                               unless the run grew the coverage (libFuzzer's
#                               "cov:", DONE line against INITED line) or the
#                               corpus (inputs, same lines)
#   CC_FUZZ=clang               the compiler
# Exit status: 0 when no crash or model mismatch was found (and, in CI mode,
# everything grew), 77 (skip) when clang, libFuzzer or DPDK is missing, 1
# otherwise.
#
# Run longer, in parallel, or on one input:
#   scripts/fuzz.sh 3600 build-fuzz              # an hour
#   FUZZ_HARNESS=mempool scripts/fuzz.sh 3600 build-fuzz -jobs=2 -workers=2
#   build-fuzz/fuzz_api build-fuzz/artifacts_api/crash-<sha1>   # replay
# See docs/hardening.md to fold new inputs into the seed corpus.

set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
out=${2:-build-fuzz}
shift $(( $# < 2 ? $# : 2 ))
CC=${CC_FUZZ:-clang}
harnesses=${FUZZ_HARNESS:-api mempool}
check_growth=${FUZZ_CHECK_GROWTH:-0}

for h in $harnesses; do
    case $h in
    api|mempool) ;;
    *) echo "fuzz: unknown harness '$h' in FUZZ_HARNESS (api, mempool)"; exit 1 ;;
    esac
done
nb=$(echo "$harnesses" | wc -w)
if [ "$nb" -eq 0 ]; then
    echo "fuzz: FUZZ_HARNESS names no harness"
    exit 1
fi
per=$(( seconds / nb ))
[ "$per" -ge 1 ] || per=1

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz: skipped: $CC not found (apt-get install clang libclang-rt-14-dev)"
    exit 77
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
probe="$out/probe.c"
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' > "$probe"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$probe" -o "$out/probe" >/dev/null 2>&1; then
    echo "fuzz: skipped: $CC cannot link -fsanitize=fuzzer,address,undefined" \
        "(libFuzzer runtime missing: apt-get install libclang-rt-14-dev)"
    exit 77
fi
rm -f "$probe" "$out/probe"
if ! pkg-config --exists libdpdk; then
    echo "fuzz: skipped: pkg-config cannot find libdpdk"
    exit 77
fi

# 8< build
# All of lib/labyrinth goes into each harness, so libFuzzer's coverage
# guidance sees the library's branches and the sanitizers check its code.
# The mempool harness compiles lib/mempool_labyrinth in as well (the
# driver and liblabyrinth_mempool, but not the /labyrinth/ops telemetry of
# mempool_labyrinth_ops.c): the driver's RTE_MEMPOOL_REGISTER_OPS
# constructors register "labyrinth" and "labyrinth_strict" before main().
build() {
    local h=$1
    local extra=()

    if [ "$h" = mempool ]; then
        local f
        for f in "$src"/lib/mempool_labyrinth/*.c; do
            [ "${f##*/}" = mempool_labyrinth_ops.c ] || extra+=("$f")
        done
    fi
    # shellcheck disable=SC2046
    "$CC" -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -Wall -Wextra -Werror \
        -I"$src/lib/labyrinth" -I"$src/lib/mempool_labyrinth" \
        $(pkg-config --cflags libdpdk) \
        "$src/tests/fuzz/fuzz_$h.c" "$src"/lib/labyrinth/*.c "${extra[@]}" \
        -o "$out/fuzz_$h.new" \
        $(pkg-config --libs libdpdk) -lnuma -lpthread
    mv "$out/fuzz_$h.new" "$out/fuzz_$h"
}
# >8

# "cov" or "corp" of libFuzzer's INITED or DONE line in a log.
stat_of() {
    local log=$1 line=$2 field=$3

    { grep -E "^#[0-9]+[[:space:]]+$line " "$log" || true; } | tail -n 1 |
        sed -n "s/.* $field: \([0-9]*\).*/\1/p"
}

failed=0
for h in $harnesses; do
    build "$h"
    seeds="$src/tests/fuzz/corpus"
    [ "$h" = api ] || seeds="$src/tests/fuzz/corpus_$h"
    corpus="$out/corpus_$h"
    art="$out/artifacts_$h"
    log="$out/fuzz_$h.log"
    if [ "$check_growth" = 1 ]; then
        rm -rf "$corpus"
    fi
    mkdir -p "$corpus" "$art"
    rc=0
    # 8< run
    # -rss_limit_mb: EAL maps 256 MiB and ASan adds its shadow; the default
    # 2048 MiB is tight. -timeout: one input takes milliseconds; a hang is a
    # bug.
    "$out/fuzz_$h" "$corpus" "$seeds" \
        -max_total_time="$per" -timeout=20 -rss_limit_mb=4096 \
        -error_exitcode=1 -artifact_prefix="$art/" -print_final_stats=1 "$@" \
        >"$log" 2>&1 || rc=$?
    # >8
    tail -n 24 "$log"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    inputs=$(find "$corpus" -type f | wc -l)
    cov0=$(stat_of "$log" INITED cov)
    cov1=$(stat_of "$log" DONE cov)
    corp0=$(stat_of "$log" INITED corp)
    corp1=$(stat_of "$log" DONE corp)
    echo "fuzz_$h: ${execs:-0} executions, $inputs corpus inputs in $per s," \
        "cov ${cov0:-?} -> ${cov1:-?}, corpus ${corp0:-?} -> ${corp1:-?}" \
        "inputs (log: $log)"
    if [ "$rc" -ne 0 ]; then
        echo "fuzz_$h: FAILED (exit $rc); reproducer(s):"
        ls -1 "$art/" || true
        failed=1
        continue
    fi
    if [ "$check_growth" = 1 ]; then
        if [ -z "$cov0" ] || [ -z "$cov1" ] || [ -z "$corp0" ] || [ -z "$corp1" ]; then
            echo "fuzz_$h: FAILED: no INITED or DONE line in $log"
            failed=1
        elif [ "$cov1" -gt "$cov0" ] || [ "$corp1" -gt "$corp0" ]; then
            echo "fuzz_$h: grew: cov $cov0 -> $cov1, corpus $corp0 -> $corp1 inputs"
        else
            echo "fuzz_$h: FAILED: neither the coverage ($cov0 -> $cov1) nor" \
                "the corpus ($corp0 -> $corp1 inputs) grew beyond the seeds in $per s"
            failed=1
        fi
    fi
done
exit "$failed"
