#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Realtek AmebaZ (rtl8710b), AmebaZ2 (rtl8720c) and AmebaD (rtl8720d) end to
# end: identify, back up, write, verify, erase, protection, baud rates, the
# family probe, and the AmebaD loader (a generated stand-in; missing -> a
# clear message naming the file).
. "$(dirname "$0")/lib.sh"
GEN="${top_srcdir:?}/tests/e2e/gen-rtl87xx-loader.py"
python3 "$GEN" "$T/loader.bin"
python3 "$GEN" "$T/loader.bin.gz" --gzip
export HOME="$T/home"   # no loader in ~/.local/share/iotflash/loaders

# A flash with something in every region, so untouched regions can be told.
seed_flash() { python3 -c "import random,sys; r=random.Random($2); open(sys.argv[1],'wb').write(r.randbytes($3))" "$1"; }

run_case() {
	local chip=$1 size=$2 app=$3 boot_end=$4; shift 4
	local L=("$@")
	seed_flash "$T/flash.bin" 11 "$size"
	cp "$T/flash.bin" "$T/orig.bin"
	start_sim "$chip" "$T/flash.bin" --no-timing || { fail "$chip: simulator"; return; }

	iot -c "$chip" "${L[@]}" chip-id
	check "$chip: chip-id succeeds" succeeded
	check "$chip: chip-id names the chip" out_has "^Chip: +$chip"
	check "$chip: chip-id prints the flash size" out_has "^Flash size: +$((size / 1024)) KiB"
	local max=3000000  # AmebaD and AmebaZ2 (chipdb/rtl87xx.yaml); AmebaZ's ROM stays at 1500000
	[ "$chip" = rtl8710b ] && max=1500000
	check "$chip: link at the chip's maximum baud" out_has "^Link: +$max baud"

	iot -c rtl87xx "${L[@]}" chip-id
	check "$chip: family rtl87xx finds the chip" out_has "^Chip: +$chip"

	iot -c "$chip" "${L[@]}" read-flash 0 all "$T/backup.bin"
	check "$chip: read-flash 0 all succeeds" succeeded
	check "$chip: read-flash equals the flash byte for byte" same "$T/backup.bin" "$T/orig.bin"

	random_file "$T/app.bin" $((128 * 1024))
	expected_after_write "$T/orig.bin" "$T/app.bin" "$app" "$T/expected.bin"
	(cd "$T" && "$IOTFLASH" -p "$T/tty" -c "$chip" "${L[@]}" write-flash "$app" "$T/app.bin" >"$T/out" 2>"$T/err"); RC=$?
	check "$chip: write-flash at $app succeeds" succeeded
	stop_sim
	check "$chip: flash equals the expected image after the write" same "$T/flash.bin" "$T/expected.bin"
	check "$chip: boot regions untouched" regions_equal "$T/flash.bin" "$T/orig.bin" 0 "$boot_end"
	local bk; bk=$(ls "$T"/backups/*.bin 2>/dev/null | grep -v -- -full.bin | head -n1)  # the range backup, not the first-contact one
	check "$chip: write made a backup of the old content" regions_equal "${bk:-/nonexistent}" \
		<(dd if="$T/orig.bin" bs=4096 skip=$((app / 4096)) count=32 2>/dev/null) 0 $((128 * 1024))
	rm -rf "$T/backups"
	start_sim "$chip" "$T/flash.bin" --no-timing

	iot -c "$chip" "${L[@]}" verify-flash "$app" "$T/app.bin"
	check "$chip: verify-flash passes on equal data" succeeded
	cp "$T/app.bin" "$T/bad.bin"; flip_byte "$T/bad.bin" 0x5001
	local rb=$((0x1000)); [ "$chip" = rtl8720c ] && rb=$((0x8000))  # its read block (chipdb)
	iot -c "$chip" "${L[@]}" verify-flash "$app" "$T/bad.bin"
	check "$chip: verify-flash fails after a one-byte change, naming the block" \
		failed_with "$(printf '0x%06x' $(((app + 0x5001) & ~(rb - 1))))"

	iot -c "$chip" "${L[@]}" --no-backup erase-region 0x100000 0x11000
	check "$chip: erase-region succeeds" succeeded
	stop_sim
	check "$chip: erased region is blank" cmp -s <(dd if="$T/flash.bin" bs=4096 skip=256 count=17 2>/dev/null) \
		<(head -c $((0x11000)) /dev/zero | tr '\0' '\377')
	check "$chip: rest of the flash unchanged by the erase" regions_equal "$T/flash.bin" "$T/expected.bin" 0 0x100000
	start_sim "$chip" "$T/flash.bin" --no-timing

	cp "$T/flash.bin" "$T/before.bin"
	iot -c "$chip" "${L[@]}" --no-backup write-flash 0x0 "$T/app.bin"
	check "$chip: write into the boot region refused without --force" failed_with "protected"
	stop_sim
	check "$chip: refused write changed nothing" same "$T/flash.bin" "$T/before.bin"
}

run_case rtl8710b $((2 << 20)) 0xb000 0xb000
run_case rtl8720c $((2 << 20)) 0x10000 0xc000
run_case rtl8720d $((4 << 20)) 0x6000 0x6000 --loader "$T/loader.bin"

# AmebaZ: other rates through the ROM's table (§1.2), and back to 1.5 Mbaud after.
rm -f "$T/flash.bin"; start_sim rtl8710b "$T/flash.bin" --no-timing
for b in 921600 3000000; do
	iot -c rtl8710b -b $b chip-id
	check "rtl8710b: -b $b through the ROM's rate table" out_has "^Link: +$b baud"
done
iot -c rtl8710b -b 1234567 chip-id
check "rtl8710b: a rate not in the table is refused and the link stays up" out_has "^Link: +1500000 baud"
stop_sim

# AmebaZ2: a rate ucfg does not take steps down (§7.3).
rm -f "$T/flash.bin"; start_sim rtl8720c "$T/flash.bin" --no-timing
iot -c rtl8720c -b 921600 chip-id
check "rtl8720c: -b 921600 through ucfg" out_has "^Link: +921600 baud"
iot -c rtl8720c -b 1234567 chip-id
check "rtl8720c: a refused rate falls back and still works" out_has "^Link: +(921600|460800|115200) baud"
stop_sim

# AmebaD loader: missing, gzipped, not one the chip can run.
rm -f "$T/flash.bin"; start_sim rtl8720d "$T/flash.bin" --no-timing
iot -c rtl8720d chip-id
check "rtl8720d: a missing loader fails" test "$RC" -ne 0
check "rtl8720d: ... naming the file and where it goes" \
	failed_with "AmebaDFLoader.bin.*(--loader|loaders)"
python3 "$GEN" "$T/bad-loader.bin" --bad
iot -c rtl8720d --loader "$T/bad-loader.bin" chip-id
check "rtl8720d: a loader that does not start fails with one clear line" failed_with "does not answer"
stop_sim
rm -f "$T/flash.bin"; start_sim rtl8720d "$T/flash.bin" --no-timing
iot -c rtl8720d --loader "$T/loader.bin.gz" chip-id
check "rtl8720d: a gzip-compressed loader is accepted" out_has "uploaded"
iot -c rtl8720d chip-id
check "rtl8720d: the loader stays in RAM for the next run" out_has "already running"
stop_sim

# AmebaZ flash with block protection set: cleared for the write, restored after.
mkdir -p "$T/chipdb"
sed 's/model_sr1: 0x0 /model_sr1: 0x1c/' "$IOTFLASH_CHIPDB_PATH/rtl87xx.yaml" >"$T/chipdb/rtl87xx.yaml"
IOTFLASH_CHIPDB_PATH="$T/chipdb" start_sim rtl8710b "$T/flash.bin" --no-timing
IOTFLASH_CHIPDB_PATH="$T/chipdb" iot -c rtl8710b chip-id
check "rtl8710b: a protected flash shows its SR1" out_has "SR1 0x1c"
cp "$T/flash.bin" "$T/before.bin"
IOTFLASH_CHIPDB_PATH="$T/chipdb" iot -c rtl8710b --no-backup write-flash 0xb000 "$T/app.bin"
check "rtl8710b: write through block protection succeeds" succeeded
IOTFLASH_CHIPDB_PATH="$T/chipdb" iot -c rtl8710b chip-id
check "rtl8710b: the protection is restored afterwards" out_has "SR1 0x1c"
stop_sim
expected_after_write "$T/before.bin" "$T/app.bin" 0xb000 "$T/expected.bin"
check "rtl8710b: the flash holds the image" same "$T/flash.bin" "$T/expected.bin"
finish
