#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# GigaDevice GD32VW553 (ISP ROM at 8E1 + A5 stub) end to end against its
# model: chip-id from the ROM's product id, a timed full read, write at the
# application offset, verify-flash passing and failing, erase-region, the
# protected NVDS, obk-config round trip, a read under dropped and flipped
# bytes, and the ROM refusing a link that is not 8E1.
. "$(dirname "$0")/lib.sh"
E2E=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e
C=gd32vw553 APP=0xA000 SIZE=$((4 << 20))
python3 "$E2E/gen-a5-family-stub.py" $C "$T/stub.bin"
python3 "$E2E/gen-a5-family-stub.py" $C "$T/stub.bin.gz" --gzip
python3 "$E2E/gen-a5-family-stub.py" $C "$T/stub-bad.bin" --corrupt
L=(--loader "$T/stub.bin")

# Internal flash: the boot loader, an application, user data; mostly blank.
python3 - "$T/$C.bin" $SIZE <<'PY'
import random, sys
r = random.Random(553); size = int(sys.argv[2]); out = bytearray(b"\xff" * size)
for start, n in ((0, 0x6000), (0xA000, 0x30000), (0x3CA000, 0x4000), (0x3F2000, 0x2000)):
    out[start:start + n] = r.randbytes(n)
open(sys.argv[1], "wb").write(out)
PY
cp "$T/$C.bin" "$T/orig.bin"

# ---- timed: identify and a full read ----
start_sim $C "$T/$C.bin" || { fail "simulator"; finish; }
iot -c $C read-flash 0 0x1000 "$T/noloader.bin"
check "without the loader the message names the file" failed_with "GD32VW553_Stub|loader"
iot -c $C "${L[@]}" chip-id
check "chip-id succeeds" succeeded
check "chip-id names the chip" out_has "^Chip: +$C"
check "chip-id says the stub has no flash id and shows the product id" out_has "product id VWMQ.*no flash id"
check "chip-id takes the flash size from the product id" out_has "^Flash size: +4096 KiB"
check "link raised to 2000000 baud" out_has "^Link: +2000000 baud"
iot -c $C "${L[@]}" read-flash 0 all "$T/read.bin"
check "timed read-flash 0 all succeeds" succeeded
check "full read equals the model's flash" same "$T/read.bin" "$T/orig.bin"
stop_sim

# ---- writes, checks, erase, protection ----
start_sim $C "$T/$C.bin" --no-timing || fail "simulator"
random_file "$T/app.bin" $((160 * 1024))
expected_after_write "$T/orig.bin" "$T/app.bin" $APP "$T/expected.bin"
iot -c $C "${L[@]}" --no-backup write-flash $APP "$T/app.bin"
check "write-flash at the application offset succeeds" succeeded
iot -c $C "${L[@]}" verify-flash $APP "$T/app.bin"
check "verify-flash passes on equal data" succeeded
cp "$T/app.bin" "$T/bad.bin"; flip_byte "$T/bad.bin" 0x2001
iot -c $C "${L[@]}" verify-flash $APP "$T/bad.bin"
check "verify-flash fails after a one-byte change" failed_with "differ|mismatch|verify"
iot -c $C "${L[@]}" --no-backup erase-region 0x3CA000 0x2000
check "erase-region succeeds" succeeded
cp "$T/$C.bin" "$T/before.bin"
head -c 4096 "$T/app.bin" >"$T/nvds.bin"
iot -c $C "${L[@]}" --no-backup write-flash 0x3F2000 "$T/nvds.bin"
check "a write over NVDS is refused without --force" failed_with "protected|nvds"
stop_sim
check "the refused write changed nothing" same "$T/$C.bin" "$T/before.bin"
check "erased region is blank" test "$(slice "$T/$C.bin" 0x3CA000 16)$(slice "$T/$C.bin" 0x3CBFF0 16)" = "$(printf 'f%.0s' $(seq 64))"
check "erase left the rest alone" regions_equal "$T/$C.bin" "$T/expected.bin" 0x3CC000 0x34000
check "flash equals the image at the offset, the rest unchanged" regions_equal "$T/$C.bin" "$T/expected.bin" 0 0x3CA000

