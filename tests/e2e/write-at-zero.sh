#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Every UART family: a full image written at 0x0 with --force (boot region
# included) lands exactly, the rest of the flash unchanged; and the same
# write without --force is refused with nothing changed.
. "$(dirname "$0")/lib.sh"
E2E=$(cd "$(dirname "$0")" && pwd)

python3 "$E2E/gen-bl60x-loader.py" bl602 "$T/bl602.bin"
python3 "$E2E/gen-bl60x-loader.py" bl702 "$T/bl702.bin"
python3 "$E2E/gen-ln882h-loader.py" gui ln882h "$T/ln882h.bin"
python3 "$E2E/gen-ln882h-loader.py" gui ln8825 "$T/ln8825.bin"
python3 "$E2E/gen-rtl87xx-loader.py" "$T/rtl8720d.bin"
python3 "$E2E/gen-w80x-stub.py" "$T/w800.bin"

case_zero() {
	local chip=$1 loader=$2 L=()
	[ -n "$loader" ] && L=(--loader "$loader")
	python3 -c 'import random, sys; open(sys.argv[1], "wb").write(random.Random(4).randbytes(2 << 20))' "$T/flash.bin"
	cp "$T/flash.bin" "$T/orig.bin"
	random_file "$T/image.bin" $((96 * 1024))
	start_sim "$chip" "$T/flash.bin" --no-timing || { fail "$chip: simulator"; return; }
	iot -c "$chip" "${L[@]}" --no-backup write-flash 0x0 "$T/image.bin"
	check "$chip: write at 0x0 without --force refused" failed_with "protected|--force"
	iot -c "$chip" "${L[@]}" --no-backup --force write-flash 0x0 "$T/image.bin"
	check "$chip: write at 0x0 with --force succeeds" succeeded
	iot -c "$chip" "${L[@]}" verify-flash 0x0 "$T/image.bin"
	check "$chip: verify-flash at 0x0 passes" succeeded
	stop_sim
	expected_after_write "$T/orig.bin" "$T/image.bin" 0 "$T/expected.bin"
	check "$chip: flash is the image at 0x0, the rest unchanged" same "$T/flash.bin" "$T/expected.bin"
}

case_zero bl602 "$T/bl602.bin"
case_zero bl702 "$T/bl702.bin"
case_zero bl616 ""
case_zero ln882h "$T/ln882h.bin"
case_zero ln8825 "$T/ln8825.bin"
case_zero rtl8710b ""
case_zero rtl8720c ""
case_zero rtl8720d "$T/rtl8720d.bin"
case_zero w800 "$T/w800.bin"
finish
