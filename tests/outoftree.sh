#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Build plugins/w80x a second time, out of tree, against an installed
# iotflash found only through `pkg-config iotflash`, and run it from there
# (IOTFLASH_PLUGIN_PATH, IOTFLASH_CHIPDB_PATH): listed, identifies, reads,
# writes and verifies its simulated W800; the W600 read is refused; the
# shared contract check passes for w800.
# Usage: tests/outoftree.sh PREFIX   (an iotflash installed there without w80x)
set -u
prefix=${1:?usage: outoftree.sh PREFIX}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/iotflash-oot.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 failed=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; }
check() { local d=$1; shift; if "$@" >"$work/log" 2>&1; then ok "$d"; else bad "$d"; sed 's/^/    /' "$work/log" | tail -n 15; fi; }

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
unset IOTFLASH_PLUGIN_PATH IOTFLASH_CHIPDB_PATH
iot=$prefix/bin/iotflash
plugindir=$(pkg-config --variable=plugindir iotflash)
chipdbdir=$(pkg-config --variable=chipdbdir iotflash)

check "the installed tree has no w80x of its own" test ! -e "$plugindir/w80x.so" -a ! -e "$chipdbdir/w80x.yaml"
check "w800 unknown before the out-of-tree plugin" sh -c "! '$iot' list-chips | grep -qw w800"

mkdir -p "$work/build" "$work/db"
check "out-of-tree build with Makefile.standalone (pkg-config only)" \
	make -f "$src/plugins/w80x/Makefile.standalone" SRCDIR="$src/plugins/w80x/" O="$work/build"
check "the plugin exports only its descriptor" sh -c \
	"test \"\$(nm -D --defined-only '$work/build/w80x.so' | awk '{print \$3}' | grep -v '^_' )\" = iotflash_plugin"
check "no internal header is used" sh -c "! grep -n 'internal.h\|config.h' '$src'/plugins/w80x/*.[ch]"
cp "$src/chipdb/w80x.yaml" "$work/db/"

export IOTFLASH_PLUGIN_PATH=$work/build IOTFLASH_CHIPDB_PATH=$work/db
check "list-plugins shows w80x from the out-of-tree build" sh -c "'$iot' list-plugins | grep -q w80x"
check "list-chips shows w800, w803 and w600" sh -c \
	"'$iot' list-chips >'$work/chips' && grep -qw w800 '$work/chips' && grep -qw w803 '$work/chips' && grep -qw w600 '$work/chips'"
check "the installed chips are still there" grep -qw bk7231n "$work/chips"

# The plugin's own end-to-end test, with the installed programs.
check "w80x-basic.sh against the out-of-tree plugin" env IOTFLASH="$iot" IOTFLASH_SIM="$prefix/bin/iotflash-sim" \
	top_srcdir="$src" bash "$src/tests/e2e/w80x-basic.sh"

contract=${IOTFLASH_CONTRACT:-}
if [ -n "$contract" ] && [ -x "$contract" ]; then
	python3 "$src/tests/e2e/gen-w80x-stub.py" "$work/stub.bin"
	check "contract check for w800" env IOTFLASH="$iot" IOTFLASH_SIM="$prefix/bin/iotflash-sim" \
		LOADER_w800="$work/stub.bin" "$contract" w800
else
	echo "# IOTFLASH_CONTRACT not set: no contract check for w800"
fi

check "make -f Makefile.standalone install puts the files at the pkg-config paths" sh -c \
	"make -s -f '$src/plugins/w80x/Makefile.standalone' SRCDIR='$src/plugins/w80x/' O='$work/build' \
	  CHIPDB_YAML='$src/chipdb/w80x.yaml' DESTDIR='$work/stage' install &&
	 test -f '$work/stage$plugindir/w80x.so' && test -f '$work/stage$chipdbdir/w80x.yaml'"

echo "out of tree: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
