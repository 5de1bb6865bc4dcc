#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Install what Labyrinth needs to build and test, and reserve 2 MiB
# hugepages. Idempotent: only missing packages are installed (and
# "apt-get update" runs only when one is missing); an existing larger
# hugepage reservation is kept. Without permission to reserve or mount
# hugepages (an unprivileged container) it says so and exits 0: the tests
# then run with --no-huge.

set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
    clang
    dpdk
    dpdk-dev
    doxygen
    gcc
    gnuplot-nox
    iproute2
    iputils-ping
    libclang-rt-14-dev
    libdpdk-dev
    libnuma-dev
    meson
    netcat-openbsd
    ninja-build
    pkg-config
    python3
)
HUGEPAGES_WANTED=256
HUGEPAGES_SYSFS=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
HUGETLBFS_DIR=/dev/hugepages

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo -n)
    else
        echo "setup: not root and no sudo: installing and hugepage" \
            "setup may fail" >&2
    fi
fi

log() {
    echo "setup: $*"
}

package_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null |
        grep -q 'install ok installed'
}

install_packages() {
    local missing=() p

    for p in "${PACKAGES[@]}"; do
        if ! package_installed "$p"; then
            missing+=("$p")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        log "all ${#PACKAGES[@]} packages present"
        return 0
    fi
    log "installing: ${missing[*]}"
    "${SUDO[@]}" apt-get update -q
    "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

hugetlbfs_mounted() {
    grep -q ' hugetlbfs ' /proc/mounts
}

# Returns 0 when hugepages are usable; otherwise sets REASON.
REASON=
setup_hugepages() {
    local cur

    if [ ! -r "$HUGEPAGES_SYSFS" ]; then
        REASON="no 2 MiB hugepage support ($HUGEPAGES_SYSFS missing)"
        return 1
    fi
    cur=$(cat "$HUGEPAGES_SYSFS")
    if [ "$cur" -lt "$HUGEPAGES_WANTED" ]; then
        if ! echo "$HUGEPAGES_WANTED" |
                "${SUDO[@]}" tee "$HUGEPAGES_SYSFS" >/dev/null 2>&1; then
            REASON="cannot write $HUGEPAGES_SYSFS"
            return 1
        fi
        cur=$(cat "$HUGEPAGES_SYSFS")
        if [ "$cur" -lt "$HUGEPAGES_WANTED" ]; then
            # The kernel may give fewer when memory is fragmented.
            log "asked for $HUGEPAGES_WANTED hugepages, got $cur"
        fi
        if [ "$cur" -eq 0 ]; then
            REASON="the kernel gave no 2 MiB hugepages"
            return 1
        fi
    fi
    log "2 MiB hugepages reserved: $cur"
    if ! hugetlbfs_mounted; then
        if ! "${SUDO[@]}" mkdir -p "$HUGETLBFS_DIR" 2>/dev/null ||
                ! "${SUDO[@]}" mount -t hugetlbfs -o pagesize=2M nodev \
                    "$HUGETLBFS_DIR" 2>/dev/null; then
            REASON="cannot mount hugetlbfs at $HUGETLBFS_DIR"
            return 1
        fi
        log "mounted hugetlbfs at $HUGETLBFS_DIR"
    else
        log "hugetlbfs mounted at" \
            "$(awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts)"
    fi
    return 0
}

install_packages
if ! setup_hugepages; then
    log "WARNING: hugepages unavailable: $REASON"
    log "WARNING: the project will run with --no-huge (tests add" \
        "'--no-huge -m 512' themselves)"
fi
exit 0
