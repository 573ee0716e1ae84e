#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# AmebaZ2 (rtl8720c) that boots into its ROM monitor ("$8710c>", the
# fallback of spec §7.2) instead of download mode: iotflash takes over an
# unused command of the monitor's table, runs the download ROM through it
# (§7.5) and carries on; when that cannot work it tells the user to pull
# PA00 high.  The model's personality is chosen by chip params in a copy
# of the chip database.
. "$(dirname "$0")/lib.sh"

# monitor_db NAME PARAMS...: a chip database in $T/NAME whose rtl8720c has
# these extra params (YAML lines, e.g. "model_boot: monitor").
monitor_db() {
	local dir=$T/$1; shift
	mkdir -p "$dir"
	python3 - "$IOTFLASH_CHIPDB_PATH/rtl87xx.yaml" "$dir/rtl87xx.yaml" "$@" <<'EOF'
import sys
src, dst, *extra = sys.argv[1:]
keys = {e.split(':')[0] for e in extra}
out, found = [], False
for line in open(src):
    if line.startswith('      model_syscfg:'):  # the rtl8720c entry's params
        found = True
        out += ['      %s\n' % e for e in extra]
        if 'model_syscfg' in keys:
            continue
    out.append(line)
if not found:
    sys.exit('monitor_db: no model_syscfg line in ' + src)
open(dst, 'w').write(''.join(out))
EOF
}

python3 -c "import random,sys; r=random.Random(5); open(sys.argv[1],'wb').write(r.randbytes(2<<20))" "$T/orig.bin"

# escapes NAME DESCRIPTION: the monitor is left and the flash read in full.
escapes() {
	local db=$T/$1 what=$2
	cp "$T/orig.bin" "$T/flash.bin"
	IOTFLASH_CHIPDB_PATH=$db start_sim rtl8720c "$T/flash.bin" --no-timing -v || { fail "$what: simulator"; return; }
	IOTFLASH_CHIPDB_PATH=$db iot -c rtl8720c chip-id
	check "$what: chip-id succeeds" succeeded
	check "$what: chip-id names the chip" out_has "^Chip: +rtl8720c"
	check "$what: the user is told the monitor was left" \
		grep -qiE "ROM monitor.*switched it to download mode" "$T/err"
	check "$what: the model entered download mode by the jump" grep -q "jump to the download ROM" "$T/sim.err"
	check "$what: link at the chip's maximum baud" out_has "^Link: +3000000 baud"
	stop_sim
	IOTFLASH_CHIPDB_PATH=$db start_sim rtl8720c "$T/flash.bin" --no-timing
	IOTFLASH_CHIPDB_PATH=$db iot -c rtl8720c read-flash 0 all "$T/read.bin"
	check "$what: read-flash 0 all succeeds" succeeded
	check "$what: read-flash equals the flash byte for byte" same "$T/read.bin" "$T/orig.bin"
	IOTFLASH_CHIPDB_PATH=$db iot -c rtl8720c chip-id
	check "$what: the next run finds download mode directly" \
		eval '[ "$RC" -eq 0 ] && ! grep -qi "ROM monitor" "$T/err"'
	stop_sim
}

monitor_db v21 "model_boot: monitor"
escapes v21 "ROM v2.1 monitor"
monitor_db v30 "model_boot: monitor" "model_syscfg: 0x530"
escapes v30 "ROM v3.0 monitor"
IOTFLASH_CHIPDB_PATH=$T/v30 start_sim rtl8720c "$T/flash.bin" --no-timing
IOTFLASH_CHIPDB_PATH=$T/v30 iot -c rtl87xx chip-id
check "ROM v3.0 monitor: family rtl87xx finds the chip in its monitor" out_has "^Chip: +rtl8720c"
check "ROM v3.0 monitor: chip-id reports ROM v3.0" out_has "ROM v3.0"
stop_sim

# Writing after the escape works as in download mode.
cp "$T/orig.bin" "$T/flash.bin"
IOTFLASH_CHIPDB_PATH=$T/v21 start_sim rtl8720c "$T/flash.bin" --no-timing
random_file "$T/app.bin" $((64 * 1024))
expected_after_write "$T/orig.bin" "$T/app.bin" 0x10000 "$T/expected.bin"
IOTFLASH_CHIPDB_PATH=$T/v21 iot -c rtl8720c --no-backup write-flash 0x10000 "$T/app.bin"
check "monitor: write-flash after the escape succeeds" succeeded
stop_sim
check "monitor: the flash holds the image" same "$T/flash.bin" "$T/expected.bin"

# The download shell itself stays silent on the fallback probe (§7.2).
rm -f "$T/flash.bin"; start_sim rtl8720c "$T/flash.bin" --no-timing
python3 - "$T/tty" <<'EOF' >"$T/probe.out"
import os, sys, termios, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
a = termios.tcgetattr(fd)
a[0] = a[1] = a[3] = 0; a[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
a[4] = a[5] = termios.B115200
termios.tcsetattr(fd, termios.TCSANOW, a)
time.sleep(0.2); termios.tcflush(fd, termios.TCIFLUSH)
os.write(fd, b"Rtk8710C\n"); time.sleep(0.3)
os.set_blocking(fd, False)
try: print(repr(os.read(fd, 256)))
except BlockingIOError: print("silent")
EOF
check "download shell: silent on the Rtk8710C probe" grep -qx silent "$T/probe.out"
stop_sim

# Failures: the chip stays where it is, the user is told what to do.
refuses() {
	local db=$T/$1 what=$2
	cp "$T/orig.bin" "$T/flash.bin"
	IOTFLASH_CHIPDB_PATH=$db start_sim rtl8720c "$T/flash.bin" --no-timing -v
	IOTFLASH_CHIPDB_PATH=$db iot -c rtl8720c chip-id
	check "$what: chip-id fails" test "$RC" -ne 0
	check "$what: ... telling the user to pull PA00 high and reset" failed_with "ROM monitor.*PA00 high.*reset"
	check "$what: ... and that is the error it ends with" eval 'tail -n 1 "$T/err" | grep -q "stayed in its ROM monitor.*PA00 high"'
	stop_sim
	check "$what: the flash is untouched" same "$T/flash.bin" "$T/orig.bin"
}

# The version register claims ROM v3.0 but the ROM's entry is v2.1's: the
# jump to 0x1 goes nowhere and the chip hangs.
monitor_db wrongjump "model_boot: monitor" "model_syscfg: 0x530" "model_rom_entry: 0x1443d"
refuses wrongjump "monitor, wrong ROM entry"
check "monitor, wrong ROM entry: the model hung on the jump to 0x1" grep -q "jump to 0x00000001: hanging" "$T/sim.err"

# No unused name among the first eight commands of the table.
monitor_db nofree "model_boot: monitor" \
	"model_monitor_cmds: [ping, DW, DB, EW, EB, WDTRST, hashq, fwd, uboot]"
refuses nofree "monitor, no free command"
check "monitor, no free command: the reason is logged" failed_with "none of the first 8 commands"
finish
