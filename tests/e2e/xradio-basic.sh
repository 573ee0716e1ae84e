#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# XRadio XR809 (boot ROM v1 + RAM stub, and a newer ROM with flash
# commands), XR872 and XR806 end to end against their models: chip-id and a
# full read with timing on (a 128 KiB flash, so the wire-paced run stays
# cheap), then on a full-size flash without timing: write at the
# application offset, verify-flash passing and failing, erase-region, the
# protected sysinfo sector, obk-config set then show, and the full read
# again under drop and flip faults.  Then the stub's messages, family
# detection and the `upgrade` wake-up of running firmware.
. "$(dirname "$0")/lib.sh"
iot() {
	"$IOTFLASH" -p "$T/tty" --backup-dir "$T/backups" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	return 0
}
GEN=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/gen-xradio-stub.py
export HOME=$T/home  # no loaders found by accident
mkdir -p "$HOME"
python3 "$GEN" "$T/stub.bin"
python3 "$GEN" "$T/stub.bin.gz" --gzip
python3 "$GEN" "$T/stub-bad.bin" --corrupt

# A realistic image: code and data with 40 % of it blank.
realistic() {
	python3 - "$1" "$2" <<'PY'
import random, sys
size = int(sys.argv[2], 0); r = random.Random(size); out = bytearray()
while len(out) < size:
    n = r.choice([4096, 8192, 16384])
    out += b"\xff" * n if r.random() < 0.4 else r.randbytes(n)
open(sys.argv[1], "wb").write(out[:size])
PY
}
blank16=ffffffffffffffffffffffffffffffff

# run_chip CHIP SIZE BOOTLOADER-TEXT LOADER-ARGS...
run_chip() {
	local c=$1 size=$2 boot=$3; shift 3
	local L=("$@") app=0x8000

	# ---- timed: chip-id and a full read of a small flash ----
	realistic "$T/$c-small.bin" 0x20000
	cp "$T/$c-small.bin" "$T/$c-small-orig.bin"
	start_sim "$c" "$T/$c-small.bin" || { fail "$c: simulator"; return; }
	iot -c "$c" "${L[@]}" chip-id
	check "$c: chip-id succeeds" succeeded
	check "$c: chip-id names the chip" out_has "^Chip: +$c "
	check "$c: chip-id names the boot ROM ($boot)" out_has "^Bootloader: +$boot\$"
	check "$c: chip-id prints the flash id and size" \
		sh -c "grep -qE '^Flash id: +0x114085' '$T/out' && grep -qE '^Flash size: +128 KiB' '$T/out'"
	check "$c: link raised to 3000000 baud" out_has "^Link: +3000000 baud"
	iot -c "$c" "${L[@]}" read-flash 0 all "$T/$c-small-read.bin"
	check "$c: timed read-flash 0 all succeeds" succeeded
	check "$c: timed full read equals the model's flash" same "$T/$c-small-read.bin" "$T/$c-small-orig.bin"
	stop_sim

	# ---- full size, timed (the first-contact backup is left out: 2 MiB
	# read twice at 3 Mbaud per chip would cost more than the rest) ----
	realistic "$T/$c.bin" "$size"
	cp "$T/$c.bin" "$T/$c-orig.bin"
	start_sim "$c" "$T/$c.bin" || { fail "$c: simulator"; return; }
	random_file "$T/$c-app.bin" $((96 * 1024))
	expected_after_write "$T/$c-orig.bin" "$T/$c-app.bin" "$app" "$T/$c-expected.bin"
	iot -c "$c" "${L[@]}" --no-backup write-flash "$app" "$T/$c-app.bin"
	check "$c: write-flash at the application offset succeeds" succeeded
	stop_sim
	check "$c: flash equals the image at 0x8000, the rest unchanged" same "$T/$c.bin" "$T/$c-expected.bin"

	start_sim "$c" "$T/$c.bin"
	iot -c "$c" "${L[@]}" verify-flash "$app" "$T/$c-app.bin"
	check "$c: verify-flash passes on equal data" succeeded
	cp "$T/$c-app.bin" "$T/$c-bad.bin"; flip_byte "$T/$c-bad.bin" 0x5001
	iot -c "$c" "${L[@]}" verify-flash "$app" "$T/$c-bad.bin"
	check "$c: verify-flash fails after a one-byte change" failed_with "differ|mismatch|verify"
	iot -c "$c" "${L[@]}" --no-backup erase-region 0x30000 0x11000
	check "$c: erase-region (a 64 KiB block and a 4 KiB sector) succeeds" succeeded
	cp "$T/$c.bin" "$T/$c-before.bin"
	head -c 4096 "$T/$c-app.bin" >"$T/$c-sys.bin"
	iot -c "$c" "${L[@]}" --no-backup write-flash 0xFF000 "$T/$c-sys.bin"
	check "$c: a write over the sysinfo (MAC, calibration) sector is refused without --force" \
		failed_with "protected|sysinfo"
	stop_sim
	check "$c: the refused write changed nothing" same "$T/$c.bin" "$T/$c-before.bin"
	check "$c: erased region is blank" test "$(slice "$T/$c.bin" 0x30000 16)" = "$blank16"
	check "$c: erased region is blank to its end" test "$(slice "$T/$c.bin" 0x40ff0 16)" = "$blank16"
	check "$c: erase left the bytes around it alone" \
		bash -c "cmp -s <(head -c $((0x30000)) '$T/$c.bin') <(head -c $((0x30000)) '$T/$c-expected.bin') &&
		       cmp -s <(tail -c +$((0x41001)) '$T/$c.bin') <(tail -c +$((0x41001)) '$T/$c-expected.bin')"

	# ---- OpenBeken config: set on the device, show reads it back ----
	start_sim "$c" "$T/$c.bin"
	iot -c "$c" "${L[@]}" --no-backup obk-config set wifi.ssid=XrNet mqtt.host=10.0.0.2 pin.7=Relay:1 flag.10=1
	check "$c: obk-config set succeeds" succeeded
	iot -c "$c" "${L[@]}" obk-config show
	check "$c: obk-config show reads back what set wrote" \
		sh -c "grep -qx 'wifi.ssid=XrNet' '$T/out' && grep -qx 'mqtt.host=10.0.0.2' '$T/out' && grep -qx 'pin.7=Relay:1' '$T/out' && grep -qx 'flag.10=1' '$T/out'"
	cp "$T/out" "$T/$c-show.txt"
	stop_sim
	"$IOTFLASH" -c "$c" --image "$T/$c.bin" obk-config show >"$T/out" 2>"$T/err"; RC=$?
	check "$c: offline show of the flash file equals show on the device" same "$T/out" "$T/$c-show.txt"

	# ---- the same full read under faults ----
	cp "$T/$c-small-orig.bin" "$T/$c-small.bin"
	start_sim "$c" "$T/$c-small.bin" --no-timing --faults drop=1e-4,flip=1e-4 --seed 11
	iot -c "$c" "${L[@]}" read-flash 0 all "$T/$c-fault-read.bin"
	check "$c: read-flash under drop=1e-4,flip=1e-4 succeeds" succeeded
	check "$c: ... and is byte-identical to the flash" same "$T/$c-fault-read.bin" "$T/$c-small-orig.bin"
	stop_sim
}

