# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Shared helpers for end-to-end tests: the real iotflash CLI against
# iotflash-sim over a real pseudo-terminal.  Source it; call `finish` last.
set -u
: "${IOTFLASH:?run through make check}" "${IOTFLASH_SIM:?run through make check}"
umask 077  # copies of dumps hold Wi-Fi credentials
# A test that uses the real dumps is skipped (automake: exit 77) without them.
if grep -q IOTFLASH_DUMPS "$0" && [ ! -d "${IOTFLASH_DUMPS:-}" ]; then
	echo "SKIP: no flash dumps at '${IOTFLASH_DUMPS:-}' (configure --with-dumps=DIR)"
	exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/iotflash-e2e.XXXXXX")
SIM_PID=
PASS=0
FAIL=0
# IOTFLASH_WRAPPER="valgrind ..." runs every iotflash of the test under it.
if [ -n "${IOTFLASH_WRAPPER:-}" ]; then
	printf '#!/bin/bash\nexec %s %q "$@"\n' "$IOTFLASH_WRAPPER" "$IOTFLASH" >"$T/iotflash-wrapped"
	chmod 755 "$T/iotflash-wrapped"
	IOTFLASH=$T/iotflash-wrapped
fi
cleanup() { stop_sim; rm -rf "$T"; }
trap cleanup EXIT

# start_sim MODEL FLASHFILE [iotflash-sim options...]: serves $T/tty
start_sim() {
	local model=$1 flash=$2; shift 2
	rm -f "$T/tty" "$T/sim.out"
	"$IOTFLASH_SIM" --model "$model" --flash "$flash" --link "$T/tty" "$@" >"$T/sim.out" 2>"$T/sim.err" &
	SIM_PID=$!
	for _ in $(seq 100); do
		grep -q '^ready ' "$T/sim.out" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "simulator did not start: $(cat "$T/sim.err")" >&2
	return 1
}

stop_sim() {
	if [ -n "$SIM_PID" ]; then
		kill -TERM "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
		SIM_PID=
	fi
}

# iot ARGS...: the CLI on the simulated port; output in $T/out, $T/err, status in $RC
iot() {
	"$IOTFLASH" -p "$T/tty" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	return 0
}

pass() { PASS=$((PASS + 1)); echo "ok - $1"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL - $1"; [ -s "$T/err" ] && sed 's/^/    stderr: /' "$T/err" | tail -n 5; return 0; }
# check DESC CONDITION...: passes when the command succeeds
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }

# Helpers for conditions.
succeeded() { [ "$RC" -eq 0 ]; }
failed_with() { [ "$RC" -ne 0 ] && [ "$(wc -l <"$T/err")" -ge 1 ] && grep -qiE -- "$1" "$T/err"; }
out_has() { grep -qiE -- "$1" "$T/out"; }
same() { cmp -s "$1" "$2"; }
mode_is() { [ "$(stat -c %a "$1")" = "$2" ]; }
# bytes FILE OFFSET LEN: hex of a slice
slice() { dd if="$1" bs=1 skip=$(($2)) count=$(($3)) 2>/dev/null | od -An -tx1 | tr -d ' \n'; }
# regions_equal A B START LEN
regions_equal() { cmp -s <(dd if="$1" bs=4096 skip=$(($3 / 4096)) count=$(($4 / 4096)) 2>/dev/null) \
	<(dd if="$2" bs=4096 skip=$(($3 / 4096)) count=$(($4 / 4096)) 2>/dev/null); }
random_file() { head -c "$2" /dev/urandom >"$1"; }
# flip_byte FILE OFFSET: invert one byte (always a change)
flip_byte() {
	local v; v=$(od -An -tu1 -j $(($2)) -N1 "$1" | tr -d ' ')
	printf "\\x$(printf %02x $((255 - v)))" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc 2>/dev/null
}
# expected FLASH_BEFORE IMAGE OFFSET OUT: the flash as it must be after writing IMAGE at OFFSET
expected_after_write() {
	cp "$1" "$4"
	dd if="$2" of="$4" bs=4096 seek=$(($3 / 4096)) conv=notrunc 2>/dev/null
}

finish() {
	stop_sim
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
