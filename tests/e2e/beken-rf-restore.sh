#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The Beken RF calibration sector on a device (docs/protocols/beken-rf.md):
# chip-id prints the MAC in it; `rf restore --from BACKUP` puts a backup's
# sector back without --force, and refuses a backup whose sector is blank or
# invalid before touching the flash.
. "$(dirname "$0")/lib.sh"

RF=0x1D0000  # bk7231n (§1)
# The §2.3 example sector (MAC c8:47:8c:12:34:56), but with MAC 38:1f:8d:ab:cd:ef.
tlv_sector() {
	cat <<-'HEX' | tr -d ' \n' | sed 's/\(..\)/\\x\1/g'
	54 4c 56 00 62 00 00 00 00 11 11 11 5a 00 00 00
	01 11 11 11 04 00 00 00 4e 61 bc 00 02 11 11 11
	06 00 00 00 38 1f 8d ab cd ef 03 11 11 11 04 00
	00 00 5e 01 00 00 04 11 11 11 04 00 00 00 8e 15
	53 01 05 11 11 11 04 00 00 00 0c 00 00 00 06 11
	11 11 04 00 00 00 55 00 54 03 07 11 11 11 08 00
	00 00 80 00 00 00 80 00 00 00
	HEX
}
ff_sector() { head -c 4096 /dev/zero | tr '\0' '\377' | dd of="$1" bs=4096 seek=$(($2 / 4096)) conv=notrunc 2>/dev/null; }
put_rf() { ff_sector "$1" "$2"; printf "$(tlv_sector)" | dd of="$1" bs=4096 seek=$(($2 / 4096)) conv=notrunc 2>/dev/null; }
blank() { [ "$(dd if="$1" bs=4096 skip=$(($2 / 4096)) count=1 2>/dev/null | tr -d '\377' | wc -c)" -eq 0 ]; }

random_file "$T/flash.bin" $((2 << 20))
put_rf "$T/flash.bin" $RF
cp "$T/flash.bin" "$T/backup.bin"   # what read-flash would have saved

start_sim bk7231n "$T/flash.bin" --no-timing || { fail "simulator"; finish; exit; }
iot -c bk7231n chip-id
check "chip-id succeeds" succeeded
check "chip-id prints the MAC of the RF sector" out_has "^MAC: +38:1f:8d:ab:cd:ef$"
iot -c bk7231n --json chip-id
check "chip-id --json has the mac field" out_has '"mac": "38:1f:8d:ab:cd:ef"'
iot -c bk7231n flash-id
check "flash-id does not read the RF sector" eval '! out_has "^MAC"'

iot -c bk7231n --no-backup --force erase-region $RF 0x1000
check "erase-region of the RF sector with --force succeeds" succeeded
iot -c bk7231n chip-id
check "chip-id on a blank RF sector says so" out_has "^MAC: +none \(RF calibration sector blank or invalid\)$"
iot -c bk7231n --json chip-id
check "chip-id --json gives mac null" out_has '"mac": null'
stop_sim
check "the RF sector is blank" blank "$T/flash.bin" $RF

