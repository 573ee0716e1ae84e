#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Faults on the wire with both RAM-code builds: dropped bytes, flipped bits
# and stalls are survived (XMODEM/YMODEM re-sends, flash_read CRC-16 and the
# core's retries) and everything ends byte-identical; faults too dense to
# survive fail with one clear line and leave no file under the final name.
. "$(dirname "$0")/lib.sh"
GEN="python3 $(dirname "$0")/gen-ln882h-loader.py"

# survivable CHIP BUILD FAULTS SEED READ_SIZE
survivable() {
	local chip=$1 build=$2 faults=$3 seed=$4 size=$5 what="$1/$2 [$3]"
	local L=(--loader "$T/$chip-$build.bin")
	$GEN "$build" "$chip" "$T/$chip-$build.bin"
	cp "$(image bk7231n)" "$T/flash.bin"; cp "$T/flash.bin" "$T/orig.bin"
	start_sim "$chip" "$T/flash.bin" -v --no-timing --faults "$faults" --seed "$seed" || { fail "$what: simulator"; return; }
	iot -c "$chip" "${L[@]}" read-flash 0 "$size" "$T/read.bin"
	check "$what: read-flash succeeds" succeeded
	check "$what: read is byte-identical to the flash" same "$T/read.bin" <(head -c $((size)) "$T/orig.bin")

	random_file "$T/app.bin" $((192 * 1024))
	expected_after_write "$T/orig.bin" "$T/app.bin" 0x7000 "$T/expected.bin"
	iot -c "$chip" "${L[@]}" --no-backup write-flash 0x7000 "$T/app.bin"
	check "$what: write-flash succeeds" succeeded
	iot -c "$chip" "${L[@]}" verify-flash 0x7000 "$T/app.bin"
	check "$what: verify-flash passes" succeeded
	stop_sim
	check "$what: flash is byte-identical to the expected image" same "$T/flash.bin" "$T/expected.bin"
	# the faults were real (recovered by XMODEM re-sends or the core's retries)
	check "$what: the simulator dropped and flipped bytes" grep -qE "faults: [1-9][0-9]* dropped, [1-9][0-9]* flipped" "$T/sim.err"
}

too_dense() {
	local chip=$1 build=$2 faults=$3 what="$1/$2 [$3]"
	$GEN "$build" "$chip" "$T/$chip-$build.bin"
	cp "$(image bk7231n)" "$T/flash.bin"; cp "$T/flash.bin" "$T/orig.bin"
	start_sim "$chip" "$T/flash.bin" --no-timing --faults "$faults" --seed 3 || { fail "$what: simulator"; return; }
	mkdir -p "$T/outdir"
	iot -c "$chip" --loader "$T/$chip-$build.bin" read-flash 0 all "$T/outdir/read.bin"
	check "$what: read fails" test "$RC" -ne 0
	check "$what: with one clear line" test "$(wc -l <"$T/err")" -ge 1
	check "$what: no file under the final name, no temporary left" test -z "$(ls -A "$T/outdir")"
	stop_sim
	check "$what: flash untouched" same "$T/flash.bin" "$T/orig.bin"
}

# The official build's hex text is three times the bytes and is read twice
# (no device checksum): a quarter of the flash gets as many faults.
survivable ln882h gui "drop=2e-5,flip=2e-5,stall=2e-5:60ms" 7 0x200000
survivable ln882h official "drop=2e-5,flip=2e-5,stall=2e-5:60ms" 7 0x80000
survivable ln8825 gui "drop=5e-5,flip=5e-5" 11 0x200000
too_dense ln882h gui "flip=0.02"
finish
