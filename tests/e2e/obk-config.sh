#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# `iotflash obk-config` on every family with a model (raw sector, EasyFlash,
# Bouffalo PSM): set on the device, read back, `show` equal to the same
# command on the flash file offline; the CRC-8 variant and the config's
# place checked by an independent reader below; offline --image editing;
# `write FILE.json`; write-flash --obk-config; bad input.
. "$(dirname "$0")/lib.sh"
# Writes on a device back up what they change: into the test's directory,
# not the build tree (make distcheck finds any file left there).
iot() {
	"$IOTFLASH" -p "$T/tty" --backup-dir "$T/backups" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	return 0
}
E2E=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e
export HOME=$T/home
mkdir -p "$HOME"
python3 "$E2E/gen-bl60x-loader.py" bl602 "$T/bl602.ldr"
python3 "$E2E/gen-ln882h-loader.py" official ln882h "$T/ln882h.ldr"
python3 "$E2E/gen-rtl87xx-loader.py" "$T/rtl8720d.ldr"
python3 "$E2E/gen-w80x-stub.py" "$T/w800.ldr"
python3 "$E2E/gen-eswin-loader.py" ecr6600 "$T/ecr6600.ldr"
python3 "$E2E/gen-eswin-loader.py" tr6260 "$T/tr6260.ldr"

# Independent reader: where the blob is (raw offset, or after the EasyFlash
# key), and which CRC-8 variant its byte 3 matches (docs/protocols/obk-config.md §2.2).
cat >"$T/obkcrc.py" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
start, size, key = int(sys.argv[2], 0), int(sys.argv[3], 0), sys.argv[4]
area = data[start:start + size]
if key.startswith('raw+'):
    off = int(key[4:], 0)
else:
    m = re.search(re.escape(key.encode()) + b'\xff*(?=CFG)', area)  # GRAN 32 pads the name (§8.3)
    off = m.end() if m else -1
if off < 0 or area[off:off + 3] != b'CFG':
    print('none'); sys.exit()
blob = area[off:off + 3584]
def crc8(b, signed):
    crc = 0
    for byte in b:
        for _ in range(8):
            mix = (crc ^ byte) & 1
            crc = (crc >> 1) | (crc & 0x80 if signed else 0)
            if mix:
                crc ^= 0x8C
            byte >>= 1
    return crc
end = 2016 if int.from_bytes(blob[4:8], 'little') == 3 else 3584
ok = [v for v, s in (('signed', True), ('unsigned', False)) if crc8(blob[4:end], s) == blob[3]]
print(' '.join(ok) or 'bad', hex(start + off), blob[0x14:0x54].split(b'\0')[0].decode())
PY
# crc_is FILE START SIZE WHERE VARIANT SSID: the blob there matches VARIANT
# (both match for some blobs by chance) and holds SSID
crc_is() {
	local r; r=$(python3 "$T/obkcrc.py" "$1" "$2" "$3" "$4")
	grep -qw -- "$5" <<<"${r% 0x*}" && [ "${r#* 0x* }" = "$6" ]
}

blank() { head -c $(($1)) /dev/zero | tr '\0' '\377' >"$2"; }

# chip  flash-size  area-start area-size  where(raw+OFF | EF key)  CRC variant  group  loader  a pin  a too-high pin
CASES="
bk7231n 0x200000 0x1d1000 0x1000  raw+0     signed   D - 26 29
bk7231t 0x200000 0x1e1000 0x1000  raw+0     signed   D - 24 29
bl602   0x200000 0x1e9000 0x13000 mY0bcFg   unsigned D bl602 17 24
ln882h  0x200000 0x1ff000 0x1000  raw+0     unsigned D ln882h 9 26
rtl8710b 0x200000 0x195000 0x8000 ObkCfg    signed   D - 12 17
rtl8720c 0x200000 0x1f0000 0x10000 ObkCfg   signed   D - 20 24
rtl8720d 0x400000 0x1b0000 0x40000 ObkCfg   unsigned C rtl8720d 40 64
w800    0x200000 0x1f0000 0x10000 raw+0x303 unsigned A w800 35 44
xr806   0x200000 0x1f0000 0x10000 ObkCfg    unsigned D - 20 27
xr872   0x100000 0x0ef000 0x8000  ObkCfg    unsigned A - 30 36
ecr6600 0x200000 0x1b9000 0x1c000 ObkCfg    signed   D ecr6600 26 27
tr6260  0x100000 0x0ec000 0x12000 ObkCfg    signed   D tr6260 24 25
"

