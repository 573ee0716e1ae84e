#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# examples/readflash, a front end on the public API only, reads 64 KiB from
# a simulated BK7231N holding a realistic flash image (lib.sh: image).
. "$(dirname "$0")/lib.sh"
READFLASH=${READFLASH:-$(dirname "$IOTFLASH")/../examples/readflash}

cp "$(image bk7231n)" "$T/flash.bin"
dd if="$T/flash.bin" of="$T/expected.bin" bs=4096 skip=$((0x11000 / 4096)) count=16 2>/dev/null
start_sim bk7231n "$T/flash.bin" --no-timing || { fail "simulator"; finish; exit; }

"$READFLASH" "$T/tty" bk7231n 0x11000 64k "$T/part.bin" >"$T/out" 2>"$T/err"; RC=$?
check "readflash succeeds" succeeded
check "readflash output equals the dump's 64 KiB at 0x11000" same "$T/part.bin" "$T/expected.bin"
check "readflash names the detected chip" out_has "^chip bk7231n, 2048 KiB flash"
check "its own progress callback printed percentages" out_has "^read +[0-9]+% "
check "progress reached 100%" out_has "^read 100% "
check "it printed the SHA-256 of what it read" \
	out_has "sha256 $(sha256sum "$T/expected.bin" | cut -d' ' -f1)"
check "the file is mode 0600 (a backup holds secrets)" mode_is "$T/part.bin" 600

"$READFLASH" "$T/tty" bk7231n 0x11000 0 "$T/none.bin" >"$T/out" 2>"$T/err"; RC=$?
check "readflash refuses size 0 with usage status 2" test "$RC" -eq 2
"$READFLASH" "$T/nonexistent" bk7231n 0 4k "$T/none.bin" >"$T/out" 2>"$T/err"; RC=$?
check "a missing port fails with the library's one-line error" failed_with "no such port"
finish
