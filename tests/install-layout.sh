#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Check an installed iotflash tree: every expected path, the pkg-config
# variables, the manual pages (rendered without a warning), and that the
# installed programs find the installed plugins and chip database.
# Usage: tests/install-layout.sh PREFIX   (after configure --prefix=PREFIX && make install)
set -u
prefix=${1:?usage: install-layout.sh PREFIX}
unset IOTFLASH_PLUGIN_PATH IOTFLASH_CHIPDB_PATH  # the installed tree must stand alone
pass=0 failed=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; }
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi; }

echo "# installed files:"
(cd "$prefix" && find . -type f -o -type l | sort | sed 's/^/#   /')

plugindir=$prefix/lib/iotflash/plugins
chipdbdir=$prefix/share/iotflash/chipdb
for f in bin/iotflash bin/iotflash-sim; do check "$f is an executable" test -x "$prefix/$f"; done
check "lib/libiotflash.so.1 (libtool 1:0:0)" test -e "$prefix/lib/libiotflash.so.1"
check "lib/libiotflash.so.1 is the soname" sh -c "objdump -p '$prefix/lib/libiotflash.so.1' | grep -q 'SONAME *libiotflash.so.1\$'"
check "lib/libiotflash.so for linking" test -L "$prefix/lib/libiotflash.so"
check "bk72xx plugin in \$(pkglibdir)/plugins" test -e "$plugindir/bk72xx.so"
check "chip database in \$(datadir)/iotflash/chipdb" test -f "$chipdbdir/bk72xx.yaml"
for h in iotflash.h common.h chip.h plugin.h model.h version.h; do
	check "include/iotflash/$h" test -f "$prefix/include/iotflash/$h"
done
check "no internal header installed" test ! -e "$prefix/include/iotflash/internal.h"

# The image formats: their own library, exporting only its API, needing
# nothing of libiotflash; libiotflash exports no vendor format.
check "lib/libiotflash-formats.so.1 (libtool 1:0:0)" test -e "$prefix/lib/libiotflash-formats.so.1"
check "lib/libiotflash-formats.so.1 is the soname" sh -c "objdump -p '$prefix/lib/libiotflash-formats.so.1' | grep -q 'SONAME *libiotflash-formats.so.1\$'"
check "lib/libiotflash-formats.so for linking" test -L "$prefix/lib/libiotflash-formats.so"
check "libiotflash-formats does not link libiotflash" sh -c "! objdump -p '$prefix/lib/libiotflash-formats.so.1' | grep -q 'NEEDED *libiotflash\.'"
formats_api_only() {
	local syms; syms=$(nm -D --defined-only "$prefix/lib/libiotflash-formats.so.1" | awk '{print $3}')
	grep -qx iotflash_tuya_extract <<<"$syms" && grep -qx iotflash_beken_crypt <<<"$syms" &&
		! grep -v '^iotflash_\(tuya\|beken\|obk\)_' <<<"$syms"
}
check "libiotflash-formats exports only iotflash_tuya_*, iotflash_beken_* and iotflash_obk_*" formats_api_only
check "libiotflash exports no vendor format" sh -c "! nm -D --defined-only '$prefix/lib/libiotflash.so.1' | grep -qi 'tuya\|beken'"
for h in formats.h tuya.h beken.h openbeken.h; do
	check "include/iotflash/$h" test -f "$prefix/include/iotflash/$h"
done
check "no formats internal header installed" sh -c "! ls '$prefix'/include/iotflash/*internal* 2>/dev/null"
check "lib/pkgconfig/iotflash.pc" test -f "$prefix/lib/pkgconfig/iotflash.pc"
for m in man1/iotflash.1 man1/iotflash-sim.1 man7/iotflash-plugin.7; do
	check "share/man/$m" test -f "$prefix/share/man/$m"
done
check "bash completion" test -f "$prefix/share/bash-completion/completions/iotflash"
check "docs/plugins.md installed" test -f "$prefix/share/doc/iotflash/plugins.md"
if [ -e "$plugindir/spi-ch341.so" ]; then
	check "CH341A udev rule with the spi-ch341 plugin" test -f "$prefix/lib/udev/rules.d/60-iotflash-ch341a.rules"
fi

