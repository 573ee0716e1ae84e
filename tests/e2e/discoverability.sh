#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Discoverability (issue 8 item 6): list-plugins shows each plugin's file,
# version and the chips it serves, and the files that failed to load with
# the loader's reason; list-ports runs; the --json variants are JSON.
. "$(dirname "$0")/lib.sh"

json_ok() { python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1"; }

"$IOTFLASH" list-plugins >"$T/out" 2>"$T/err"; RC=$?
check "list-plugins succeeds" succeeded
check "list-plugins names the bk72xx file" grep -qE '^ +file: .*/bk72xx\.(la|so)$' "$T/out"
check "list-plugins shows the bk72xx version" grep -qE '^ +version: [0-9]+\.[0-9]+\.[0-9]+ \(ABI 2\.[0-9]+\)' "$T/out"
check "list-plugins lists bk7231n among the chips bk72xx serves" \
	sh -c "sed -n '/^bk72xx /,/^[^ ]/p' '$T/out' | grep -qE '^ +chips: .*\\bbk7231n\\b'"
check "no plugin failed in the build tree" sh -c "! grep -q '^failed:' '$T/out'"

# A directory on IOTFLASH_PLUGIN_PATH with a file that is no library and a
# plugin built for another ABI major.
mkdir "$T/extra"
echo "not a plugin" >"$T/extra/broken.so"
cp "$IOTFLASH_TEST_PLUGINS/badabi.so" "$T/extra/"
IOTFLASH_PLUGIN_PATH=$IOTFLASH_PLUGIN_PATH:$T/extra "$IOTFLASH" list-plugins >"$T/out" 2>"$T/err"; RC=$?
check "list-plugins with broken files still succeeds" succeeded
check "the non-library file is listed with its reason" \
	grep -qE "^failed: +$T/extra/broken\.so: .*not a shared library" "$T/out"
check "the wrong-ABI plugin is listed with its reason" \
	grep -qE "^failed: +$T/extra/badabi\.so: .*ABI" "$T/out"
check "the failure is still logged as a warning" grep -q "warning: .*broken\.so" "$T/err"
check "the good plugins are still listed" grep -q '^bk72xx ' "$T/out"

IOTFLASH_PLUGIN_PATH=$IOTFLASH_PLUGIN_PATH:$T/extra "$IOTFLASH" --json list-plugins >"$T/plugins.json" 2>"$T/err"; RC=$?
check "list-plugins --json succeeds" succeeded
check "list-plugins --json is valid JSON" json_ok "$T/plugins.json"
check "list-plugins --json: bk72xx with its file, version and bk7231n" python3 - "$T/plugins.json" <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
bk = [p for p in doc if p.get("name") == "bk72xx"]
assert len(bk) == 1 and bk[0]["loaded"] is True, doc
assert re.search(r"/bk72xx\.(la|so)$", bk[0]["path"]), bk[0]
assert re.match(r"\d+\.\d+\.\d+$", bk[0]["version"]) and "bk7231n" in bk[0]["chips"], bk[0]
PY
check "list-plugins --json: the broken file with loaded false and its error" python3 - "$T/plugins.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
bad = [p for p in doc if p["path"].endswith("/broken.so")]
assert len(bad) == 1 and bad[0]["loaded"] is False and "not a shared library" in bad[0]["error"], doc
PY

"$IOTFLASH" list-ports >"$T/out" 2>"$T/err"; RC=$?
check "list-ports runs" succeeded
"$IOTFLASH" --json list-ports >"$T/ports.json" 2>"$T/err"; RC=$?
check "list-ports --json runs" succeeded
check "list-ports --json is a JSON array" \
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert isinstance(d, list) and all("port" in p for p in d)' "$T/ports.json"
finish