run_chip xr809 $((2 << 20)) "BROM v1 \\+ RAM stub" --loader "$T/stub.bin"
run_chip xr809b $((2 << 20)) "BROM v2"
run_chip xr872 $((1 << 20)) "BROM v2"
run_chip xr806 $((2 << 20)) "BROM v4"

# ---- the XR809 stub: missing, gzipped, damaged ----
rm -f "$T/x.bin"
start_sim xr809 "$T/x.bin" --no-timing
iot -c xr809 chip-id
check "xr809: without the stub the message names XR809_Stub.bin" failed_with "XR809_Stub.bin"
iot -c xr809 --loader "$T/stub.bin.gz" chip-id
check "xr809: a gzipped stub works" succeeded
stop_sim
start_sim xr809 "$T/x.bin" --no-timing -v
iot -c xr809 --loader "$T/stub-bad.bin" chip-id
check "xr809: a damaged stub never answers, and the message says so" failed_with "stub did not answer"
check "xr809: ... the model hung on the jump" grep -q "jumped to no code" "$T/sim.err"
stop_sim

# ---- family detection from the boot ROM ----
start_sim xr806 "$T/x.bin" --no-timing
iot -c xradio chip-id
check "xradio: the family finds an XR806 by its ROM" out_has "^Chip: +xr806 "
stop_sim
start_sim xr809 "$T/x.bin" --no-timing
iot -c xradio --loader "$T/stub.bin" chip-id
check "xradio: the family finds an XR809 by its ROM v1" out_has "^Chip: +xr809 "
stop_sim

# ---- SDK firmware running: `upgrade` takes it to download mode ----
mkdir -p "$T/fwdb"
sed 's/^    model_boot: download$/    model_boot: firmware/' "$IOTFLASH_CHIPDB_PATH/xradio.yaml" >"$T/fwdb/xradio.yaml"
check "firmware chip database made" grep -q "model_boot: firmware" "$T/fwdb/xradio.yaml"
cp "$T/xr806-orig.bin" "$T/fw.bin"
IOTFLASH_CHIPDB_PATH=$T/fwdb start_sim xr806 "$T/fw.bin" --no-timing -v
IOTFLASH_CHIPDB_PATH=$T/fwdb iot -c xr806 read-flash 0 0x10000 "$T/fw-read.bin"
check "firmware: read-flash succeeds without touching the board" succeeded
check "firmware: the model took \`upgrade\` and rebooted into download mode" grep -q "\`upgrade\`" "$T/sim.err"
check "firmware: the read equals the flash" regions_equal "$T/fw-read.bin" "$T/xr806-orig.bin" 0 0x10000
stop_sim
finish