while read -r chip fsize start size where variant group ldr pin badpin; do
	[ -n "$chip" ] || continue
	L=(); [ "$ldr" != - ] && L=(--loader "$T/$ldr.ldr")

	# ---- offline, on a backup file ----
	blank "$fsize" "$T/img.bin"
	"$IOTFLASH" -c "$chip" --image "$T/img.bin" obk-config show >"$T/out" 2>"$T/err"; RC=$?
	check "$chip: show on a blank backup fails, saying there is none" failed_with "no OpenBeken configuration"
	"$IOTFLASH" -c "$chip" --image "$T/img.bin" obk-config set "wifi.ssid=Off line" "pin.$pin=Relay:2" \
		mqtt.port=8883 >"$T/out" 2>"$T/err"; RC=$?
	check "$chip: --image set succeeds" succeeded
	check "$chip: --image set keeps the backup at mode 0600" mode_is "$T/img.bin" 600
	check "$chip: offline config has the $variant CRC-8 at its place" \
		crc_is "$T/img.bin" "$start" "$size" "$where" "$variant" "Off line"
	check "$chip: nothing outside the config area changed" regions_equal "$T/img.bin" <(blank "$fsize" /dev/stdout) 0 "$start"
	"$IOTFLASH" -c "$chip" --image "$T/img.bin" obk-config show >"$T/out" 2>"$T/err"; RC=$?
	check "$chip: --image show prints the values set" \
		sh -c "grep -qx 'wifi.ssid=Off line' '$T/out' && grep -qx 'pin.$pin=Relay:2' '$T/out' && grep -qx 'mqtt.port=8883' '$T/out'"
	check "$chip: show names layout group $group and the $variant CRC" out_has "layout group $group, $variant CRC-8"
	"$IOTFLASH" -c "$chip" --image "$T/img.bin" obk-config set "pin.$badpin=Relay" >"$T/out" 2>"$T/err"; RC=$?
	check "$chip: a pin the chip lacks is refused, naming it" failed_with "pin.$badpin: no such pin"

	# ---- on the device model ----
	blank "$fsize" "$T/flash.bin"
	# BK7231T's loader lives in flash: without one the chip is silent
	[ "$chip" = bk7231t ] && head -c 4096 /dev/urandom | dd of="$T/flash.bin" conv=notrunc 2>/dev/null
	start_sim "$chip" "$T/flash.bin" --no-timing || { fail "$chip: simulator"; continue; }
	(cd "$T" && "$IOTFLASH" -p "$T/tty" -c "$chip" "${L[@]}" obk-config set wifi.ssid=HomeNet \
		wifi.password=s3cret mqtt.host=192.168.1.10 "pin.$pin=Button:1:2" pin.1=LED_WIFI_n flag.37=1 \
		name.short=obk_test >"$T/out" 2>"$T/err"); RC=$?
	check "$chip: set on the device succeeds" succeeded
	check "$chip: set reports what it wrote" out_has "Wrote the OpenBeken configuration of $chip"
	iot -c "$chip" "${L[@]}" obk-config show
	check "$chip: show on the device succeeds" succeeded
	cp "$T/out" "$T/dev-show.txt"
	check "$chip: show reads back what set wrote" \
		sh -c "grep -qx 'wifi.ssid=HomeNet' '$T/out' && grep -qx 'pin.$pin=Button:1:2' '$T/out' && grep -qx 'flag.37=1' '$T/out' && grep -qx 'pin.1=LED_WIFI_n' '$T/out'"
	check "$chip: the password is hidden without --show-secrets" sh -c "! grep -q s3cret '$T/out'"
	iot -c "$chip" "${L[@]}" --json --show-secrets obk-config show
	cp "$T/out" "$T/dev.json"
	check "$chip: show --json validates against docs/obk-config.schema.json" \
		python3 "$E2E/json-schema-check.py" "$E2E/../../docs/obk-config.schema.json" "$T/dev.json"
	check "$chip: show --json has the password with --show-secrets" out_has '"password": "s3cret"'
	stop_sim
	check "$chip: on flash, the config has the $variant CRC-8 at its place" \
		crc_is "$T/flash.bin" "$start" "$size" "$where" "$variant" HomeNet
	"$IOTFLASH" -c "$chip" --image "$T/flash.bin" obk-config show >"$T/out" 2>"$T/err"; RC=$?
	check "$chip: offline show of the flash equals show on the device" same "$T/out" "$T/dev-show.txt"

	# write FILE.json: the JSON show printed, edited, goes back whole
	sed 's/"HomeNet"/"OtherNet"/' "$T/dev.json" >"$T/edit.json"
	start_sim "$chip" "$T/flash.bin" --no-timing
	iot -c "$chip" "${L[@]}" obk-config write "$T/edit.json"
	check "$chip: write FILE.json (show --json output, edited) succeeds" succeeded
	iot -c "$chip" "${L[@]}" --json --show-secrets obk-config show
	check "$chip: after write, show --json is the file written" \
		bash -c "cmp -s <(sed 's/\"crc\": \"[^\"]*\"//' '$T/out') <(sed 's/\"crc\": \"[^\"]*\"//' '$T/edit.json')"
	stop_sim
