#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# `iotflash tuya-config` and `iotflash beken-crypt` on the real dumps
# (spec tuya-config.md §9), damaged copies of them, and the JSON schema.
. "$(dirname "$0")/lib.sh"

if [ -z "${IOTFLASH_DUMPS:-}" ] || [ ! -d "$IOTFLASH_DUMPS" ]; then
	echo "SKIP: IOTFLASH_DUMPS is not set: no real dumps to test with"
	exit 77
fi
SCHEMA="$top_srcdir/docs/tuya-config.schema.json"
CHECK_JSON="$top_srcdir/tests/e2e/json-schema-check.py"
MIRA="$IOTFLASH_DUMPS/bk72xx-plug-mirabella-genio.bin"
LSPA9="$IOTFLASH_DUMPS/bk7231n-lspa9-clone.bin"
FEIT="$IOTFLASH_DUMPS/bk72xx-bulb-feit-br30.bin"

run() { "$IOTFLASH" "$@" >"$T/out" 2>"$T/err"; RC=$?; return 0; }
status_is() { [ "$RC" -eq "$1" ]; }
one_error_line() { [ "$(wc -l <"$T/err")" -eq 1 ] && grep -qE -- "^iotflash: .*$1" "$T/err"; }
err_has() { grep -qiE -- "$1" "$T/err"; }
valid_json() { python3 "$CHECK_JSON" "$SCHEMA" "$T/out"; }
# roles: "P6 Rel/1,P7 Btn_Tgl_All" from the JSON in $T/out
roles() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(",".join("P%d %s%s" % (p["pin"], p["obk_role"], "" if p["obk_channel"] is None else "/%d" % p["obk_channel"])
               for p in d["pins"] if p["obk_role"]))' "$T/out"
}
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/out" "$1"; }

# --- the real dumps: module, pins and OpenBeken roles (spec §9) ---
expect_dump() {
	local file=$1 module=$2 chip=$3 want_roles=$4
	local name; name=$(basename "$file")
	run tuya-config "$file" --json
	check "$name: --json exits 0" status_is 0
	check "$name: JSON validates against the schema" valid_json
	check "$name: module $module" [ "$(json_field module)" = "$module" ]
	check "$name: chip $chip" [ "$(json_field chip)" = "$chip" ]
	check "$name: OpenBeken roles" [ "$(roles)" = "$want_roles" ]
	run tuya-config "$file"
	check "$name: text names the module" out_has "module: +$module"
	run tuya-config "$file" --openbeken
	check "$name: --openbeken lists the roles" out_has "^OpenBeken pin roles:"
}
expect_dump "$MIRA" CB2S BK7231N "P6 Rel/1,P7 Btn_Tgl_All,P8 LED/1,P26 WifiLED_n"
expect_dump "$LSPA9" CB2S BK7231N "P6 BL0937CF1,P7 BL0937CF,P8 WifiLED_n,P10 Btn/1,P24 BL0937SEL,P26 Rel/1"
expect_dump "$FEIT" WB2L BK7231T "P6 PWM/0,P7 PWM/3,P8 PWM/4,P24 PWM/2,P26 PWM/1"

run tuya-config "$MIRA"
check "text: pins with their functions" out_has "^  P6 +rl1_pin +relay 1, active high$"
run tuya-config "$FEIT" --openbeken
check "--openbeken: PWM channel" out_has "^  P26 +PWM +1$"
check "--openbeken: startup command" out_has "^  PWMFrequency 2000$"

# --- secrets: the Feit bulb was paired ---
run tuya-config "$FEIT" --json
check "Wi-Fi hidden by default (JSON)" python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); assert d["wifi"] == {"paired": True}
assert all("value" not in k for k in d["keys"] if k["secret"])' "$T/out"
run tuya-config "$FEIT"
check "Wi-Fi hidden by default (text)" out_has "paired \(SSID and password hidden"
run tuya-config "$FEIT" --json --show-secrets
check "--show-secrets: JSON validates" valid_json
check "--show-secrets: SSID shown" python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); assert d["wifi"]["ssid"]' "$T/out"

# --- bad input ---
random_file "$T/random.bin" 300000
run tuya-config "$T/random.bin"
check "not a Beken dump: exit 1, one clear line" eval 'status_is 1 && one_error_line "not a Tuya BK7231T/N flash dump"'
head -c 2097152 /dev/zero | tr '\0' '\377' >"$T/blank.bin"
run tuya-config "$T/blank.bin"
check "blank dump: exit 1, says blank" eval 'status_is 1 && one_error_line "blank"'
: >"$T/empty.bin"
run tuya-config "$T/empty.bin"
check "empty file: exit 1" eval 'status_is 1 && one_error_line "empty"'
run tuya-config "$T/no-such-file.bin"
check "missing file: exit 1" eval 'status_is 1 && one_error_line "no-such-file"'

