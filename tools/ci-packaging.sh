#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# CI, packaging: configure for a temporary prefix as a distribution would
# (one plugin left out: w80x, which is then built out of tree), make
# install, check the installed layout, build and run plugins/w80x out of
# tree, then `make distcheck` in a fresh `git clone` of the committed tree
# placed alone in an empty directory.
# Usage: tools/ci-packaging.sh [--no-distcheck]
# Works on a clean checkout and on one configured in place (as .ci/run
# leaves it): then it builds from `make dist`'s tarball, since a tree
# configured in place cannot host another build directory.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/iotflash-pkg.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
prefix=$work/prefix

[ -x "$src/configure" ] || (cd "$src" && ./autogen.sh >/dev/null)
pkgsrc=$src
if [ -f "$src/config.status" ]; then
	echo "== make dist (the tree is configured in place)"
	make -C "$src" -s dist >/dev/null
	tar -xzf "$src/iotflash-$(sed -n 's/^PACKAGE_VERSION=.\(.*\).$/\1/p' "$src/configure" | head -n1).tar.gz" -C "$work"
	pkgsrc=$(echo "$work"/iotflash-*/)
fi
mkdir "$work/build"
cd "$work/build"
echo "== configure --prefix=$prefix --disable-w80x; make install"
"$pkgsrc/configure" -q --enable-werror --prefix="$prefix" --disable-w80x
make -j2 -s
make -s install >/dev/null

echo "== install layout"
"$src/tests/install-layout.sh" "$prefix"
echo "== out-of-tree plugin (plugins/w80x/Makefile.standalone)"
"$src/tests/outoftree.sh" "$prefix"

if [ "${1:-}" != --no-distcheck ]; then
	# In a fresh clone of the committed tree, alone in an empty directory:
	# distcheck builds and tests from its tarball, so this proves that both
	# a clone and a release tarball stand alone (no file from beside them).
	echo "== make distcheck in a fresh clone with nothing beside it"
	# The fault and interrupt matrices (minutes each) already ran twice in
	# CI on the same sources; distcheck proves the tarball builds and tests.
	export IOTFLASH_SKIP_MATRICES=1
	clone=$work/alone/iotflash
	mkdir -p "$work/alone"
	# bad-input.sh runs the built CLI as user nobody: mktemp's 0700 would
	# hide it.  The clone holds only the committed tree.
	chmod 755 "$work" "$work/alone"
	if git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
		git clone -q --no-checkout "$src" "$clone"
		git -C "$clone" checkout -q "$(git -C "$src" rev-parse HEAD)"
	else  # a release tarball: its unpacked copy
		(cd "$pkgsrc" && tar -cf - --exclude=./config.status --exclude=./Makefile .) | (mkdir "$clone" && tar -xf - -C "$clone")
	fi
	[ "$(ls -A "$work/alone")" = iotflash ] || { echo "the clone is not alone in $work/alone"; exit 1; }
	(cd "$clone" && { [ -x configure ] || ./autogen.sh >/dev/null; } && ./configure -q --enable-werror &&
		make -j4 -s distcheck) >"$work/distcheck.log" 2>&1 || {
		tail -n 60 "$work/distcheck.log"
		cat "$clone"/iotflash-*/_build/sub/test-suite.log 2>/dev/null | tail -n 80
		exit 1
	}
	grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' "$work/distcheck.log" || true
	grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$work/distcheck.log" || true
	grep -E 'archives ready for distribution' "$work/distcheck.log"
fi
echo "packaging: ok"
