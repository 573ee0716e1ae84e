#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Outputs and backups (issue 4): created 0600 whatever the umask; an
# automatic backup never replaces an existing file; a read output replaces
# an existing file only after the complete read was verified.
. "$(dirname "$0")/lib.sh"

cp "$(image bk7231n)" "$T/flash.bin"
cp "$T/flash.bin" "$T/orig.bin"
start_sim bk7231n "$T/flash.bin" --no-timing || { fail "simulator"; finish; exit 1; }
umask 022

iot -c bk7231n read-flash 0x11000 0x2000 "$T/part.bin"
check "read output is created 0600 under umask 022" mode_is "$T/part.bin" 600

# Files already under every backup name the next seconds could pick.
mkdir "$T/backups"
now=$(date -u +%s)
for s in $(seq 0 6); do
	name=$T/backups/bk7231n-$(date -u -d "@$((now + s))" +%Y%m%d-%H%M%S).bin
	echo "older backup $s" >"$name"
done
ls "$T/backups" | sort >"$T/before.list"
sums=$(cat "$T"/backups/* | sha256sum)
random_file "$T/app.bin" 8192
(cd "$T" && "$IOTFLASH" -p "$T/tty" -c bk7231n write-flash 0x11000 "$T/app.bin" >"$T/out" 2>"$T/err"); RC=$?
check "write with a backup succeeds" succeeded
check "existing files under the backup name are untouched" test "$(cat $(sed "s|^|$T/backups/|" "$T/before.list") | sha256sum)" = "$sums"
new=$(ls "$T/backups" | sort | comm -13 "$T/before.list" - | grep '\.bin$' | head -n1)
check "the backup went to a new name" test -n "$new"
check "the new backup holds the old flash content" \
	cmp -s "$T/backups/${new:-none}" <(dd if="$T/orig.bin" bs=4096 skip=17 count=2 2>/dev/null)
check "the new backup is 0600" mode_is "$T/backups/${new:-none}" 600
check "its JSON record is 0600" mode_is "$T/backups/${new%.bin}.json" 600
check "no temporary file left in the backup directory" test -z "$(ls -A "$T/backups" | grep '^\.')"
stop_sim

# A failing read leaves the existing output as it was.
start_sim bk7231n "$T/flash.bin" --no-timing --faults flip=0.02 --seed 3 || fail "simulator with faults"
echo "keep me" >"$T/existing.bin"
iot -c bk7231n read-flash 0 all "$T/existing.bin"
check "a read that fails exits non-zero" test "$RC" -ne 0
check "the existing output is unchanged after the failed read" test "$(cat "$T/existing.bin")" = "keep me"
check "no temporary file left beside it" test -z "$(ls -A "$T" | grep '^\.existing')"
stop_sim
start_sim bk7231n "$T/flash.bin" --no-timing || fail "simulator"
iot -c bk7231n read-flash 0x11000 0x2000 "$T/existing.bin"
check "a verified read replaces the existing output" \
	cmp -s "$T/existing.bin" <(dd if="$T/flash.bin" bs=4096 skip=17 count=2 2>/dev/null)
check "the replaced output is 0600" mode_is "$T/existing.bin" 600
finish
