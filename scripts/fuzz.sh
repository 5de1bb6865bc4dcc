#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Usage: scripts/fuzz.sh [seconds] [outdir] [libFuzzer options...]
#
# Builds the libFuzzer API harness (tests/fuzz/fuzz_api.c) with clang,
# -fsanitize=fuzzer,address,undefined, compiling lib/labyrinth/*.c into it,
# then runs it for <seconds> (default 60) on a working corpus in
# <outdir>/corpus (default outdir: build-fuzz), seeded from tests/fuzz/corpus.
# Crash and mismatch inputs are written to <outdir>/artifacts/. The last
# line is "fuzz: N executions, M corpus inputs in S s"; the exit status is
# 0 when no crash or model mismatch was found, 77 (skip) when clang or
# libFuzzer is missing, 1 otherwise.
#
# Run longer, in parallel, or on one input:
#   scripts/fuzz.sh 3600 build-fuzz              # an hour
#   scripts/fuzz.sh 3600 build-fuzz -jobs=2 -workers=2
#   build-fuzz/fuzz_api build-fuzz/artifacts/crash-<sha1>   # replay
# The working corpus persists in <outdir>/corpus between runs; see
# docs/hardening.md to fold new inputs into the seed corpus.

set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
out=${2:-build-fuzz}
shift $(( $# < 2 ? $# : 2 ))
CC=${CC_FUZZ:-clang}

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
# All of lib/labyrinth goes into the harness, so libFuzzer's coverage
# guidance sees the library's branches and the sanitizers check its code.
# The mempool check helper (labyrinth_mempool.c) reads rte_mempool's public
# ops table only, so it is compiled in too.
# shellcheck disable=SC2046
"$CC" -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Wall -Wextra -Werror \
    -I"$src/lib/labyrinth" $(pkg-config --cflags libdpdk) \
    "$src/tests/fuzz/fuzz_api.c" "$src"/lib/labyrinth/*.c \
    -o "$out/fuzz_api.new" \
    $(pkg-config --libs libdpdk) -lnuma -lpthread
mv "$out/fuzz_api.new" "$out/fuzz_api"
# >8

mkdir -p "$out/corpus" "$out/artifacts"
log="$out/fuzz.log"
rc=0
# 8< run
# -rss_limit_mb: EAL maps 256 MiB and ASan adds its shadow; the default
# 2048 MiB is tight. -timeout: one input takes milliseconds; a hang is a bug.
"$out/fuzz_api" "$out/corpus" "$src/tests/fuzz/corpus" \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
    -error_exitcode=1 -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@" \
    >"$log" 2>&1 || rc=$?
# >8

tail -n 40 "$log"
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
corpus=$(find "$out/corpus" -type f | wc -l)
echo "fuzz: ${execs:-0} executions, $corpus corpus inputs in $seconds s" \
    "(log: $log)"
if [ "$rc" -ne 0 ]; then
    echo "fuzz: FAILED (exit $rc); reproducer(s):"
    ls -1 "$out/artifacts/" || true
    exit 1
fi
exit 0
