#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# `iotflash install` (issue 17): a simulated BK7231N holding a Tuya image
# becomes an OpenBeken device in one session: OpenBeken at 0x11000, the
# bootloader and RF calibration as they were, the configuration holding
# the Wi-Fi and MQTT asked for and the pins of the Tuya template, and a
# first-contact full backup (0600, JSON record) on disk.  Then: a rerun
# resumes (backup not read again, unchanged sectors skipped); one
# interruption during the write and its resumption; bad input refused
# before the port opens; first contact through write-flash and erase-region;
# W800 (the ROM's MAC names the backup); LN882H (no MAC: named by content).
. "$(dirname "$0")/lib.sh"
E2E=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e
export HOME=$T/home
mkdir -p "$HOME"
SCHEMA="$E2E/../../docs/cli-json.schema.json"

TUYA=$(image bk7231n-b)    # plain plug: CB2S, relay, button, LEDs
MAC=$(fact bk7231n-b mac)
MACC=$(sed 's/../&:/g; s/:$//' <<<"$MAC")
python3 "$E2E/gen-openbeken.py" bk7231n qio 0x60000 "$T/OpenBK7231N_QIO.bin"
python3 "$E2E/gen-openbeken.py" bk7231n ua 0x100000 "$T/OpenBK7231N_UA.bin"
python3 "$E2E/gen-openbeken.py" bk7231t qio 0x60000 "$T/OpenBK7231T_QIO.bin"
APP_LEN=$(($(stat -c %s "$T/OpenBK7231N_QIO.bin") - 0x11000))

# in DIR ARGS...: iotflash in DIR (its backups land in DIR/backups)
run_in() { local d=$1; shift; (cd "$d" && "$IOTFLASH" -p "$T/tty" "$@" >"$T/out" 2>"$T/err"); RC=$?; }
jfield() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d = d[k]
print(str(d).lower() if isinstance(d, bool) else d)' "$T/out" "$1"; }
# the Tuya template's roles (the GUI's short names in the facts) as OpenBeken names
tuya_pins() {
	fact bk7231n-b roles | tr ',' '\n' | sed -E 's/^P([0-9]+) /pin.\1=/; s/=Rel/=Relay/; s/=Btn_Tgl_All/=Button_ToggleAll/;
		s/=WifiLED_n/=LED_WIFI_n/; s#/#:#' | sort
}
# Independent reader: CRC-8 (signed, as BK7231N's build) and SSID of the raw config
cfg_ok() {
	python3 - "$1" "$2" <<'PY'
import sys
blob = open(sys.argv[1], 'rb').read()[0x1d1000:0x1d1000 + 3584]
crc = 0
for byte in blob[4:]:
    for _ in range(8):
        mix = (crc ^ byte) & 1
        crc = (crc >> 1) | (crc & 0x80)
        if mix:
            crc ^= 0x8C
        byte >>= 1
sys.exit(0 if blob[:3] == b'CFG' and crc == blob[3] and blob[0x14:0x54].split(b'\0')[0].decode() == sys.argv[2] else 1)
PY
}

# ---- the whole job, QIO image, --from-tuya, --set, --json ----
cp "$TUYA" "$T/flash.bin"
mkdir "$T/a"
start_sim bk7231n "$T/flash.bin" --no-timing || { fail "simulator"; finish; exit; }
run_in "$T/a" -c bk72xx --json install "$T/OpenBK7231N_QIO.bin" --from-tuya --set wifi.ssid=HomeNet \
	--set wifi.password=s3cret99 --set mqtt.host=192.168.1.10 --set mqtt.port=1884 --set mqtt.user=plug
check "install succeeds" succeeded
cp "$T/out" "$T/a.json"
check "--json validates against the install schema" \
	python3 -c 'import importlib.util as u, json, sys
