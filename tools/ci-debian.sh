#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# CI, Debian packages: build the binary packages from debian/ in a copy of
# the tree (the source tree stays clean), check what each package holds,
# install only libiotflash1, libiotflash-formats1, iotflash and
# iotflash-plugin-bk72xx, check that
# list-plugins shows exactly bk72xx from the system directory, add
# iotflash-sim, read a simulated BK7231N holding a realistic flash image
# (tests/fixtures/mkimage.py) with the installed CLI and compare, then purge
# everything.
# Usage: tools/ci-debian.sh   (root or sudo; apt-get installs the tools if missing)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
work=$(mktemp -d "${TMPDIR:-/tmp}/iotflash-deb.XXXXXX")
PKGS="libiotflash1 libiotflash-dev libiotflash-formats1 libiotflash-formats-dev iotflash iotflash-sim iotflash-plugin-bk72xx iotflash-plugin-bl60x
iotflash-plugin-ln882h iotflash-plugin-rtl87xx iotflash-plugin-w80x iotflash-plugin-eswin iotflash-plugin-spi-ch341"
sim_pid=

# (dpkg-query fails for names it never saw: not an error here)
installed() { { dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null || true; } | awk '/ installed$/ {print $1}'; }
purge() {
	local p; p=$(installed)
	[ -z "$p" ] || $SUDO apt-get purge -y -q $p >/dev/null
}
cleanup() {
	[ -z "$sim_pid" ] || { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null || true; }
	purge || true
	rm -rf "$work"
}
trap cleanup EXIT
die() { echo "ci-debian: FAIL: $*" >&2; exit 1; }

if ! command -v dh >/dev/null || ! command -v dh_autoreconf >/dev/null; then
	echo "== apt-get install debhelper dh-autoreconf devscripts"
	$SUDO apt-get install -y -q debhelper dh-autoreconf devscripts >/dev/null
fi
[ -z "$(installed)" ] || die "iotflash packages are installed already: $(installed | tr '\n' ' ')"

# The files git knows (tracked, and new ones not ignored): no build output,
# no configure products of a tree configured in place.
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
tree=$work/iotflash-$version
mkdir "$tree"
echo "== copy the source tree to $tree"
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf -) | tar -xf - -C "$tree"

echo "== dpkg-buildpackage -b -us -uc (nocheck)"
(cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -b -us -uc) \
	>"$work/build.log" 2>&1 || { tail -n 60 "$work/build.log"; die "dpkg-buildpackage"; }
arch=$(dpkg --print-architecture)
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
deb() { echo "$work/${1}_${version}_$arch.deb"; }
for p in $PKGS; do [ -f "$(deb "$p")" ] || die "package $p was not built"; done
[ -z "$(git -C "$src" status --porcelain --ignored debian 2>/dev/null | grep -v '^??' || true)" ] ||
	die "the source tree's debian/ changed"

echo "== package contents"
# (listed to a file first: grep -q would cut dpkg-deb's pipe short)
contents() { dpkg-deb -c "$(deb "$1")" >"$work/contents.txt"; }
has() { contents "$1"; grep -qE -- "$2" "$work/contents.txt" || die "$1 lacks $2"; }
lacks() { contents "$1"; ! grep -qE -- "$2" "$work/contents.txt" || die "$1 must not hold $2"; }
has libiotflash1 "/usr/lib/$triplet/libiotflash\.so\.1"
lacks libiotflash1 "/plugins/|\.la$"
has libiotflash-dev "/usr/include/iotflash/iotflash\.h$"
has libiotflash-dev "/usr/lib/$triplet/pkgconfig/iotflash\.pc$"
lacks libiotflash-dev "/usr/include/iotflash/(tuya|beken|formats)\.h$"
# The image formats: a library of their own, needing nothing of libiotflash;
# only the CLI links it (plugins and the simulator know no vendor format).
has libiotflash-formats1 "/usr/lib/$triplet/libiotflash-formats\.so\.1"
lacks libiotflash-formats1 "/usr/include/|\.la$"
for h in tuya beken formats; do has libiotflash-formats-dev "/usr/include/iotflash/$h\.h$"; done
has libiotflash-formats-dev "/usr/lib/$triplet/pkgconfig/iotflash-formats\.pc$"
has libiotflash-formats-dev "/usr/lib/$triplet/libiotflash-formats\.so -> "
[[ $(dpkg-deb -f "$(deb libiotflash-formats1)" Depends) != *libiotflash1* ]] ||
	die "libiotflash-formats1 depends on libiotflash1"
[[ $(dpkg-deb -f "$(deb iotflash)" Depends) == *libiotflash-formats1* ]] ||
	die "iotflash does not depend on libiotflash-formats1"
for p in iotflash-sim iotflash-plugin-bk72xx iotflash-plugin-spi-ch341; do
	[[ $(dpkg-deb -f "$(deb "$p")" Depends) != *libiotflash-formats* ]] || die "$p depends on libiotflash-formats1"