# ---- obk-config: raw sector 0x3F1000, group A, signed CRC ----
start_sim $C "$T/$C.bin" --no-timing
(cd "$T" && "$IOTFLASH" -p "$T/tty" -c $C "${L[@]}" --backup-dir "$T/backups" obk-config set wifi.ssid=HomeNet \
	pin.40=Relay:1 mqtt.port=8883 >"$T/out" 2>"$T/err"); RC=$?
check "obk-config set succeeds" succeeded
iot -c $C "${L[@]}" obk-config show
check "obk-config show reads back what set wrote" \
	sh -c "grep -qx 'wifi.ssid=HomeNet' '$T/out' && grep -qx 'pin.40=Relay:1' '$T/out' && grep -qx 'mqtt.port=8883' '$T/out'"
check "obk-config show names group A and the signed CRC" out_has "layout group A, signed CRC-8"
stop_sim
check "the config is a raw blob at 0x3F1000" test "$(slice "$T/$C.bin" 0x3F1000 3)" = "434647"
check "the config sector is FF-padded after the 3584-byte blob" test "$(slice "$T/$C.bin" 0x3F1E00 16)" = "$(printf 'f%.0s' $(seq 32))"
check "obk-config left NVDS alone" regions_equal "$T/$C.bin" "$T/orig.bin" 0x3F2000 0xE000

# ---- faults: a read through dropped and flipped bytes (ROM stage included) ----
cp "$T/$C.bin" "$T/now.bin"
start_sim $C "$T/$C.bin" --no-timing --faults drop=1e-4,flip=1e-4 --seed 7
iot -c $C "${L[@]}" read-flash $APP 0x20000 "$T/fault-read.bin"
check "read under drop=1e-4,flip=1e-4 succeeds" succeeded
check "read under faults is byte-identical" cmp -s "$T/fault-read.bin" <(dd if="$T/now.bin" bs=4096 skip=10 count=32 2>/dev/null)
stop_sim

# ---- loaders: gzipped, damaged ----
start_sim $C "$T/$C.bin" --no-timing
iot -c $C --loader "$T/stub.bin.gz" read-flash $APP 0x2000 "$T/gz-read.bin"
check "a gzipped stub works" cmp -s "$T/gz-read.bin" <(dd if="$T/now.bin" bs=4096 skip=10 count=2 2>/dev/null)
stop_sim
start_sim $C "$T/$C.bin" --no-timing
iot -c $C --loader "$T/stub-bad.bin" chip-id
check "a damaged stub never answers, and the message says so" failed_with "stub did not answer"
stop_sim

# ---- the ROM at 8E1: a client at 8N1 gets the sync, then nothing ----
start_sim $C "$T/$C.bin" --no-timing
python3 - "$T/tty" >"$T/parity.out" 2>&1 <<'PY'
import os, sys, termios, time, select
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
def line(parity):
    t = termios.tcgetattr(fd)
    t[0] = termios.INPCK if parity else 0
    t[1] = 0; t[3] = 0
    t[2] = termios.CS8 | termios.CREAD | termios.CLOCAL | (termios.PARENB if parity else 0)
    t[4] = t[5] = termios.B115200
    termios.tcsetattr(fd, termios.TCSANOW, t)
def ask(data, wait=0.3):
    os.write(fd, data); out = b""; end = time.time() + wait
    while time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            out += os.read(fd, 64)
    return out
line(False)
print("8N1 sync", ask(b"\x7f").hex())
print("8N1 GET", ask(b"\x00\xff").hex() or "-")
line(True)
print("8E1 GET", ask(b"\x00\xff").hex())
PY
check "8N1: the sync byte 7F has the parity bit 8E1 expects: ACK" grep -qx "8N1 sync 79" "$T/parity.out"
check "8N1: GET (00 FF) is lost to parity errors: no answer" grep -qx "8N1 GET -" "$T/parity.out"
check "8E1: GET is answered" grep -q "^8E1 GET 79" "$T/parity.out"
stop_sim
finish
