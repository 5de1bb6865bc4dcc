#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Smoke of labyrinth-bench's llfree section (--only llfree --quick, small
# N): it must print one row for each order 0..9 with numeric labyrinth
# figures (default and strict pool), and, when LLFree was built, a numeric
# LLFree figure and ratio; the JSON must hold the section's 30 figures.
# Without the peer folder (../shared/peers/llfree-c beside the
# repository) the section must still run and say "not found"; the test
# then exits 77 (skipped) saying why.
#
# Usage: llfree_smoke.sh SOURCE_ROOT BUILD_ROOT BENCH FOUND WHY
#   FOUND: 1 if meson built LLFree, else 0; WHY: meson's reason

set -u

SRC=$1
BUILD=$2
BENCH=$3
FOUND=$4
WHY=$5
OUT=$BUILD/llfree-smoke
PEER=$SRC/../shared/peers/llfree-c

fail() {
	echo "llfree-smoke: FAIL: $*"
	exit 1
}

rm -rf "$OUT"
mkdir -p "$OUT" || fail "cannot create $OUT"
"$BENCH" -l 0 --no-pci --in-memory --file-prefix "llfree-smoke-$$" \
	--log-level='*:warning' -- --only llfree --quick --n 2000 \
	--json "$OUT/llfree.json" >"$OUT/llfree.log" 2>&1
rc=$?
cat "$OUT/llfree.log"
[ "$rc" = 0 ] || fail "labyrinth-bench exited with $rc"

# The rows of section 6: order, block ("4 KiB"), labyrinth, LLFree
# (a number, or "not found"), ratio, strict labyrinth, its ratio.
awk -v found="$FOUND" '
	function num(s) { return s ~ /^[0-9]+(\.[0-9]+)?$/ }
	/^== 6\. / { in6 = 1; next }
	/^== / { in6 = 0 }
	!in6 || $1 !~ /^[0-9]+$/ || $3 != "KiB" { next }
	{
		o = $1
		if (o in seen) { print "order " o " twice"; bad = 1 }
		seen[o] = 1
		if (!num($4)) { print "order " o ": labyrinth column " $4; bad = 1 }
		strict = found == 1 ? $7 : $8
		if (!num(strict)) {
			print "order " o ": strict column " strict
			bad = 1
		}
		if (found == 1) {
			if (!num($5)) { print "order " o ": LLFree column " $5; bad = 1 }
			if (!num($6)) { print "order " o ": ratio " $6; bad = 1 }
		} else if ($5 " " $6 != "not found") {
			print "order " o ": LLFree column " $5 " " $6 \
				", not \"not found\""
			bad = 1
		}
	}
	END {
		for (o = 0; o <= 9; o++)
			if (!(o in seen)) { print "no row for order " o; bad = 1 }
		exit bad
	}' "$OUT/llfree.log" >"$OUT/check.txt"
[ $? = 0 ] || fail "section 6 rows: $(tr '\n' ';' <"$OUT/check.txt")"

if command -v python3 >/dev/null 2>&1; then
	python3 - "$OUT/llfree.json" "$FOUND" <<'PY' || fail "JSON check"
import json, sys
doc = json.load(open(sys.argv[1]))
found = sys.argv[2] == "1"
figs = [g for g in doc["figures"] if g["section"] == "llfree"]
lab = [g for g in figs if g["name"].startswith("labyrinth order ")]
strict = [g for g in figs if g["name"].startswith("labyrinth strict order ")]
llf = [g for g in figs if g["name"].startswith("LLFree order ")]
assert len(lab) == 10 and len(strict) == 10 and len(llf) == 10, \
    (len(lab), len(strict), len(llf))
assert all(g["valid"] and g["unit"] == "ns/pair" for g in lab + strict)
assert all(g["valid"] == found for g in llf), [g["valid"] for g in llf]
assert all(len(g["runs"]) >= 9 for g in lab + strict)
if found:
    assert all(g["anchor"] and g["anchor"].startswith("LLFree order ")
               and g["ratio"] is not None for g in lab + strict)
assert "llfree" in doc
PY
fi

if [ "$FOUND" != 1 ]; then
	if [ -d "$PEER" ]; then
		echo "llfree-smoke: SKIP: LLFree was not built: $WHY"
	else
		echo "llfree-smoke: SKIP: no LLFree peer folder $PEER" \
			"(the section ran and says \"not found\")"
	fi
	exit 77
fi
echo "llfree-smoke: OK ($OUT/llfree.log)"
