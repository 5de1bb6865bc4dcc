#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# doc_build.sh MESON BUILDDIR DOXYGEN DOXYFILE HTMLDIR
# 1. "meson compile -C BUILDDIR doc" succeeds and prints no warning, and
#    the HTML names every function of every public header (INPUT);
# 2. the same Doxyfile run on a copy of labyrinth.h (the first INPUT) with
#    an undocumented function (and an undocumented parameter) fails and
#    names both.

set -u

MESON=$1
BUILD=$2
DOXYGEN=$3
DOXYFILE=$4
HTML=$5

fail() {
	echo "FAIL: $*"
	exit 1
}

if [ -z "$DOXYGEN" ]; then
	echo "SKIP: doxygen was not found when the build was configured" \
		"(apt-get install doxygen, or bash scripts/setup.sh; then" \
		"meson setup --reconfigure)"
	exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/labyrinth-docs.XXXXXX") || fail "mktemp"
trap 'rm -rf "$TMP"' EXIT

# 1. The real target.
"$MESON" compile -C "$BUILD" doc >"$TMP/out" 2>&1
rc=$?
cat "$TMP/out"
[ "$rc" -eq 0 ] || fail "meson compile doc exited $rc"
if grep -E -i '(warning|error):' "$TMP/out"; then
	fail "doxygen printed warnings (above)"
fi
[ -s "$HTML/index.html" ] || fail "no $HTML/index.html"
# The INPUT headers: every quoted path of the INPUT lines (= and +=) and
# their continuation lines.
headers=$(awk '/^INPUT *[+]?=/ { on = 1 }
	on { while (match($0, /"[^"]*"/)) {
			print substr($0, RSTART + 1, RLENGTH - 2)
			$0 = substr($0, RSTART + RLENGTH)
		}
		if (!/\\$/) on = 0 }' "$DOXYFILE")
[ -n "$headers" ] || fail "no INPUT in $DOXYFILE"
nfuncs=0
for header in $headers; do
	[ -r "$header" ] || fail "cannot read INPUT '$header' from $DOXYFILE"
	# Doxygen's page of a header: "_" doubled, "." as "_8".
	base=$(basename "$header")
	base=${base//_/__}
	page="$HTML/${base//./_8}.html"
	[ -s "$page" ] || fail "no $page"
	# Every function the header declares has its detailed entry.
	funcs=$(grep -o -E '^[a-z].*\blabyrinth_[a-z_]+\(' "$header" |
		grep -o -E 'labyrinth_[a-z_]+\($' | tr -d '(' | sort -u)
	[ -n "$funcs" ] || fail "found no function in $header"
	for f in $funcs; do
		grep -q -E "class=\"memname\">.*[ *]$f </td>" "$page" ||
			fail "$f has no entry in $page"
	done
	nfuncs=$((nfuncs + $(echo "$funcs" | wc -w)))
done
[ "$nfuncs" -ge 23 ] || fail "found too few functions: $nfuncs"
for s in labyrinth_conf labyrinth_stats labyrinth_zone_stats \
		labyrinth_held_info; do
	[ -s "$HTML/struct${s//_/__}.html" ] ||
		fail "no page for struct $s"
done
echo "ok: meson compile doc: no warning, $nfuncs functions and 4" \
	"structs documented"

# 2. The gate bites: same Doxyfile, a broken copy of the header.
mkdir "$TMP/src" "$TMP/out-broken"
awk '/^#ifdef __cplusplus$/ { n++ }
	n == 2 && !done {
		print "int labyrinth_undocumented_fn(int x);\n"
		print "/**\n * Documented, but not its parameter.\n *"
		print " * @return\n *   0.\n */"
		print "int labyrinth_half_documented_fn(int y);\n"
		done = 1
	}
	{ print }' "$(echo "$headers" | head -n 1)" >"$TMP/src/labyrinth.h"
grep -q labyrinth_undocumented_fn "$TMP/src/labyrinth.h" ||
	fail "could not make the broken header"
{
	cat "$DOXYFILE"
	echo "INPUT = \"$TMP/src/labyrinth.h\""
	echo "STRIP_FROM_PATH = \"$TMP/src\""
	echo "OUTPUT_DIRECTORY = \"$TMP/out-broken\""
} | "$DOXYGEN" - >"$TMP/broken" 2>&1
rc=$?
cat "$TMP/broken"
[ "$rc" -ne 0 ] || fail "doxygen accepted an undocumented function"
grep -q 'labyrinth_undocumented_fn.*not documented' "$TMP/broken" ||
	fail "no warning for the undocumented function"
grep -q 'parameters of member labyrinth_half_documented_fn are not documented' \
		"$TMP/broken" ||
	fail "no warning for the undocumented parameter"
echo "ok: an undocumented function and parameter fail the doc build"
exit 0
