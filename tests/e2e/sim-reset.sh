#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The simulator's resets (SIGUSR1, --reset-on-open) for every bk72xx chip
# with a device model, seen by a raw Python client that sends only link
# checks (sim-reset.py).
set -u
: "${IOTFLASH_SIM:?run through make check}" "${top_srcdir:?run through make check}"
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/iotflash-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT

# The chips of chipdb/bk72xx.yaml that --list-models offers.
"$IOTFLASH_SIM" --list-models >"$T/models" || exit 1
chips=()
for c in $(sed -n 's/^ *- name: *\([a-z0-9]*\).*/\1/p' "$top_srcdir/chipdb/bk72xx.yaml"); do
	grep -q "^$c " "$T/models" && chips+=("$c")
done
[ ${#chips[@]} -gt 0 ] || { echo "SKIP: no bk72xx model in this build"; exit 77; }
echo "chips: ${chips[*]}"
for need in bk7231n bk7231t; do
	[[ " ${chips[*]} " == *" $need "* ]] || { echo "FAIL - $need has no model"; exit 1; }
done
python3 "$top_srcdir/tests/e2e/sim-reset.py" "$T" "${chips[@]}"
