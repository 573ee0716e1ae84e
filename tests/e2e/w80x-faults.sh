#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# W800 through dropped, flipped and stalled bytes: read and write still end
# byte-identical (the driver re-sends within an exchange, the core retries).
. "$(dirname "$0")/lib.sh"
GEN=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/gen-w80x-stub.py
python3 "$GEN" "$T/stub.bin"

for faults in drop=2e-5,flip=2e-5 stall=1e-4:300ms; do
	random_file "$T/flash.bin" $((2 * 1024 * 1024))
	cp "$T/flash.bin" "$T/orig.bin"
	start_sim w800 "$T/flash.bin" --no-timing -v --faults "$faults" --seed 3 || { fail "[$faults]: simulator"; continue; }
	iot -c w800 --loader "$T/stub.bin" read-flash 0 0x40000 "$T/read.bin"
	check "w800 [$faults]: read-flash succeeds" succeeded
	check "w800 [$faults]: read equals the flash" regions_equal "$T/read.bin" "$T/orig.bin" 0 0x40000
	random_file "$T/app.bin" $((64 * 1024))
	expected_after_write "$T/orig.bin" "$T/app.bin" 0x10000 "$T/expected.bin"
	iot -c w800 --loader "$T/stub.bin" --no-backup write-flash 0x10000 "$T/app.bin"
	check "w800 [$faults]: write-flash succeeds" succeeded
	stop_sim
	check "w800 [$faults]: faults were injected" grep -qE \
		'faults: ([1-9][0-9]* dropped|[0-9]+ dropped, [1-9][0-9]* flipped|[0-9]+ dropped, [0-9]+ flipped, [1-9][0-9]* stalls)' "$T/sim.err"
	check "w800 [$faults]: flash equals the expected image" same "$T/flash.bin" "$T/expected.bin"
done
finish
