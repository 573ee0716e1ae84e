#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# RTL8710B through the community stub (A5 frames, a generated stand-in):
# upload through the AmebaZ ROM, then identify, read, write, prove by the
# stub's SHA-256, erase; a later session finds the stub still running.
. "$(dirname "$0")/lib.sh"
export HOME="$T/home"   # no loader in ~/.local/share/iotflash/loaders
python3 "${top_srcdir:?}/tests/e2e/gen-rtl87xx-stub.py" rtl8710b "$T/stub.bin"
python3 -c "import random,sys; r=random.Random(8); d=bytearray(r.randbytes(0x200000)); d[0x100000:0x180000]=b'\xff'*0x80000; open(sys.argv[1],'wb').write(d)" "$T/flash.bin"
cp "$T/flash.bin" "$T/orig.bin"
S=(-c rtl8710b --loader "$T/stub.bin")

start_sim rtl8710b "$T/flash.bin" --no-timing || fail "simulator"
iot "${S[@]}" chip-id
check "chip-id through the stub succeeds" succeeded
check "chip-id names the stub" out_has "^Bootloader: +RTL8710B stub"
check "chip-id reads the flash id from the stub" out_has "^Flash id: +0x1540c8"

iot "${S[@]}" -v read-flash 0 all "$T/read.bin"
check "a later session finds the stub running" grep -q "stub is already running" "$T/err"
check "read-flash 0 all succeeds" succeeded
check "the read equals the flash" same "$T/read.bin" "$T/orig.bin"
check "blank sectors found by the stub's SHA-256, not read" out_has "blank, not transferred"

random_file "$T/app.bin" $((64 * 1024))
expected_after_write "$T/orig.bin" "$T/app.bin" 0x20000 "$T/expected.bin"
iot "${S[@]}" --no-backup write-flash 0x20000 "$T/app.bin"
check "write-flash through the stub succeeds" succeeded
check "the flash holds the image" same "$T/flash.bin" "$T/expected.bin"
iot "${S[@]}" verify-flash 0x20000 "$T/app.bin"
check "verify-flash by the stub's SHA-256" out_has "device-side checksum"
flip_byte "$T/app.bin" 0x1234
iot "${S[@]}" verify-flash 0x20000 "$T/app.bin"
check "verify-flash finds a changed byte" failed_with "0x02[0-9a-f]{4}"

iot "${S[@]}" --no-backup erase-region 0x40000 0x2000
check "erase-region through the stub succeeds" succeeded
head -c $((0x2000)) /dev/zero | tr '\0' '\377' >"$T/ff.bin"
check "the region reads erased" cmp -s "$T/ff.bin" <(dd if="$T/flash.bin" bs=4096 skip=64 count=2 2>/dev/null)
check "the sector after it is untouched" regions_equal "$T/flash.bin" "$T/expected.bin" 0x42000 0x1000
stop_sim
finish
