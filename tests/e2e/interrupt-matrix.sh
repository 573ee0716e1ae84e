#!/bin/bash
# SIGINT and SIGKILL during read, erase and write (real wire timing at
# 115200 baud, so each operation runs for seconds): no partial file under
# the final name (nor a temporary after SIGINT), a backup that is whole with
# a matching JSON or absent, and the same command run again completes.
. "$(dirname "$0")/lib.sh"
CHIP=bk7231n

fresh() {
	cp "$IOTFLASH_DUMPS/bk7231n-lspa9-clone.bin" "$T/flash.bin"; cp "$T/flash.bin" "$T/orig.bin"
	rm -rf "$T/out.d" "$T/backups"; mkdir "$T/out.d"
	start_sim $CHIP "$T/flash.bin"
}

# interrupt SIGNAL ARGS...: start the command, wait until it is under way, signal it
interrupt() {
	local sig=$1; shift
	"$IOTFLASH" -p "$T/tty" -c $CHIP -b 115200 --backup-dir "$T/backups" "$@" >"$T/out" 2>"$T/err" &
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

for sig in INT KILL; do
	fresh || { fail "simulator"; continue; }
	interrupt $sig --no-skip read-flash 0 0x100000 "$T/out.d/read.bin"
	check "SIG$sig during read: non-zero status" test "$RC" -ne 0
	check "SIG$sig during read: no file under the final name" no_final_name $sig
	iot -c $CHIP read-flash 0 0x100000 "$T/out.d/read.bin"
	check "SIG$sig during read: the same read again completes exactly" \
		same "$T/out.d/read.bin" <(head -c $((0x100000)) "$T/orig.bin")
	stop_sim

	fresh || { fail "simulator"; continue; }
	random_file "$T/app.bin" $((256 * 1024))
	interrupt $sig write-flash 0x11000 "$T/app.bin"
	check "SIG$sig during write: non-zero status" test "$RC" -ne 0
	check "SIG$sig during write: any backup is whole with a matching JSON" backups_whole
	iot -c $CHIP --backup-dir "$T/backups2" write-flash 0x11000 "$T/app.bin"
	check "SIG$sig during write: the same write again completes" succeeded
	stop_sim
	expected_after_write "$T/orig.bin" "$T/app.bin" 0x11000 "$T/expected.bin"
	check "SIG$sig during write: the flash equals the image" same "$T/flash.bin" "$T/expected.bin"

	fresh || { fail "simulator"; continue; }
	interrupt $sig --no-backup erase-region 0x11000 0x40000
	check "SIG$sig during erase: non-zero status" test "$RC" -ne 0
	iot -c $CHIP --no-backup erase-region 0x11000 0x40000
	check "SIG$sig during erase: the same erase again completes" succeeded
	stop_sim
	check "SIG$sig during erase: the region is erased" \
		cmp -s <(dd if="$T/flash.bin" bs=4096 skip=17 count=64 2>/dev/null) <(head -c $((0x40000)) /dev/zero | tr '\0' '\377')
	check "SIG$sig during erase: the bootloader is untouched" regions_equal "$T/flash.bin" "$T/orig.bin" 0 0x11000
done
finish
