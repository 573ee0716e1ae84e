#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Bouffalo BL602 and BL702 (BootROM + eflash_loader stand-in) and BL616
# (ROM flash commands) end to end: identify, back up, write, verify, erase,
# protection, the loader rules, baud limits.
. "$(dirname "$0")/lib.sh"
GEN="$(dirname "$0")/gen-bl60x-loader.py"
python3 "$GEN" bl602 "$T/bl602-loader.bin"
python3 "$GEN" bl702 "$T/bl702-loader.bin"
export HOME="$T/home"  # no loader directory of the user's

run_case() {
	local chip=$1 app=$2 size=$3 boot_end=$4 jedec=$5 L=()
	[ -f "$T/$chip-loader.bin" ] && L=(--loader "$T/$chip-loader.bin")
	random_file "$T/flash.bin" "$size"
	cp "$T/flash.bin" "$T/orig.bin"
	start_sim "$chip" "$T/flash.bin" --no-timing || { fail "$chip: simulator"; return; }

	iot -c "$chip" "${L[@]}" chip-id
	check "$chip: chip-id succeeds" succeeded
	check "$chip: chip-id names the chip" out_has "^Chip: +$chip"
	check "$chip: chip-id prints the JEDEC id" out_has "^Flash id: +$jedec"
	check "$chip: chip-id prints the flash size" out_has "^Flash size: +$((size / 1024)) KiB"
	check "$chip: link at the chip's maximum baud" out_has "^Link: +2000000 baud"

	iot -c "$chip" "${L[@]}" read-flash 0 all "$T/backup.bin"
	check "$chip: read-flash 0 all succeeds" succeeded
	check "$chip: read-flash equals the flash byte for byte" same "$T/backup.bin" "$T/orig.bin"

	random_file "$T/app.bin" $((160 * 1024))
	expected_after_write "$T/orig.bin" "$T/app.bin" "$app" "$T/expected.bin"
	iot -c "$chip" "${L[@]}" --no-backup write-flash "$app" "$T/app.bin"
	check "$chip: write-flash at $app succeeds" succeeded
	iot -c "$chip" "${L[@]}" verify-flash "$app" "$T/app.bin"
	check "$chip: verify-flash passes on equal data" succeeded
	cp "$T/app.bin" "$T/bad.bin"; flip_byte "$T/bad.bin" 0x1001
	iot -c "$chip" "${L[@]}" verify-flash "$app" "$T/bad.bin"
	check "$chip: verify-flash fails after a one-byte change, naming the block" \
		failed_with "$(printf '0x%06x' $((app + 0x1000)))"
	stop_sim
	check "$chip: flash equals the expected image after the write" same "$T/flash.bin" "$T/expected.bin"
	check "$chip: boot region untouched" regions_equal "$T/flash.bin" "$T/orig.bin" 0 "$boot_end"
	start_sim "$chip" "$T/flash.bin" --no-timing

	# One sector: the end address is inclusive, the next sector must survive.
	iot -c "$chip" "${L[@]}" --no-backup erase-region 0x180000 0x1000
	check "$chip: erase-region of one sector succeeds" succeeded
	iot -c "$chip" "${L[@]}" --no-backup erase-region 0x100000 0x10000
	check "$chip: erase-region of 64 KiB succeeds" succeeded
	stop_sim
	check "$chip: erased sector is blank" test "$(slice "$T/flash.bin" 0x180ff0 16)" = "ffffffffffffffffffffffffffffffff"
	check "$chip: erased block is blank" test "$(slice "$T/flash.bin" 0x10fff0 16)" = "ffffffffffffffffffffffffffffffff"
	check "$chip: the sector after the erased one is untouched" regions_equal "$T/flash.bin" "$T/expected.bin" 0x181000 0x1000
	check "$chip: the rest of the flash is unchanged by the erases" regions_equal "$T/flash.bin" "$T/expected.bin" 0 0x100000
	start_sim "$chip" "$T/flash.bin" --no-timing

	cp "$T/flash.bin" "$T/before.bin"
	iot -c "$chip" "${L[@]}" --no-backup write-flash 0x0 "$T/app.bin"
	check "$chip: write into the boot region refused without --force" failed_with "protected|boot"
	stop_sim
	check "$chip: refused write changed nothing" same "$T/flash.bin" "$T/before.bin"
}

