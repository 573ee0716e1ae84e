#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# flashrom (Debian package flashrom, -p ch341a_spi, unmodified) against the
# USB-level CH341A model: an independent host proves the model faithful.
# Skipped (status 77) when flashrom is not installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spi-ch341-lib.sh"

FLASHROM=$(command -v flashrom || ls /usr/sbin/flashrom /sbin/flashrom 2>/dev/null | head -n1)
if [ -z "$FLASHROM" ]; then
	echo "flashrom is not installed (apt-get install flashrom): skipped"
	trap - EXIT; rm -rf "$T"
	exit 77
fi

fr() { local model=$1 flash=$2; shift 2; usb_run "$model" "$flash" --no-timing -- "$FLASHROM" -p ch341a_spi "$@"; }

random_file "$T/flash.bin" $((2 * 1024 * 1024))
fr ch341a+gd25q16 "$T/flash.bin" -r "$T/read.bin"
check "flashrom -r succeeds" succeeded
check "flashrom probes the part" out_has 'Found GigaDevice flash chip "GD25Q16'
check "flashrom -r equals the flash" same "$T/read.bin" "$T/flash.bin"

random_file "$T/img.bin" $((2 * 1024 * 1024))
fr ch341a+gd25q16 "$T/flash.bin" -w "$T/img.bin"
check "flashrom -w passes its own verify" out_has "VERIFIED"
check "flashrom -w leaves the image in the flash" same "$T/flash.bin" "$T/img.bin"
fr ch341a+gd25q16 "$T/flash.bin" -v "$T/img.bin"
check "flashrom -v passes" succeeded

fr ch341a+gd25q16 "$T/flash.bin" -E
check "flashrom -E succeeds" succeeded
check "flashrom -E leaves the flash blank" blank "$T/flash.bin"

random_file "$T/w.bin" $((4 * 1024 * 1024))
usb_run ch341a+w25q32 "$T/w.bin" --no-timing --faults sr=1c -- "$FLASHROM" -p ch341a_spi -r "$T/wread.bin"
check "flashrom reads a W25Q32 with BP set" same "$T/wread.bin" "$T/w.bin"

# And iotflash reads what flashrom wrote.
usb_iot ch341a+gd25q16 "$T/flash.bin" --no-timing -- -c spi-nor read-flash 0 all "$T/back.bin"
check "iotflash reads the flash flashrom erased" same "$T/back.bin" "$T/flash.bin"

finish
