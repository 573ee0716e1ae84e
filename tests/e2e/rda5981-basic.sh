#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# RDA5981 (`Boot > ` shell + A5 stub) end to end against its model: chip-id,
# a timed full read, write at the application offset, verify-flash (the
# stub's CRC-32/JAMCRC) passing and failing, erase-region, the protected
# vendor system data, obk-config round trip in EasyFlash, a read under
# dropped and flipped bytes (shell stage included), and the shell's answers.
. "$(dirname "$0")/lib.sh"
E2E=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e
C=rda5981 APP=0x1000 SIZE=$((1 << 20))
python3 "$E2E/gen-a5-family-stub.py" $C "$T/stub.bin"
python3 "$E2E/gen-a5-family-stub.py" $C "$T/stub-bad.bin" --corrupt
L=(--loader "$T/stub.bin")

# Boot loader, application, the vendor's system data; the rest blank.
python3 - "$T/$C.bin" $SIZE <<'PY'
import random, sys
r = random.Random(5981); size = int(sys.argv[2]); out = bytearray(b"\xff" * size)
for start, n in ((0, 0x1000), (0x1000, 0x40000), (0xFB000, 0x1000), (0xFF000, 0x1000)):
    out[start:start + n] = r.randbytes(n)
open(sys.argv[1], "wb").write(out)
PY
cp "$T/$C.bin" "$T/orig.bin"

# ---- timed: identify and a full read ----
start_sim $C "$T/$C.bin" || { fail "simulator"; finish; }
iot -c $C read-flash 0 0x1000 "$T/noloader.bin"
check "without the loader the message names the file" failed_with "RDA5981_Stub|loader"
iot -c $C "${L[@]}" chip-id
check "chip-id succeeds" succeeded
check "chip-id names the chip" out_has "^Chip: +$C"
check "chip-id prints the stub's flash id" out_has "^Flash id: +0x1440c8"
check "chip-id prints the flash size" out_has "^Flash size: +1024 KiB"
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
check "verify-flash passes on equal data (device CRC)" succeeded
cp "$T/app.bin" "$T/bad.bin"; flip_byte "$T/bad.bin" 0x2001
iot -c $C "${L[@]}" verify-flash $APP "$T/bad.bin"
check "verify-flash fails after a one-byte change" failed_with "differ|mismatch|verify"
iot -c $C "${L[@]}" --no-backup erase-region 0x95000 0x3000
check "erase-region succeeds" succeeded
cp "$T/$C.bin" "$T/before.bin"
head -c 4096 "$T/app.bin" >"$T/sys.bin"
iot -c $C "${L[@]}" --no-backup write-flash 0xFF000 "$T/sys.bin"
check "a write over the system data (MAC, RF) is refused without --force" failed_with "protected|sys_data"
iot -c $C "${L[@]}" --no-backup write-flash 0xFB000 "$T/sys.bin"
check "a write over the vendor's system data is refused without --force" failed_with "protected|vendor_sys"
stop_sim
check "the refused writes changed nothing" same "$T/$C.bin" "$T/before.bin"
check "erased region is blank" test "$(slice "$T/$C.bin" 0x95000 16)$(slice "$T/$C.bin" 0x97FF0 16)" = "$(printf 'f%.0s' $(seq 64))"
check "flash equals the image at the offset, the rest unchanged" regions_equal "$T/$C.bin" "$T/expected.bin" 0 0xF4000

# ---- obk-config: EasyFlash ObkCfg at 0xF4000 + 0xA000, group D, unsigned CRC ----
# OpenBeken's EasyFlash area holds the vendor's system data sector (0xFB000,
# MAC and RF calibration of the stock firmware): the first write is refused
# until --force says the vendor data may go (the backup keeps it).
start_sim $C "$T/$C.bin" --no-timing
(cd "$T" && "$IOTFLASH" -p "$T/tty" -c $C "${L[@]}" --backup-dir "$T/backups" obk-config set wifi.ssid=HomeNet \
	>"$T/out" 2>"$T/err"); RC=$?
