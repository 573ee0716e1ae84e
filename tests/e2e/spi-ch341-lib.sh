# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Helpers for the CH341A end-to-end tests: iotflash-sim runs the command
# with the USB-level device model (the libusb shim) preloaded.  Source
# after lib.sh.
BUILD_DIR=$(cd "$(dirname "$IOTFLASH_SIM")/.." && pwd)
: "${IOTFLASH_USB_SHIM:=$BUILD_DIR/plugins/spi-ch341/shim/.libs/libusb-shim.so}"
export IOTFLASH_USB_SHIM

# usb_run MODEL FLASH [sim options...] -- COMMAND [ARGS]: output in $T/out,
# $T/err, status in $RC
usb_run() {
	local model=$1 flash=$2; shift 2
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
	shift
	"$IOTFLASH_SIM" --model "$model" --flash "$flash" "${opts[@]}" -- "$@" >"$T/out" 2>"$T/err"
	RC=$?
	return 0
}

# usb_iot MODEL FLASH [sim options...] -- IOTFLASH ARGS: iotflash -p ch341a
usb_iot() {
	local model=$1 flash=$2; shift 2
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
	shift
	usb_run "$model" "$flash" "${opts[@]}" -- "$IOTFLASH" -p ch341a "$@"
}

blank() { [ -z "$(tr -d '\377' <"$1" | head -c 1)" ]; }
exit_is() { [ "$RC" -eq "$1" ]; }
