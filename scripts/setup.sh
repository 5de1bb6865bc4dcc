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
    openvswitch-switch-dpdk
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
    for p in "${missing[@]}"; do
        if [ "$p" = openvswitch-switch-dpdk ]; then
            quiet_system_ovs
        fi
    done
}

# openvswitch-switch's postinst starts the system Open vSwitch (init
# script or systemd unit) unless policy-rc.d forbids it, as in most
# containers. The suite 'ovs' runs an ovsdb-server and ovs-vswitchd of its
# own (private folders, EAL file prefix, PMD CPU), so a system one is not
# needed; it would not take hugepages (its database has no dpdk-init) but
# it would keep running. Only right after this script installed the
# package (never an Open vSwitch the machine had before): stop it and keep
# it from starting at boot.
quiet_system_ovs() {
    if [ -d /run/systemd/system ]; then
        "${SUDO[@]}" systemctl disable --now openvswitch-switch.service \
            ovs-vswitchd.service ovsdb-server.service >/dev/null 2>&1 || true
    else
        if [ -s /var/run/openvswitch/ovs-vswitchd.pid ] ||
                [ -s /var/run/openvswitch/ovsdb-server.pid ]; then
            "${SUDO[@]}" /usr/share/openvswitch/scripts/ovs-ctl stop \
                >/dev/null 2>&1 || true
        fi
        "${SUDO[@]}" update-rc.d openvswitch-switch disable \
            >/dev/null 2>&1 || true
    fi
    log "openvswitch-switch: the system service is stopped and disabled" \
        "(the suite 'ovs' starts its own)"
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
