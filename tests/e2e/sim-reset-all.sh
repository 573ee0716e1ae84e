#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The simulator's resets for one chip of every UART family: after SIGUSR1
# (the reset button) the model has started over and iotflash identifies
# the chip; with --reset-on-open every open of the port is a reset, and
# iotflash still identifies the chip each time.
. "$(dirname "$0")/lib.sh"
SRC=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e
python3 "$SRC/gen-bl60x-loader.py" bl602 "$T/bl602.bin"
python3 "$SRC/gen-ln882h-loader.py" official ln882h "$T/ln882h.bin"
python3 "$SRC/gen-w80x-stub.py" "$T/w800.bin"
python3 "$SRC/gen-xradio-stub.py" "$T/xr809.bin"

# resets_logged WHAT N: the simulator's log names at least N resets of that kind
resets_logged() { [ "$(grep -c "$1: the model starts over" "$T/sim.err")" -ge "$2" ]; }

"$IOTFLASH_SIM" --list-models >"$T/models"
for chip in bk7231n bl602 ln882h rtl8710b rtl8720c w800 xr809; do
	grep -q "^$chip " "$T/models" || { echo "skip - $chip: no model in this build"; continue; }
	L=()
	[ -f "$T/$chip.bin" ] && L=(--loader "$T/$chip.bin")
	rm -f "$T/flash.bin"

	start_sim "$chip" "$T/flash.bin" --no-timing -v || { fail "$chip: simulator"; continue; }
	sleep 0.3
	kill -USR1 "$SIM_PID"
	sleep 0.3
	check "$chip: the simulator survives SIGUSR1" kill -0 "$SIM_PID"
	check "$chip: SIGUSR1 restarts the model" resets_logged "reset button (SIGUSR1)" 1
	iot -c "$chip" "${L[@]}" chip-id
	check "$chip: chip-id after the reset button" succeeded
	check "$chip: it names the chip" out_has "^Chip: +$chip"
	stop_sim

	# AmebaZ2: the open's reset eats the driver's first `ping`; its next
	# pings alternate 115200 and 1500000, so the shell's line always starts
	# with garbage and it never answers.  A driver fix (a bare newline
	# before each ping) is pending; until then this case would only fail.
	if [ "$chip" = rtl8720c ]; then
		echo "skip - $chip --reset-on-open: the rtl87xx driver does not yet recover a lost first ping"
		continue
	fi
	start_sim "$chip" "$T/flash.bin" --no-timing -v --reset-on-open || { fail "$chip: simulator"; continue; }
	check "$chip: no reset before anyone opens the port" \
		[ "$(grep -c 'the port was opened' "$T/sim.err")" -eq 0 ]
	for round in 1 2; do
		iot -c "$chip" "${L[@]}" chip-id
		check "$chip --reset-on-open: chip-id $round succeeds" succeeded
		check "$chip --reset-on-open: open $round was a reset" \
			resets_logged "the port was opened (--reset-on-open)" "$round"
	done
	stop_sim
done
finish
