# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Shared by the install suite's scripts (sourced, bash).
#
# install_tree MESON BUILDDIR: "meson install --destdir" of BUILDDIR into
# a fresh temporary folder, removed at exit. Sets TMP (the temporary
# folder) and DESTDIR (TMP/root, the installed tree).

set -u

fail() {
	echo "FAIL: $*"
	exit 1
}

ok() {
	echo "ok: $*"
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# The path P of the install inside DESTDIR (P absolute).
in_tree() {
	echo "$DESTDIR$1"
}

install_tree() {
	local meson=$1 build=$2

	TMP=$(mktemp -d "${TMPDIR:-/tmp}/labyrinth-install.XXXXXX") ||
		fail "mktemp"
	# shellcheck disable=SC2064
	trap "rm -rf '$TMP'" EXIT
	DESTDIR=$TMP/root
	[ ! -e "$DESTDIR" ] || fail "$DESTDIR exists already"
	# --no-rebuild: meson test has built everything; no nested ninja.
	if ! "$meson" install -C "$build" --no-rebuild --quiet \
			--destdir "$DESTDIR" >"$TMP/install.log" 2>&1; then
		cat "$TMP/install.log"
		fail "meson install --destdir $DESTDIR"
	fi
	ok "meson install --destdir $DESTDIR"
}
