#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# Runs the team's contract check (DESIGN.md's two contracts) for every
# simulated UART model this build has, with the stand-in vendor loaders and
# the flash images the tests generate.  The check lives outside the project: .ci/run names it.
# Usage (from the project root, after make):
#   IOTFLASH_CONTRACT=PATH/check.sh tests/contract-all.sh [BUILDDIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root}" && pwd)
check=${IOTFLASH_CONTRACT:?set IOTFLASH_CONTRACT to the contract check script}
[ -x "$check" ] || { echo "contract-all: $check is not an executable contract check"; exit 1; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

models=()
plugin_dirs=()
have() { [ -f "$build/plugins/$1/.libs/$1.so" ]; }
if have bk72xx; then
	# Beken models start from realistic flash images, generated here.
	python3 "$root/tests/fixtures/mkimage.py" "$T/images" >/dev/null
	export SEED_bk7231n=$T/images/bk7231n.bin SEED_bk7231t=$T/images/bk7231t.bin
	models+=(bk7231n bk7231t); plugin_dirs+=("$build/plugins/bk72xx/.libs")
fi
if have bl60x; then
	python3 "$root/tests/e2e/gen-bl60x-loader.py" bl602 "$T/bl602.bin"
	python3 "$root/tests/e2e/gen-bl60x-loader.py" bl702 "$T/bl702.bin"
	export LOADER_bl602=$T/bl602.bin LOADER_bl702=$T/bl702.bin
	models+=(bl602 bl702 bl616); plugin_dirs+=("$build/plugins/bl60x/.libs")
fi
if have ln882h; then
	python3 "$root/tests/e2e/gen-ln882h-loader.py" official ln882h "$T/ln882h.bin"
	python3 "$root/tests/e2e/gen-ln882h-loader.py" gui ln8825 "$T/ln8825.bin"
	export LOADER_ln882h=$T/ln882h.bin LOADER_ln8825=$T/ln8825.bin
	models+=(ln882h ln8825); plugin_dirs+=("$build/plugins/ln882h/.libs")
fi
if have rtl87xx; then
	python3 "$root/tests/e2e/gen-rtl87xx-loader.py" "$T/ambd.bin"
	export LOADER_rtl8720d=$T/ambd.bin
	models+=(rtl8710b rtl8720c rtl8720d); plugin_dirs+=("$build/plugins/rtl87xx/.libs")
fi
if have w80x; then
	python3 "$root/tests/e2e/gen-w80x-stub.py" "$T/w800-stub.bin"
	export LOADER_w800=$T/w800-stub.bin LOADER_w803=$T/w800-stub.bin
	models+=(w800 w803); plugin_dirs+=("$build/plugins/w80x/.libs")
fi
if have eswin; then
	python3 "$root/tests/e2e/gen-eswin-loader.py" ecr6600 "$T/ecr6600.bin"
	python3 "$root/tests/e2e/gen-eswin-loader.py" tr6260 "$T/tr6260.bin"
	export LOADER_ecr6600=$T/ecr6600.bin LOADER_tr6260=$T/tr6260.bin
	models+=(ecr6600 tr6260); plugin_dirs+=("$build/plugins/eswin/.libs")
fi
if have rtl87xx; then  # RTL8721DA / RTL8720E: the Realtek ROM + the A5 stub
	python3 "$root/tests/e2e/gen-a5-standin.py" rtl8721da "$T/rtl8721da.bin"
	python3 "$root/tests/e2e/gen-a5-standin.py" rtl8720e "$T/rtl8720e.bin"
	export LOADER_rtl8721da=$T/rtl8721da.bin LOADER_rtl8720e=$T/rtl8720e.bin
	models+=(rtl8721da rtl8720e); plugin_dirs+=("$build/plugins/rtl87xx/.libs")
fi
if have xradio; then
	python3 "$root/tests/e2e/gen-xradio-stub.py" "$T/xr809-stub.bin"
	export LOADER_xr809=$T/xr809-stub.bin
	models+=(xr809 xr809b xr872 xr806); plugin_dirs+=("$build/plugins/xradio/.libs")
fi
if have gd32vw; then
	python3 "$root/tests/e2e/gen-a5-family-stub.py" gd32vw553 "$T/gd32vw553.bin"
	export LOADER_gd32vw553=$T/gd32vw553.bin
	models+=(gd32vw553); plugin_dirs+=("$build/plugins/gd32vw/.libs")
fi
if have rda5981; then
	python3 "$root/tests/e2e/gen-a5-family-stub.py" rda5981 "$T/rda5981.bin"
	export LOADER_rda5981=$T/rda5981.bin
	models+=(rda5981); plugin_dirs+=("$build/plugins/rda5981/.libs")
fi
if have opl1000; then  # OPL1000A2: two stand-ins found by role in a loader directory
	mkdir -p "$T/home/.local/share/iotflash/loaders"
	{
		echo "schema: 1"; echo "loaders:"
		for s in 1 2; do
			python3 "$root/tests/e2e/gen-opl1000-standin.py" stage$s "$T/home/.local/share/iotflash/loaders/s$s.bin"
			echo "  - {name: s$s, role: stage$s, file: s$s.bin, chips: [opl1000a2], sha256: $(sha256sum \
				<"$T/home/.local/share/iotflash/loaders/s$s.bin" | cut -d' ' -f1)}"
		done
	} >"$T/opl-standins.yaml"
	export HOME=$T/home XDG_DATA_HOME=
	extra_chipdb=:$T/opl-standins.yaml
	models+=(opl1000a2); plugin_dirs+=("$build/plugins/opl1000/.libs")
fi

export IOTFLASH=$build/cli/iotflash IOTFLASH_SIM=$build/sim/iotflash-sim
export IOTFLASH_PLUGIN_PATH=$(IFS=:; echo "${plugin_dirs[*]}") IOTFLASH_CHIPDB_PATH=$root/chipdb${extra_chipdb:-}
cd "$build"
"$check" "${models[@]}"
