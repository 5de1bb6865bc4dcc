#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# install_fwd_config.sh MESON BUILDDIR PREFIX BINDIR LIBDIR SYSCONF_INI SRC_INI
# (PREFIX, BINDIR, LIBDIR, SYSCONF_INI: the build's, absolute; SYSCONF_INI
# is <sysconfdir>/labyrinth/labyrinth-fwd.ini.)
#
# 1. meson install --destdir into a fresh temporary folder: the tree has
#    SYSCONF_INI, a copy of config/labyrinth-fwd.ini;
# 2. the installed labyrinth-fwd's --help names SYSCONF_INI;
# 3. run without --config, it reads SYSCONF_INI: the test edits the
#    tree's copy and, in a private mount namespace (unshare -m) where the
#    tree's sysconfdir is bind-mounted over the real one, so that the
#    binary finds its file at the path compiled into it as after a real
#    install (and the machine's own folder is not touched), checks that
#    --print-config shows the edit; with the file gone, the built-in
#    defaults; with a broken file, an error naming SYSCONF_INI and the
#    line. Skips (77) this part where mount namespaces are not allowed.

# shellcheck source=tests/install/lib.sh
. "$(dirname "$0")/lib.sh"

MESON=$1
BUILD=$2
PREFIX=$3
BINDIR=$4
LIBDIR=$5
SYSCONF_INI=$6
SRC_INI=$7

install_tree "$MESON" "$BUILD"

# 1. The installed file.
tree_ini=$(in_tree "$SYSCONF_INI")
[ -r "$tree_ini" ] || fail "no $tree_ini in the installed tree"
cmp "$SRC_INI" "$tree_ini" || fail "$tree_ini differs from $SRC_INI"
ok "installed $SYSCONF_INI"

# 2. --help (EAL comes up first; no device needed).
fwd=$(in_tree "$BINDIR")/labyrinth-fwd
[ -x "$fwd" ] || fail "no $fwd"
export LD_LIBRARY_PATH=$(in_tree "$LIBDIR")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
EAL=(--no-pci --no-huge -m 64 --no-shconf --no-telemetry
	--log-level='*:warning')
n=0
run() {
	n=$((n + 1))
	timeout 30 "$fwd" "${EAL[@]}" --file-prefix "install_fwd_$$_$n" -- "$@"
}
run --help >"$TMP/help" 2>&1 || { cat "$TMP/help"; fail "--help"; }
grep -q -F "$SYSCONF_INI" "$TMP/help" || {
	cat "$TMP/help"
	fail "--help does not name $SYSCONF_INI"
}
ok "--help names $SYSCONF_INI"

# The built-in defaults: the shipped file holds exactly them
# (tests/fwd/fwd_config.sh checks that).
run --config "$SRC_INI" --print-config >"$TMP/defaults" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "--config $SRC_INI --print-config"; }
grep -q -x 'burst = 32' "$TMP/defaults" || fail "default burst is not 32"

# 3. In a mount namespace: the tree's sysconfdir over the real one.
sysconfdir=$(dirname "$(dirname "$SYSCONF_INI")")
if [ -d "$(dirname "$SYSCONF_INI")" ]; then
	# a real install is there: hide it behind the tree's
	target=$(dirname "$SYSCONF_INI")
elif [ -d "$sysconfdir" ] && [ "$sysconfdir" != /etc ]; then
	target=$sysconfdir
else
	# Over /etc, the binary would not find /etc/ld.so.cache and the rest.
	skip "no $(dirname "$SYSCONF_INI") nor a sysconfdir other than" \
		"/etc to mount the tree's over"
fi
source=$(in_tree "$target")
unshare -m true 2>/dev/null || skip "unshare -m: mount namespaces not allowed"

# in_ns ARGS...: labyrinth-fwd ARGS... (EAL options added) with the tree's
# sysconfdir at its real place.
in_ns() {
	n=$((n + 1))
	unshare -m bash -c 'mount --bind "$1" "$2" || exit 99; shift 2
		exec timeout 30 "$@"' \
		in_ns "$source" "$target" "$fwd" "${EAL[@]}" \
		--file-prefix "install_fwd_$$_$n" -- "$@"
}

sed -i 's/^burst = 32$/burst = 16/' "$tree_ini"
grep -q -x 'burst = 16' "$tree_ini" || fail "could not edit $tree_ini"
in_ns --print-config >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -ne 99 ] || { cat "$TMP/err"; skip "mount --bind refused"; }
[ "$rc" -eq 0 ] || { cat "$TMP/err"; fail "no --config: exit $rc"; }
grep -q -x 'burst = 16' "$TMP/out" || {
	cat "$TMP/out"
	fail "no --config: $SYSCONF_INI was not read"
}
ok "no --config: $SYSCONF_INI read (burst = 16 from it)"

in_ns --burst 8 --print-config >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "no --config, --burst 8"; }
grep -q -x 'burst = 8' "$TMP/out" || fail "the command line did not override"
in_ns --config "$SRC_INI" --print-config >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "--config $SRC_INI"; }
diff -u "$TMP/defaults" "$TMP/out" ||
	fail "--config FILE did not replace $SYSCONF_INI"
ok "the command line overrides it; --config FILE replaces it"

printf '[forwarding]\nburst = 16x\n' >"$tree_ini"
if in_ns --print-config >"$TMP/out" 2>"$TMP/err"; then
	fail "a broken $SYSCONF_INI was accepted"
fi
cat "$TMP/err"
grep -q -F "$SYSCONF_INI:2: " "$TMP/err" ||
	fail "the error does not name $SYSCONF_INI:2"
ok "a broken $SYSCONF_INI is an error naming its line"

rm "$tree_ini"
in_ns --print-config >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "no --config, no file"; }
diff -u "$TMP/defaults" "$TMP/out" ||
	fail "no --config and no $SYSCONF_INI: not the built-in defaults"
ok "no --config and no $SYSCONF_INI: the built-in defaults"

if [ "$(id -u)" -eq 0 ]; then
	rundir=/var/run
else
	rundir=${XDG_RUNTIME_DIR:-/tmp}
fi
for i in $(seq 1 "$n"); do
	rmdir "$rundir/dpdk/install_fwd_$$_$i" 2>/dev/null
done
exit 0
