#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# `iotflash tuya-config` and `iotflash beken-crypt` on flash images (the
# stores tests/fixtures/mkimage.py encodes, or the real dumps of configure
# --with-dumps), damaged copies of them, and the JSON schema.  What each
# image must yield is in its facts (lib.sh: fact).
. "$(dirname "$0")/lib.sh"

SCHEMA="$top_srcdir/docs/tuya-config.schema.json"
CHECK_JSON="$top_srcdir/tests/e2e/json-schema-check.py"
PLUG=$(image bk7231n-b)    # plain plug, chip told by the RF sector
METER=$(image bk7231n)     # metering plug with a protected block
BULB=$(image bk7231t)      # bulb, paired, template in two parts

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
# the OpenBeken startup commands, ;-separated (as in the facts)
commands() { python3 -c 'import json,sys; print(";".join(json.load(open(sys.argv[1])).get("obk_commands", [])))' "$T/out"; }

# --- each image: module, chip, pins and OpenBeken roles, secrets ---
expect_image() {
	local role=$1 file; file=$(image "$1")
	local module; module=$(fact "$role" module)
	run tuya-config "$file" --json
	check "$role: --json exits 0" status_is 0
	check "$role: JSON validates against the schema" valid_json
	check "$role: module $module" [ "$(json_field module)" = "$module" ]
	check "$role: chip $(fact "$role" tuya_chip)" [ "$(json_field chip)" = "$(fact "$role" tuya_chip)" ]
	check "$role: OpenBeken roles" [ "$(roles)" = "$(fact "$role" roles)" ]
	check "$role: OpenBeken startup commands" [ "$(commands)" = "$(fact "$role" commands)" ]
	check "$role: complete, nothing damaged" [ "$(json_field complete)" = True ]
	check "$role: Wi-Fi credentials hidden by default (JSON)" python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); assert d["wifi"] == {"paired": sys.argv[2] == "1"}, d["wifi"]
assert all("value" not in k for k in d["keys"] if k["secret"])
text = open(sys.argv[1]).read()
assert all(not w or w not in text for w in sys.argv[3:])' "$T/out" "$(fact "$role" paired)" \
		"$(fact "$role" ssid)" "$(fact "$role" password)"
	run tuya-config "$file"
	check "$role: text names the module" out_has "module: +$module"
	check "$role: text shows the pin" out_has "$(fact "$role" text_line)"
	run tuya-config "$file" --openbeken
	check "$role: --openbeken lists the roles" out_has "^OpenBeken pin roles:"
	check "$role: --openbeken role line" out_has "$(fact "$role" obk_line)"
	local cmd; cmd=$(fact "$role" commands)
	if [ -n "$cmd" ]; then
		check "$role: --openbeken startup command" out_has "^  $cmd$"
	fi
	if [ "$(fact "$role" paired)" = 1 ]; then
		run tuya-config "$file"
		check "$role: Wi-Fi hidden by default (text)" out_has "paired \(SSID and password hidden"
		check "$role: the password is not in the text" eval '[ -z "$(fact "$role" password)" ] || ! grep -qF -- "$(fact "$role" password)" "$T/out"'
		run tuya-config "$file" --json --show-secrets
		check "$role: --show-secrets: JSON validates" valid_json
		check "$role: --show-secrets: SSID and password shown" python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); assert d["wifi"]["ssid"]
assert not sys.argv[2] or (d["wifi"]["ssid"], d["wifi"]["password"]) == (sys.argv[2], sys.argv[3]), d["wifi"]' \
			"$T/out" "$(fact "$role" ssid)" "$(fact "$role" password)"
	fi
}
expect_image bk7231n-b
expect_image bk7231n
expect_image bk7231t

# --- other places the store is found: rotated dumps, the bare arena ---
STORE=$(($(fact bk7231n-b store_offset)))
{ tail -c +$((0x11000 + 1)) "$PLUG"; head -c $((0x11000)) "$PLUG"; } >"$T/rotated.bin"
run tuya-config "$T/rotated.bin" --json
check "rotated by 0x11000: found, same roles" eval '[ "$(roles)" = "$(fact bk7231n-b roles)" ]'
check "rotated by 0x11000: store 0x11000 earlier" eval '[ "$(json_field store_offset)" = $((STORE - 0x11000)) ]'
tail -c +$((STORE + 1)) "$PLUG" | head -c $((0x12000)) >"$T/arena.bin"
run tuya-config "$T/arena.bin" --json
check "bare 0x12000-byte arena: module" eval 'status_is 0 && [ "$(json_field module)" = "$(fact bk7231n-b module)" ]'

# --- damaged records the encoder made (generated images only: real dumps
# have no such copies; tests/fixtures/mkimage.py DAMAGE) ---
for role in bk7231n-b-badsum bk7231n-b-nopart; do
	[ -r "$IOTFLASH_FACTS/$role.facts" ] || continue
	run tuya-config "$(image $role)" --json
	check "$role: partial result, exit 3" status_is 3
	check "$role: JSON validates, complete false" eval 'valid_json && [ "$(json_field complete)" = False ]'
	IFS=';' read -ra want <<<"$(fact $role warnings)"
	for w in "${want[@]}"; do
		check "$role: warns: $w" grep -qF -- "$w" "$T/err"
	done
	check "$role: the intact keys are recovered" python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); names = [k["name"] for k in d["keys"]]
