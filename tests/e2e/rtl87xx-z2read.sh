#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# AmebaZ2 (rtl8720c) reads: an adapter that resets the chip each time the
# port opens (--reset-on-open), the text path (DW dumps), and the community
# Z2 XMODEM read stub and its compressed twin (generated stand-ins) read in
# binary; every read byte-identical to the flash.
. "$(dirname "$0")/lib.sh"
GEN="${top_srcdir:?}/tests/e2e/gen-rtl87xx-stub.py"
export HOME="$T/home"   # no loader in ~/.local/share/iotflash/loaders
not_in_err() { ! grep -q -- "$1" "$T/err"; }

python3 -c "import random,sys; r=random.Random(5); d=bytearray(r.randbytes(0x200000)); d[0x40000:0xa0000]=b'\xff'*0x60000; open(sys.argv[1],'wb').write(d)" "$T/flash.bin"
cp "$T/flash.bin" "$T/orig.bin"
head -c $((0x100000)) "$T/orig.bin" >"$T/orig-1m.bin"

# The chip restarts (banner at 115200) each time a client opens the port:
# the first ping meets the banner, and the search's ping at the session
# rate arrives as garbage; the driver must still link, every time.
start_sim rtl8720c "$T/flash.bin" --no-timing --reset-on-open || fail "simulator"
for n in 1 2; do
	iot -c rtl8720c chip-id
	check "reset-on-open: chip-id #$n links" succeeded
	check "reset-on-open: chip-id #$n at the database's top rate" out_has "^Link: +3000000 baud"
done
iot -c rtl8720c read-flash 0x10000 0x20000 "$T/r.bin"
check "reset-on-open: read-flash succeeds" succeeded
check "reset-on-open: the read equals the flash" same "$T/r.bin" <(dd if="$T/orig.bin" bs=4096 skip=16 count=32 2>/dev/null)
stop_sim

# Without a stub: the ROM's DW dumps; with one, binary XMODEM through it.
start_sim rtl8720c "$T/flash.bin" --no-timing || fail "simulator"
iot -c rtl8720c -v read-flash 0 1M "$T/text.bin"
check "text: read-flash 0 1M succeeds" succeeded
check "text: the read equals the flash" same "$T/text.bin" "$T/orig-1m.bin"
check "text: says it reads through the ROM's dumps" grep -q "reading through the ROM's dumps" "$T/err"
for kind in z2 z2z; do
	python3 "$GEN" "$kind" "$T/$kind.bin"
	iot -c rtl8720c -v --loader "$T/$kind.bin" read-flash 0 1M "$T/$kind-read.bin"
	check "$kind: read-flash 0 1M through the stub succeeds" succeeded
	check "$kind: the read equals the flash" same "$T/$kind-read.bin" "$T/orig-1m.bin"
	check "$kind: the stub ran" grep -q "Z2 read stub.* running through" "$T/err"
	check "$kind: not through the ROM's dumps" not_in_err "reading through the ROM's dumps"
done
check "z2z: the compressed twin was recognised" grep -q "Z2 read stub (compressed)" "$T/err"
stop_sim

finish