s = u.spec_from_file_location("c", sys.argv[1]); m = u.module_from_spec(s); s.loader.exec_module(m)
e = []; m.check(json.load(open(sys.argv[2]))["$defs"]["install"], json.load(open(sys.argv[3])), "$", e)
print(*e, file=sys.stderr); sys.exit(1 if e else 0)' "$E2E/json-schema-check.py" "$SCHEMA" "$T/a.json"
check "--json: the MAC of the RF sector" [ "$(jfield mac)" = "$MACC" ]
check "--json: the image told as a QIO image by its content" [ "$(jfield firmware.kind)" = qio ]
check "--json: the backup named after chip and MAC, read now" \
	[ "$(jfield backup):$(jfield backup_taken)" = "backups/bk7231n-$MAC-full.bin:true" ]
check "steps reported on stderr with --json" grep -q '^\[6/7\] config' "$T/err"
stop_sim
check "OpenBeken's application at 0x11000" \
	cmp -s <(tail -c +$((0x11001)) "$T/OpenBK7231N_QIO.bin") <(dd if="$T/flash.bin" bs=4096 skip=17 2>/dev/null | head -c $APP_LEN)
check "the chip's bootloader kept (not the image's)" regions_equal "$T/flash.bin" "$TUYA" 0 0x11000
check "the RF calibration sector intact" regions_equal "$T/flash.bin" "$TUYA" 0x1d0000 0x1000
check "the Tuya store untouched" regions_equal "$T/flash.bin" "$TUYA" 0x1d2000 0x2e000
FULL=$T/a/backups/bk7231n-$MAC-full.bin
check "the full backup is the whole chip as it was" same "$FULL" "$TUYA"
check "the full backup is mode 0600" mode_is "$FULL" 600
check "its JSON record is mode 0600" mode_is "${FULL%.bin}.json" 600
check "the record names chip, MAC, flash id, size, sha256, date, tool" python3 -c 'import json, sys, hashlib
r = json.load(open(sys.argv[1]))
ok = (r["chip"], r["mac"], r["flash_id"], r["size"], r["kind"]) == ("bk7231n", sys.argv[2], "0x1560eb", 2097152, "full")
ok = ok and r["sha256"] == hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest() and r["date"] and r["tool"].startswith("iotflash")
sys.exit(0 if ok else 1)' "${FULL%.bin}.json" "$MACC" "$TUYA"
check "the configuration's signed CRC-8 and SSID, read independently" cfg_ok "$T/flash.bin" HomeNet
"$IOTFLASH" -c bk7231n --image "$T/flash.bin" --show-secrets obk-config show >"$T/out" 2>"$T/err"; RC=$?
cp "$T/out" "$T/show.txt"
check "the configuration holds the Wi-Fi and MQTT asked for" sh -c "grep -qx 'wifi.ssid=HomeNet' '$T/show.txt' &&
	grep -qx 'wifi.password=s3cret99' '$T/show.txt' && grep -qx 'mqtt.host=192.168.1.10' '$T/show.txt' &&
	grep -qx 'mqtt.port=1884' '$T/show.txt' && grep -qx 'mqtt.user=plug' '$T/show.txt'"
check "the configuration holds the pins of the Tuya template" \
	[ "$(grep '^pin\.' "$T/show.txt" | sort)" = "$(tuya_pins)" ]
check "the name is the Tuya module's" grep -qx "name.short=obk_$(fact bk7231n-b module)" "$T/show.txt"

# ---- rerun: nothing read or written again ----
start_sim bk7231n "$T/flash.bin" --no-timing
cp "$T/flash.bin" "$T/after-a.bin"
run_in "$T/a" -c bk7231n --json install "$T/OpenBK7231N_QIO.bin" --from-tuya --set wifi.ssid=HomeNet
check "a rerun succeeds" succeeded
check "a rerun finds the backup on disk" [ "$(jfield backup_taken)" = false ]
check "a rerun skips every unchanged sector" [ "$(jfield write.moved):$(jfield write.skipped)" = "0:$APP_LEN" ]
check "one full backup only" [ "$(ls "$T"/a/backups/*-full.bin | wc -l)" = 1 ]
stop_sim
check "a rerun leaves the flash as it was" same "$T/flash.bin" "$T/after-a.bin"