assert sys.argv[2] in names, names' "$T/out" "$(fact $role other_key)"
	check "$role: module as far as it survives" [ "$(json_field module)" = "$(fact $role module | sed 's/^$/None/')" ]
done

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
head -c $((STORE + 0x6000)) "$PLUG" >"$T/truncated.bin"
check "copies of dumps are private (0600)" mode_is "$T/truncated.bin" 600
run tuya-config "$T/truncated.bin"
check "truncated: exit 3" status_is 3
check "truncated: warns" err_has "truncated"
check "truncated: the template survives" out_has "module: +$(fact bk7231n-b module)"
run tuya-config "$T/truncated.bin" --json
check "truncated: JSON validates, complete false" eval 'valid_json && [ "$(json_field complete)" = False ]'

# the template's block overwritten: the other keys are still listed
TPL=$(fact bk7231n-b template_block)
cp "$PLUG" "$T/damaged.bin"
head -c 4000 /dev/urandom | dd of="$T/damaged.bin" bs=1 seek=$((TPL + 16)) conv=notrunc 2>/dev/null
run tuya-config "$T/damaged.bin" --json
check "damaged block: exit 3" status_is 3
check "damaged block: the sector is named" err_has "$TPL"
check "damaged block: JSON validates" valid_json
check "damaged block: other keys recovered" python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); assert sys.argv[2] in [k["name"] for k in d["keys"]]' "$T/out" "$(fact bk7231n-b other_key)"

# --- beken-crypt ---
run beken-crypt --help
check "beken-crypt --help" eval 'status_is 0 && out_has "find-key"'
run beken-crypt find-key "$PLUG"
check "find-key: the Tuya key" out_has "^510fb093 a3cbeadc 5993a17e c7adeb03"
run beken-crypt decrypt --part bootloader "$PLUG" "$T/boot.bin"
check "decrypt bootloader: version string" eval 'status_is 0 && grep -qa "$(fact bk7231n-b boot_version)" "$T/boot.bin"'
run beken-crypt decrypt --part app --key auto "$PLUG" "$T/app.bin"
check "decrypt app: ARM vector table" eval 'status_is 0 && [ "$(slice "$T/app.bin" 0 8)" = 0e0000ea14f09fe5 ]'
run beken-crypt encrypt --addr 0x10000 "$T/app.bin" "$T/app-enc.bin"
check "encrypt app: back to the flash bytes" eval 'status_is 0 && cmp -s "$T/app-enc.bin" <(tail -c +$((0x11000 + 1)) "$PLUG" | head -c "$(stat -c %s "$T/app-enc.bin")")'
run beken-crypt crc-strip "$PLUG" "$T/boot-logical.bin"
run beken-crypt crc-add "$T/boot-logical.bin" "$T/boot-phys.bin"
check "crc-strip then crc-add: same bytes" eval 'cmp -s "$T/boot-phys.bin" <(head -c "$(stat -c %s "$T/boot-phys.bin")" "$PLUG")'
run beken-crypt decrypt --key 1234 "$PLUG" "$T/x.bin"
check "bad key: usage error (2)" eval 'status_is 2 && one_error_line "--key"'
run beken-crypt decrypt --raw "$T/random.bin"
check "missing OUTPUT: usage error (2)" status_is 2

# --- --obk-json: an obk-config file from a Tuya backup ---
run tuya-config --obk-json "$METER"
check "--obk-json: the template's pins with OpenBeken roles" eval 'status_is 0 && out_has "\"26\": \"Relay:1\"" && out_has "\"10\": \"LED_WIFI_n\""'
check "--obk-json: no credentials without --show-secrets" eval '! out_has "password"'
cp "$T/out" "$T/obk.json"
check "--obk-json validates against docs/obk-config.schema.json" python3 "$CHECK_JSON" "$top_srcdir/docs/obk-config.schema.json" "$T/obk.json"
head -c $((2 << 20)) /dev/zero | tr '\0' '\377' >"$T/obk-img.bin"
run -c bk7231n --image "$T/obk-img.bin" obk-config write "$T/obk.json"
check "--obk-json output is accepted by obk-config write" status_is 0
run -c bk7231n --image "$T/obk-img.bin" obk-config show
check "obk-config show lists the Tuya pins" eval 'out_has "^pin.26=Relay:1$" && out_has "^pin.11=Button:1$" && out_has "^name.short=obk_CB2S$"'
run tuya-config --obk-json --show-secrets "$BULB"
check "--obk-json --show-secrets: valid JSON with the pins and the Wi-Fi" python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); assert d["pin"]["6"] == "PWM:2" and d["wifi"]["ssid"] == sys.argv[2]' "$T/out" "$(fact bk7231t ssid)"

finish
