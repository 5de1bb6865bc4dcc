#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# install_consumer.sh MESON BUILDDIR PREFIX LIBDIR INCLUDEDIR CONSUMER_C
# (PREFIX, LIBDIR, INCLUDEDIR: the build's, absolute.)
#
# 1. meson install --destdir into a fresh temporary folder;
# 2. the installed labyrinth.pc, header and library are where they belong;
#    the .pc says prefix=PREFIX, derives libdir and includedir from it and
#    pulls libdpdk in through Requires;
# 3. consumer.c is compiled with nothing but
#      cc consumer.c $(pkg-config --cflags --libs labyrinth)
#    against that tree, picks the installed header and library, and runs:
#    it makes a labyrinth, grabs and frees pages and checks the answers.
#
# pkg-config must read the installed labyrinth.pc with its prefix moved
# to where the tree is (TMP/root/PREFIX): PKG_CONFIG_SYSROOT_DIR cannot
# be used, as it prefixes libdpdk's paths (in /usr, outside the tree)
# too, and so does --define-variable=prefix=. So the test copies the .pc
# with its one "prefix=" line rewritten, after checking that every other
# path in it derives from ${prefix}: the copy is then what an install
# at that prefix would have written.

# shellcheck source=tests/install/lib.sh
. "$(dirname "$0")/lib.sh"

MESON=$1
BUILD=$2
PREFIX=$3
LIBDIR=$4
INCLUDEDIR=$5
CONSUMER_C=$6
CC=${CC:-cc}

command -v pkg-config >/dev/null || skip "no pkg-config"
command -v "$CC" >/dev/null || skip "no C compiler '$CC'"
pkg-config --exists libdpdk || skip "pkg-config cannot find libdpdk"

install_tree "$MESON" "$BUILD"

# 2. The installed files.
root=$(in_tree "$PREFIX")
libdir=$(in_tree "$LIBDIR")
pc=$libdir/pkgconfig/labyrinth.pc
header=$(in_tree "$INCLUDEDIR")/labyrinth.h
[ -r "$pc" ] || fail "no $pc"
[ -r "$header" ] || fail "no $header"
[ -e "$libdir/liblabyrinth.so" ] || fail "no $libdir/liblabyrinth.so"
[ -e "$libdir/liblabyrinth.a" ] || fail "no $libdir/liblabyrinth.a"
cat "$pc"
grep -q -x "prefix=$PREFIX" "$pc" || fail "labyrinth.pc: not prefix=$PREFIX"
grep -q -x 'libdir=${prefix}/.*' "$pc" || fail "labyrinth.pc: libdir not under \${prefix}"
grep -q -x 'includedir=${prefix}/.*' "$pc" ||
	fail "labyrinth.pc: includedir not under \${prefix}"
if grep -v '^prefix=' "$pc" | grep -q -F "$PREFIX/"; then
	fail "labyrinth.pc: a path that does not derive from \${prefix}"
fi
grep -q -E '^Requires: (.*[ ,])?libdpdk( |,|$)' "$pc" ||
	fail "labyrinth.pc: libdpdk is not in Requires"
grep -q -E '^Libs: .*-L\$\{libdir\} .*-llabyrinth' "$pc" ||
	fail "labyrinth.pc: Libs has no -L\${libdir} -llabyrinth"
grep -q -E '^Cflags: .*-I\$\{includedir\}' "$pc" ||
	fail "labyrinth.pc: Cflags has no -I\${includedir}"
ok "labyrinth.pc, labyrinth.h, liblabyrinth.so and .a installed"

# 3. pkg-config on the tree.
mkdir "$TMP/pkgconfig"
sed "s|^prefix=.*|prefix=$root|" "$pc" >"$TMP/pkgconfig/labyrinth.pc"
export PKG_CONFIG_PATH=$TMP/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
unset PKG_CONFIG_SYSROOT_DIR
pkg-config --print-errors --exists labyrinth || fail "pkg-config labyrinth"
cflags=$(pkg-config --cflags labyrinth)
libs=$(pkg-config --libs labyrinth)
echo "pkg-config --cflags labyrinth: $cflags"
echo "pkg-config --libs labyrinth: $libs"
pkg-config --print-requires labyrinth | grep -q '^libdpdk' ||
	fail "pkg-config --print-requires labyrinth has no libdpdk"
for w in $(pkg-config --cflags libdpdk); do
	case " $cflags " in
	*" $w "*) ;;
	*) fail "libdpdk's cflag '$w' missing from labyrinth's" ;;
	esac
done
for w in $(pkg-config --libs libdpdk); do
	case " $libs " in
	*" $w "*) ;;
	*) fail "libdpdk's lib flag '$w' missing from labyrinth's" ;;
	esac
done
case " $cflags " in *" -I$root/"*) ;; *) fail "no -I into the tree" ;; esac
case " $libs " in *" -L$libdir "*) ;; *) fail "no -L$libdir" ;; esac
ok "pkg-config: the tree's -I and -L, and all of libdpdk's flags"

# The header used is the installed one.
# shellcheck disable=SC2086
"$CC" -M "$CONSUMER_C" $cflags >"$TMP/deps" ||
	fail "$CC -M consumer.c"
grep -q -F "$header" "$TMP/deps" || {
	cat "$TMP/deps"
	fail "consumer.c did not include $header"
}
# shellcheck disable=SC2086
"$CC" -Wall -Wextra -Werror -o "$TMP/consumer" "$CONSUMER_C" \
	$(pkg-config --cflags --libs labyrinth) ||
	fail "cc consumer.c \$(pkg-config --cflags --libs labyrinth)"
ok "consumer.c built against the installed tree"

export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
ldd "$TMP/consumer" >"$TMP/ldd" || fail "ldd consumer"
grep -q -F "liblabyrinth.so.0 => $libdir/liblabyrinth.so.0" "$TMP/ldd" || {
	cat "$TMP/ldd"
	fail "consumer does not load $libdir/liblabyrinth.so.0"
}
timeout 60 "$TMP/consumer" -l 0 --no-pci --no-huge -m 128 --no-shconf \
	--no-telemetry --file-prefix "install_consumer_$$" \
	--log-level=lib.eal:error || fail "consumer exited $?"
# EAL leaves its (empty) runtime folder behind: /var/run/dpdk/PREFIX for
# root, else under XDG_RUNTIME_DIR or /tmp.
if [ "$(id -u)" -eq 0 ]; then
	rundir=/var/run
else
	rundir=${XDG_RUNTIME_DIR:-/tmp}
fi
rmdir "$rundir/dpdk/install_consumer_$$" 2>/dev/null
ok "consumer ran against the installed liblabyrinth"
exit 0
