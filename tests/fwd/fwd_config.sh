#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Config file: fwd_config.sh EXE DEFAULT_INI
# - the default file loads and gives exactly the built-in defaults;
# - the command line overrides the file;
# - a run with the default file forwards and exits clean;
# - broken files fail with a message naming the line.

# shellcheck source=tests/fwd/lib.sh
. "$(dirname "$0")/lib.sh"

EXE=$1
INI=$2
[ -x "$EXE" ] || fail "no executable '$EXE'"
[ -r "$INI" ] || fail "no config file '$INI'"
# --print-config exits before any port or pool is set up: little memory.
EAL="--no-pci --no-huge -m 64 --log-level=*:warning"
n=0

run() {
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$EXE" $EAL --file-prefix "$(prefix "cfg$n")" -- "$@"
}

run --print-config >"$FWD_TMP/builtin" 2>"$FWD_TMP/err" ||
	{ cat "$FWD_TMP/err"; fail "--print-config"; }
run --config "$INI" --print-config >"$FWD_TMP/file" 2>"$FWD_TMP/err" ||
	{ cat "$FWD_TMP/err"; fail "the default file does not load"; }
diff -u "$FWD_TMP/builtin" "$FWD_TMP/file" ||
	fail "the default file differs from the built-in defaults"
grep -q '^mode = io$' "$FWD_TMP/file" || fail "no 'mode = io' in the output"
ok "default file loads and equals the built-in defaults"

cat >"$FWD_TMP/mine.ini" <<'INI'
; a comment
[forwarding]
mode = macswap   ; trailing comment
burst = 16

[pages]
reserve = 8
INI
run --config "$FWD_TMP/mine.ini" --burst 64 --print-config \
	>"$FWD_TMP/out" 2>"$FWD_TMP/err" || { cat "$FWD_TMP/err"; fail "mine.ini"; }
grep -q '^mode = macswap$' "$FWD_TMP/out" || fail "file value not applied"
grep -q '^reserve = 8$' "$FWD_TMP/out" || fail "file value not applied"
grep -q '^burst = 64$' "$FWD_TMP/out" || fail "command line did not override"
ok "file values applied, command line overrides"

# broken FILE-CONTENT LINE WORDS: must fail, naming file:line and WORDS.
broken() {
	local content=$1 line=$2 words=$3 f="$FWD_TMP/broken$n.ini"
	printf '%b' "$content" >"$f"
	if run --config "$f" --print-config >"$FWD_TMP/out" 2>"$FWD_TMP/err"; then
		fail "accepted a broken file: $(cat "$f")"
	fi
	cat "$FWD_TMP/err"
	grep -q "$f:$line: .*$words" "$FWD_TMP/err" ||
		fail "expected '$f:$line: ...$words'"
	[ "$(grep -c "$f" "$FWD_TMP/err")" -eq 1 ] || fail "more than one message"
}
broken '[ports]\nqueues = 1\n\n; c\n[forwarding]\nburst = 64x\n' 6 "not a number"
broken '[ports]\nqueues = 1\nfoo = 1\n' 3 "unknown key 'foo'"
broken '[ports]\nqueues = 1\njunk line\n' 3 "expected 'key = value'"
broken '[ports]\nqueues = 1\n[nope]\nx = 1\n' 3 "unknown section"
broken 'queues = 2\n' 1 "outside any"
broken '[ports\nqueues = 2\n' 1 "malformed section"
broken '[forwarding]\nmode = fast\n' 2 "not io, macswap or page-copy"
broken '[ports]\nqueues = 1\nqueues = 2\n' 3 "repeated"
broken '[pages]\nsize = 3000\n' 2 "power of two"
ok "broken files are rejected with the line named"

# A short run with the default file.
JSON=$FWD_TMP/summary.json
# shellcheck disable=SC2046
timeout 60 "$EXE" -l 0-1 $(eal_mem_args) --no-pci --file-prefix "$(prefix cfgrun)" \
	--vdev net_null0 --vdev net_null1 -- --config "$INI" --duration 2 \
	--stats-json "$JSON" >"$FWD_TMP/run.log" 2>&1 ||
	{ cat "$FWD_TMP/run.log"; fail "run with the default file"; }
json_check "$JSON" 'j["totals"]["tx"] > 0' || fail "nothing forwarded"
json_check_common "$JSON" || fail "JSON invariants"
echo "PASS: config file"
