#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# CH341A end to end through the USB-level device model: any SPI NOR flash
# (-c spi-nor) on two parts with both status-register layouts, and the
# recovery of a bricked Beken in SPI mode (-c bk72xx-spi).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spi-ch341-lib.sh"

nor_case() {
	local part=$1 size=$2 jedec=$3
	random_file "$T/flash.bin" "$size"
	cp "$T/flash.bin" "$T/orig.bin"

	usb_iot "ch341a+$part" "$T/flash.bin" --no-timing -- -c spi-nor chip-id
	check "$part: chip-id succeeds" succeeded
	check "$part: chip-id names the part" out_has "^Chip: +$part"
	check "$part: chip-id prints the JEDEC id" out_has "^Flash id: +$jedec"
	check "$part: chip-id prints the size" out_has "^Flash size: +$((size / 1024)) KiB"

	usb_iot "ch341a+$part" "$T/flash.bin" --no-timing -- -c spi-nor read-flash 0 all "$T/read.bin"
	check "$part: read-flash 0 all succeeds" succeeded
	check "$part: read-flash equals the flash byte for byte" same "$T/read.bin" "$T/orig.bin"

	random_file "$T/app.bin" $((192 * 1024 + 100))
	expected_after_write "$T/orig.bin" "$T/app.bin" 0x10000 "$T/expected.bin"
	usb_iot "ch341a+$part" "$T/flash.bin" --no-timing -- -c spi-nor --no-backup write-flash 0x10000 "$T/app.bin"
	check "$part: write-flash 0x10000 succeeds" succeeded
	check "$part: flash equals the expected image" same "$T/flash.bin" "$T/expected.bin"

	usb_iot "ch341a+$part" "$T/flash.bin" --no-timing -- -c spi-nor verify-flash 0x10000 "$T/app.bin"
	check "$part: verify-flash passes on equal data" succeeded
	cp "$T/app.bin" "$T/bad.bin"; flip_byte "$T/bad.bin" 0x1001
	usb_iot "ch341a+$part" "$T/flash.bin" --no-timing -- -c spi-nor verify-flash 0x10000 "$T/bad.bin"
	check "$part: verify-flash fails after a one-byte change, naming the block" failed_with "0x011000"

	usb_iot "ch341a+$part" "$T/flash.bin" --no-timing -- -c spi-nor --no-backup erase-region 0x100000 0x11000
	check "$part: erase-region succeeds" succeeded
	check "$part: erased region is blank" blank <(dd if="$T/flash.bin" bs=4096 skip=256 count=17 2>/dev/null)
	check "$part: the rest is unchanged" regions_equal "$T/flash.bin" "$T/expected.bin" 0 0x100000
	check "$part: the rest after it is unchanged" cmp -s <(tail -c +$((0x111001)) "$T/flash.bin") <(tail -c +$((0x111001)) "$T/expected.bin")
}

nor_case w25q32 $((4 * 1024 * 1024)) 0x1640ef
nor_case en25qh16 $((2 * 1024 * 1024)) 0x15701c

