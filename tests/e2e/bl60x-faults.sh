#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Faults on the wire against the Bouffalo models: the driver re-sends lost
# frames (re-handshaking where the loader fell back to its handshake), the
# engine redoes what its SHA-256 check rejects, and the result is
# byte-identical; faults too dense to survive fail with one clear line.
. "$(dirname "$0")/lib.sh"
GEN="$(dirname "$0")/gen-bl60x-loader.py"
python3 "$GEN" bl602 "$T/bl602-loader.bin"

survivable() {
	local chip=$1 app=$2 faults=$3 L=()
	[ -f "$T/$chip-loader.bin" ] && L=(--loader "$T/$chip-loader.bin")
	random_file "$T/flash.bin" $((2 * 1024 * 1024)); cp "$T/flash.bin" "$T/orig.bin"
	[ "$chip" = bl616 ] && { random_file "$T/flash.bin" $((4 * 1024 * 1024)); cp "$T/flash.bin" "$T/orig.bin"; }
	start_sim "$chip" "$T/flash.bin" --no-timing --faults "$faults" --seed 11 -v || { fail "$chip: simulator"; return; }
	iot -c "$chip" "${L[@]}" read-flash 0 0x100000 "$T/read.bin"
	check "$chip [$faults]: read-flash succeeds" succeeded
	check "$chip [$faults]: read is byte-identical to the flash" regions_equal "$T/read.bin" "$T/orig.bin" 0 0x100000

	random_file "$T/app.bin" $((192 * 1024))
	expected_after_write "$T/orig.bin" "$T/app.bin" "$app" "$T/expected.bin"
	iot -c "$chip" "${L[@]}" --no-backup write-flash "$app" "$T/app.bin"
	check "$chip [$faults]: write-flash succeeds" succeeded
	iot -c "$chip" "${L[@]}" verify-flash "$app" "$T/app.bin"
	check "$chip [$faults]: verify-flash passes" succeeded
	stop_sim
	check "$chip [$faults]: flash is byte-identical to the expected image" same "$T/flash.bin" "$T/expected.bin"
	check "$chip [$faults]: faults were injected" grep -qE "faults: ([1-9][0-9]* dropped|[0-9]+ dropped, [1-9])" "$T/sim.err"
}

too_dense() {
	local chip=$1 faults=$2
	random_file "$T/flash.bin" $((2 * 1024 * 1024)); cp "$T/flash.bin" "$T/orig.bin"
	start_sim "$chip" "$T/flash.bin" --no-timing --faults "$faults" --seed 3 || { fail "$chip: simulator"; return; }
	mkdir -p "$T/outdir"
	iot -c "$chip" --loader "$T/$chip-loader.bin" read-flash 0 all "$T/outdir/read.bin"
	check "$chip [$faults]: read fails" test "$RC" -ne 0
	check "$chip [$faults]: with one clear line" test "$(wc -l <"$T/err" | tr -d ' ')" -ge 1
	check "$chip [$faults]: no file under the final name, no temporary left" test -z "$(ls -A "$T/outdir")"
	stop_sim
	check "$chip [$faults]: flash untouched" same "$T/flash.bin" "$T/orig.bin"
}

survivable bl602 0x10000 "drop=5e-6,flip=1e-5,stall=5e-6:150ms"
survivable bl616 0x10000 "drop=5e-6,flip=1e-5,stall=5e-6:150ms"
too_dense bl602 "flip=0.05"
finish
