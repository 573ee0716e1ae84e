#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Raw-protocol test of the RTL8710B stub in the AmebaZ ROM model
(plugins/rtl87xx/model-a5stub.c), as the GUI flasher drives it
(docs/protocols/rtl87xx.md §2.5, §6): `07` and an address-XMODEM upload of
the stub to 0x10002000 at 1.5 Mbaud, then the stub's "A5" frames at 115200:
flash ID (`a5 90 00 00 35`), SYN, SHA-256, an XMODEM read compared with the
flash file, and the error reply.  The stand-in comes from
tests/e2e/gen-rtl87xx-stub.py."""
import hashlib
import os
import random
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawsim import Results, Sim, crc16_xmodem  # noqa: E402

STX, EOT, ACK, NAK = 0x02, 0x04, 0x06, 0x15
LOAD = 0x10002000
ERROR_AFTER_READ = bytes([0x5A, 0xFF, 0, 0, 3, (0x5A + 0xFF + 3) & 0xFF])  # DATA_LEN left by 0x92: 0
T = Results()


def frame(t, data=b""):
    f = bytes([0xA5, t]) + struct.pack("<H", len(data)) + data
    return f + bytes([sum(f) & 0xFF])


def reply(t, data=b"", status=0):
    f = bytes([0x5A, t]) + struct.pack("<H", len(data)) + data + bytes([status])
    return f + bytes([sum(f) & 0xFF])


def upload(sim, image):
    sim.read_until(bytes([NAK]), 2)
    sim.send(b"\x07")
    if not sim.read_until(bytes([ACK, NAK]), 2).endswith(bytes([ACK, NAK])):
        return False
    for seq, off in enumerate(range(0, len(image), 1024), 1):
        body = struct.pack("<I", LOAD + off) + image[off:off + 1024].ljust(1024, b"\xff")
        sim.send(bytes([STX, seq & 0xFF, 0xFF - (seq & 0xFF)]) + body + bytes([sum(body) & 0xFF]))
        if sim.read(1, 2) != bytes([ACK]):
            return False
    sim.send(bytes([EOT]))
    return sim.read(1, 2) == bytes([ACK])


def xmodem_receive(sim, n):
    sim.send(b"C")
    out, seq = b"", 1
    while True:
        head = sim.read(1, 3)
        if head == bytes([EOT]):
            sim.send(bytes([ACK]))
            return out[:n] if len(out) >= n else None
        rest = sim.read(2 + 1024 + 2, 3)
        if head != bytes([STX]) or len(rest) != 1028 or rest[0] != seq or \
                crc16_xmodem(rest[2:1026]) != int.from_bytes(rest[1026:], "big"):
            return None
        out += rest[2:1026]
        seq = (seq + 1) & 0xFF
        sim.send(bytes([ACK]))


def main():
    top = os.environ.get("top_srcdir", ".")
    with tempfile.TemporaryDirectory(prefix="rtl87xx-a5stub.") as tmp:
        path = os.path.join(tmp, "stub.bin")
        subprocess.run([sys.executable, os.path.join(top, "tests/e2e/gen-rtl87xx-stub.py"), "rtl8710b", path],
                       check=True)
        with open(path, "rb") as f:
            stub = f.read()
        flash = random.Random(8710).randbytes(0x200000)
        sim = Sim(tmp, "rtl8710b", "rtl8710b", flash)
        try:
            sim.set_baud(1500000)
            T.check("ROM: 07, address-XMODEM upload of the stub to 0x10002000", upload(sim, stub))
            sim.set_baud(115200)
            time.sleep(0.1)
            sim.send(bytes.fromhex("a5 90 00 00 35"))
            T.eq("stub: a5 90 00 00 35 (flash ID)", sim.read(10, 2), reply(0x90, bytes([0xC8, 0x40, 0x15, 0])))
            sim.send(frame(0x00, b"cnys"))
            T.eq("stub: SYN (its CHK repeats the last reply's)", sim.read(6, 2),
                 bytes([0x5A, 0, 0, 0, 0]) + reply(0x90, bytes([0xC8, 0x40, 0x15, 0]))[-1:])
            sim.send(frame(0x09, struct.pack("<II", 0x1000, 0x10000)))
            T.eq("stub: SHA-256 of 64 KiB at 0x1000", sim.read(38, 3),
                 reply(0x09, hashlib.sha256(flash[0x1000:0x11000]).digest()))
            sim.send(frame(0x92, struct.pack("<II", 0x1F0000, 5000)))
            T.eq("stub: XMODEM read ACK", sim.read(6, 2), reply(0x92))
            T.check("stub: XMODEM read returns the flash bytes exactly",
                    xmodem_receive(sim, 5000) == flash[0x1F0000:0x1F0000 + 5000])
            sim.send(frame(0x95))
            T.eq("stub: an unknown type gets the error reply", sim.read(6, 2), ERROR_AFTER_READ)
            sim.send(frame(0x90)[:-1] + b"\x00")
            T.eq("stub: a bad checksum gets the error reply", sim.read(6, 2), ERROR_AFTER_READ)
        finally:
            T.eq("iotflash-sim exits cleanly", sim.stop(), 0)
    return T.exit_code()


if __name__ == "__main__":
    sys.exit(main())
