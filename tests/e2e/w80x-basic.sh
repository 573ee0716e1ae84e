#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# WinnerMicro W800 (ROM + read stub) and W600 (ROM, write only) end to end:
# identify, read through a stand-in stub, write, verify, erase, protection,
# the missing-stub message, and W600's refused read.
. "$(dirname "$0")/lib.sh"
GEN=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/gen-w80x-stub.py
python3 "$GEN" "$T/stub.bin"
python3 "$GEN" "$T/stub.bin.gz" --gzip
python3 "$GEN" "$T/badstub.bin" --bad-crc

random_file "$T/flash.bin" $((2 * 1024 * 1024))
cp "$T/flash.bin" "$T/orig.bin"
start_sim w800 "$T/flash.bin" --no-timing || { fail "w800: simulator"; finish; exit; }

iot -c w800 chip-id
check "w800: chip-id succeeds" succeeded
check "w800: chip-id names the chip" out_has "^Chip: +w800"
check "w800: chip-id prints the flash id" out_has "^Flash id: +0x1500ef"
check "w800: chip-id prints the flash size" out_has "^Flash size: +2048 KiB"
check "w800: link at the chip's maximum baud" out_has "^Link: +2000000 baud"
iot -c w80x chip-id
check "w800: family w80x detects the W800" out_has "^Chip: +w800"

iot -c w800 read-flash 0 0x1000 "$T/nostub.bin"
check "w800: read without the stub names the file" failed_with "W800_Stub.bin"
iot -c w800 --loader "$T/badstub.bin" read-flash 0 0x1000 "$T/badstub-read.bin"
check "w800: a stub with a bad body CRC is rejected by the ROM" failed_with "image content check error"

iot -c w800 --loader "$T/stub.bin" read-flash 0 all "$T/backup.bin"
check "w800: read-flash 0 all succeeds" succeeded
check "w800: read-flash equals the flash byte for byte" same "$T/backup.bin" "$T/orig.bin"
iot -c w800 --loader "$T/stub.bin.gz" read-flash 0x10000 0x2000 "$T/part.bin"
check "w800: a gzipped stub works" regions_equal "$T/part.bin" <(dd if="$T/orig.bin" bs=4096 skip=16 count=2 2>/dev/null) 0 8192

random_file "$T/app.bin" $((128 * 1024))
expected_after_write "$T/orig.bin" "$T/app.bin" 0x10000 "$T/expected.bin"
iot -c w800 --loader "$T/stub.bin" --no-backup write-flash 0x10000 "$T/app.bin"
check "w800: write-flash 0x10000 succeeds" succeeded
stop_sim
check "w800: flash equals the expected image" same "$T/flash.bin" "$T/expected.bin"
check "w800: secboot untouched" regions_equal "$T/flash.bin" "$T/orig.bin" 0 0x10000
start_sim w800 "$T/flash.bin" --no-timing

iot -c w800 --loader "$T/stub.bin" verify-flash 0x10000 "$T/app.bin"
check "w800: verify-flash passes on equal data" succeeded
cp "$T/app.bin" "$T/bad.bin"; flip_byte "$T/bad.bin" 0x1001
iot -c w800 --loader "$T/stub.bin" verify-flash 0x10000 "$T/bad.bin"
check "w800: verify-flash fails after a one-byte change, naming the block" failed_with "0x011000"

iot -c w800 --loader "$T/stub.bin" --no-backup erase-region 0x100000 0x10000
check "w800: erase-region succeeds" succeeded
stop_sim
check "w800: erased region is blank" test "$(slice "$T/flash.bin" 0x100000 16)" = "ffffffffffffffffffffffffffffffff"
check "w800: rest unchanged by the erase" regions_equal "$T/flash.bin" "$T/expected.bin" 0 0x100000
start_sim w800 "$T/flash.bin" --no-timing
cp "$T/flash.bin" "$T/before.bin"
iot -c w800 --loader "$T/stub.bin" --no-backup write-flash 0x0 "$T/app.bin"
check "w800: write into secboot refused without --force" failed_with "protected|secboot"
stop_sim
check "w800: refused write changed nothing" same "$T/flash.bin" "$T/before.bin"

# W600: the ROM takes images but cannot read; no stub exists.
random_file "$T/w600.bin" $((1024 * 1024))
start_sim w600 "$T/w600.bin" --no-timing || fail "w600: simulator"
iot -c w600 chip-id
check "w600: chip-id names the chip" out_has "^Chip: +w600"
check "w600: chip-id prints the flash size" out_has "^Flash size: +1024 KiB"
iot -c w80x chip-id
check "w600: family w80x detects the W600" out_has "^Chip: +w600"
iot -c w600 read-flash 0 0x1000 "$T/w600-read.bin"
check "w600: read-flash is refused as unsupported, saying why" failed_with "write-only"
check "w600: no output file is left behind" test ! -e "$T/w600-read.bin"
random_file "$T/w600-app.bin" $((64 * 1024))
cp "$T/w600.bin" "$T/w600-before.bin"
iot -c w600 write-flash 0x20000 "$T/w600-app.bin"
check "w600: a write with a backup is refused: nothing can be read back" failed_with "add --no-backup"
iot -c w600 --no-backup write-flash 0x20000 "$T/w600-app.bin"
check "w600: write-flash --no-backup succeeds" succeeded
check "w600: the user is told the write is not verified" grep -q "not verified" "$T/err"
stop_sim
expected_after_write "$T/w600-before.bin" "$T/w600-app.bin" 0x20000 "$T/w600-expected.bin"
check "w600: the flash holds the image, the rest untouched" same "$T/w600.bin" "$T/w600-expected.bin"
finish
