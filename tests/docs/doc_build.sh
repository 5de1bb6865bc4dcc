#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# doc_build.sh MESON BUILDDIR DOXYGEN DOXYFILE HTMLDIR
# 1. "meson compile -C BUILDDIR doc" succeeds and prints no warning, and
#    the HTML names every public function;
# 2. the same Doxyfile run on a copy of labyrinth.h with an undocumented
#    function (and an undocumented parameter) fails and names both.

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
page="$HTML/labyrinth_8h.html"
[ -s "$HTML/index.html" ] || fail "no $HTML/index.html"
[ -s "$page" ] || fail "no $page"
header=$(sed -n 's/^INPUT *= *"\(.*\)"$/\1/p' "$DOXYFILE")
[ -r "$header" ] || fail "cannot read INPUT '$header' from $DOXYFILE"
# Every function the header declares has its detailed entry.
funcs=$(grep -o -E '^[a-z].*\blabyrinth_[a-z_]+\(' "$header" |
	grep -o -E 'labyrinth_[a-z_]+\($' | tr -d '(' | sort -u)
[ "$(echo "$funcs" | wc -l)" -ge 20 ] || fail "found too few functions: $funcs"
for f in $funcs; do
	grep -q -E "class=\"memname\">.*[ *]$f </td>" "$page" ||
		fail "$f has no entry in $page"
done
for s in labyrinth_conf labyrinth_stats labyrinth_zone_stats \
		labyrinth_held_info; do
	[ -s "$HTML/struct${s//_/__}.html" ] ||
		fail "no page for struct $s"
done
echo "ok: meson compile doc: no warning, $(echo "$funcs" | wc -w)" \
	"functions and 4 structs documented"

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
	{ print }' "$header" >"$TMP/src/labyrinth.h"
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
