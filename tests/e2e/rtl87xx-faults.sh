#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Faults on the wire for the three Realtek protocols: the driver and the
# core retry through dropped bytes, flipped bits and stalls and end
# byte-identical.  AmebaZ reads are raw (no checksum: the core reads twice),
# so its rate is lower.
. "$(dirname "$0")/lib.sh"
GEN="${top_srcdir:?}/tests/e2e/gen-rtl87xx-loader.py"
python3 "$GEN" "$T/loader.bin"

survivable() {
	local chip=$1 app=$2 faults=$3; shift 3
	local L=("$@")
	python3 -c "import random,sys; r=random.Random(3); open(sys.argv[1],'wb').write(r.randbytes(2<<20))" "$T/flash.bin"
	[ "$chip" = rtl8720d ] && python3 -c "import random,sys; r=random.Random(3); open(sys.argv[1],'wb').write(r.randbytes(4<<20))" "$T/flash.bin"
	cp "$T/flash.bin" "$T/orig.bin"
	start_sim "$chip" "$T/flash.bin" -v --no-timing --faults "$faults" --seed 7 || { fail "$chip: simulator"; return; }
	rm -f "$T/read.bin"
	iot -c "$chip" "${L[@]}" read-flash 0 0x80000 "$T/read.bin"
	check "$chip [$faults]: read-flash succeeds" succeeded
	check "$chip [$faults]: read is byte-identical to the flash" same "$T/read.bin" <(head -c $((0x80000)) "$T/orig.bin")
	random_file "$T/app.bin" $((96 * 1024))
	expected_after_write "$T/orig.bin" "$T/app.bin" "$app" "$T/expected.bin"
	iot -c "$chip" "${L[@]}" --no-backup write-flash "$app" "$T/app.bin"
	check "$chip [$faults]: write-flash succeeds" succeeded
	iot -c "$chip" "${L[@]}" verify-flash "$app" "$T/app.bin"
	check "$chip [$faults]: verify-flash passes" succeeded
	stop_sim
	check "$chip [$faults]: flash is byte-identical to the expected image" same "$T/flash.bin" "$T/expected.bin"
	check "$chip [$faults]: bytes were really dropped and flipped" \
		grep -qE "faults: [1-9][0-9]* dropped, [1-9][0-9]* flipped" "$T/sim.err"
}

survivable rtl8710b 0xb000 "drop=5e-6,flip=5e-6,stall=1e-5:150ms"
survivable rtl8720c 0x10000 "drop=2e-5,flip=2e-5,stall=2e-5:150ms"
survivable rtl8720d 0x6000 "drop=2e-5,flip=2e-5,stall=2e-5:150ms" --loader "$T/loader.bin"
finish