# ---- interrupted during the write, then run again ----
cp "$TUYA" "$T/flash.bin"
mkdir "$T/b"
start_sim bk7231n "$T/flash.bin" --no-timing
(cd "$T/b" && exec "$IOTFLASH" -p "$T/tty" -c bk7231n install "$T/OpenBK7231N_UA.bin" --set wifi.ssid=Resumed \
	>"$T/out" 2>"$T/err") &
pid=$!
for _ in $(seq 1000); do grep -qE '^write: [1-9][0-9]?%' "$T/err" && break; sleep 0.01; done
kill -INT $pid; wait $pid; RC=$?
check "interrupted during the write: non-zero status" [ "$RC" -ne 0 ]
check "  ... with one line naming where" failed_with "interrupted at 0x"
check "  ... the full backup is whole" same "$T/b/backups/bk7231n-$MAC-full.bin" "$TUYA"
run_in "$T/b" -c bk7231n --json install "$T/OpenBK7231N_UA.bin" --set wifi.ssid=Resumed
check "run again: succeeds" succeeded
check "run again: the backup is not read again" [ "$(jfield backup_taken)" = false ]
check "run again: the UA image told by content, at 0x11000" [ "$(jfield firmware.kind):$(jfield firmware.address)" = "ua:69632" ]
check "run again: the sectors written before the interruption are skipped" [ "$(jfield write.skipped)" -gt 0 ]
stop_sim
check "run again: the application is complete" \
	cmp -s "$T/OpenBK7231N_UA.bin" <(dd if="$T/flash.bin" bs=4096 skip=17 2>/dev/null | head -c "$(stat -c %s "$T/OpenBK7231N_UA.bin")")
check "run again: the configuration is written" cfg_ok "$T/flash.bin" Resumed
check "run again: RF sector intact" regions_equal "$T/flash.bin" "$TUYA" 0x1d0000 0x1000

# ---- bad input: one line, nothing touched, the port never opened ----
cp "$TUYA" "$T/flash.bin"
head -c 300000 /dev/urandom >"$T/random.bin"
random_file "$T/small.bin" 8192
python3 "$E2E/gen-openbeken.py" bk7231n ua 0x130000 "$T/big.bin"
echo '{"mqtt": {"port": "x"}}' >"$T/bad.json"
mkdir "$T/c"
bad() {
	local what=$1 msg=$2; shift 2
	run_in "$T/c" -c bk7231n "$@"
	check "$what: refused with one line" eval '[ "$RC" -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -qiE -- "$msg" "$T/err"'
}
bad "firmware too big" "does not fit the .*application partition" install "$T/big.bin"
bad "another chip's image" "full image for bk7231t.*not for bk7231n" install "$T/OpenBK7231T_QIO.bin"
bad "unknown image kind" "neither a full \(QIO\) image .* nor a Beken application" install "$T/random.bin"
bad "a bad --set key" "unknown key 'wifi.sid'" install "$T/OpenBK7231N_UA.bin" --set wifi.sid=x
bad "a bad --set role" "pin.8: unknown role" install "$T/OpenBK7231N_UA.bin" --set pin.8=Relya
bad "a bad --obk-config" "bad.json: mqtt.port: invalid port" install "$T/OpenBK7231N_UA.bin" --obk-config "$T/bad.json"
bad "--from-tuya on a chip without a Tuya store format" "not a Beken chip" -c ln882h install "$T/random.bin" --from-tuya
bad "--set with another command" "options of install" write-flash 0x11000 "$T/small.bin" --set wifi.ssid=x
check "bad input: no backup taken, the flash untouched" eval '[ ! -e "$T/c/backups" ] && same "$T/flash.bin" "$TUYA"'

