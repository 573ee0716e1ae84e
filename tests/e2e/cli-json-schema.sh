#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The --json output of every command against docs/cli-json.schema.json,
# checked by tests/e2e/json-schema-check.py (standard library only): each
# output against the $defs entry of its command.
. "$(dirname "$0")/lib.sh"
SCHEMA="$top_srcdir/docs/cli-json.schema.json"
CHECKER="$top_srcdir/tests/e2e/json-schema-check.py"

# valid DEF FILE [COMMAND]: FILE validates against $defs/DEF (and names COMMAND)
valid() {
	python3 - "$CHECKER" "$SCHEMA" "$@" <<'PY'
import importlib.util, json, sys
checker, schema, name, path = sys.argv[1:5]
spec = importlib.util.spec_from_file_location("schema_check", checker)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
doc = json.load(open(path))
errors = []
mod.check(json.load(open(schema))["$defs"][name], doc, "$", errors)
if len(sys.argv) > 5 and doc.get("command") != sys.argv[5]:
    errors.append(f"command is {doc.get('command')!r}, not {sys.argv[5]!r}")
for e in errors:
    print(f"{path}: {e}", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}
# j NAME ARGS...: iotflash --json on the simulated port, stdout in $T/NAME.json
j() {
	local name=$1; shift
	(cd "$T" && "$IOTFLASH" --json -p "$T/tty" -c bk7231n "$@" >"$T/$name.json" 2>"$T/err"); RC=$?
}

cp "$(image bk7231n)" "$T/flash.bin"
cp "$T/flash.bin" "$T/flash-copy.bin"
random_file "$T/image.bin" 8192
start_sim bk7231n "$T/flash.bin" --no-timing || { fail "simulator"; finish; exit; }

j chip-id chip-id
check "chip-id --json matches the schema" valid chip-id "$T/chip-id.json" chip-id
check "chip-id --json on a Beken chip has the RF sector's MAC" grep -qE '"mac": "([0-9a-f]{2}:){5}[0-9a-f]{2}"' "$T/chip-id.json"
j flash-id flash_id
check "flash_id --json matches the schema with the canonical name" valid chip-id "$T/flash-id.json" flash-id
j read read-flash 0x11000 16k "$T/read.bin"
check "read-flash --json matches the schema" valid operation "$T/read.json" read-flash
j write write-flash 0x11000 "$T/image.bin"
check "write-flash --json matches the schema" valid operation "$T/write.json" write-flash
check "write-flash --json names its backup" grep -q '"backup": "backups/' "$T/write.json"
j verify verify-flash 0x11000 "$T/image.bin"
check "verify-flash --json matches the schema" valid operation "$T/verify.json" verify-flash
j mismatch verify-flash 0x20000 "$T/image.bin"
check "a failed verify-flash --json (ok false, mismatch) matches the schema" \
	sh -c "grep -q '\"ok\": false' '$T/mismatch.json' && grep -q '\"mismatch\"' '$T/mismatch.json'"
check "  ... and validates" valid operation "$T/mismatch.json" verify-flash
j rf rf restore --from "$T/flash-copy.bin"
check "rf restore --json matches the schema" valid operation "$T/rf.json" rf-restore
j erase erase-region 0x11000 4k
check "erase-region --json matches the schema" valid operation "$T/erase.json" erase-region
j past read-flash 0x1ff000 8k "$T/past.bin"
check "a failed read-flash --json says ok false with the error" \
	sh -c "grep -q '\"ok\": false' '$T/past.json' && grep -q '\"error\": \"0x1ff000' '$T/past.json'"
check "  ... and validates" valid operation "$T/past.json" read-flash
stop_sim

"$IOTFLASH" --json list-chips >"$T/chips.json" 2>"$T/err"; RC=$?
check "list-chips --json matches the schema" valid list-chips "$T/chips.json"
mkdir "$T/extra"; echo "not a plugin" >"$T/extra/broken.so"
IOTFLASH_PLUGIN_PATH=$IOTFLASH_PLUGIN_PATH:$T/extra "$IOTFLASH" --json list-plugins >"$T/plugins.json" 2>"$T/err"
check "list-plugins --json (with a failed file) matches the schema" valid list-plugins "$T/plugins.json"
"$IOTFLASH" --json list-ports >"$T/ports.json" 2>"$T/err"
check "list-ports --json matches the schema" valid list-ports "$T/ports.json"
HOME=$T "$IOTFLASH" --json loaders >"$T/loaders.json" 2>"$T/err"
check "loaders --json matches the schema" valid loaders "$T/loaders.json" loaders
mkdir -p "$T/.local/share/iotflash/loaders"; printf 'x' >"$T/.local/share/iotflash/loaders/x"
printf 'schema: 1\nloaders:\n  - {name: x, file: x.bin, sha256: %s, chips: [w800]}\n' \
	"$(printf x | sha256sum | cut -d' ' -f1)" >"$T/x.yaml"
HOME=$T IOTFLASH_CHIPDB_PATH=$IOTFLASH_CHIPDB_PATH:$T/x.yaml "$IOTFLASH" --json -c w800 loaders >"$T/present.json" 2>"$T/err"
check "loaders --json with a loader present matches the schema" valid loaders "$T/present.json" loaders
check "  ... and gives its path" grep -q "\"path\": \"$T/.local/share/iotflash/loaders/x\"" "$T/present.json"

# The schema is strict: a document with a misspelt field is refused.
sed 's/"moved"/"moovd"/' "$T/read.json" >"$T/bad.json"
invalid() { ! valid "$@" 2>/dev/null; }
check "the schema refuses an unknown field" invalid operation "$T/bad.json" read-flash
sed 's/"ok": true/"ok": "yes"/' "$T/chip-id.json" >"$T/bad-id.json"
check "the schema refuses a wrong type" invalid chip-id "$T/bad-id.json" chip-id
finish
