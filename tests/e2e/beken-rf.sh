#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The RF calibration sector (Wi-Fi calibration and MAC) of every Beken model
# is a protected region (docs/protocols/beken-rf.md): erase-flash leaves it
# byte for byte, erase-region and write-flash over it are refused without
# --force and done with it.  BK7238 also keeps Tuya's stock T1 sector.
. "$(dirname "$0")/lib.sh"

# The TXID-only example sector of docs/protocols/beken-rf.md §2.3 (MAC c8:47:8c:12:34:56).
tlv_sector() {
	cat <<-'HEX' | tr -d ' \n' | sed 's/\(..\)/\\x\1/g'
	54 4c 56 00 62 00 00 00 00 11 11 11 5a 00 00 00
	01 11 11 11 04 00 00 00 4e 61 bc 00 02 11 11 11
	06 00 00 00 c8 47 8c 12 34 56 03 11 11 11 04 00
	00 00 5e 01 00 00 04 11 11 11 04 00 00 00 8e 15
	53 01 05 11 11 11 04 00 00 00 0c 00 00 00 06 11
	11 11 04 00 00 00 55 00 54 03 07 11 11 11 08 00
	00 00 80 00 00 00 80 00 00 00
	HEX
}
# put_rf FLASH OFFSET: a realistic RF sector at OFFSET, 0xFF after the TLV body
put_rf() {
	head -c 4096 /dev/zero | tr '\0' '\377' | dd of="$1" bs=4096 seek=$(($2 / 4096)) conv=notrunc 2>/dev/null
	printf "$(tlv_sector)" | dd of="$1" bs=4096 seek=$(($2 / 4096)) conv=notrunc 2>/dev/null
}
blank() { [ "$(dd if="$1" bs=4096 skip=$(($2 / 4096)) count=$(($3 / 4096)) 2>/dev/null | tr -d '\377' | wc -c)" -eq 0 ]; }

rf_case() {
	local chip=$1 size=$2 rf=$3 stock=${4:-}
	random_file "$T/flash.bin" "$size"
	put_rf "$T/flash.bin" "$rf"
	[ -n "$stock" ] && put_rf "$T/flash.bin" "$stock"
	cp "$T/flash.bin" "$T/orig.bin"

	start_sim "$chip" "$T/flash.bin" --no-timing || { fail "$chip: simulator"; return; }
	iot -c "$chip" --no-backup erase-flash
	check "$chip: erase-flash succeeds" succeeded
	stop_sim
	check "$chip: erase-flash leaves the RF sector at $rf intact" regions_equal "$T/flash.bin" "$T/orig.bin" "$rf" 4096
	[ -n "$stock" ] && check "$chip: ... and the stock T1 RF sector at $stock" regions_equal "$T/flash.bin" "$T/orig.bin" "$stock" 4096
	check "$chip: erase-flash erased the sector before the RF sector" blank "$T/flash.bin" $((rf - 4096)) 4096
	[ $((rf + 4096)) -lt "$size" ] && [ -z "$stock" ] &&
		check "$chip: erase-flash erased the sector after the RF sector" blank "$T/flash.bin" $((rf + 4096)) 4096

	cp "$T/flash.bin" "$T/before.bin"
	start_sim "$chip" "$T/flash.bin" --no-timing
	iot -c "$chip" --no-backup erase-region $((rf - 0x10000)) 0x11000
	check "$chip: erase-region over the RF sector is refused without --force" failed_with "protected rf.*--force"
	random_file "$T/img.bin" 8192
	iot -c "$chip" --no-backup write-flash $((rf - 4096)) "$T/img.bin"
	check "$chip: write-flash over the RF sector is refused without --force" failed_with "protected rf.*--force"
	stop_sim
	check "$chip: the refusals changed nothing" same "$T/flash.bin" "$T/before.bin"

	start_sim "$chip" "$T/flash.bin" --no-timing
	iot -c "$chip" --no-backup --force erase-region "$rf" 0x1000
	check "$chip: erase-region of the RF sector with --force succeeds" succeeded
	stop_sim
	check "$chip: ... and erases it" blank "$T/flash.bin" "$rf" 4096
}

rf_case bk7231t $((2 << 20)) 0x1E0000
rf_case bk7231u $((2 << 20)) 0x1E0000
rf_case bk7252  $((2 << 20)) 0x1E0000
rf_case bk7231n $((2 << 20)) 0x1D0000
rf_case bk7231m $((2 << 20)) 0x1D0000
rf_case bk7238  $((2 << 20)) 0x1E0000 0x1E3000
rf_case bk7252n $((2 << 20)) 0x1E0000
rf_case bk7236  $((4 << 20)) 0x3FE000
rf_case bk7258  $((8 << 20)) 0x7FE000
finish
