#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Blank and unchanged skipping are exact: a sector one byte away from blank
# is read, a sector one byte away from the image is rewritten, and
# --no-skip moves every byte.  (Correctness only; speed is bench/bench.py.)
. "$(dirname "$0")/lib.sh"

json() {  # json FIELD: a field of the last --json result
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/out" "$1"
}

cp "$(image bk7231n)" "$T/flash.bin"
# The first blank sector after the application start gets one non-blank byte.
blank=$(python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
print(next(a for a in range(0x11000, len(d), 4096) if d[a:a + 4096] == b"\xff" * 4096))' "$T/flash.bin")
printf '\xfe' | dd of="$T/flash.bin" bs=1 seek=$((blank + 1234)) conv=notrunc 2>/dev/null
cp "$T/flash.bin" "$T/orig.bin"
start_sim bk7231n "$T/flash.bin" --no-timing || { fail simulator; finish; exit 1; }

iot -c bk7231n --json read-flash 0 all "$T/read.bin"
check "read with skipping equals the flash (one byte in an otherwise blank sector included)" same "$T/read.bin" "$T/orig.bin"
check "read with skipping skipped blank sectors" test "$(json skipped)" -gt $((512 * 1024))
check "the almost-blank sector was transferred" test "$(slice "$T/read.bin" $((blank + 1234)) 1)" = fe
iot -c bk7231n --json --no-skip read-flash 0 all "$T/read2.bin"
check "--no-skip read equals the flash" same "$T/read2.bin" "$T/orig.bin"
check "--no-skip read skipped nothing" test "$(json skipped)" -eq 0
check "--no-skip read moved every byte" test "$(json moved)" -ge $((2 * 1024 * 1024))

random_file "$T/app.bin" $((128 * 1024))
iot -c bk7231n --no-backup write-flash 0x11000 "$T/app.bin"
check "first write succeeds" succeeded
cp "$T/app.bin" "$T/app2.bin"; flip_byte "$T/app2.bin" $((5 * 4096 + 77))
iot -c bk7231n --json --no-backup write-flash 0x11000 "$T/app2.bin"
check "rewrite with one changed byte succeeds" succeeded
check "only the changed sector crossed the wire" test "$(json moved)" -eq 4096
check "the other 31 sectors were skipped as unchanged" test "$(json skipped)" -eq $((31 * 4096))
iot -c bk7231n --json --no-backup write-flash 0x11000 "$T/app2.bin"
check "rewriting the same image moves nothing" test "$(json moved)" -eq 0
iot -c bk7231n --json --no-backup --no-skip write-flash 0x11000 "$T/app2.bin"
check "--no-skip rewrites every sector" test "$(json moved)" -eq $((128 * 1024))
stop_sim
expected_after_write "$T/orig.bin" "$T/app2.bin" 0x11000 "$T/expected.bin"
check "flash holds the changed image, the rest untouched" same "$T/flash.bin" "$T/expected.bin"
finish