# pkg-config: the variables out-of-tree plugins use.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
check "pkg-config finds iotflash" pkg-config --exists iotflash
check "plugindir variable" test "$(pkg-config --variable=plugindir iotflash)" = "$plugindir"
check "chipdbdir variable" test "$(pkg-config --variable=chipdbdir iotflash)" = "$chipdbdir"
check "cflags point at the headers" test "$(pkg-config --cflags iotflash | xargs)" = "-I$prefix/include"
check "libs link libiotflash" sh -c "pkg-config --libs iotflash | grep -q -- '-L$prefix/lib -liotflash'"
check "private deps only for static links" sh -c "! pkg-config --libs iotflash | grep -q yaml && pkg-config --print-requires-private iotflash | grep -q yaml-0.1"
check "the version is the package's" test "$(pkg-config --modversion iotflash)" = "$("$prefix/bin/iotflash" --version 2>&1 | grep -o '[0-9][0-9.]*' | head -n1)"
check "pkg-config finds iotflash-formats" pkg-config --exists iotflash-formats
check "iotflash-formats libs: -liotflash-formats alone" test "$(pkg-config --libs iotflash-formats | xargs)" = "-L$prefix/lib -liotflash-formats"
check "iotflash-formats: nettle only for static links" sh -c "pkg-config --print-requires-private iotflash-formats | grep -qx 'nettle'"
# A program on the formats API alone, built from the installed files only.
if command -v "${CC:-cc}" >/dev/null; then
	fw=$(mktemp -d "${TMPDIR:-/tmp}/iotflash-formats.XXXXXX")
	cat >"$fw/crc.c" <<'PROG'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iotflash/formats.h>
int main(void)
{
	uint8_t plain[64], *phys = NULL, *back = NULL;
	size_t n_phys, n_back;
	for (unsigned i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 7 + 1);
	if (iotflash_beken_crc16((const uint8_t *)"123456789", 9) != 0xAEE7)
		return 1;
	if (iotflash_beken_crc_add(plain, sizeof(plain), &phys, &n_phys) || n_phys != 68 ||
	    iotflash_beken_crc_strip(phys, n_phys, &back, &n_back) || n_back != sizeof(plain) ||
	    memcmp(back, plain, sizeof(plain)))
		return 2;
	free(phys);
	free(back);
	puts("formats ok");
	return 0;
}
PROG
	check "a program builds with pkg-config iotflash-formats" sh -c \
		"${CC:-cc} -Wall -Werror \$(pkg-config --cflags iotflash-formats) '$fw/crc.c' -o '$fw/crc' \$(pkg-config --libs iotflash-formats)"
	check "it runs on the installed libiotflash-formats.so.1" sh -c "LD_LIBRARY_PATH='$prefix/lib' '$fw/crc' | grep -qx 'formats ok'"
	rm -rf "$fw"
else
	bad "no C compiler (\$CC or cc): cannot build against the installed iotflash-formats"
fi

# Manual pages: groff with all warnings must print nothing; man -l renders them.
if command -v groff >/dev/null; then
	for m in "$prefix"/share/man/man*/iotflash*; do
		w=$(groff -ww -z -man -Tutf8 "$m" 2>&1)
		check "$(basename "$m") renders without groff warnings${w:+: $w}" test -z "$w"
		if command -v man >/dev/null; then
			check "man -l $(basename "$m")" sh -c "MANWIDTH=80 man -l '$m' | grep -q iotflash"
		fi
	done
else
	bad "groff is not installed (apt-get install groff-base man-db): cannot check the manual pages"
fi

# Bash completion: commands, options, and chips from `iotflash list-chips`
# (bash-completion's own helpers stubbed: only our script is under test).
complete_words() {
	PATH=$prefix/bin:$PATH bash -c '
		_init_completion() { words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; cur=${words[cword]}; prev=${words[cword-1]}; }
		_filedir() { :; }
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_iotflash iotflash
		printf "%s\n" "${COMPREPLY[@]}"' _ "$prefix/share/bash-completion/completions/iotflash" "$@"
}
completes() { local want=$1; shift; complete_words "$@" | grep -qx -- "$want"; }
check "completion: commands" completes read-flash iotflash read-
check "completion: options" completes --no-backup iotflash --no-b
check "completion: chips from list-chips" completes bk7231n iotflash -c bk72
check "completion: families from list-chips" completes bk72xx iotflash --chip bk72

# The installed programs find the installed plugins and database on their own.
unset IOTFLASH_PLUGIN_PATH IOTFLASH_CHIPDB_PATH
check "installed iotflash lists the installed plugins" sh -c "'$prefix/bin/iotflash' list-plugins | grep -q bk72xx"
check "installed iotflash lists the installed chips" sh -c "'$prefix/bin/iotflash' list-chips | grep -q bk7231n"

echo "install layout: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
