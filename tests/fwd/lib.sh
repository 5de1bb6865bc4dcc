# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
# shellcheck shell=bash
#
# Helpers shared by the labyrinth-fwd tests (sourced, not run). A test
# exits 0 on success, 1 on failure (after saying why), 77 to skip (meson's
# skip code) when the machine lacks something, with the reason.

SKIP=77
FWD_TMP=$(mktemp -d /tmp/lfwd-test.XXXXXX)
FWD_CLEANUP=""

fwd_cleanup() {
	eval "$FWD_CLEANUP"
	rm -rf "$FWD_TMP"
}
trap fwd_cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit $SKIP
}

ok() {
	echo "ok: $*"
}

# EAL memory arguments: hugepages when a hugetlbfs mount with at least 64
# free 2 MiB pages exists (as lt_hugepages_usable() in labyrinth_test.h),
# otherwise --no-huge -m 512. LFWD_NO_HUGE=1 forces the latter.
# --huge-unlink: no hugepage file outlives a run, even one killed by -9.
eal_mem_args() {
	local free
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo 2>/dev/null)
	if [ -z "$LFWD_NO_HUGE" ] && grep -q ' hugetlbfs ' /proc/mounts &&
			[ "${free:-0}" -ge 64 ]; then
		echo "--huge-unlink"
	else
		echo "note: no usable hugepages: running with --no-huge -m 512" >&2
		echo "--no-huge -m 512"
	fi
}

# A file prefix of our own for each run.
prefix() {
	echo "lfwd-$1-$$"
}

# json_check FILE PYTHON_EXPR...: each expression, evaluated with j = the
# parsed JSON, must be true; prints the failing one.
json_check() {
	local file=$1
	shift
	python3 - "$file" "$@" <<'PYEOF'
import json, sys
with open(sys.argv[1]) as f:
    j = json.load(f)
bad = 0
for expr in sys.argv[2:]:
    try:
        ok = eval(expr, {"j": j, "all": all, "any": any, "len": len, "sum": sum})
    except Exception as e:
        ok = False
        print("  error evaluating %s: %s" % (expr, e))
    print("  %s %s" % ("ok  " if ok else "FAIL", expr))
    if not ok:
        bad = 1
sys.exit(bad)
PYEOF
}

# The invariants every clean run must satisfy.
json_check_common() {
	json_check "$1" \
		'j["clean"] is True' \
		'j["mbufs_missing"] == 0' \
		'j["pages_missing"] == 0' \
		'j["labyrinth_audit"] == 0' \
		'all(p["avail"] == p["size"] for p in j["pools"])' \
		'all(l["free"] == l["pages"] and l["audit"] == 0 and l["bad_frees"] == 0 for l in j["labyrinths"])' \
		'j["totals"]["rx"] == j["totals"]["tx"] + j["totals"]["dropped"]' \
		'all(p["rx"] == p["fwd"] + p["dropped"] for p in j["ports"])' \
		'all(p["fwd"] == [q for q in j["ports"] if q["port"] == p["peer"]][0]["tx"] for p in j["ports"])' \
		'sum(l["rx"] for l in j["lcores"]) == j["totals"]["rx"]'
}
