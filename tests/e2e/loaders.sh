#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# RAM loaders found by SHA-256 (docs/chipdb.md "Loaders"): `iotflash loaders`
# names what each chip needs and where to get it; a loader copied under any
# name (gzipped or not) into ~/.local/share/iotflash/loaders or
# $XDG_DATA_HOME/iotflash/loaders is found and used; a missing loader fails
# at once with one line saying what to get and where to put it.  The real
# loaders' hashes are unknown here: a test-only chip database file adds each
# stand-in's hash as one more loader of its chip, as a community loader would.
. "$(dirname "$0")/lib.sh"
E2E=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e
export HOME=$T/home XDG_DATA_HOME=
USERDIR=$HOME/.local/share/iotflash/loaders
mkdir -p "$HOME"

python3 "$E2E/gen-w80x-stub.py" "$T/stub.bin"
python3 "$E2E/gen-w80x-stub.py" "$T/stub.gz" --gzip
python3 "$E2E/gen-ln882h-loader.py" gui ln882h "$T/ramcode.bin"
sha() { sha256sum "$1" | cut -d' ' -f1; }
cat >"$T/standins.yaml" <<EOF
# a loaders-only chip database file: stand-ins as extra loaders of their chips
schema: 1
loaders:
  - {name: w800-standin, file: w800-standin.bin, sha256: $(sha "$T/stub.bin"), chips: [w800, w803], caps: [read]}
  - {name: ln882h-standin, file: ln882h-standin.bin, sha256: $(sha "$T/ramcode.bin"), chips: [ln882h],
     caps: [xmodem-read, crc32]}
EOF
WITH_STANDINS=$IOTFLASH_CHIPDB_PATH:$T/standins.yaml

# ---- what `iotflash loaders` says, with nothing installed ----
iot loaders
check "loaders succeeds without a chip" succeeded
for f in BL602Floader_40m.bin BL702Floader_32m.bin LN882H_RamCode.bin LN88xx_RamCode.bin AmebaDFLoader.bin \
	AmebaZ_NewFloader.bin Z2_XModem_Stub.bin Z2_XModem_Stub_z.bin W800_Stub.bin; do
	check "loaders lists $f" out_has "^  $f "
done
check "loaders gives the W800 stub's SHA-256" out_has "04acba82ccc10d9349c1f879fc71cc7b6dac4900041fdec62cb35962e6259ffe"
check "loaders names the public repository to get it from" out_has "missing, get it from openshwprojects/BK7231GUIFlashTool: BK7231Flasher/Floaders/W800_Stub.bin"
check "loaders names the vendor's source too" out_has "ambd_sdk"
check "loaders says what W800 needs its stub for" out_has "^w800 .*to read flash"
check "loaders says AmebaZ2 works without one" out_has "^rtl8720c .*works without"
check "loaders lists the loader directories" out_has "^  $USERDIR/"
check "loaders lists no chip that needs none" sh -c "! grep -q '^bk7231n ' '$T/out'"
iot -c w80x loaders
check "loaders -c FAMILY lists only that family" sh -c "grep -q '^w800 ' '$T/out' && grep -q '^w803 ' '$T/out' && ! grep -q '^bl602 ' '$T/out'"
iot -c bk7231n loaders
check "loaders -c CHIP that needs none says so" out_has "bk7231n needs no RAM loader"
iot -c nosuchchip loaders
check "loaders -c with an unknown chip fails in one line" failed_with "unknown chip 'nosuchchip'"

# ---- a W800 read without its stub: at once, one line, what and where ----
random_file "$T/flash.bin" $((2 * 1024 * 1024))
start_sim w800 "$T/flash.bin" --no-timing || { fail "w800: simulator"; finish; exit; }
iot -c w800 read-flash 0 0x1000 "$T/none.bin"
check "missing stub: read fails" failed_with "W800_Stub.bin"
check "missing stub: the message says where to put it" failed_with "under any name, to $USERDIR/"
check "missing stub: the message gives the hash and the source" failed_with "04acba82.*openshwprojects/BK7231GUIFlashTool"
check "missing stub: one line" test "$(grep -c "^iotflash:" "$T/err")" -eq 1
check "missing stub: not retried as a transient fault" sh -c "! grep -qi 'attempts' '$T/err'"
check "missing stub: no output file" test ! -e "$T/none.bin"
iot -c w800 --no-backup write-flash 0x10000 "$T/stub.bin"
check "missing stub: a write that must read back fails at once too" \
	sh -c "grep -q 'W800_Stub.bin' '$T/err' && ! grep -qi 'attempts' '$T/err'"