check "obk-config set over the vendor's system data is refused without --force" failed_with "protected vendor_sys.*--force"
(cd "$T" && "$IOTFLASH" -p "$T/tty" -c $C "${L[@]}" --backup-dir "$T/backups" --force obk-config set wifi.ssid=HomeNet \
	pin.20=Relay:1 mqtt.port=8883 >"$T/out" 2>"$T/err"); RC=$?
check "obk-config set with --force succeeds" succeeded
check "the vendor's system data went to the backup first" \
	sh -c "ls '$T/backups'/rda5981-*.bin >/dev/null 2>&1"
iot -c $C "${L[@]}" obk-config show
check "obk-config show reads back what set wrote" \
	sh -c "grep -qx 'wifi.ssid=HomeNet' '$T/out' && grep -qx 'pin.20=Relay:1' '$T/out' && grep -qx 'mqtt.port=8883' '$T/out'"
check "obk-config show names group D and the unsigned CRC" out_has "layout group D, unsigned CRC-8"
stop_sim
check "the config is an EasyFlash value after the key ObkCfg" \
	python3 -c "import sys; d=open(sys.argv[1],'rb').read()[0xF4000:0xFE000]; sys.exit(0 if d.find(b'ObkCfgCFG') >= 0 else 1)" "$T/$C.bin"
check "obk-config left the system data alone" regions_equal "$T/$C.bin" "$T/orig.bin" 0xFF000 0x1000

# ---- faults: a read through dropped and flipped bytes (shell stage included) ----
cp "$T/$C.bin" "$T/now.bin"
start_sim $C "$T/$C.bin" --no-timing --faults drop=1e-4,flip=1e-4 --seed 7
iot -c $C "${L[@]}" read-flash $APP 0x20000 "$T/fault-read.bin"
check "read under drop=1e-4,flip=1e-4 succeeds" succeeded
check "read under faults is byte-identical" cmp -s "$T/fault-read.bin" <(dd if="$T/now.bin" bs=4096 skip=1 count=32 2>/dev/null)
stop_sim

# ---- a damaged stub; the shell's own answers ----
start_sim $C "$T/$C.bin" --no-timing
iot -c $C --loader "$T/stub-bad.bin" chip-id
check "a damaged stub never answers, and the message says so" failed_with "stub did not answer"
stop_sim
start_sim $C "$T/$C.bin" --no-timing
python3 - "$T/tty" >"$T/shell.out" 2>&1 <<'PY'
import os, sys, termios, time, select
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
t = termios.tcgetattr(fd)
t[0] = t[1] = t[3] = 0
t[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
t[4] = t[5] = termios.B921600
termios.tcsetattr(fd, termios.TCSANOW, t)
def ask(data, wait=0.3):
    os.write(fd, data); out = b""; end = time.time() + wait
    while time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            out += os.read(fd, 256)
    return out.decode(errors="replace").replace("\r", "").replace("\n", "|")
print("prompt", ask(b"\r\n"))
print("bogus", ask(b"frobnicate\r"))
print("loadb", ask(b"loadb 00100000 4\r" + b"\x01\x02\x03\x04"))
print("checksum", ask(b"checksum 1 00100000 4\r"))
PY
check "the shell shows its prompt" grep -q "^prompt .*Boot > " "$T/shell.out"
check "an unknown command is refused by the shell" grep -q "^bogus frobnicate|Unknown command" "$T/shell.out"
check "loadb echoes, says Download, takes the bytes, says Done" grep -q "^loadb loadb 00100000 4|.*Download.*Done" "$T/shell.out"
check "checksum 1 gives the JAMCRC of what was loaded" grep -qi "^checksum .*CRC32 = 0x$(python3 -c 'import zlib; print("%08X" % (zlib.crc32(bytes([1,2,3,4])) ^ 0xFFFFFFFF))')" "$T/shell.out"
stop_sim
finish
