#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Usage: scripts/test.sh [meson test options...]
# Installs (scripts/setup.sh), builds (scripts/build.sh) and runs every test
# suite with meson. Prints meson's summary and, as the last line,
# "N passed, N failed, N skipped" over all runs. Exits non-zero when any
# test failed (or timed out) or when the build failed.
#
# Environment: LABYRINTH_BUILD_DIR (default: build); LABYRINTH_SKIP_SETUP=1
# skips the package and hugepage setup.

set -euo pipefail

cd "$(dirname "$0")/.."

total_pass=0
total_fail=0
total_skip=0

# Counts the results in a meson testlog.json; prints "pass fail skip".
count_results() {
    python3 - "$1" <<'PYEOF'
import json
import sys

passed = failed = skipped = 0
try:
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get('result', '')
            if result in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif result == 'SKIP':
                skipped += 1
            else:  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS
                failed += 1
except FileNotFoundError:
    pass
print(passed, failed, skipped)
PYEOF
}

# run_tests builddir [meson test options...]: build, test, add up results.
run_tests() {
    local builddir=$1 rc=0 log counts p f s
    shift

    log="$builddir/meson-logs/testlog.json"
    rm -f "$log"
    meson test -C "$builddir" --print-errorlogs "$@" || rc=$?
    read -r p f s < <(count_results "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        # meson itself failed (e.g. a test could not be rebuilt).
        echo "test: meson test exited $rc in $builddir"
        f=1
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    total_skip=$((total_skip + s))
}

if [ "${LABYRINTH_SKIP_SETUP:-0}" != 1 ]; then
    bash scripts/setup.sh
fi

builddir=${LABYRINTH_BUILD_DIR:-build}
if ! LABYRINTH_SKIP_SETUP=1 bash scripts/build.sh "$builddir"; then
    echo "test: build failed in $builddir"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi
run_tests "$builddir" "$@"

# The same code under AddressSanitizer and UndefinedBehaviorSanitizer
# (a second build). Left out: testpmd, clients and tap (the stock
# dpdk-testpmd and dpdk-test cannot load an ASan-built plugin), mp (a DPDK secondary must map the
# primary's hugepages at the same addresses, which ASan's shadow memory may
# already hold: "Cannot reserve ... at [address]"), fuzz (built with clang's
# sanitizers already) and bench. UBSan is made fatal so that any report
# fails its test. LABYRINTH_NO_ASAN=1 skips this pass.
if [ "${LABYRINTH_NO_ASAN:-0}" != 1 ] && [ $# -eq 0 ]; then
    asandir=${LABYRINTH_ASAN_BUILD_DIR:-build-asan}
    if LABYRINTH_SKIP_SETUP=1 bash scripts/build.sh "$asandir" \
            -Db_sanitize=address,undefined -Db_lundef=false; then
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            run_tests "$asandir" --suite unit --suite stress \
            --suite mempool --suite soak --suite fwd --no-suite mp
    else
        echo "test: ASan build failed in $asandir"
        total_fail=$((total_fail + 1))
    fi
fi

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
