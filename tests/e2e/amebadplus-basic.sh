#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# RTL8721DA (AmebaDplus) and RTL8720E (AmebaLite) end to end against their
# models with timing on: the Realtek ROM uploads the A5 stub stand-in, then
# chip-id, a full read equal to the model's flash, a write at the
# application offset, verify-flash passing and failing, erase-region, the
# OpenBeken configuration through the stub's key-value store, and a read
# under dropped and flipped bytes (docs/protocols/a5-stub-families.md).
# The RTL8720E read under faults is a row of fault-matrix.sh.
. "$(dirname "$0")/lib.sh"
GEN=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/gen-a5-standin.py
SIZE=$((4 << 20))
APP=0x14000

# A 4 MiB flash as shipped: boot code, an application, the rest blank.
image() {
	python3 - "$1" "$2" <<'PY'
import random, sys
r = random.Random(sys.argv[2]); out = bytearray(b"\xff" * (4 << 20))
words = [r.randbytes(4) for _ in range(64)]  # code: a small vocabulary, compressible
code = lambda n: b"".join(r.choice(words) for _ in range(n // 4))
out[0:0x6000] = code(0x6000)
out[0x14000:0x14000 + 0x30000] = code(0x30000)
out[0x50000:0x58000] = r.randbytes(0x8000)  # data that does not compress
open(sys.argv[1], "wb").write(out)
PY
}

run_chip() {
	local c=$1 fid=$2
	python3 "$GEN" "$c" "$T/$c-stub.bin.gz" --gzip
	[ "$c" = rtl8721da ] && python3 "$GEN" "$c" "$T/$c-bad.bin" --corrupt
	image "$T/$c.bin" "$c"
	cp "$T/$c.bin" "$T/$c-orig.bin"
	local L=(--loader "$T/$c-stub.bin.gz")

	if [ "$c" = rtl8721da ]; then
		start_sim "$c" "$T/$c.bin" || { fail "$c: simulator"; return; }
		iot -c "$c" --loader "$T/$c-bad.bin" chip-id
		check "$c: a corrupted stub does not run: the failure says so" failed_with "stub did not answer"
		iot -c amebadplus chip-id
		check "the family alone is refused: both ROMs answer alike" failed_with "rtl8721da.*rtl8720e"
		stop_sim
	fi
	start_sim "$c" "$T/$c.bin" || { fail "$c: simulator"; return; }
	iot -c "$c" "${L[@]}" chip-id
	check "$c: chip-id succeeds" succeeded
	check "$c: chip-id names the chip" out_has "^Chip: +$c"
	check "$c: chip-id prints the flash id" out_has "^Flash id: +$fid"
	check "$c: chip-id prints the flash size" out_has "^Flash size: +4096 KiB"
	check "$c: link raised to 1500000 baud" out_has "^Link: +1500000 baud"
	iot -c "$c" "${L[@]}" read-flash 0 all "$T/$c-read.bin"
	check "$c: read-flash 0 all succeeds (stub already running)" succeeded
	check "$c: full read equals the model's flash" same "$T/$c-read.bin" "$T/$c-orig.bin"

	random_file "$T/$c-app.bin" $((64 * 1024))
	expected_after_write "$T/$c-orig.bin" "$T/$c-app.bin" $APP "$T/$c-expected.bin"
	iot -c "$c" "${L[@]}" --no-backup write-flash $APP "$T/$c-app.bin"
	check "$c: write-flash at the application offset succeeds" succeeded
	iot -c "$c" "${L[@]}" verify-flash $APP "$T/$c-app.bin"
	check "$c: verify-flash passes on equal data" succeeded
	cp "$T/$c-app.bin" "$T/$c-changed.bin"; flip_byte "$T/$c-changed.bin" 0x2001
	iot -c "$c" "${L[@]}" verify-flash $APP "$T/$c-changed.bin"
	check "$c: verify-flash fails after a one-byte change" failed_with "differ|mismatch|verify"
	iot -c "$c" "${L[@]}" --no-backup erase-region 0x20000 0x11000
	check "$c: erase-region succeeds" succeeded

	# OpenBeken's configuration: key ObkCfg of the stub's key-value store.
	iot -c "$c" "${L[@]}" obk-config show
	check "$c: obk-config show without a stored value fails clearly" failed_with "no key 'ObkCfg'"
	iot -c "$c" "${L[@]}" obk-config set wifi.ssid=HomeNet mqtt.port=8883 pin.8=Relay:1
	check "$c: obk-config set succeeds" succeeded
	check "$c: it names the key-value store" out_has "key ObkCfg"
	iot -c "$c" "${L[@]}" obk-config show
	check "$c: obk-config show reads the values back" out_has "^wifi.ssid=HomeNet"
	check "$c: ... every one of them" out_has "^mqtt.port=8883"
	check "$c: ... the pin too" out_has "^pin.8=Relay:1"
	check "$c: ... group C, unsigned CRC" out_has "group C, unsigned"
	iot -c "$c" --image "$T/$c-read.bin" obk-config show
	check "$c: a backup file cannot hold the key-value store: told to use --port" failed_with "key-value store.*--port"
	stop_sim
	check "$c: the write landed, the rest unchanged before the erase" regions_equal "$T/$c.bin" "$T/$c-expected.bin" 0 0x20000
	check "$c: the erased range is blank" test "$(slice "$T/$c.bin" 0x30ff0 16)" = "ffffffffffffffffffffffffffffffff"
	check "$c: the erase stopped at its end" regions_equal "$T/$c.bin" "$T/$c-expected.bin" 0x31000 $((SIZE - 0x31000))

	# The same read through dropped and flipped bytes: byte-identical
	# (RTL8720E's in fault-matrix.sh: the same stub code, and it costs).
	[ "$c" = rtl8721da ] || return 0
	cp "$T/$c.bin" "$T/$c-now.bin"
	start_sim "$c" "$T/$c.bin" --faults drop=1e-4,flip=1e-4 --seed 5 -v || { fail "$c: simulator"; return; }
	iot -c "$c" "${L[@]}" read-flash 0 all "$T/$c-faults.bin"
	check "$c: read-flash under drop=1e-4,flip=1e-4 succeeds" succeeded
	check "$c: ... byte-identical" same "$T/$c-faults.bin" "$T/$c-now.bin"
	stop_sim
}

run_chip rtl8721da 0x1640c8
run_chip rtl8720e 0x1640c8
finish
