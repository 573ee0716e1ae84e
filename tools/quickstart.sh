#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Quick start: install the build dependencies (Debian), build iotflash in this
# tree, then convert a simulated BK7231N whose flash is what a Tuya plug holds
# (tests/fixtures/mkimage.py: bootloader, application, RF calibration, Tuya
# store, 40 % blank sectors) to a stand-in OpenBeken build with `install`:
# full backup, write, verify, configuration.  Nothing here touches real
# hardware; the demo runs in a temporary directory removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

DEPS="build-essential autoconf automake libtool pkg-config libltdl-dev libserialport-dev
      libusb-1.0-0-dev zlib1g-dev libyaml-dev check nettle-dev python3"
missing=$(for p in $DEPS; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
	echo "== installing: $missing"
	SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi

if [ ! -x cli/iotflash ] || [ ! -f Makefile ]; then
	echo "== building"
	./autogen.sh >/dev/null
	./configure -q
fi
make -j"$(nproc)" -s

export IOTFLASH_PLUGIN_PATH=$PWD/plugins/bk72xx/.libs IOTFLASH_CHIPDB_PATH=$PWD/chipdb
demo=$(mktemp -d /tmp/iotflash-demo.XXXXXX)
trap 'kill $sim 2>/dev/null; wait 2>/dev/null; rm -rf "$demo"' EXIT
umask 077
echo "== generating a realistic BK7231N flash image"
python3 tests/fixtures/mkimage.py --only bk7231n "$demo"
mv "$demo/bk7231n.bin" "$demo/flash.bin"
echo "== generating a stand-in OpenBeken release image (OpenBK7231N_QIO_*.bin's layout)"
python3 tests/e2e/gen-openbeken.py bk7231n qio 0x60000 "$demo/OpenBK7231N_QIO.bin"

echo "== simulated BK7231N on a pseudo-terminal (real wire timing, 921600 baud after linking)"
sim/iotflash-sim --model bk7231n --flash "$demo/flash.bin" --link "$demo/ttyBK" > "$demo/sim.out" &
sim=$!
until grep -q '^ready' "$demo/sim.out" 2>/dev/null; do sleep 0.1; done
cd "$demo"
iotflash=$OLDPWD/cli/iotflash
set -x
"$iotflash" -p ttyBK -c bk72xx chip-id
"$iotflash" -p ttyBK -c bk72xx install OpenBK7231N_QIO.bin --from-tuya \
	--set wifi.ssid=HomeNet --set wifi.password=correct-horse --set mqtt.host=192.168.1.10
"$iotflash" -p ttyBK -c bk7231n obk-config show
"$iotflash" tuya-config backups/bk7231n-*-full.bin
set +x
echo "== done: the simulated plug now runs the (stand-in) OpenBeken build, keeps its"
echo "   bootloader and RF calibration (MAC), and holds an OpenBeken configuration with"
echo "   your Wi-Fi, MQTT and the pin roles of its Tuya template.  backups/ holds the"
echo "   device's first-contact full backup (bk7231n-MAC-full.bin and its .json record)."
