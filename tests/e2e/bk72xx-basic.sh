#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# BK7231N (FULL bootloader) and BK7231T (LEGACY Tuya bootloader) end to end,
# on realistic flash images (lib.sh: image): identify, back up, write, verify, erase, protection.
. "$(dirname "$0")/lib.sh"

run_family_case() {
	local chip=$1 dump=$2 proto=$3
	cp "$(image "$dump")" "$T/flash.bin"
	cp "$T/flash.bin" "$T/orig.bin"
	start_sim "$chip" "$T/flash.bin" --no-timing || { fail "$chip: simulator"; return; }

	iot -c "$chip" chip-id
	check "$chip: chip-id succeeds" succeeded
	check "$chip: chip-id names the chip" out_has "^Chip: +$chip"
	check "$chip: chip-id prints the flash size" out_has "^Flash size: +2048 KiB"
	check "$chip: link switched to the chip's maximum baud" out_has "^Link: +921600 baud"
	if [ "$proto" = full ]; then
		check "$chip: chip-id prints the JEDEC id" out_has "^Flash id: +0x1560eb"
	fi

	iot -c bk72xx chip-id
	check "$chip: family bk72xx detects the exact chip" out_has "^Chip: +$chip"

	iot -c "$chip" read-flash 0 all "$T/backup.bin"
	check "$chip: read-flash 0 all succeeds" succeeded
	check "$chip: read-flash equals the dump byte for byte" same "$T/backup.bin" "$T/orig.bin"
	check "$chip: backup file is mode 0600" mode_is "$T/backup.bin" 600

	iot -c "$chip" read-flash 0x11000 0x1000 "$T/sector.bin"
	check "$chip: partial read equals the dump" regions_equal "$T/sector.bin" <(dd if="$T/orig.bin" bs=4096 skip=17 count=1 2>/dev/null) 0 4096

	random_file "$T/app.bin" $((256 * 1024))
	expected_after_write "$T/orig.bin" "$T/app.bin" 0x11000 "$T/expected.bin"
	(cd "$T" && "$IOTFLASH" -p "$T/tty" -c "$chip" write-flash 0x11000 "$T/app.bin" >"$T/out" 2>"$T/err"); RC=$?
	check "$chip: write-flash 0x11000 succeeds" succeeded
	stop_sim
	check "$chip: flash equals the expected image after the write" same "$T/flash.bin" "$T/expected.bin"
	check "$chip: bootloader untouched" regions_equal "$T/flash.bin" "$T/orig.bin" 0 0x11000
	local bk; bk=$(ls "$T"/backups/*.bin 2>/dev/null | grep -v -- -full.bin | head -n1)  # the range backup, not the first-contact one
	check "$chip: write made a backup of the old content" test -n "$bk"
	check "$chip: the backup holds what was there" regions_equal "${bk:-/nonexistent}" <(dd if="$T/orig.bin" bs=4096 skip=17 count=64 2>/dev/null) 0 $((256 * 1024))
	check "$chip: the backup is mode 0600" mode_is "${bk:-/nonexistent}" 600
	check "$chip: the backup has a JSON record" grep -q '"sha256"' "${bk%.bin}.json"
	start_sim "$chip" "$T/flash.bin" --no-timing

	iot -c "$chip" verify-flash 0x11000 "$T/app.bin"
	check "$chip: verify-flash passes on equal data" succeeded
	cp "$T/app.bin" "$T/bad.bin"; flip_byte "$T/bad.bin" 0x1001
	iot -c "$chip" verify-flash 0x11000 "$T/bad.bin"
	check "$chip: verify-flash fails after a one-byte change, naming the block" failed_with "0x012000"

	iot -c "$chip" --no-backup erase-region 0x100000 0x10000
	check "$chip: erase-region succeeds" succeeded
	stop_sim
	check "$chip: erased region is blank" test "$(slice "$T/flash.bin" 0x100000 16)" = "ffffffffffffffffffffffffffffffff"
	check "$chip: rest of the flash unchanged by the erase" regions_equal "$T/flash.bin" "$T/expected.bin" 0 0x100000
	start_sim "$chip" "$T/flash.bin" --no-timing

	cp "$T/flash.bin" "$T/before.bin"
	iot -c "$chip" --no-backup write-flash 0x0 "$T/app.bin"
	check "$chip: write into the bootloader refused without --force" failed_with "protected|bootloader"
	stop_sim
	check "$chip: refused write changed nothing" same "$T/flash.bin" "$T/before.bin"
	rm -rf "$T/backups"
}

# What the device says against what --chip says; erase-flash; --json; -v.
cli_extras() {
	cp "$(image bk7231n)" "$T/flash.bin"
	cp "$T/flash.bin" "$T/orig.bin"
	start_sim bk7231n "$T/flash.bin" --no-timing || { fail "simulator"; return; }
	random_file "$T/app.bin" 8192
	iot -c bk7231t --no-backup write-flash 0x11000 "$T/app.bin"
	check "a BK7231N named bk7231t: write refused" failed_with "reports bk7231n, not bk7231t"
	iot -c bk7231n --json chip-id
	check "--json chip-id is valid JSON naming chip and flash" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["ok"] and d["chip"] == "bk7231n" and d["flash_id"] == "0x1560eb" and d["flash_size"] == 2097152 else 1)' "$T/out"
	iot -c bk7231n --json --no-backup write-flash 0x11000 "$T/app.bin"
	check "--json write-flash reports the result" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["ok"] and d["verified"] and d["size"] == 8192 and len(d["sha256"]) == 64 else 1)' "$T/out"
	iot -c bk7231n -v flash-id
	check "-v prints the protocol trace" grep -qi ">> 01 e0 fc" "$T/err"
	iot -c bk7231n --no-backup erase-flash
	check "erase-flash succeeds" succeeded
	stop_sim
	check "erase-flash keeps the protected bootloader" regions_equal "$T/flash.bin" "$T/orig.bin" 0 0x11000
	check "erase-flash keeps the protected RF calibration sector" regions_equal "$T/flash.bin" "$T/orig.bin" 0x1D0000 0x1000
	check "erase-flash erases everything else" test "$(head -c $((0x1D0000)) "$T/flash.bin" | tail -c +$((0x11000 + 1)) | tr -d '\377' | wc -c)" -eq 0 -a \
		"$(tail -c +$((0x1D1000 + 1)) "$T/flash.bin" | tr -d '\377' | wc -c)" -eq 0
	start_sim bk7231n "$T/flash.bin" --no-timing
	iot -c bk7231n erase-region 0x11000 0x800
	check "erase-region refuses a size that is not whole sectors" failed_with "multiples of 0x1000"
	stop_sim
}

cli_extras
run_family_case bk7231n bk7231n full
run_family_case bk7231t bk7231t legacy
finish