# truncated 6 sectors into the store: partial result (exit 3) with what survives
head -c $((0x1EE000 + 0x6000)) "$MIRA" >"$T/truncated.bin"
check "copies of dumps are private (0600)" mode_is "$T/truncated.bin" 600
run tuya-config "$T/truncated.bin"
check "truncated: exit 3" status_is 3
check "truncated: warns" err_has "truncated"
check "truncated: the template survives" out_has "module: +CB2S"
run tuya-config "$T/truncated.bin" --json
check "truncated: JSON validates, complete false" eval 'valid_json && [ "$(json_field complete)" = False ]'

# the template's block overwritten: the other keys are still listed
cp "$MIRA" "$T/damaged.bin"
head -c 4000 /dev/urandom | dd of="$T/damaged.bin" bs=1 seek=$((0x1F0000 + 16)) conv=notrunc 2>/dev/null
run tuya-config "$T/damaged.bin" --json
check "damaged block: exit 3" status_is 3
check "damaged block: the sector is named" err_has "0x1f0000"
check "damaged block: JSON validates" valid_json
check "damaged block: other keys recovered" python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); assert "gw_di" in [k["name"] for k in d["keys"]]' "$T/out"

# --- beken-crypt ---
run beken-crypt --help
check "beken-crypt --help" eval 'status_is 0 && out_has "find-key"'
run beken-crypt find-key "$MIRA"
check "find-key: the Tuya key" out_has "^510fb093 a3cbeadc 5993a17e c7adeb03"
run beken-crypt decrypt --part bootloader "$MIRA" "$T/boot.bin"
check "decrypt bootloader: version string" eval 'status_is 0 && grep -qa "BK7231N_1.0.1" "$T/boot.bin"'
run beken-crypt decrypt --part app --key auto "$MIRA" "$T/app.bin"
check "decrypt app: ARM vector table" eval 'status_is 0 && [ "$(slice "$T/app.bin" 0 8)" = 0e0000ea14f09fe5 ]'
run beken-crypt encrypt --addr 0x10000 "$T/app.bin" "$T/app-enc.bin"
check "encrypt app: back to the flash bytes" eval 'status_is 0 && cmp -s "$T/app-enc.bin" <(tail -c +$((0x11000 + 1)) "$MIRA" | head -c "$(stat -c %s "$T/app-enc.bin")")'
run beken-crypt crc-strip "$MIRA" "$T/boot-logical.bin"
run beken-crypt crc-add "$T/boot-logical.bin" "$T/boot-phys.bin"
check "crc-strip then crc-add: same bytes" eval 'cmp -s "$T/boot-phys.bin" <(head -c "$(stat -c %s "$T/boot-phys.bin")" "$MIRA")'
run beken-crypt decrypt --key 1234 "$MIRA" "$T/x.bin"
check "bad key: usage error (2)" eval 'status_is 2 && one_error_line "--key"'
run beken-crypt decrypt --raw "$T/random.bin"
check "missing OUTPUT: usage error (2)" status_is 2

# --- --obk-json: an obk-config file from a Tuya backup ---
run tuya-config --obk-json "$LSPA9"
check "--obk-json: the template's pins with OpenBeken roles" eval 'status_is 0 && out_has "\"26\": \"Relay:1\"" && out_has "\"8\": \"LED_WIFI_n\""'
check "--obk-json: no credentials without --show-secrets" eval '! out_has "password"'
cp "$T/out" "$T/obk.json"
check "--obk-json validates against docs/obk-config.schema.json" python3 "$CHECK_JSON" "$top_srcdir/docs/obk-config.schema.json" "$T/obk.json"
head -c $((2 << 20)) /dev/zero | tr '\0' '\377' >"$T/obk-img.bin"
run -c bk7231n --image "$T/obk-img.bin" obk-config write "$T/obk.json"
check "--obk-json output is accepted by obk-config write" status_is 0
run -c bk7231n --image "$T/obk-img.bin" obk-config show
check "obk-config show lists the Tuya pins" eval 'out_has "^pin.26=Relay:1$" && out_has "^pin.10=Button:1$" && out_has "^name.short=obk_CB2S$"'
run tuya-config --obk-json --show-secrets "$MIRA"
check "--obk-json --show-secrets: valid JSON with the pins" python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); assert d["pin"]["6"] == "Relay:1"' "$T/out"

finish