# A file called like the stub but with other content is named and ignored.
mkdir -p "$USERDIR"
printf 'not the stub' >"$USERDIR/W800_Stub.bin"
iot -c w800 read-flash 0 0x1000 "$T/none.bin"
check "a look-alike file is named and ignored" failed_with "W800_Stub.bin is not the w800-read-stub.*ignored"
rm -f "$USERDIR/W800_Stub.bin"

# --loader with a file whose hash the database does not know: warned, used.
iot -c w800 --loader "$T/stub.bin" read-flash 0 0x1000 "$T/given.bin"
check "--loader with an unknown hash still works" succeeded
check "  ... with a warning naming the known hashes" grep -qE "no loader the chip database knows for w800 \(known: w800-read-stub \(W800_Stub.bin, SHA-256 04acba82ccc1" "$T/err"
check "  ... and reads the flash" regions_equal "$T/given.bin" "$T/flash.bin" 0 4096

# ---- found by hash under any name: ~/.local/share/iotflash/loaders ----
cp "$T/stub.gz" "$USERDIR/downloaded-from-somewhere"
IOTFLASH_CHIPDB_PATH=$WITH_STANDINS iot -c w800 read-flash 0 0x4000 "$T/home.bin"
check "a gzipped stub under another name in ~/.local/share/iotflash/loaders is used" succeeded
check "  ... without a warning" sh -c "! grep -q warning '$T/err'"
check "  ... and reads the flash" regions_equal "$T/home.bin" "$T/flash.bin" 0 0x4000
IOTFLASH_CHIPDB_PATH=$WITH_STANDINS iot -c w800 loaders
check "loaders shows where the stand-in was found" out_has "present: $USERDIR/downloaded-from-somewhere"
IOTFLASH_CHIPDB_PATH=$WITH_STANDINS iot -c w800 --json loaders
check "loaders --json marks it present with its path" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
w = [c for c in d["chips"] if c["chip"] == "w800"][0]
got = {l["name"]: l for l in w["loaders"]}
ok = (w["use"] == "reads" and w["ready"] and got["w800-standin"]["present"]
      and got["w800-standin"]["path"].endswith("/downloaded-from-somewhere")
      and not got["w800-read-stub"]["present"] and got["w800-read-stub"]["path"] is None
      and got["w800-read-stub"]["size"] == 3140)
sys.exit(0 if ok else 1)' "$T/out"
rm -f "$USERDIR/downloaded-from-somewhere"

# ---- ... and $XDG_DATA_HOME/iotflash/loaders, not gzipped ----
mkdir -p "$T/xdg/iotflash/loaders"
cp "$T/stub.bin" "$T/xdg/iotflash/loaders/x"
XDG_DATA_HOME=$T/xdg IOTFLASH_CHIPDB_PATH=$WITH_STANDINS iot -c w803 read-flash 0x1000 0x1000 "$T/xdg.bin"
check "a stub in \$XDG_DATA_HOME/iotflash/loaders is used (W803 shares it)" succeeded
check "  ... and reads the flash" regions_equal "$T/xdg.bin" <(tail -c +$((0x1000 + 1)) "$T/flash.bin") 0 4096
stop_sim

# ---- another family: the LN882H RAM code, uploaded by the ROM ----
random_file "$T/ln.bin" $((2 * 1024 * 1024))
start_sim ln882h "$T/ln.bin" --no-timing || { fail "ln882h: simulator"; finish; exit; }
iot -c ln882h chip-id
check "ln882h: without its RAM code, chip-id fails at once naming LN882H_RamCode.bin" failed_with "LN882H_RamCode.bin"
cp "$T/ramcode.bin" "$USERDIR/ramcode-any-name"
IOTFLASH_CHIPDB_PATH=$WITH_STANDINS iot -c ln882h read-flash 0x7000 0x2000 "$T/ln-read.bin"
check "ln882h: a RAM code under any name in the loader directory is used" succeeded
check "  ... and reads the flash" regions_equal "$T/ln-read.bin" <(tail -c +$((0x7000 + 1)) "$T/ln.bin") 0 0x2000
rm -f "$USERDIR/ramcode-any-name"
stop_sim

# ---- a loaders file naming no chip of the database is refused ----
printf 'schema: 1\nloaders:\n  - {name: x, file: x.bin, sha256: %s, chips: [w999]}\n' "$(sha "$T/stub.bin")" >"$T/typo.yaml"
IOTFLASH_CHIPDB_PATH=$IOTFLASH_CHIPDB_PATH:$T/typo.yaml iot loaders
check "a loader naming an unknown chip is an error with file:line:col" failed_with "typo.yaml:3:.*unknown chip 'w999'"
finish