done <<<"$CASES"

# ---- Bouffalo: the PSM partition of the device's own partition table ----
cat >"$T/bfpt.py" <<'PY'
import struct, sys, zlib
entries = [(0, b"FW", 0x10000, 0x100000), (4, b"PSM", 0x1C0000, 0x8000)]
body = b"".join(struct.pack("<BBB9sIIIIII", t, 0, 0, n, a, 0, l, 0, 0, 0) for t, n, a, l in entries)
head = b"BFPT" + struct.pack("<HHI", 0, len(entries), 0)
table = head + struct.pack("<I", zlib.crc32(head)) + body + struct.pack("<I", zlib.crc32(body))
if len(sys.argv) > 2:  # damaged: the entries' CRC no longer matches
    table = table[:-1] + bytes([table[-1] ^ 1])
f = open(sys.argv[1], "r+b")
for at in (0xE000, 0xF000):
    f.seek(at); f.write(table)
PY
blank 0x200000 "$T/bl.bin"; python3 "$T/bfpt.py" "$T/bl.bin"; cp "$T/bl.bin" "$T/bl-dev.bin"
"$IOTFLASH" -c bl602 --image "$T/bl.bin" obk-config set wifi.ssid=InPSM >"$T/out" 2>"$T/err"; RC=$?
check "bl602: the config goes into the PSM partition the table names" crc_is "$T/bl.bin" 0x1C0000 0x8000 mY0bcFg unsigned InPSM
check "bl602: the database's default PSM area is left alone" regions_equal "$T/bl.bin" <(blank 0x200000 /dev/stdout) 0x1E9000 0x13000
start_sim bl602 "$T/bl-dev.bin" --no-timing
iot -c bl602 --loader "$T/bl602.ldr" obk-config set wifi.ssid=InPSM
check "bl602 device: set succeeds with the device's table" succeeded
stop_sim
check "bl602 device: the config is in the table's PSM partition" crc_is "$T/bl-dev.bin" 0x1C0000 0x8000 mY0bcFg unsigned InPSM
blank 0x200000 "$T/bl.bin"; python3 "$T/bfpt.py" "$T/bl.bin" damaged
"$IOTFLASH" -c bl602 --image "$T/bl.bin" obk-config set wifi.ssid=Dflt >"$T/out" 2>"$T/err"; RC=$?
check "bl602: a damaged table is not trusted: the default PSM, said on stderr" \
	sh -c "grep -q 'no valid Bouffalo partition table' '$T/err' && [ $RC -eq 0 ]"
check "bl602: ... and the config is at the default PSM" crc_is "$T/bl.bin" 0x1E9000 0x13000 mY0bcFg unsigned Dflt

# ---- write-flash --obk-config: the config right after the firmware ----
blank 0x200000 "$T/flash.bin"
head -c 65536 /dev/urandom >"$T/app.bin"
printf '{"wifi": {"ssid": "FromFlash", "password": "pw"}, "pin": {"6": "Relay:1", "7": "Button:1"}}' >"$T/cfg.json"
start_sim bk7231n "$T/flash.bin" --no-timing
iot -c bk7231n --no-backup write-flash 0x11000 "$T/app.bin" --obk-config "$T/cfg.json"
check "write-flash --obk-config succeeds" succeeded
check "write-flash --obk-config reports both writes" sh -c "grep -q '^Wrote' '$T/out' && grep -q 'OpenBeken configuration' '$T/out'"
stop_sim
check "write-flash --obk-config: firmware in place" regions_equal "$T/flash.bin" <(cat <(blank 0x11000 /dev/stdout) "$T/app.bin") 0x11000 65536
check "write-flash --obk-config: config in place with the signed CRC" \
	crc_is "$T/flash.bin" 0x1d1000 0x1000 raw+0 signed FromFlash