# Write protection as found: BP bits (both layouts) and CMP are cleared.
for spec in w25q32:sr=1c w25q32:sr=4000 en25qh16:sr=3c; do
	part=${spec%%:*} faults=${spec#*:}
	rm -f "$T/lk.bin"
	random_file "$T/img.bin" 8192
	usb_iot "ch341a+$part" "$T/lk.bin" --no-timing --faults "$faults" -- -c spi-nor --no-backup write-flash 0 "$T/img.bin"
	check "$part ($faults): a write-protected chip is unprotected and written" succeeded
	check "$part ($faults): the image is in the flash" cmp -s -n 8192 "$T/img.bin" "$T/lk.bin"
done
rm -f "$T/lk.bin"
usb_iot ch341a+w25q32 "$T/lk.bin" --no-timing --faults sr=9c,wp-low -- -c spi-nor --no-backup write-flash 0 "$T/img.bin"
check "locked status register (SRP0, WP# low): clear message" failed_with "WP#"
check "locked status register: the flash is untouched" blank "$T/lk.bin"

# A part not named by -c: the exact chip and a mismatch are told.
rm -f "$T/gd.bin"
usb_iot ch341a+gd25q16 "$T/gd.bin" --no-timing -- -c spi-nor chip-id
check "gd25q16: -c spi-nor detects the part" out_has "^Chip: +gd25q16"
usb_iot ch341a+gd25q16 "$T/gd.bin" --no-timing -- -c w25q32 --no-backup write-flash 0 "$T/img.bin"
check "gd25q16 named w25q32: the write is refused" failed_with "gd25q16"

# With timing: busy polling against datasheet erase and program times.
rm -f "$T/tm.bin"
usb_iot ch341a+w25q16 "$T/tm.bin" -- -c spi-nor --no-backup write-flash 0x3000 "$T/img.bin"
check "w25q16 with chip timing: write succeeds" succeeded
check "w25q16 with chip timing: the image is there" cmp -s -n 8192 -i 0x3000:0 "$T/tm.bin" "$T/img.bin"

# Unchanged skipping without a device checksum: the core compares by reading.
json_num() { grep -oE "\"$1\": [0-9]+" "$T/out" | grep -oE '[0-9]+$'; }
random_file "$T/sk.bin" $((2 * 1024 * 1024))
cp "$T/sk.bin" "$T/skimg.bin"
usb_iot ch341a+w25q16 "$T/sk.bin" --no-timing -- -c spi-nor --json --no-backup write-flash 0 "$T/skimg.bin"
check "rewrite of the same image: succeeds" succeeded
check "rewrite of the same image: every unit skipped" [ "$(json_num skipped)" = $((2 * 1024 * 1024)) ]
check "rewrite of the same image: one read pass, nothing written" [ "$(json_num moved)" = $((2 * 1024 * 1024)) ]
flip_byte "$T/skimg.bin" 0x12345
usb_iot ch341a+w25q16 "$T/sk.bin" --no-timing -- -c spi-nor --json --no-backup write-flash 0 "$T/skimg.bin"
check "one byte differs: only its 4 KiB sector is rewritten" [ "$(json_num skipped)" = $((2 * 1024 * 1024 - 4096)) ]
check "one byte differs: the flash equals the image" same "$T/sk.bin" "$T/skimg.bin"
flip_byte "$T/skimg.bin" 0x1f0000
usb_iot ch341a+w25q16 "$T/sk.bin" --no-timing -- -c spi-nor --json --backup-dir "$T/backups" write-flash 0 "$T/skimg.bin"
check "with a backup: only the changed sector is rewritten" [ "$(json_num skipped)" = $((2 * 1024 * 1024 - 4096)) ]
check "with a backup: the flash equals the image" same "$T/sk.bin" "$T/skimg.bin"
usb_iot ch341a+w25q16 "$T/sk.bin" --no-timing -- -c spi-nor --json --no-backup --no-skip write-flash 0 "$T/skimg.bin"
check "--no-skip: every unit is written again" [ "$(json_num skipped)" = 0 ]
check "--no-skip: the flash equals the image" same "$T/sk.bin" "$T/skimg.bin"

# ---- Beken recovery in SPI mode ----
DUMP=$(image bk7231n)
rm -f "$T/bk.bin"
usb_iot ch341a+bk7231n "$T/bk.bin" --no-timing -- -c bk72xx-spi chip-id
check "beken: chip-id enters SPI mode and reads the die id" out_has "^Flash id: +0x1560eb"
check "beken: the model's flash starts erased (bricked)" blank "$T/bk.bin"
usb_iot ch341a+bk7231n "$T/bk.bin" --no-timing -- -c bk72xx-spi --no-backup write-flash 0 "$DUMP"
check "beken: write-flash 0 DUMP onto a blank chip succeeds" succeeded
check "beken: the flash equals the dump" same "$T/bk.bin" "$DUMP"
usb_iot ch341a+bk7231n "$T/bk.bin" --no-timing -- -c bk72xx-spi read-flash 0 all "$T/bkread.bin"
check "beken: read-flash 0 all equals the dump" same "$T/bkread.bin" "$DUMP"
usb_iot ch341a+bk7231n "$T/bk.bin" --no-timing -- -c bk72xx-spi verify-flash 0 "$DUMP"
check "beken: verify-flash passes" succeeded
usb_iot ch341a+beken-spi "$T/bt.bin" --no-timing -- -c bk72xx-spi chip-id
check "beken (EN25QH16B die): chip-id" out_has "^Flash id: +0x15701c"
usb_iot ch341a+bk7231n "$T/bk.bin" --no-timing --faults no-chip -- -c bk72xx-spi chip-id
check "beken not answering: clear message about the wiring" failed_with "did not answer the SPI-mode pattern"

finish
