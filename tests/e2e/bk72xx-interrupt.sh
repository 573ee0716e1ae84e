#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Ctrl-C during a backup: the command stops, says so, and leaves no file
# under the final name and no temporary file behind.
. "$(dirname "$0")/lib.sh"

cp "$(image bk7231n)" "$T/flash.bin"
start_sim bk7231n "$T/flash.bin" || { fail "simulator"; finish; exit 1; }  # real wire timing
mkdir "$T/out.d"
"$IOTFLASH" -p "$T/tty" -c bk7231n -b 115200 --no-skip read-flash 0 all "$T/out.d/backup.bin" >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 200); do grep -q "read:" "$T/err" && break; sleep 0.1; done  # the read has started
sleep 1
kill -INT $pid
wait $pid; RC=$?
check "SIGINT stops the read with a non-zero status" test "$RC" -ne 0
check "the reason is named" failed_with "interrupt"
check "no file under the final name and no temporary" test -z "$(ls -A "$T/out.d")"
finish
