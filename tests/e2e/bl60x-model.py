#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Raw-protocol test of the BL602 ROM model (plugins/bl60x/model.c): every
reply leaves as one transmission, as the ROM sends it.  With wire timing, a
client that does one short read after the segment header gets `OK`, the
length and all 16 header bytes at once (docs/protocols/bl60x.md §3.3); a
model that wrote `OK`+length and the payload separately fails here."""
import os
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawsim import Results, Sim  # noqa: E402

T = Results()


def frame(cmd, payload=b""):
    return bytes([cmd, 0]) + struct.pack("<H", len(payload)) + payload


def handshake(sim):
    for _ in range(20):
        sim.send(b"\x55" * 64)
        got = sim.read(2, 0.3)
        if got == b"OK":
            return True
        sim.drain(0.05)
    return False


def main():
    top = os.environ.get("top_srcdir", ".")
    with tempfile.TemporaryDirectory(prefix="bl60x-model.") as tmp:
        loader = os.path.join(tmp, "loader.bin")
        subprocess.run([sys.executable, os.path.join(top, "tests/e2e/gen-bl60x-loader.py"), "bl602", loader],
                       check=True)
        with open(loader, "rb") as f:
            image = f.read()
        boot, seg = image[:176], image[176:192]
        sim = Sim(tmp, "bl602", "bl602", b"\xff" * 0x200000, timing=True)
        try:
            T.check("ROM handshake answers OK", handshake(sim))
            time.sleep(0.02)
            sim.send(frame(0x10))
            info = sim.read(24, 1)  # longer than the host's 2 ms wire chunk: no one-read check
            T.check("get_boot_info: OK and its 20-byte payload",
                    info[:4] == b"OK\x14\x00" and len(info) == 24, f"got {info.hex(' ')}")
            sim.send(frame(0x11, boot))
            T.eq("load_boot_header: OK", sim.read(2, 1), b"OK")
            sim.send(frame(0x17, seg))
            T.eq("load_segment_header: OK, length and the 16 bytes in one read", sim.read_once(1),
                 b"OK" + struct.pack("<H", 16) + seg)
            T.eq("nothing follows the segment header reply", sim.drain(0.05), b"")
        finally:
            T.eq("iotflash-sim exits cleanly", sim.stop(), 0)
    return T.exit_code()


if __name__ == "__main__":
    sys.exit(main())
