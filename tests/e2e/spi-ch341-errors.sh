#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# What users meet with a CH341A, each with a clear message: no programmer,
# a CH341 in UART mode, no permission, a busy device, two programmers, no
# chip answering (JEDEC FF/00), the programmer unplugged mid-read (no
# file under the final name), an endpoint stall (recovered); and the
# simulator's own contract for USB models.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spi-ch341-lib.sh"

random_file "$T/flash.bin" $((4 * 1024 * 1024))

# Without the model: the real libusb on this machine has no CH341A.
"$IOTFLASH" -p ch341a -c spi-nor chip-id >"$T/out" 2>"$T/err"; RC=$?
check "no CH341A present (real libusb): clear message" failed_with "no CH341A programmer found|cannot start libusb"

usb_iot ch341a+w25q32 "$T/flash.bin" --no-timing --faults devices=0 -- -c spi-nor chip-id
check "no CH341A on the bus: clear message" failed_with "no CH341A programmer found \(USB 1a86:5512\)"
check "no CH341A: one line on stderr" test "$(wc -l <"$T/err")" -eq 1

for pid in 7523 5523; do
	usb_iot ch341a+w25q32 "$T/flash.bin" --no-timing --faults "pid=$pid" -- -c spi-nor chip-id
	check "CH341 in UART mode (1a86:$pid) recognised: move the jumper" failed_with "UART mode.*1a86:$pid.*jumper"
done

usb_iot ch341a+w25q32 "$T/flash.bin" --no-timing --faults access -- -c spi-nor chip-id
check "permission denied names the udev rule" failed_with "permission denied.*60-iotflash-ch341a.rules"

usb_iot ch341a+w25q32 "$T/flash.bin" --no-timing --faults busy -- -c spi-nor chip-id
check "device busy (claimed elsewhere): clear message" failed_with "busy.*(kernel driver|another program)"

usb_iot ch341a+w25q32 "$T/flash.bin" --no-timing --faults kernel-driver -- -c spi-nor chip-id
check "a bound kernel driver is detached and the chip answers" out_has "^Flash id: +0x1640ef"

usb_iot ch341a+w25q32 "$T/flash.bin" --no-timing --faults devices=2 -- -c spi-nor chip-id
check "two CH341As: asked to choose with -p usb:BUS:ADDR" failed_with "2 CH341A programmers found.*usb:3:7.*usb:3:8"
usb_run ch341a+w25q32 "$T/flash.bin" --no-timing --faults devices=2 -- "$IOTFLASH" -p usb:3:8 -c spi-nor chip-id
check "-p usb:BUS:ADDR picks one" out_has "^Flash id: +0x1640ef"
usb_run ch341a+w25q32 "$T/flash.bin" --no-timing -- "$IOTFLASH" -p usb:9:9 -c spi-nor chip-id
check "-p usb:BUS:ADDR with nothing there: clear message" failed_with "usb:9:9: no CH341A"

usb_iot ch341a+w25q32 "$T/flash.bin" --no-timing --faults no-chip -- -c spi-nor chip-id
check "JEDEC FF FF FF: wiring, power or 1.8 V" failed_with "FF FF FF.*wiring.*3.3 V.*1.8 V"
usb_iot ch341a+w25q32 "$T/flash.bin" --no-timing --faults miso-low -- -c spi-nor chip-id
check "JEDEC 00 00 00: wiring, power or 1.8 V" failed_with "00 00 00.*wiring"

usb_iot ch341a+w25q32 "$T/flash.bin" --no-timing --faults unplug=300 -- -c spi-nor read-flash 0 all "$T/read.bin"
check "unplugged mid-read: fails saying so" failed_with "gone|unplugged"
check "unplugged mid-read: no file under the final name" test ! -e "$T/read.bin"
check "unplugged mid-read: no temporary file left" test -z "$(find "$T" -name '*read.bin*')"

usb_iot ch341a+w25q32 "$T/flash.bin" --no-timing --faults stall=40 -- -c spi-nor read-flash 0 all "$T/read.bin"
check "an endpoint stall is cleared and the read completes" succeeded
check "the read after a stall equals the flash" same "$T/read.bin" "$T/flash.bin"

# The simulator's contract for USB models.
usb_run ch341a+w25q32 "$T/flash.bin" --no-timing -- sh -c 'exit 7'
check "iotflash-sim exits with COMMAND's status" exit_is 7
usb_run ch341a+w25q32 "$T/flash.bin" --no-timing --faults unplug -- true
check "a bad USB fault SPEC is a usage error" exit_is 2
check "a bad USB fault SPEC is explained" failed_with "unplug.*=N"
usb_run ch341a+nosuchpart "$T/flash.bin" --no-timing -- true
check "an unknown part is a usage error naming it" failed_with "nosuchpart"
"$IOTFLASH_SIM" --model ch341a+w25q32 --flash "$T/flash.bin" >"$T/out" 2>"$T/err"; RC=$?
check "a USB model without a command: usage error" failed_with "-- COMMAND"
rm -f "$T/new.bin"
usb_run ch341a+w25q16 "$T/new.bin" --no-timing -- true
check "a missing flash file is created erased at the part's size" test "$(stat -c %s "$T/new.bin")" -eq $((2 * 1024 * 1024))
check "the created flash is blank" blank "$T/new.bin"
"$IOTFLASH_SIM" --help >"$T/out" 2>"$T/err"
check "--help documents the USB faults" out_has "unplug=N"

finish