"$IOTFLASH" -c bk7231n --image "$T/flash.bin" obk-config show >"$T/out" 2>"$T/err"; RC=$?
check "write-flash --obk-config: its pins are there" sh -c "grep -qx 'pin.6=Relay:1' '$T/out' && grep -qx 'pin.7=Button:1' '$T/out'"
printf '{"pin": {"6": "Rley"}}' >"$T/bad.json"
cp "$T/flash.bin" "$T/before.bin"
start_sim bk7231n "$T/flash.bin" --no-timing
iot -c bk7231n --no-backup write-flash 0x11000 "$T/app.bin" --obk-config "$T/bad.json"
check "write-flash --obk-config with a bad file fails before the port is opened, naming the role" failed_with "pin.6: unknown role 'Rley'"
stop_sim
check "write-flash --obk-config with a bad file writes nothing" same "$T/flash.bin" "$T/before.bin"

# ---- --json of set on a device: an operation object (docs/cli-json.md) ----
start_sim bk7231n "$T/flash.bin" --no-timing
iot -c bk7231n --no-backup --json obk-config set name.long=Kitchen
check "set --json on a device succeeds" succeeded
check "set --json on a device prints an operation object of the CLI schema" python3 -c '
import json, sys, importlib.util
spec = importlib.util.spec_from_file_location("c", sys.argv[1]); mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
doc = json.load(open(sys.argv[3])); errors = []
mod.check(json.load(open(sys.argv[2]))["$defs"]["operation"], doc, "$", errors)
sys.exit(1 if errors or doc["command"] != "obk-config" or not doc["ok"] or not doc["verified"] else 0)' \
	"$E2E/json-schema-check.py" "$E2E/../../docs/cli-json.schema.json" "$T/out"
stop_sim
"$IOTFLASH" -c bk7231n --image "$T/flash.bin" --json obk-config set name.short=kitchen >"$T/out" 2>"$T/err"; RC=$?
check "--image set --json prints the configuration as written" \
	sh -c "python3 '$E2E/json-schema-check.py' '$E2E/../../docs/obk-config.schema.json' '$T/out' && grep -q '\"short\": \"kitchen\", \"long\": \"Kitchen\"' '$T/out'"

# ---- bad input, offline: one line, nothing changed ----
cp "$T/flash.bin" "$T/img.bin"; chmod 600 "$T/img.bin"; cp "$T/img.bin" "$T/before.bin"
for bad in "mqtt.port=70000|mqtt.port" "flag.3=yes|flag.3" "wifi.nope=1|unknown key" "pin.6=Relay:99|invalid channel" \
	"ssid|not KEY=VALUE" "name.short=$(printf 'x%.0s' $(seq 40))|name.short: too long"; do
	"$IOTFLASH" -c bk7231n --image "$T/img.bin" obk-config set "${bad%%|*}" >"$T/out" 2>"$T/err"; RC=$?
	check "set ${bad%%|*}: refused with one line" sh -c "[ $RC -ne 0 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q -- '${bad#*|}' '$T/err'"
done
check "bad input leaves the backup as it was" same "$T/img.bin" "$T/before.bin"
printf '{"wifi": {"ssid": "x"' >"$T/trunc.json"
"$IOTFLASH" -c bk7231n --image "$T/img.bin" obk-config write "$T/trunc.json" >"$T/out" 2>"$T/err"; RC=$?
check "a truncated JSON file is refused" failed_with "invalid JSON"
"$IOTFLASH" -c bk7231n --image "$T/short.bin" obk-config show >"$T/out" 2>"$T/err"; RC=$?
check "a missing backup file is named" failed_with "short.bin"
head -c 4096 /dev/zero >"$T/short.bin"
"$IOTFLASH" -c bk7231n --image "$T/short.bin" obk-config show >"$T/out" 2>"$T/err"; RC=$?
check "a backup that ends before the area says so" failed_with "ends before the OpenBeken configuration area"
"$IOTFLASH" -c bk72xx --image "$T/img.bin" obk-config show >"$T/out" 2>"$T/err"; RC=$?
check "a family is not enough offline" failed_with "give the exact chip"
flip_byte "$T/img.bin" 0x1d1020
"$IOTFLASH" -c bk7231n --image "$T/img.bin" obk-config set wifi.ssid=x >"$T/out" 2>"$T/err"; RC=$?
check "a damaged config is not silently replaced" failed_with "fails its CRC-8.*--force"
"$IOTFLASH" -c bk7231n --force --image "$T/img.bin" obk-config set wifi.ssid=x >"$T/out" 2>"$T/err"; RC=$?
check "--force replaces a damaged config" succeeded

finish
