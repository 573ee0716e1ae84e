#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Bad input table (issue 4): every case must fail with a non-zero status
# (1 or 2, never a signal or a timeout), end with one `iotflash: ...` line
# naming the problem, print no sanitizer report, create no output file, and
# leave every byte of the simulated flash as it was.
. "$(dirname "$0")/lib.sh"
FAKEPORT="$(dirname "$0")/hardening-fakeport.py"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"${NOBODY[@]}" true 2>/dev/null || NOBODY=()

cp "$(image bk7231n)" "$T/flash.bin"
cp "$T/flash.bin" "$T/orig.bin"
start_sim bk7231n "$T/flash.bin" --no-timing || { fail "simulator"; finish; exit 1; }
P=(-p "$T/tty")
mkdir -m 711 "$T/pub"; chmod 711 "$T"   # reachable by the unprivileged user
random_file "$T/pub/img.bin" 4096; chmod 644 "$T/pub/img.bin"
random_file "$T/big.bin" $((3 * 1024 * 1024))
random_file "$T/app8k.bin" 8192
: >"$T/empty.bin"
mkdir "$T/adir" "$T/outd"

# bad DESC SECONDS PATTERN COMMAND...: COMMAND must be rejected as above
# within SECONDS, its last stderr line matching PATTERN.
bad() {
	local d=$1 limit=$2 pat=$3 start=$SECONDS last; shift 3
	timeout "$limit" "$@" >"$T/out" 2>"$T/err"; RC=$?
	last=$(grep -v '^ *$' "$T/err" | tail -n 1)
	if [ "$RC" -eq 124 ]; then fail "$d: still running after $limit s"
	elif [ "$RC" -ne 1 ] && [ "$RC" -ne 2 ]; then fail "$d: status $RC (want 1 or 2)"
	elif ! grep -qE '^iotflash: ' <<<"$last" || ! grep -qiE -- "$pat" <<<"$last"; then fail "$d: last line '$last' does not match /$pat/"
	elif grep -qE 'AddressSanitizer|runtime error|LeakSanitizer|Segmentation|Aborted' "$T/err"; then fail "$d: crash report"
	elif [ -n "$(ls -A "$T/outd")" ]; then fail "$d: left $(ls -A "$T/outd") in the output directory"
	elif ! cmp -s "$T/flash.bin" "$T/orig.bin"; then fail "$d: the flash changed"
	else pass "$d ($((SECONDS - start)) s): $last"
	fi
	rm -f "$T/outd"/* "$T/outd"/.[!.]* 2>/dev/null
}
I=$IOTFLASH
O=$T/outd/o.bin

# --- the port
bad "no such port" 10 "no such port.*list-ports" $I -p "$T/nonexistent" -c bk7231n chip-id
bad "port is a directory" 10 "is a directory, not a serial port" $I -p "$T/adir" -c bk7231n chip-id
bad "port is a regular file" 10 "regular file, not a serial port" $I -p "$T/big.bin" -c bk7231n chip-id
if [ ${#NOBODY[@]} -gt 0 ]; then
	pts=$(readlink -f "$T/tty"); mode=$(stat -c %a "$pts")
	ln -s "$pts" "$T/pub/tty"; chmod 600 "$pts"
	bad "port permission denied (unprivileged user)" 10 "permission denied.*(udev|group)" \
		"${NOBODY[@]}" $I -p "$T/pub/tty" -c bk7231n chip-id
	chmod "$mode" "$pts"
fi
flock "$T/tty" sleep 5 & lockpid=$!; sleep 0.3
bad "port busy (locked by another program)" 10 "in use by another program" $I "${P[@]}" -c bk7231n chip-id
kill $lockpid 2>/dev/null; wait $lockpid 2>/dev/null
bad "no port given" 10 "needs --port" $I -c bk7231n chip-id

# --- the device: silence, garbage, another family's protocol
python3 "$FAKEPORT" "$T/silent" silence 120 >"$T/fake1.out" & fake1=$!
python3 "$FAKEPORT" "$T/noisy" garbage 120 >"$T/fake2.out" & fake2=$!
for _ in $(seq 100); do [ -s "$T/fake1.out" ] && [ -s "$T/fake2.out" ] && break; sleep 0.05; done
bad "silent device (bk7231n)" 40 "no answer.*(wiring|reset)" $I -p "$T/silent" -c bk7231n chip-id
bad "device sends garbage (bk7231n)" 40 "other data arrived: something else talks" $I -p "$T/noisy" -c bk7231n chip-id
bad "device sends garbage (bl602)" 40 "other data arrived: something else talks" $I -p "$T/noisy" -c bl602 chip-id
kill $fake1 $fake2; wait $fake1 $fake2 2>/dev/null
bad "-c bl602 against a BK7231N" 40 "no answer.*(BOOT|handshake)" $I "${P[@]}" -c bl602 chip-id
bad "-c w800 against a BK7231N" 40 "no .C. from the chip|download mode" $I "${P[@]}" -c w800 chip-id
bad "-c gd32vw553 with a --loader that does not exist" 10 "loader|no such file" $I "${P[@]}" -c gd32vw553 \
	--loader "$T/no-such-stub.bin" chip-id
bad "-c rda5981 with a --loader that does not exist" 10 "loader|no such file" $I "${P[@]}" -c rda5981 \
	--loader "$T/no-such-stub.bin" chip-id

# --- the chip name
bad "unknown chip" 10 "unknown chip 'bk9999'.*list-chips" $I "${P[@]}" -c bk9999 chip-id
bad "no chip given" 10 "needs --chip" $I "${P[@]}" chip-id
bad "device reports another chip (bk7231t on a BK7231N)" 30 "reports bk7231n, not bk7231t" \
	$I "${P[@]}" -c bk7231t --no-backup write-flash 0x11000 "$T/app8k.bin"

# --- images, offsets and sizes
bad "image larger than the flash" 10 "larger than the 2048 KiB flash" $I "${P[@]}" -c bk7231n --no-backup write-flash 0x11000 "$T/big.bin"
bad "image reaching past the end" 10 "past the end of the 2048 KiB flash" $I "${P[@]}" -c bk7231n --no-backup write-flash 0x1ff000 "$T/app8k.bin"
bad "write offset past the end" 10 "past the end" $I "${P[@]}" -c bk7231n --no-backup write-flash 0x300000 "$T/app8k.bin"
bad "read reaching past the end" 30 "reaches past the end" $I "${P[@]}" -c bk7231n read-flash 0x1ff000 0x2000 "$O"
bad "read-flash ADDR all past the end" 30 "past the end" $I "${P[@]}" -c bk7231n read-flash 0x200000 all "$O"
bad "erase reaching past the end" 30 "past the end" $I "${P[@]}" -c bk7231n --no-backup erase-region 0x1ff000 0x2000
bad "unaligned erase offset" 30 "multiples of 0x1000" $I "${P[@]}" -c bk7231n --no-backup erase-region 0x11001 0x1000
bad "unaligned erase size" 30 "multiples of 0x1000" $I "${P[@]}" -c bk7231n --no-backup erase-region 0x11000 0x800
bad "empty image" 10 "is empty: nothing to write" $I "${P[@]}" -c bk7231n --no-backup write-flash 0x11000 "$T/empty.bin"
bad "missing image" 10 "cannot open .*No such file" $I "${P[@]}" -c bk7231n --no-backup write-flash 0x11000 "$T/missing.bin"
bad "image is a directory" 10 "not a regular file" $I "${P[@]}" -c bk7231n --no-backup write-flash 0x11000 "$T/adir"
if [ ${#NOBODY[@]} -gt 0 ]; then
	chmod 600 "$T/pub/img.bin"
	bad "unreadable image (unprivileged user)" 10 "cannot open .*permission denied" \
		"${NOBODY[@]}" $I "${P[@]}" -c bk7231n --no-backup write-flash 0x11000 "$T/pub/img.bin"
	bad "unwritable output directory (unprivileged user)" 10 "no permission to write in" \
		"${NOBODY[@]}" $I "${P[@]}" -c bk7231n read-flash 0 0x1000 "$T/pub/o.bin"
fi
bad "verify of an empty image" 10 "is empty" $I "${P[@]}" -c bk7231n verify-flash 0x11000 "$T/empty.bin"
bad "overlapping images" 10 "overlap" $I "${P[@]}" -c bk7231n --no-backup write-flash 0x11000 "$T/app8k.bin" 0x12000 "$T/app8k.bin"
bad "write into the bootloader without --force" 30 "protected bootloader.*--force" $I "${P[@]}" -c bk7231n --no-backup write-flash 0x0 "$T/app8k.bin"
bad "erase of the bootloader without --force" 30 "protected bootloader.*--force" $I "${P[@]}" -c bk7231n --no-backup erase-region 0x0 0x1000

# --- outputs
bad "output in a missing directory" 10 "directory .* does not exist" $I "${P[@]}" -c bk7231n read-flash 0 0x1000 "$T/nodir/o.bin"
bad "output is a directory" 10 "is a directory" $I "${P[@]}" -c bk7231n read-flash 0 0x1000 "$T/outd"
bad "output equal to the port" 10 "is the serial port" $I "${P[@]}" -c bk7231n read-flash 0 0x1000 "$T/tty"
bad "output equal to the --loader file" 10 "is the --loader file" $I "${P[@]}" -c bk7231n --loader "$T/app8k.bin" read-flash 0 0x1000 "$T/app8k.bin"
bad "output is a device" 10 "device or FIFO" $I "${P[@]}" -c bk7231n read-flash 0 0x1000 /dev/null
check "the port link survived" test -L "$T/tty"

# --- numbers
bad "address '0x'" 10 "invalid address '0x'" $I "${P[@]}" -c bk7231n read-flash 0x 0x1000 "$O"
bad "address '-1'" 10 "invalid number '-1'.*negative" $I "${P[@]}" -c bk7231n read-flash -1 0x1000 "$O"
bad "address '1e3'" 10 "invalid address '1e3'" $I "${P[@]}" -c bk7231n read-flash 1e3 0x1000 "$O"
bad "size overflowing 32 bits (decimal)" 10 "invalid size '99999999999'" $I "${P[@]}" -c bk7231n read-flash 0 99999999999 "$O"
bad "size overflowing 32 bits (hex)" 10 "invalid size '0x100000000'" $I "${P[@]}" -c bk7231n read-flash 0 0x100000000 "$O"
bad "size with a suffix overflowing" 10 "invalid size '4096M'" $I "${P[@]}" -c bk7231n read-flash 0 4096M "$O"
bad "size with trailing junk '4kb'" 10 "invalid size '4kb'" $I "${P[@]}" -c bk7231n read-flash 0 4kb "$O"
bad "empty address" 10 "invalid address ''" $I "${P[@]}" -c bk7231n read-flash "" 0x1000 "$O"
bad "read SIZE of 0" 10 "size is 0" $I "${P[@]}" -c bk7231n read-flash 0 0 "$O"
bad "erase SIZE of 0" 10 "size is 0" $I "${P[@]}" -c bk7231n --no-backup erase-region 0x11000 0
bad "malformed baud rate" 10 "invalid baud rate 'fast'" $I "${P[@]}" -c bk7231n -b fast chip-id
bad "baud rate below 1200" 10 "invalid baud rate '300'" $I "${P[@]}" -c bk7231n -b 300 chip-id
bad "missing operand" 10 "takes 3 arguments" $I "${P[@]}" -c bk7231n read-flash 0 0x1000
bad "unknown command" 10 "unknown command|usage" $I "${P[@]}" -c bk7231n frobnicate
bad "unknown option" 10 "unknown or incomplete option .--frobnicate.*--help" $I "${P[@]}" -c bk7231n --frobnicate chip-id

# --- chip database files
db() { printf 'schema: 1\nfamily: xfam\nplugin: xfam\ndriver: xfam\n%s\n' "$2" >"$T/$1.yaml"; }
printf 'schema: 1\nfamily: [x\n' >"$T/syntax.yaml"
db dup 'chips:\n  - name: bk7231n'
db type 'chips:\n  - name: xchip\n    max_baud: "fast"'
printf 'schema: 1\nfamily: xfam\nplugin: xfam\nchips: []\n' >"$T/missing.yaml"
db unknown 'chips:\n  - name: xchip\n    colour: red'
db range 'chips:\n  - name: xchip\n    max_baud: 99999999999'
db notpow2 'chips:\n  - name: xchip\n    flash_size: 3000'
printf 'schema: 7\nfamily: xfam\n' >"$T/schema.yaml"
printf 'schema: 1\nfamily: xfam\nplugin: xfam\ndriver: xfam\nchips:\n  - name: "x\\nchip"\n' >"$T/multiline.yaml"
for f in dup type unknown range notpow2; do sed -i 's/\\n/\n/g' "$T/$f.yaml"; done
bad "chipdb: YAML syntax error" 10 "syntax.yaml:[0-9]+:[0-9]+: YAML syntax error" $I --chipdb "$T/syntax.yaml" "${P[@]}" -c bk7231n chip-id
bad "chipdb: duplicate chip name" 10 "dup.yaml:[0-9]+:[0-9]+: duplicate chip name 'bk7231n'" $I --chipdb "$T/dup.yaml" "${P[@]}" -c bk7231n chip-id
bad "chipdb: wrong type" 10 "type.yaml:[0-9]+:[0-9]+: 'max_baud' must be a number" $I --chipdb "$T/type.yaml" "${P[@]}" -c bk7231n chip-id
bad "chipdb: missing field" 10 "missing.yaml:[0-9]+:[0-9]+: .*no 'driver'" $I --chipdb "$T/missing.yaml" "${P[@]}" -c bk7231n chip-id
bad "chipdb: unknown key (IOTFLASH_CHIPDB_PATH)" 10 "unknown.yaml:[0-9]+:[0-9]+: unknown key 'colour'" \
	env IOTFLASH_CHIPDB_PATH="$IOTFLASH_CHIPDB_PATH:$T/unknown.yaml" $I "${P[@]}" -c bk7231n chip-id
bad "chipdb: out-of-range number" 10 "range.yaml:[0-9]+:[0-9]+: 'max_baud' 99999999999 is out of range" $I --chipdb "$T/range.yaml" "${P[@]}" -c bk7231n chip-id
bad "chipdb: size not a power of two" 10 "notpow2.yaml:[0-9]+:[0-9]+: .*power of two" $I --chipdb "$T/notpow2.yaml" "${P[@]}" -c bk7231n chip-id
bad "chipdb: a multi-line value stays on one line" 10 "multiline.yaml:[0-9]+:[0-9]+: 'name' must be .*'x chip'" $I --chipdb "$T/multiline.yaml" "${P[@]}" -c bk7231n chip-id
bad "chipdb: newer schema" 10 "schema.yaml:[0-9]+:[0-9]+: .*schema" $I --chipdb "$T/schema.yaml" "${P[@]}" -c bk7231n chip-id
bad "chipdb: path does not exist" 10 "nochipdb.yaml" $I --chipdb "$T/nochipdb.yaml" "${P[@]}" -c bk7231n chip-id

# --- plugins: the chip's family is served by a bad plugin file
printf 'schema: 1\nfamily: xfam\nplugin: xplug\ndriver: x\nchips:\n  - name: xchip\n' >"$T/xfam.yaml"
mkdir -m 755 "$T/abi" "$T/notlib" "$T/open"
cp "$IOTFLASH_TEST_PLUGINS/badabi.so" "$T/abi/xplug.so"
echo "this is not a library" >"$T/notlib/xplug.so"
cp "$IOTFLASH_TEST_PLUGINS/noop.so" "$T/open/xplug.so"; chmod 777 "$T/open"
bad "plugin with another ABI version" 10 "ABI 1\.1, this iotflash expects 2\.x.*rebuild" env IOTFLASH_PLUGIN_PATH="$T/abi" $I --chipdb "$T/xfam.yaml" "${P[@]}" -c xchip chip-id
bad "plugin file that is not a library" 10 "not a shared library" env IOTFLASH_PLUGIN_PATH="$T/notlib" $I --chipdb "$T/xfam.yaml" "${P[@]}" -c xchip chip-id
bad "world-writable plugin directory" 10 "world-writable.*refusing.*chmod o-w" env IOTFLASH_PLUGIN_PATH="$T/open" $I --chipdb "$T/xfam.yaml" "${P[@]}" -c xchip chip-id

stop_sim
# A BK7231N client against a W800 (another family's protocol on the wire).
random_file "$T/w800.bin" $((2 * 1024 * 1024)); cp "$T/w800.bin" "$T/flash.bin"; cp "$T/w800.bin" "$T/orig.bin"
start_sim w800 "$T/flash.bin" --no-timing || fail "w800 simulator"
bad "-c bk7231n against a W800" 40 "no answer" $I "${P[@]}" -c bk7231n chip-id
stop_sim

# RTL8721DA through the A5 stub (docs/protocols/a5-stub-families.md).
SRC=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e
python3 "$SRC/gen-a5-standin.py" rtl8721da "$T/rtl-bad.bin" --corrupt
random_file "$T/rtl.bin" $((4 << 20)); cp "$T/rtl.bin" "$T/flash.bin"; cp "$T/rtl.bin" "$T/orig.bin"
start_sim rtl8721da "$T/flash.bin" --no-timing || fail "rtl8721da simulator"
bad "-c amebadplus: the family cannot be told apart" 10 "name the chip: -c rtl8721da or -c rtl8720e" $I "${P[@]}" -c amebadplus chip-id
bad "rtl8721da: obk-config on a backup file" 10 "key-value store.*--port" $I -c rtl8721da --image "$T/rtl.bin" obk-config show
bad "rtl8721da: no stub file" 10 "RTL8721DA_Stub\.bin" env XDG_DATA_HOME="$T/adir" HOME="$T/adir" $I "${P[@]}" -c rtl8721da read-flash 0 0x1000 "$O"
bad "rtl8721da: a corrupted stub" 40 "stub did not answer.*RTL8721DA_Stub\.bin" $I "${P[@]}" -c rtl8721da --loader "$T/rtl-bad.bin" read-flash 0 0x1000 "$O"

stop_sim
# XRadio: another generation of boot ROM, the XR809 stub missing or damaged
# (last: the model hangs on the damaged stub's jump, as the chip would).
python3 "$(dirname "$0")/gen-xradio-stub.py" "$T/xr-bad-stub.bin" --corrupt
random_file "$T/xr.bin" $((2 * 1024 * 1024)); cp "$T/xr.bin" "$T/flash.bin"; cp "$T/xr.bin" "$T/orig.bin"
start_sim xr809 "$T/flash.bin" --no-timing || fail "xr809 simulator"
bad "-c xr806 against an XR809 (boot ROM v1)" 20 "boot ROM v1, not xr806" $I "${P[@]}" -c xr806 --no-backup write-flash 0x8000 "$T/app8k.bin"
bad "-c xr809 without its RAM stub" 20 "XR809_Stub.bin" env HOME="$T/nohome" $I "${P[@]}" -c xr809 chip-id
bad "-c xr809 with a damaged RAM stub" 20 "stub did not answer" $I "${P[@]}" -c xr809 --loader "$T/xr-bad-stub.bin" chip-id

# ESWIN: the ROM loads whatever it is sent, so every check comes first.
stop_sim
GENE=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/gen-eswin-loader.py
python3 "$GENE" ecr6600 "$T/ecr.ldr"; python3 "$GENE" tr6260 "$T/tr.ldr"
python3 "$GENE" ecr6600 "$T/ecr-bad.ldr" --corrupt
for c in ecr6600 tr6260; do
	if [ $c = ecr6600 ]; then sz=$((2 << 20)); rf=0x1FE000; ld=$T/ecr.ldr; lname=ECR6600_Stub_Custom; else sz=$((1 << 20)); rf=0x0FF000; ld=$T/tr.ldr; lname=TR6260_Boot; fi
	random_file "$T/flash.bin" $sz; cp "$T/flash.bin" "$T/orig.bin"
	start_sim $c "$T/flash.bin" --no-timing || fail "$c simulator"
	bad "$c: no loader file" 40 "$lname" env HOME="$T/pub" $I "${P[@]}" -c $c read-flash 0 0x1000 "$O"
	bad "$c: image larger than the flash" 40 "larger|too large|beyond|exceeds|past the end" $I "${P[@]}" -c $c --loader "$ld" --no-backup write-flash 0 "$T/big.bin"
	bad "$c: write over the RF calibration without --force" 40 "protected|force" $I "${P[@]}" -c $c --loader "$ld" --no-backup write-flash $rf "$T/pub/img.bin"
	bad "$c: erase-region unaligned" 40 "units of 4 KiB.*multiples" $I "${P[@]}" -c $c --loader "$ld" --no-backup erase-region 0x7100 0x1000
	bad "$c: read past the end of the flash" 40 "end of the flash|beyond|exceeds|past|larger" $I "${P[@]}" -c $c --loader "$ld" read-flash $((sz - 0x1000)) 0x2000 "$O"
	stop_sim
done
start_sim ecr6600 "$T/flash.bin" --no-timing || fail "ecr6600 simulator"
bad "ecr6600: a damaged stub (the chip hangs on it)" 60 "stub did not answer" $I "${P[@]}" -c ecr6600 --loader "$T/ecr-bad.ldr" read-flash 0 0x1000 "$O"
stop_sim

# OPL1000A2: two loader files by role; stage 2 missing is said before any
# reset (docs/protocols/a5-stub-families.md §3.3, §4).
mkdir -p "$T/oplhome/.local/share/iotflash/loaders"
python3 "$SRC/gen-opl1000-standin.py" stage1 "$T/oplhome/.local/share/iotflash/loaders/s1.bin"
printf 'schema: 1\nloaders:\n  - {name: s1, role: stage1, file: s1.bin, sha256: %s, chips: [opl1000a2]}\n' \
	"$(sha256sum <"$T/oplhome/.local/share/iotflash/loaders/s1.bin" | cut -d' ' -f1)" >"$T/opl.yaml"
random_file "$T/opl.bin" $((1 << 20)); cp "$T/opl.bin" "$T/flash.bin"; cp "$T/opl.bin" "$T/orig.bin"
start_sim opl1000a2 "$T/flash.bin" --no-timing || fail "opl1000a2 simulator"
bad "opl1000a2: stage-2 loader missing" 10 "stage2 loader OPL1000A2_Stub\.bin.*not in the loader directories" \
	env XDG_DATA_HOME= HOME="$T/oplhome" IOTFLASH_CHIPDB_PATH="$IOTFLASH_CHIPDB_PATH:$T/opl.yaml" \
	$I "${P[@]}" -c opl1000a2 read-flash 0 0x1000 "$O"
stop_sim
finish
