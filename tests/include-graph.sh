#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# core/'s layers call one way (docs/architecture.md): its include graph has
# no cycle.  The checker must also catch one: a copy of core/ in which the
# session layer includes the link layer above it has to fail it.
set -u
SRC=${top_srcdir:-$(dirname "$0")/..}
TOOL=$SRC/tools/include-graph.sh
T=$(mktemp -d) || exit 99
trap 'rm -rf "$T"' EXIT
fails=0
check() {  # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}

"$TOOL" "$SRC/core" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out" "$T/err"
check "core/ has no include cycle" test $rc -eq 0
check "the operations reach the device through the link layer" grep -qx 'engine -> link' "$T/out"
check "the link layer sits on the session layer" grep -qx 'link -> session' "$T/out"
check "the session layer calls the driver through drv" grep -qx 'session -> drv' "$T/out"
check "nothing below the operations includes them" \
	test -z "$(grep -E -- '-> engine$' "$T/out" | grep -v '^engine ')"

mkdir "$T/core" && cp -R "$SRC/core/." "$T/core/" && chmod -R u+w "$T/core"
sed -i '0,/#include "drv.h"/s//#include "drv.h"\n#include "link.h"/' "$T/core/session.c"
"$TOOL" "$T/core" >"$T/out2" 2>"$T/err2"
rc=$?
check "a session layer that includes the link layer is a cycle" test $rc -ne 0
check "the cycle is named" grep -q 'session' "$T/err2"

echo "1..$((5 + 2))"
[ $fails -eq 0 ]
