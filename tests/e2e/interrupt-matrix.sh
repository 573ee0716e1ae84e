#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# SIGINT and SIGKILL during read, erase and write (real wire timing at
# 115200 baud, so each operation runs for seconds): no partial file under
# the final name (nor a temporary after SIGINT), a backup that is whole with
# a matching JSON or absent, and the same command run again completes.
# Two families: bk7231n (a bootloader in flash) and bl602 (a loader in RAM,
# left running at its high rate when the client is killed).
. "$(dirname "$0")/lib.sh"
[ -z "${IOTFLASH_SKIP_MATRICES:-}" ] || { echo "skipped: IOTFLASH_SKIP_MATRICES is set"; exit 77; }
SRC=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e
python3 "$SRC/gen-bl60x-loader.py" bl602 "$T/bl602-loader.bin"

# family CHIP: the chip's image, loader options (L), app offset (APP), and
# read and erase sizes that take seconds (READ, ERASE)
family() {
	CHIP=$1 L=()
	case $CHIP in
	bk7231n) APP=0x11000 READ=0x100000 ERASE=0x40000; cp "$(image bk7231n)" "$T/orig.bin" ;;
	bl602) APP=0x10000 READ=0x40000 ERASE=0x1c0000 L=(--loader "$T/bl602-loader.bin")
		cp "$(image bk7231n)" "$T/orig.bin" ;;
	esac
}

fresh() {
	cp "$T/orig.bin" "$T/flash.bin"
	rm -rf "$T/out.d" "$T/backups" "$T/backups2"; mkdir "$T/out.d"
	start_sim $CHIP "$T/flash.bin" && seed_full_backup
}

# The device's first-contact full backup, already on disk (docs/backups.md):
# the interruptions below then hit the write itself, not that one-time read
# of the whole chip.  Named after the MAC chip-id prints (RF sector, or the
# ROM's "Details: MAC ...").
seed_full_backup() {
	local mac
	iot -c $CHIP "${L[@]}" chip-id
	mac=$(sed -nE 's/^(MAC|Details): +(MAC )?(([0-9a-f]{2}:){5}[0-9a-f]{2}).*/\3/p' "$T/out" | tr -d : | head -n1)
	[ -n "$mac" ] || { echo "no MAC in chip-id's output" >&2; return 1; }
	mkdir -p "$T/backups" "$T/backups2"
	cp "$T/orig.bin" "$T/backups/$CHIP-$mac-full.bin"
	cp "$T/orig.bin" "$T/backups2/$CHIP-$mac-full.bin"
}

# interrupt SIGNAL ARGS...: start the command, wait until it is under way, signal it
interrupt() {
	local sig=$1; shift
	"$IOTFLASH" -p "$T/tty" -c $CHIP "${L[@]}" -b 115200 --backup-dir "$T/backups" "$@" >"$T/out" 2>"$T/err" &
	local pid=$!
	for _ in $(seq 300); do grep -qE "(read|write|erase|backup)[a-z ]*:" "$T/err" && break; sleep 0.05; done
	sleep 1
	kill "-$sig" $pid
	wait $pid; RC=$?
}

# backups_whole: every backup file is complete and its JSON records its sha256
backups_whole() {
	local f sum
	for f in "$T"/backups/*.bin; do
		[ -e "$f" ] || continue
		[ -f "${f%.bin}.json" ] || return 1
		sum=$(sha256sum "$f" | cut -d' ' -f1)
		grep -q "$sum" "${f%.bin}.json" || return 1
	done
}
# no_final_name SIG: nothing under the final name; a hidden temporary only after SIGKILL
no_final_name() {
	[ ! -e "$T/out.d/read.bin" ] || return 1
	[ "$1" = KILL ] || [ -z "$(ls -A "$T/out.d")" ]
}

for chip in bk7231n bl602; do
family $chip
for sig in INT KILL; do
	fresh || { fail "simulator"; continue; }
	interrupt $sig --no-skip read-flash 0 $READ "$T/out.d/read.bin"
	check "$CHIP SIG$sig during read: non-zero status" test "$RC" -ne 0
	check "$CHIP SIG$sig during read: no file under the final name" no_final_name $sig
	iot -c $CHIP "${L[@]}" read-flash 0 $READ "$T/out.d/read.bin"
	check "$CHIP SIG$sig during read: the same read again completes exactly" \
		same "$T/out.d/read.bin" <(head -c $((READ)) "$T/orig.bin")
	stop_sim

	fresh || { fail "simulator"; continue; }
	random_file "$T/app.bin" $((256 * 1024))
	interrupt $sig write-flash $APP "$T/app.bin"
	check "$CHIP SIG$sig during write: non-zero status" test "$RC" -ne 0
	check "$CHIP SIG$sig during write: any backup is whole with a matching JSON" backups_whole
	iot -c $CHIP "${L[@]}" --backup-dir "$T/backups2" write-flash $APP "$T/app.bin"
	check "$CHIP SIG$sig during write: the same write again completes" succeeded
	stop_sim
	expected_after_write "$T/orig.bin" "$T/app.bin" $APP "$T/expected.bin"
	check "$CHIP SIG$sig during write: the flash equals the image" same "$T/flash.bin" "$T/expected.bin"

	fresh || { fail "simulator"; continue; }
	interrupt $sig --no-backup erase-region $APP $ERASE
	check "$CHIP SIG$sig during erase: non-zero status" test "$RC" -ne 0
	iot -c $CHIP "${L[@]}" --no-backup erase-region $APP $ERASE
	check "$CHIP SIG$sig during erase: the same erase again completes" succeeded
	stop_sim
	check "$CHIP SIG$sig during erase: the region is erased" \
		cmp -s <(dd if="$T/flash.bin" bs=4096 skip=$((APP / 4096)) count=$((ERASE / 4096)) 2>/dev/null) <(head -c $((ERASE)) /dev/zero | tr '\0' '\377')
	check "$CHIP SIG$sig during erase: the bootloader is untouched" regions_equal "$T/flash.bin" "$T/orig.bin" 0 $APP
done
done
finish
