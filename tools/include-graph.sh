#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Print the include graph of core/ and fail on a cycle.
#
# usage: tools/include-graph.sh [--files] [CORE_DIR]
#
# Files are grouped into modules: a file's module is its path under core/
# without the extension and without what follows the first '-' of its
# name, so engine.h, engine.c and engine-read.c are one module ("engine"),
# session.h and session.c another.  A module declares its functions in its
# own header, so "A includes B" is "A may call B": a cycle between modules
# is a circle of calls between layers, and it fails this script.  Cycles
# between single files fail it too.  Prints "module -> module" lines
# (--files: "file -> file"), then the modules from the bottom layer up.
set -eu
show_files=false
if [ "${1:-}" = --files ]; then show_files=true; shift; fi
core=${1:-$(dirname "$0")/../core}
[ -d "$core" ] || { echo "include-graph: $core is not a directory (give the path of core/)" >&2; exit 2; }
cd "$core"

# file -> file edges, for #include "x" and #include <iotflash/x> that resolve inside core/
file_edges() {
	local f inc dir target
	for f in *.c *.h iotflash/*.h iotflash/*.h.in; do
		[ -f "$f" ] || continue
		dir=$(dirname "$f")
		sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]([^">]+)[">].*/\1/p' "$f" |
		while read -r inc; do
			target=
			for cand in "$dir/$inc" "$inc" "$inc.in"; do
				cand=${cand#./}
				if [ -f "$cand" ]; then target=$cand; break; fi
			done
			[ -n "$target" ] && [ "$target" != "$f" ] && echo "$f $target"
		done
	done | sort -u
}

module_of() {  # path -> module
	local p=${1%.in} base dir
	p=${p%.[ch]}
	base=${p##*/}
	dir=${p%"$base"}
	echo "$dir${base%%-*}"
}

files=$(file_edges)
modules=$(echo "$files" | while read -r a b; do
	[ -n "$a" ] || continue
	ma=$(module_of "$a"); mb=$(module_of "$b")
	[ "$ma" = "$mb" ] || echo "$ma $mb"
done | sort -u)

if $show_files; then
	echo "$files" | sed 's/ / -> /'
else
	echo "$modules" | sed 's/ / -> /'
fi

status=0
errs=$(mktemp) || exit 2
trap 'rm -f "$errs"' EXIT
for graph in files modules; do
	edges=${!graph}
	if ! order=$(echo "$edges" | tsort 2>"$errs"); then
		echo "include-graph: the $graph of core/ include each other in a circle:" >&2
		sed 's/^tsort: /  /' "$errs" >&2
		status=1
	elif [ $graph = modules ]; then
		echo "layers, bottom first: $(echo "$order" | tac | tr '\n' ' ')"
	fi
done
exit $status
