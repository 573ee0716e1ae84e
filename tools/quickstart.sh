#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Quick start: install the build dependencies (Debian), build iotflash in this
# tree, then back up, write and verify a simulated BK7231N whose flash is what
# a Tuya plug holds (tests/fixtures/mkimage.py: bootloader, application, Tuya
# store, 40 % blank sectors).  Nothing here touches real hardware.
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

echo "== simulated BK7231N on a pseudo-terminal (real wire timing, 921600 baud after linking)"
sim/iotflash-sim --model bk7231n --flash "$demo/flash.bin" --link "$demo/ttyBK" > "$demo/sim.out" &
sim=$!
until grep -q '^ready' "$demo/sim.out" 2>/dev/null; do sleep 0.1; done
cd "$demo"
iotflash=$OLDPWD/cli/iotflash
set -x
"$iotflash" -p ttyBK -c bk72xx chip-id
"$iotflash" -p ttyBK -c bk7231n read-flash 0 all backup.bin
cmp backup.bin flash.bin
head -c 262144 /dev/urandom > app.bin
"$iotflash" -p ttyBK -c bk7231n write-flash 0x11000 app.bin
"$iotflash" -p ttyBK -c bk7231n verify-flash 0x11000 app.bin
"$iotflash" tuya-config backup.bin
set +x
echo "== done: backup.bin is the device's full flash (blank sectors were skipped on the"
echo "   wire, not in the file); backups/ holds the device's first-contact full backup"
echo "   (bk7231n-MAC-full.bin, read before its first write) and what the write replaced"
