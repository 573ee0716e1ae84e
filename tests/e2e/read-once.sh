#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Integrity-checked reads and per-operation rates, through the real CLI.
# LN882H (both RAM-code builds carry a CRC-16 in every read reply) and W800
# (the stub's 0x4A reply carries its block's CRC-32) read each block once:
# the bytes moved equal the range, and the W800 model counts one 0x4A per
# 4 KiB.  LN882H reads at max_baud and writes at max_baud_write
# (chipdb/ln882h.yaml); --baud overrides both.
. "$(dirname "$0")/lib.sh"
E2E=$(dirname "$0")
export HOME=$T/home  # no loaders found by accident
mkdir -p "$HOME"

json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' "$T/out" "$1"; }

SIZE=$((256 * 1024))
random_file "$T/flash.bin" $((2 * 1024 * 1024))
cp "$T/flash.bin" "$T/orig.bin"
dd if="$T/orig.bin" of="$T/want.bin" bs=4096 count=$((SIZE / 4096)) 2>/dev/null
random_file "$T/app.bin" $((64 * 1024))

for build in official gui; do
	what=ln882h/$build
	python3 "$E2E/gen-ln882h-loader.py" "$build" ln882h "$T/ln-$build.bin"
	L=(-c ln882h --loader "$T/ln-$build.bin" --json)
	cp "$T/orig.bin" "$T/flash.bin"
	start_sim ln882h "$T/flash.bin" --no-timing || { fail "$what: simulator"; continue; }
	iot "${L[@]}" --no-skip read-flash 0 $SIZE "$T/read.bin"
	check "$what: read succeeds" succeeded
	check "$what: read equals the flash" same "$T/read.bin" "$T/want.bin"
	check "$what: one pass: bytes moved equal the range" test "$(json_field moved)" = "$SIZE"
	check "$what: reads run at max_baud" test "$(json_field baud)" = 921600
	iot "${L[@]}" --no-backup write-flash 0x100000 "$T/app.bin"
	check "$what: write succeeds" succeeded
	# The official build has no flash checksum: its writes are verified by
	# reading back, so they stay at the read rate.
	want=$([ "$build" = gui ] && echo 2000000 || echo 921600)
	check "$what: writes run at $want" test "$(json_field baud)" = "$want"
	iot "${L[@]}" -b 460800 --no-skip read-flash 0 0x10000 "$T/read.bin"
	check "$what: --baud overrides the per-operation rates" test "$(json_field baud)" = 460800
	stop_sim
	check "$what: the write landed" cmp -s <(dd if="$T/flash.bin" bs=4096 skip=256 count=16 2>/dev/null) "$T/app.bin"
done

python3 "$E2E/gen-w80x-stub.py" "$T/stub.bin"
cp "$T/orig.bin" "$T/flash.bin"
start_sim w800 "$T/flash.bin" --no-timing -v || { fail "w800: simulator"; finish; exit; }
iot -c w800 --loader "$T/stub.bin" --json read-flash 0 $SIZE "$T/read.bin"
check "w800: read succeeds" succeeded
check "w800: read equals the flash" same "$T/read.bin" "$T/want.bin"
check "w800: one pass: bytes moved equal the range" test "$(json_field moved)" = "$SIZE"
stop_sim
# One 0x4A per 4 KiB of the range, plus one per block of the link proof (2).
check "w800: one 0x4A request per block" test "$(grep -c 'command 0x4a' "$T/sim.err")" = $((SIZE / 4096 + 2))
finish