run_case bl602 0x10000 $((2 * 1024 * 1024)) 0x10000 0x1540ef
run_case bl702 0x2000 $((2 * 1024 * 1024)) 0x2000 0x1540c8
run_case bl616 0x10000 $((4 * 1024 * 1024)) 0x10000 0x1640ef

# The loader is the user's to supply: without one, say which file and where.
rm -f "$T/flash.bin"
start_sim bl602 "$T/flash.bin" --no-timing
iot -c bl602 chip-id
check "bl602 without a loader fails naming the file and where to put it" \
	failed_with "BL602Floader_40m.bin.*(loaders|--loader)"
stop_sim
start_sim bl702 "$T/flash.bin.702" --no-timing
iot -c bl702 chip-id
check "bl702 without a loader names BL702Floader_32m.bin" failed_with "BL702Floader_32m.bin"
iot -c bl60x chip-id
check "family bl60x on a BL702 asks for the BL702's loader" failed_with "BL702Floader_32m.bin"
iot -c bl60x --loader "$T/bl702-loader.bin" chip-id
check "family bl60x with a loader detects bl702" out_has "^Chip: +bl702"
stop_sim

# The family finds BL602 and BL616 by their BootROM versions.
start_sim bl602 "$T/flash.bin" --no-timing
iot -c bl60x --loader "$T/bl602-loader.bin" chip-id
check "family bl60x detects bl602" out_has "^Chip: +bl602"
iot -c bl702 --loader "$T/bl702-loader.bin" chip-id
check "--chip bl702 on a BL602 refused before any upload" failed_with "reports bl602"
# 1.2 Mbaud: the loader rounds to 1 Mbaud (§1.5), so the driver steps down.
iot -c bl602 --loader "$T/bl602-loader.bin" -b 1200000 chip-id
check "bl602 at 1.2 Mbaud falls back to a rate the loader can do" out_has "^Link: +1000000 baud"
check "and says so" grep -qi "no link at 1200000" "$T/err"
check "and still reports the BootROM it met first" out_has "^Bootloader: +BootROM 1.0.0.0"
stop_sim
start_sim bl616 "$T/flash.bin.616" --no-timing
iot -c bl60x chip-id
check "family bl60x detects bl616" out_has "^Chip: +bl616"
stop_sim

# A session killed mid-read leaves the loader running at 2 Mbaud: the next
# one finds it, sends it back to its handshake and uses it (no upload).
random_file "$T/flash.bin" $((2 * 1024 * 1024))
start_sim bl602 "$T/flash.bin"
"$IOTFLASH" -p "$T/tty" -c bl602 --loader "$T/bl602-loader.bin" read-flash 0 all "$T/killed.bin" >/dev/null 2>&1 &
KILLED=$!
sleep 2.5
kill -KILL "$KILLED"; wait "$KILLED" 2>/dev/null
iot -c bl602 --loader "$T/bl602-loader.bin" chip-id
check "a loader left running is found and reused" out_has "^Bootloader: +eflash_loader \(already running\)"
check "and brought to the maximum baud" out_has "^Link: +2000000 baud"
stop_sim

# Wire and chip timing on: the handshakes and 2 Mbaud in real time.
start_sim bl702 "$T/flash.bin.702" || fail "bl702 timed simulator"
iot -c bl702 --loader "$T/bl702-loader.bin" read-flash 0x2000 0x10000 "$T/timed.bin"
check "bl702 with timing: read at 2 Mbaud succeeds" succeeded
stop_sim
check "bl702 with timing: read equals the flash" regions_equal "$T/timed.bin" <(dd if="$T/flash.bin.702" bs=4096 skip=2 count=16 2>/dev/null) 0 0x10000
finish