done
has iotflash "/usr/bin/iotflash$"
has iotflash-sim "/usr/bin/iotflash-sim$"
for p in bk72xx bl60x ln882h rtl87xx w80x eswin spi-ch341; do
	has "iotflash-plugin-$p" "/usr/lib/$triplet/iotflash/plugins/$p\.so$"
	lacks "iotflash-plugin-$p" "\.la$"
	depends=$(dpkg-deb -f "$(deb "iotflash-plugin-$p")" Depends)
	want=no; [ "$p" != spi-ch341 ] || want=yes
	got=no; [[ $depends != *libusb* ]] || got=yes
	[ "$want" = "$got" ] || die "iotflash-plugin-$p: libusb in Depends is $got: $depends"
done
has iotflash-plugin-bk72xx "/usr/share/iotflash/chipdb/bk72xx\.yaml$"
has iotflash-plugin-spi-ch341 "/usr/share/iotflash/chipdb/spi-nor\.yaml$"
has iotflash-plugin-spi-ch341 "/usr/lib/udev/rules.d/60-iotflash-ch341a\.rules$"
for p in libiotflash1 libiotflash-formats1 iotflash iotflash-sim; do
	[[ $(dpkg-deb -f "$(deb "$p")" Depends) != *libusb* ]] || die "$p depends on libusb"
done

echo "== install libiotflash1, libiotflash-formats1, iotflash, iotflash-plugin-bk72xx"
$SUDO apt-get install -y -q "$(deb libiotflash1)" "$(deb libiotflash-formats1)" "$(deb iotflash)" \
	"$(deb iotflash-plugin-bk72xx)" \
	>"$work/install.log" 2>&1 || { tail -n 20 "$work/install.log"; die "apt-get install"; }
# Only what the packages installed: no development-tree search paths.
unset IOTFLASH_PLUGIN_PATH IOTFLASH_CHIPDB_PATH
cd "$work"
/usr/bin/iotflash list-plugins >"$work/plugins.txt" 2>&1 || die "iotflash list-plugins: $(cat "$work/plugins.txt")"
cat "$work/plugins.txt"
grep -qE "^ +file: /usr/lib/$triplet/iotflash/plugins/bk72xx\.so$" "$work/plugins.txt" ||
	die "list-plugins does not show the installed bk72xx"
grep -qE '^ +chips: .*bk7231n' "$work/plugins.txt" || die "list-plugins: bk72xx serves no bk7231n"
[ "$(grep -c '^[^ ]' "$work/plugins.txt")" -eq 1 ] || die "list-plugins lists more than bk72xx"
# The offline commands run on the installed libiotflash-formats1.
head -c 4096 /dev/urandom >"$work/plain.bin"
/usr/bin/iotflash beken-crypt encrypt "$work/plain.bin" "$work/enc.bin" >/dev/null || die "beken-crypt encrypt"
/usr/bin/iotflash beken-crypt decrypt "$work/enc.bin" "$work/dec.bin" >/dev/null || die "beken-crypt decrypt"
[ "$(stat -c %s "$work/enc.bin")" -eq 4352 ] && ! cmp -s "$work/plain.bin" "$work/enc.bin" ||
	die "beken-crypt encrypt did not write 128 encrypted 34-byte packets"
cmp "$work/plain.bin" "$work/dec.bin" || die "beken-crypt: decrypt(encrypt(x)) differs from x"
echo "beken-crypt encrypt/decrypt round trip through the installed libiotflash-formats1: ok"

echo "== install iotflash-sim; read a simulated BK7231N with the installed CLI"
$SUDO apt-get install -y -q "$(deb iotflash-sim)" >>"$work/install.log" 2>&1 ||
	{ tail -n 20 "$work/install.log"; die "apt-get install iotflash-sim"; }
python3 "$src/tests/fixtures/mkimage.py" --only bk7231n "$work/image"
cp "$work/image/bk7231n.bin" "$work/flash.bin"
/usr/bin/iotflash-sim --model bk7231n --flash "$work/flash.bin" --link "$work/tty" --no-timing \
	>"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 100); do grep -q '^ready ' "$work/sim.out" && break; sleep 0.05; done
grep -q '^ready ' "$work/sim.out" || die "iotflash-sim did not start: $(cat "$work/sim.err")"
/usr/bin/iotflash -p "$work/tty" -c bk7231n read-flash 0 all "$work/read.bin" || die "read-flash"
cmp "$work/read.bin" "$work/image/bk7231n.bin" || die "the flash read differs from the image"
echo "read 2 MiB from the simulated bk7231n: equal to the image"
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=

echo "== purge"
purge
[ -z "$(installed)" ] || die "still installed after purge: $(installed)"
[ ! -e "/usr/lib/$triplet/iotflash" ] && [ ! -e /usr/share/iotflash ] && [ ! -e /usr/bin/iotflash ] ||
	die "files left after purge"
echo "debian: ok"