# A backup whose RF sector is blank, one with a bad length: refused, nothing changes.
cp "$T/backup.bin" "$T/blank-backup.bin"; ff_sector "$T/blank-backup.bin" $RF
cp "$T/backup.bin" "$T/bad-backup.bin"; printf '\xff\x0f\x00\x00' | dd of="$T/bad-backup.bin" bs=1 seek=$((RF + 4)) conv=notrunc 2>/dev/null
cp "$T/flash.bin" "$T/before.bin"
start_sim bk7231n "$T/flash.bin" --no-timing
iot -c bk7231n --backup-dir "$T/bk" rf restore --from "$T/blank-backup.bin"
check "restore from a backup with a blank RF sector is refused in one line" failed_with "blank-backup.bin: RF calibration sector is blank.*refusing"
check "... in exactly one line" eval '[ "$(wc -l <"$T/err")" -eq 1 ]'
iot -c bk7231n --backup-dir "$T/bk" rf restore --from "$T/bad-backup.bin"
check "restore from a backup with a bad TLV length is refused" failed_with "TLV length 4095 runs past.*refusing"
iot -c bk7231n rf restore
check "restore without --from is a usage error" eval '[ "$RC" -eq 2 ] && grep -q -- "--from BACKUP" "$T/err"'
head -c 1000 /dev/urandom >"$T/short.bin"
iot -c bk7231n rf restore --from "$T/short.bin"
check "a file that is neither a sector nor a backup is refused" failed_with "neither a 4 KiB RF sector nor a flash backup"
stop_sim
check "the refusals changed nothing" same "$T/flash.bin" "$T/before.bin"
check "... and made no backup" eval '[ ! -e "$T/bk" ]'

# Other protected regions stay protected: write-flash over rf still needs --force.
start_sim bk7231n "$T/flash.bin" --no-timing
head -c 4096 /dev/urandom >"$T/img.bin"
iot -c bk7231n --no-backup write-flash $RF "$T/img.bin"
check "write-flash over the RF sector is still refused without --force" failed_with "protected rf.*--force"
iot -c bk7231n --backup-dir "$T/bk" rf restore --from "$T/backup.bin"
check "rf restore from the full backup succeeds without --force" succeeded
check "... and says where it wrote" out_has "0x1d0000"
iot -c bk7231n chip-id
check "chip-id shows the restored MAC" out_has "^MAC: +38:1f:8d:ab:cd:ef$"
stop_sim
check "the RF sector is back byte-identical" regions_equal "$T/flash.bin" "$T/backup.bin" $RF 4096
check "the whole flash equals the backup again" same "$T/flash.bin" "$T/backup.bin"

# A 4 KiB sector file works too (after erasing again).
dd if="$T/backup.bin" of="$T/sector.bin" bs=4096 skip=$((RF / 4096)) count=1 2>/dev/null
start_sim bk7231n "$T/flash.bin" --no-timing
iot -c bk7231n --no-backup --force erase-region $RF 0x1000
iot -c bk7231n --no-backup --json rf restore --from "$T/sector.bin"
check "rf restore --json from a 4 KiB sector file succeeds" succeeded
check "... and reports ok" out_has '"ok": true'
stop_sim
check "... and the sector is back" same "$T/flash.bin" "$T/backup.bin"

# BK7238 with Tuya's stock T1 firmware: the backup's sector is at 0x1E3000
# (rf-stock), 0x1E0000 is blank; restore moves it to 0x1E0000 (§8.3).
random_file "$T/t1.bin" $((2 << 20))
ff_sector "$T/t1.bin" 0x1E0000
put_rf "$T/t1.bin" 0x1E3000
cp "$T/t1.bin" "$T/t1-backup.bin"
start_sim bk7238 "$T/t1.bin" --no-timing
iot -c bk7238 --no-backup rf restore --from "$T/t1-backup.bin"
check "bk7238: restore from a T1 backup succeeds, writing 0x1e0000" eval "succeeded && out_has 0x1e0000"
check "... and says so" grep -q "taking the stock one at 0x1e3000" "$T/err"
iot -c bk7238 chip-id
check "bk7238: chip-id then shows the MAC" out_has "^MAC: +38:1f:8d:ab:cd:ef$"
stop_sim
check "bk7238: the sector at 0x1E0000 equals the stock one" \
	cmp -s <(dd if="$T/t1.bin" bs=4096 skip=$((0x1E0000 / 4096)) count=1 2>/dev/null) \
	<(dd if="$T/t1-backup.bin" bs=4096 skip=$((0x1E3000 / 4096)) count=1 2>/dev/null)
check "bk7238: the stock sector stays where it was" regions_equal "$T/t1.bin" "$T/t1-backup.bin" 0x1E3000 4096
finish
