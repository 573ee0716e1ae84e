#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# OPL1000A2 end to end against its model with timing on: the ROM's
# `<CHECK>` prompt and S-record loader take the stage-1 stand-in, which
# takes the stage-2 (stub) stand-in over XMODEM; then chip-id, a full read
# equal to the model's flash, a write at the application offset,
# verify-flash passing and failing (0x8F sums), erase-region, and the read
# under dropped and flipped bytes (docs/protocols/a5-stub-families.md).
# Both stand-ins are found by SHA-256 in the loader directory (roles
# stage1 and stage2 of an extra chip database file naming their hashes).
. "$(dirname "$0")/lib.sh"
GEN=${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/gen-opl1000-standin.py
SIZE=$((1 << 20))
APP=0x0
C=opl1000a2
export HOME=$T/home XDG_DATA_HOME=
LD=$HOME/.local/share/iotflash/loaders
mkdir -p "$LD"
python3 "$GEN" stage1 "$LD/s1.bin"
python3 "$GEN" stage2 "$LD/s2.bin.gz" --gzip
python3 "$GEN" stage2 "$T/s2.bin"
cat >"$T/standins.yaml" <<YAML
# SPDX-License-Identifier: GPL-2.0-or-later
schema: 1
loaders:
  - {name: opl-stage1-standin, role: stage1, file: s1.bin, sha256: $(sha256sum <"$LD/s1.bin" | cut -d' ' -f1), chips: [$C]}
  - {name: opl-stage2-standin, role: stage2, file: s2.bin, sha256: $(sha256sum <"$T/s2.bin" | cut -d' ' -f1), chips: [$C]}
YAML
export IOTFLASH_CHIPDB_PATH=$IOTFLASH_CHIPDB_PATH:$T/standins.yaml

# A 1 MiB flash as shipped: firmware at 0, the rest blank.
python3 - "$T/$C.bin" <<'PY'
import random, sys
r = random.Random("opl1000"); out = bytearray(b"\xff" * (1 << 20))
words = [r.randbytes(4) for _ in range(64)]  # code: a small vocabulary, compressible
out[0:0x40000] = b"".join(r.choice(words) for _ in range(0x10000))
out[0x60000:0x68000] = r.randbytes(0x8000)  # data that does not compress
open(sys.argv[1], "wb").write(out)
PY
cp "$T/$C.bin" "$T/orig.bin"

start_sim "$C" "$T/$C.bin" -v || { fail "simulator"; finish; exit; }
iot -c "$C" chip-id
check "chip-id succeeds (ROM, stage 1, stage 2)" succeeded
check "chip-id names the chip" out_has "^Chip: +$C"
check "chip-id prints the flash id" out_has "^Flash id: +0x1440c8"
check "chip-id prints the flash size" out_has "^Flash size: +1024 KiB"
check "link raised to 921600 baud" out_has "^Link: +921600 baud"
check "the model ran stage 1 at the rate the host wrote into it" grep -q "stage 1 runs at 921600 baud" "$T/sim.err"
iot -c "$C" read-flash 0 all "$T/read.bin"
check "read-flash 0 all succeeds (stub already running)" succeeded
check "full read equals the model's flash" same "$T/read.bin" "$T/orig.bin"

random_file "$T/app.bin" $((64 * 1024))
expected_after_write "$T/orig.bin" "$T/app.bin" $APP "$T/expected.bin"
iot -c "$C" --no-backup write-flash $APP "$T/app.bin"
check "write-flash at the application offset succeeds" succeeded
iot -c "$C" verify-flash $APP "$T/app.bin"
check "verify-flash passes on equal data" succeeded
cp "$T/app.bin" "$T/changed.bin"; flip_byte "$T/changed.bin" 0x2001
iot -c "$C" verify-flash $APP "$T/changed.bin"
check "verify-flash fails after a one-byte change" failed_with "differ|mismatch|verify"
iot -c "$C" --no-backup erase-region 0x20000 0x11000
check "erase-region succeeds" succeeded
iot -c "$C" obk-config show
check "obk-config is refused: no OpenBeken port keeps a config here" failed_with "no configuration this tool knows where to find on opl1000a2"
stop_sim
check "the write landed, the rest unchanged before the erase" regions_equal "$T/$C.bin" "$T/expected.bin" 0 0x20000
check "the erased range is blank" test "$(slice "$T/$C.bin" 0x30ff0 16)" = "ffffffffffffffffffffffffffffffff"
check "the erase stopped at its end" regions_equal "$T/$C.bin" "$T/expected.bin" 0x31000 $((SIZE - 0x31000))

# A stage 2 with one bit changed is not run: the model hangs, the host says so.
python3 "$GEN" stage2 "$LD/s2.bin.gz" --gzip --corrupt
start_sim "$C" "$T/$C.bin" || { fail "simulator"; finish; exit; }
iot -c "$C" chip-id
check "a stage 2 of unknown hash is not found: the failure names the file" failed_with "OPL1000A2_Stub\.bin"
stop_sim
python3 "$GEN" stage2 "$LD/s2.bin.gz" --gzip

# The whole upload and the read through dropped and flipped bytes: byte-identical.
cp "$T/$C.bin" "$T/now.bin"
start_sim "$C" "$T/$C.bin" --faults drop=1e-4,flip=1e-4 --seed 5 -v || { fail "simulator"; finish; exit; }
iot -c "$C" read-flash 0 all "$T/faults.bin"
check "read-flash under drop=1e-4,flip=1e-4 succeeds" succeeded
check "... byte-identical" same "$T/faults.bin" "$T/now.bin"
stop_sim
finish
