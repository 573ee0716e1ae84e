#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# LN882H and LN8825 end to end: the boot ROM, the RAM-code upload, and both
# RAM-code builds (Lightning's official one, the GUI flasher's) through the
# real CLI: identify, back up, write, verify, erase, protection, a missing
# loader, and the link at the maximum baud with wire timing.
. "$(dirname "$0")/lib.sh"
GEN="python3 $(dirname "$0")/gen-ln882h-loader.py"
export HOME=$T/home  # no loaders found by accident
mkdir -p "$HOME"

blank() { head -c $(($1)) /dev/zero | tr '\0' '\377'; }
# A 2 MiB flash with content and blank regions: a BK7231N image serves.
seed_flash() { cp "$(image bk7231n)" "$1"; }

run_case() {
	local chip=$1 build=$2 what="$1/$2"
	local L=(--loader "$T/$chip-$build.bin")
	$GEN "$build" "$chip" "$T/$chip-$build.bin"
	seed_flash "$T/flash.bin"; cp "$T/flash.bin" "$T/orig.bin"
	start_sim "$chip" "$T/flash.bin" --no-timing || { fail "$what: simulator"; return; }

	iot -c "$chip" "${L[@]}" chip-id
	check "$what: chip-id succeeds" succeeded
	check "$what: chip-id names the chip" out_has "^Chip: +$chip"
	check "$what: chip-id prints the JEDEC id" out_has "^Flash id: +0x1560eb"
	check "$what: chip-id prints the flash size" out_has "^Flash size: +2048 KiB"
	check "$what: link at the chip's maximum baud" out_has "^Link: +921600 baud"
	check "$what: the RAM code build is named" out_has "$([ "$build" = gui ] && echo 'GUI flasher' || echo 'official')"

	iot -c ln88xx "${L[@]}" chip-id
	check "$what: family ln88xx detects the exact chip (RAM code already up)" out_has "^Chip: +$chip"

	iot -c "$chip" "${L[@]}" read-flash 0 all "$T/backup.bin"
	check "$what: read-flash 0 all succeeds" succeeded
	check "$what: read-flash equals the flash byte for byte" same "$T/backup.bin" "$T/orig.bin"

	random_file "$T/app.bin" $((256 * 1024))
	expected_after_write "$T/orig.bin" "$T/app.bin" 0x7000 "$T/expected.bin"
	(cd "$T" && "$IOTFLASH" -p "$T/tty" -c "$chip" "${L[@]}" write-flash 0x7000 "$T/app.bin" >"$T/out" 2>"$T/err"); RC=$?
	check "$what: write-flash 0x7000 succeeds" succeeded
	stop_sim
	check "$what: flash equals the expected image after the write" same "$T/flash.bin" "$T/expected.bin"
	check "$what: boot and partition table untouched" regions_equal "$T/flash.bin" "$T/orig.bin" 0 0x7000
	local bk; bk=$(ls "$T"/backups/*.bin 2>/dev/null | grep -v -- -full.bin | head -n1)  # the range backup, not the first-contact one
	check "$what: the backup holds what was there" regions_equal "${bk:-/nonexistent}" <(dd if="$T/orig.bin" bs=4096 skip=7 count=64 2>/dev/null) 0 $((256 * 1024))
	start_sim "$chip" "$T/flash.bin" --no-timing

	iot -c "$chip" "${L[@]}" verify-flash 0x7000 "$T/app.bin"
	check "$what: verify-flash passes on equal data (after a fresh upload)" succeeded
	cp "$T/app.bin" "$T/bad.bin"; flip_byte "$T/bad.bin" 0x1001
	iot -c "$chip" "${L[@]}" verify-flash 0x7000 "$T/bad.bin"
	check "$what: verify-flash fails after a one-byte change, naming the block" failed_with "0x008000"

	iot -c "$chip" "${L[@]}" --no-backup erase-region 0x100000 0x10000
	check "$what: erase-region succeeds" succeeded
	stop_sim
	check "$what: erased region is blank" regions_equal "$T/flash.bin" <(blank 0x110000) 0x100000 0x10000
	check "$what: rest of the flash unchanged by the erase" regions_equal "$T/flash.bin" "$T/expected.bin" 0 0x100000
	start_sim "$chip" "$T/flash.bin" --no-timing

	cp "$T/flash.bin" "$T/before.bin"
	iot -c "$chip" "${L[@]}" --no-backup write-flash 0x0 "$T/app.bin"
	check "$what: write into the boot region refused without --force" failed_with "protected.*boot"
	stop_sim
	check "$what: refused write changed nothing" same "$T/flash.bin" "$T/before.bin"
	rm -rf "$T/backups"
}

missing_loader() {
	local chip=$1 file=$2
	rm -f "$T/flash.bin"
	start_sim "$chip" "$T/flash.bin" --no-timing || { fail "$chip: simulator"; return; }
	iot -c "$chip" chip-id
	check "$chip: a missing RAM loader fails naming $file and where it goes" failed_with "$file.*loaders"
	stop_sim
}

# With wire and chip timing: the upload at 115200, then the RAM code at
# 921600 (a client left at another rate would read garbage).
timed_case() {
	local chip=$1 build=$2
	$GEN "$build" "$chip" "$T/$chip-$build.bin"
	seed_flash "$T/flash.bin"; cp "$T/flash.bin" "$T/orig.bin"
	start_sim "$chip" "$T/flash.bin" || { fail "$chip/$build timed: simulator"; return; }
	iot -c "$chip" --loader "$T/$chip-$build.bin" read-flash 0x7000 0x10000 "$T/part.bin"
	check "$chip/$build timed: read at 921600 succeeds" succeeded
	check "$chip/$build timed: read equals the flash" regions_equal "$T/part.bin" <(dd if="$T/orig.bin" bs=4096 skip=7 count=16 2>/dev/null) 0 65536
	iot -c "$chip" --loader "$T/$chip-$build.bin" -b 460800 chip-id
	check "$chip/$build timed: another session finds the RAM code and switches to 460800" out_has "^Link: +460800 baud"
	stop_sim
}

run_case ln882h official
run_case ln882h gui
run_case ln8825 gui
missing_loader ln882h LN882H_RamCode.bin
missing_loader ln8825 LN88xx_RamCode.bin
timed_case ln882h official
timed_case ln882h gui
finish
