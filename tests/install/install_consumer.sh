#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# install_consumer.sh MESON BUILDDIR PREFIX LIBDIR INCLUDEDIR CONSUMER_C
# (PREFIX, LIBDIR, INCLUDEDIR: the build's, absolute.)
#
# 1. meson install --destdir into a fresh temporary folder;
# 2. the installed labyrinth.pc and labyrinth_mempool.pc, headers and
#    libraries are where they belong; each .pc says prefix=PREFIX, derives
#    libdir and includedir from it and pulls libdpdk in through Requires
#    (labyrinth_mempool.pc also labyrinth);
# 3. consumer.c is compiled with nothing but
#      cc consumer.c $(pkg-config --cflags --libs labyrinth labyrinth_mempool)
#    against that tree, picks the installed headers and libraries, and
#    runs: it makes a labyrinth, grabs and frees pages, calls
#    liblabyrinth_mempool and checks the answers.
#
# pkg-config must read the installed .pc files with their prefix moved
# to where the tree is (TMP/root/PREFIX): PKG_CONFIG_SYSROOT_DIR cannot
# be used, as it prefixes libdpdk's paths (in /usr, outside the tree)
# too, and so does --define-variable=prefix=. So the test copies each .pc
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
incdir=$(in_tree "$INCLUDEDIR")
header=$incdir/labyrinth.h
mp_header=$incdir/labyrinth_mempool.h

# check_pc NAME LIB: the installed NAME.pc, its paths and its -lLIB.
check_pc() {
	local name=$1 lib=$2
	local pc=$libdir/pkgconfig/$name.pc

	[ -r "$pc" ] || fail "no $pc"
	cat "$pc"
	grep -q -x "prefix=$PREFIX" "$pc" || fail "$name.pc: not prefix=$PREFIX"
	grep -q -x 'libdir=${prefix}/.*' "$pc" ||
		fail "$name.pc: libdir not under \${prefix}"
	grep -q -x 'includedir=${prefix}/.*' "$pc" ||
		fail "$name.pc: includedir not under \${prefix}"
	if grep -v '^prefix=' "$pc" | grep -q -F "$PREFIX/"; then
		fail "$name.pc: a path that does not derive from \${prefix}"
	fi
	grep -q -E '^Requires: (.*[ ,])?libdpdk( |,|$)' "$pc" ||
		fail "$name.pc: libdpdk is not in Requires"
	grep -q -E "^Libs: .*-L\\\$\{libdir\} .*-l$lib( |\$)" "$pc" ||
		fail "$name.pc: Libs has no -L\${libdir} -l$lib"
	grep -q -E '^Cflags: .*-I\$\{includedir\}' "$pc" ||
		fail "$name.pc: Cflags has no -I\${includedir}"
	[ -e "$libdir/lib$lib.so" ] || fail "no $libdir/lib$lib.so"
	[ -e "$libdir/lib$lib.a" ] || fail "no $libdir/lib$lib.a"
}

check_pc labyrinth labyrinth
check_pc labyrinth_mempool labyrinth_mempool
grep -q -E '^Requires: (.*[ ,])?labyrinth( |,|$)' \
	"$libdir/pkgconfig/labyrinth_mempool.pc" ||
	fail "labyrinth_mempool.pc: labyrinth is not in Requires"
[ -r "$header" ] || fail "no $header"
[ -r "$mp_header" ] || fail "no $mp_header"
ok "labyrinth.pc, labyrinth_mempool.pc, their headers, .so and .a installed"

# 3. pkg-config on the tree.
mkdir "$TMP/pkgconfig"
for name in labyrinth labyrinth_mempool; do
	sed "s|^prefix=.*|prefix=$root|" "$libdir/pkgconfig/$name.pc" \
		>"$TMP/pkgconfig/$name.pc"
done
export PKG_CONFIG_PATH=$TMP/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
unset PKG_CONFIG_SYSROOT_DIR
pkgs="labyrinth labyrinth_mempool"
# shellcheck disable=SC2086
pkg-config --print-errors --exists $pkgs || fail "pkg-config $pkgs"
# shellcheck disable=SC2086
cflags=$(pkg-config --cflags $pkgs)
# shellcheck disable=SC2086
libs=$(pkg-config --libs $pkgs)
echo "pkg-config --cflags $pkgs: $cflags"
echo "pkg-config --libs $pkgs: $libs"
pkg-config --print-requires labyrinth | grep -q '^libdpdk' ||
	fail "pkg-config --print-requires labyrinth has no libdpdk"
pkg-config --print-requires labyrinth_mempool | grep -q '^labyrinth$' ||
	fail "pkg-config --print-requires labyrinth_mempool has no labyrinth"
for w in $(pkg-config --cflags libdpdk); do
	case " $cflags " in
	*" $w "*) ;;
	*) fail "libdpdk's cflag '$w' missing from $pkgs's" ;;
	esac
done
for w in $(pkg-config --libs libdpdk) -llabyrinth -llabyrinth_mempool; do
	case " $libs " in
	*" $w "*) ;;
	*) fail "lib flag '$w' missing from $pkgs's" ;;
	esac
done
case " $cflags " in *" -I$root/"*) ;; *) fail "no -I into the tree" ;; esac
case " $libs " in *" -L$libdir "*) ;; *) fail "no -L$libdir" ;; esac
ok "pkg-config: the tree's -I and -L, -llabyrinth_mempool, -llabyrinth and all of libdpdk's flags"

# The headers used are the installed ones.
# shellcheck disable=SC2086
"$CC" -M "$CONSUMER_C" $cflags >"$TMP/deps" ||
	fail "$CC -M consumer.c"
for h in "$header" "$mp_header"; do
	grep -q -F "$h" "$TMP/deps" || {
		cat "$TMP/deps"
		fail "consumer.c did not include $h"
	}
done
# shellcheck disable=SC2086
"$CC" -Wall -Wextra -Werror -o "$TMP/consumer" "$CONSUMER_C" \
	$(pkg-config --cflags --libs $pkgs) ||
	fail "cc consumer.c \$(pkg-config --cflags --libs $pkgs)"
ok "consumer.c built against the installed tree"

export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
ldd "$TMP/consumer" >"$TMP/ldd" || fail "ldd consumer"
for l in liblabyrinth.so.0 liblabyrinth_mempool.so.0; do
	grep -q -F "$l => $libdir/$l" "$TMP/ldd" || {
		cat "$TMP/ldd"
		fail "consumer does not load $libdir/$l"
	}
done
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
ok "consumer ran against the installed liblabyrinth and liblabyrinth_mempool"
exit 0
