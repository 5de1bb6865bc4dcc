#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# The main job: install what is missing (scripts/setup.sh), build
# (scripts/build.sh), then run labyrinth-fwd on two net_null ports for
# LABYRINTH_RUN_SECONDS (default 10) seconds with config/labyrinth-fwd.ini,
# printing live statistics and the final summary. Uses 2 MiB hugepages when
# they can be had, else --no-huge (and says so).
#
# Usage: scripts/run.sh [extra labyrinth-fwd application options...]

set -euo pipefail

cd "$(dirname "$0")/.."

builddir=${LABYRINTH_BUILD_DIR:-build}
seconds=${LABYRINTH_RUN_SECONDS:-10}

if [ "${LABYRINTH_SKIP_SETUP:-0}" != 1 ]; then
    bash scripts/setup.sh
fi
LABYRINTH_SKIP_SETUP=1 bash scripts/build.sh "$builddir" >/dev/null

eal=(-l 0-1 --no-pci --file-prefix=labyrinth-run
     --vdev net_null0 --vdev net_null1)
free_huge=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if grep -q ' hugetlbfs ' /proc/mounts && [ "${free_huge:-0}" -ge 64 ]; then
    echo "run: using 2 MiB hugepages ($free_huge free)"
    eal+=(--in-memory)
else
    echo "run: no usable hugepages: running with --no-huge -m 512"
    eal+=(--no-huge -m 512)
fi

set -x
exec "$builddir/app/labyrinth-fwd/labyrinth-fwd" "${eal[@]}" -- \
    --config config/labyrinth-fwd.ini --duration "$seconds" --stats-interval 1 "$@"