# ---- first contact through write-flash and erase-region; --no-backup ----
cp "$TUYA" "$T/flash.bin"
mkdir "$T/e" "$T/f"
start_sim bk7231n "$T/flash.bin" --no-timing
run_in "$T/f" -c bk7231n --no-backup write-flash 0x11000 "$T/small.bin"
check "--no-backup: no backup, not even the first-contact one" eval 'succeeded && [ ! -e "$T/f/backups" ]'
cp "$T/flash.bin" "$T/before-e.bin"
run_in "$T/e" -c bk7231n write-flash 0x12000 "$T/small.bin"
check "write-flash on a new device takes the full backup first" same "$T/e/backups/bk7231n-$MAC-full.bin" "$T/before-e.bin"
check "  ... and still backs up the range it changes" [ "$(ls "$T"/e/backups/bk7231n-2*.bin | wc -l)" = 1 ]
run_in "$T/e" -c bk7231n erase-region 0x100000 4k
check "a later erase-region: the full backup stays the first one" eval 'succeeded &&
	[ "$(ls "$T"/e/backups/*-full.bin | wc -l)" = 1 ] && same "$T/e/backups/bk7231n-$MAC-full.bin" "$T/before-e.bin"'
stop_sim

# ---- W800: the MAC its ROM reports names the backup ----
python3 "$E2E/gen-w80x-stub.py" "$T/w800.ldr"
random_file "$T/w.bin" $((0x200000))
cp "$T/w.bin" "$T/w-orig.bin"
mkdir "$T/w"
start_sim w800 "$T/w.bin" --no-timing
run_in "$T/w" -c w800 --loader "$T/w800.ldr" chip-id
WMAC=$(sed -nE 's/^Details: +Wi-Fi MAC (([0-9a-f]{2}:){5}[0-9a-f]{2}).*/\1/p' "$T/out" | tr -d :)
run_in "$T/w" -c w800 --loader "$T/w800.ldr" write-flash 0x10000 "$T/small.bin"
check "w800: the first-contact backup is named after the ROM's MAC" same "$T/w/backups/w800-${WMAC:-none}-full.bin" "$T/w-orig.bin"
check "w800: its record says so" grep -q '"identity": "mac"' "$T/w/backups/w800-${WMAC:-none}-full.json"
stop_sim

# ---- LN882H: no MAC from its ROM, so the backup is named by content ----
python3 "$E2E/gen-ln882h-loader.py" official ln882h "$T/ln882h.ldr"
head -c $((0x200000)) /dev/urandom >"$T/ln.bin"
cp "$T/ln.bin" "$T/ln-orig.bin"
head -c 200000 /dev/urandom >"$T/ln-app.bin"
mkdir "$T/d"
start_sim ln882h "$T/ln.bin" --no-timing
run_in "$T/d" -c ln882h --loader "$T/ln882h.ldr" --json install "$T/ln-app.bin" --set wifi.ssid=LnNet --set pin.9=Relay:1
check "ln882h: install succeeds" succeeded
SHA=$(sha256sum "$T/ln-orig.bin" | cut -c1-12)
check "ln882h: the application at the app partition (0x7000)" [ "$(jfield firmware.kind):$(jfield firmware.address)" = "app:28672" ]
check "ln882h: no MAC; the backup named by flash id and content" \
	eval '[ "$(jfield identity)" = content ] && [[ "$(jfield backup)" == backups/ln882h-flash*-$SHA-full.bin ]]'
stop_sim
check "ln882h: the full backup is the chip as it was" same "$T/d/$(jfield backup)" "$T/ln-orig.bin"
check "ln882h: the application written" cmp -s "$T/ln-app.bin" <(tail -c +$((0x7001)) "$T/ln.bin" | head -c 200000)
"$IOTFLASH" -c ln882h --image "$T/ln.bin" obk-config show >"$T/out" 2>"$T/err"
check "ln882h: the configuration written" sh -c "grep -qx 'wifi.ssid=LnNet' '$T/out' && grep -qx 'pin.9=Relay:1' '$T/out'"
finish
