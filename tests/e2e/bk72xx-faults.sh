#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Faults on the wire: the engine retries through dropped bytes, flipped bits
# and stalls and still ends byte-identical; faults too dense to survive fail
# with one clear line and leave no file under the final name.
. "$(dirname "$0")/lib.sh"

survivable() {
	local chip=$1 dump=$2 faults=$3
	cp "$(image "$dump")" "$T/flash.bin"; cp "$T/flash.bin" "$T/orig.bin"
	start_sim "$chip" "$T/flash.bin" --no-timing --faults "$faults" --seed 7 || { fail "$chip: simulator"; return; }
	iot -c "$chip" read-flash 0 all "$T/read.bin"
	check "$chip [$faults]: read-flash succeeds" succeeded
	check "$chip [$faults]: read is byte-identical to the flash" same "$T/read.bin" "$T/orig.bin"
	check "$chip [$faults]: retries were needed and reported" grep -qE "retried" "$T/out"

	random_file "$T/app.bin" $((192 * 1024))
	expected_after_write "$T/orig.bin" "$T/app.bin" 0x11000 "$T/expected.bin"
	iot -c "$chip" --no-backup write-flash 0x11000 "$T/app.bin"
	check "$chip [$faults]: write-flash succeeds" succeeded
	iot -c "$chip" verify-flash 0x11000 "$T/app.bin"
	check "$chip [$faults]: verify-flash passes" succeeded
	stop_sim
	check "$chip [$faults]: flash is byte-identical to the expected image" same "$T/flash.bin" "$T/expected.bin"
}

too_dense() {
	local chip=$1 dump=$2 faults=$3
	cp "$(image "$dump")" "$T/flash.bin"; cp "$T/flash.bin" "$T/orig.bin"
	start_sim "$chip" "$T/flash.bin" --no-timing --faults "$faults" --seed 3 || { fail "$chip: simulator"; return; }
	mkdir -p "$T/outdir"
	iot -c "$chip" read-flash 0 all "$T/outdir/read.bin"
	check "$chip [$faults]: read fails" test "$RC" -ne 0
	check "$chip [$faults]: with one clear line naming the failure" grep -qiE "failed at 0x|identifying the chip failed|no answer" "$T/err"
	check "$chip [$faults]: no file under the final name, no temporary left" test -z "$(ls -A "$T/outdir")"
	iot -c "$chip" --no-backup write-flash 0x11000 "$T/app.bin"
	check "$chip [$faults]: write fails" test "$RC" -ne 0
	stop_sim
	check "$chip [$faults]: bootloader untouched" regions_equal "$T/flash.bin" "$T/orig.bin" 0 0x11000
}

step_down() {
	cp "$(image bk7231n)" "$T/flash.bin"
	start_sim bk7231n "$T/flash.bin" --no-timing --faults ceiling=460800:0.003 --seed 5 || { fail "simulator"; return; }
	iot -c bk7231n chip-id
	check "weak adapter: the link steps down to a rate it holds" out_has "^Link: +460800 baud"
	check "weak adapter: the user is told" grep -q "stepping down to 460800" "$T/err"
	iot -c bk7231n read-flash 0x11000 0x40000 "$T/part.bin"
	check "weak adapter: the read after stepping down is exact" \
		cmp -s "$T/part.bin" <(dd if="$T/flash.bin" bs=4096 skip=17 count=64 2>/dev/null)
	stop_sim
}

random_file "$T/app.bin" 4096
step_down
survivable bk7231n bk7231n "drop=2e-5,flip=2e-5,stall=2e-5:150ms"
survivable bk7231t bk7231t "drop=2e-5,flip=2e-5,stall=2e-5:150ms"
too_dense bk7231n bk7231n "flip=0.02"
finish
