#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Usage: scripts/build.sh [builddir] [extra meson setup options...]
# Runs scripts/setup.sh (unless LABYRINTH_SKIP_SETUP=1), configures the
# build directory (default: build) or reconfigures an existing one, and
# builds everything with ninja.

set -euo pipefail

cd "$(dirname "$0")/.."

builddir=${1:-build}
shift || true

if [ "${LABYRINTH_SKIP_SETUP:-0}" != 1 ]; then
    bash scripts/setup.sh
fi

if [ -f "$builddir/build.ninja" ]; then
    meson setup --reconfigure "$builddir" "$@"
else
    meson setup "$builddir" "$@"
fi
ninja -C "$builddir"
