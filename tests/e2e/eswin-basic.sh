#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# ESWIN ECR6600 (ROM + A5 stub) and TR6260 (ROM + uboot loader) end to end
# against their models: identify, a timed full read, write at the
# application offset, verify-flash passing and failing, erase-region, the
# protected RF area, the loader messages, and the ECR6600 stub's quirks
# and compressed transfers (eswin-stub-model.py).
. "$(dirname "$0")/lib.sh"
GEN=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/gen-eswin-loader.py
python3 "$GEN" ecr6600 "$T/ecr.bin"
python3 "$GEN" ecr6600 "$T/ecr.bin.gz" --gzip
python3 "$GEN" ecr6600 "$T/ecr-bad.bin" --corrupt
python3 "$GEN" tr6260 "$T/tr.bin"

# A realistic image: code and data with 40 % of it blank, as a Tuya dump.
realistic() {
	python3 - "$1" "$2" <<'PY'
import random, sys
r = random.Random(int(sys.argv[2], 0)); size = int(sys.argv[2], 0); out = bytearray()
while len(out) < size:
    n = r.choice([4096, 8192, 16384])
    out += b"\xff" * n if r.random() < 0.4 else r.randbytes(n)
open(sys.argv[1], "wb").write(out[:size])
PY
}

# run_chip CHIP SIZE APP LOADER RF_START FLASHID
run_chip() {
	local c=$1 size=$2 app=$3 ld=$4 rf=$5 fid=$6
	realistic "$T/$c.bin" "$size"
	cp "$T/$c.bin" "$T/$c-orig.bin"

	# With timing: wire rate and flash speed as on the chip.
	start_sim "$c" "$T/$c.bin" || { fail "$c: simulator"; return; }
	iot -c "$c" read-flash 0 0x1000 "$T/$c-noloader.bin"
	check "$c: without the loader the message names the file" failed_with "$(basename "$ld" .bin)|loader"
	iot -c "$c" --loader "$T/$ld" chip-id
	check "$c: chip-id succeeds" succeeded
	check "$c: chip-id names the chip" out_has "^Chip: +$c"
	[ -n "$fid" ] && check "$c: chip-id prints the flash id" out_has "^Flash id: +$fid"
	check "$c: chip-id prints the flash size" out_has "^Flash size: +$((size / 1024)) KiB"
	check "$c: link raised to 2000000 baud" out_has "^Link: +2000000 baud"
	iot -c "$c" --loader "$T/$ld" read-flash 0 all "$T/$c-read.bin"
	check "$c: timed read-flash 0 all succeeds" succeeded
	check "$c: full read equals the model's flash" same "$T/$c-read.bin" "$T/$c-orig.bin"
	stop_sim

	start_sim "$c" "$T/$c.bin" --no-timing || { fail "$c: simulator"; return; }
	random_file "$T/$c-app.bin" $((192 * 1024))
	expected_after_write "$T/$c-orig.bin" "$T/$c-app.bin" "$app" "$T/$c-expected.bin"
	iot -c "$c" --loader "$T/$ld" --no-backup write-flash "$app" "$T/$c-app.bin"
	check "$c: write-flash at the application offset succeeds" succeeded
	stop_sim
	check "$c: flash equals the image at the offset, the rest unchanged" same "$T/$c.bin" "$T/$c-expected.bin"

	start_sim "$c" "$T/$c.bin" --no-timing
	iot -c "$c" --loader "$T/$ld" verify-flash "$app" "$T/$c-app.bin"
	check "$c: verify-flash passes on equal data" succeeded
	cp "$T/$c-app.bin" "$T/$c-bad.bin"; flip_byte "$T/$c-bad.bin" 0x2001
	iot -c "$c" --loader "$T/$ld" verify-flash "$app" "$T/$c-bad.bin"
	check "$c: verify-flash fails after a one-byte change" failed_with "differ|mismatch|verify"

	iot -c "$c" --loader "$T/$ld" --no-backup erase-region $((app + 0x10000)) 0x8000
	check "$c: erase-region succeeds" succeeded
	cp "$T/$c.bin" "$T/$c-before.bin"
	head -c 4096 "$T/$c-app.bin" >"$T/$c-rf.bin"
	iot -c "$c" --loader "$T/$ld" --no-backup write-flash "$rf" "$T/$c-rf.bin"
	check "$c: a write over the RF calibration is refused without --force" failed_with "protected|nv_amt|rf"
	stop_sim
	check "$c: erased region is blank" test "$(slice "$T/$c.bin" $((app + 0x10000)) 16)" = "ffffffffffffffffffffffffffffffff"
	check "$c: erased region is blank to its end" test "$(slice "$T/$c.bin" $((app + 0x17ff0)) 16)" = "ffffffffffffffffffffffffffffffff"
	check "$c: erase left the bytes before it alone" regions_equal "$T/$c.bin" "$T/$c-expected.bin" 0 $((app + 0x10000))
	check "$c: erase left the bytes after it alone" regions_equal "$T/$c.bin" "$T/$c-expected.bin" $((app + 0x18000)) $((size - app - 0x18000))
	check "$c: the refused write changed nothing" same "$T/$c.bin" "$T/$c-before.bin"
}

run_chip ecr6600 $((2 * 1024 * 1024)) 0x7000 ecr.bin 0x1FE000 0x1540c8
run_chip tr6260 $((1024 * 1024)) 0x7000 tr.bin 0x0FF000 ""

# ECR6600 specifics: a gzipped stub (as the GUI ships it) and a damaged one.
start_sim ecr6600 "$T/ecr6600.bin" --no-timing
iot -c ecr6600 --loader "$T/ecr.bin.gz" read-flash 0x7000 0x2000 "$T/gz-read.bin"
check "ecr6600: a gzipped stub works" regions_equal "$T/gz-read.bin" <(dd if="$T/ecr6600.bin" bs=4096 skip=7 count=2 2>/dev/null) 0 8192
stop_sim
start_sim ecr6600 "$T/ecr6600.bin" --no-timing
iot -c ecr6600 --loader "$T/ecr-bad.bin" chip-id
check "ecr6600: a damaged stub never answers, and the message says so" failed_with "stub did not answer"
stop_sim

# The stub's quirks and compressed transfers, byte by byte (the driver's own
# 0x96/0x97 use is covered above: reads and writes go compressed).
rm -f "$T/quirks.bin"
start_sim ecr6600 "$T/quirks.bin" --no-timing
python3 "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/eswin-stub-model.py" "$T/tty" "$T/ecr.bin" "$T/quirks.bin" >"$T/quirks.out" 2>&1
check "ecr6600 model: stub quirks and compressed transfers ($(tail -n1 "$T/quirks.out"))" grep -q "^[0-9]* passed, 0 failed" "$T/quirks.out"
grep "^FAIL" "$T/quirks.out"
stop_sim
finish
