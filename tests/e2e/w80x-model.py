#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Raw-protocol test of the W800 ROM model (plugins/w80x/model.c) with the
query sequence of a public W80x tool's info command (w80xprog -i): wait for
one `C`, flush, send a frame, read a fixed count of bytes.  The ROM's `C`
stream pauses while a frame arrives and while it answers, and resumes after
the reply (docs/protocols/w80x.md §3, §7): the reply comes first, then the
next `C`.  A query the model left unanswered came back as `C`s, which that
tool printed as the MAC `cc:cc:cc:cc:cc:cc`."""
import os
import re
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawsim import Results, Sim  # noqa: E402

T = Results()


def crc16_ccitt_false(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def frame(cmd, params=b""):
    body = cmd.to_bytes(4, "little") + params
    return bytes([0x21, len(body) + 2, 0]) + crc16_ccitt_false(body).to_bytes(2, "little") + body


def wait_c(sim):
    sim.drain(0.01)
    return sim.read_until(b"C", 2).endswith(b"C")


def query(sim, cmd, n, split=False):
    """w80xprog's opcode_transfer(): one `C`, flush, frame, read n bytes."""
    if not wait_c(sim):
        return b""
    f = frame(cmd)
    if split:  # a frame that takes longer than the `C` interval to arrive
        sim.send(f[:3])
        time.sleep(0.08)
        sim.send(f[3:])
    else:
        sim.send(f)
    return sim.read(n, 3)


MAC = re.compile(rb"Mac:[0-9A-F]{12}\nC")


def main():
    with tempfile.TemporaryDirectory(prefix="w80x-model.") as tmp:
        sim = Sim(tmp, "w800", "w800", b"\xff" * 0x200000, timing=True)
        try:
            bt = query(sim, 0x34, 18)
            T.check("0x34 (Bluetooth MAC): `Mac:` + 12 hex digits + LF, then the next `C`",
                    MAC.fullmatch(bt) is not None, f"got {bt!r}")
            wifi = query(sim, 0x38, 18)
            T.check("0x38 (Wi-Fi MAC): `Mac:` + 12 hex digits + LF, then the next `C`",
                    MAC.fullmatch(wifi) is not None, f"got {wifi!r}")
            T.check("the two MACs differ", bt[4:16] != wifi[4:16], f"{bt!r} {wifi!r}")
            slow = query(sim, 0x38, 18, split=True)
            T.eq("no `C` while a slow frame arrives: the reply comes first", slow, wifi)
            T.eq("0x3C (flash id)", query(sim, 0x3C, 10), b"FID:EF,15\n")
            T.eq("0x3E (ROM version)", query(sim, 0x3E, 3), b"R:8")
            T.check("`C` resumes after a reply", sim.read_until(b"C", 1).endswith(b"C"))
        finally:
            T.eq("iotflash-sim exits cleanly", sim.stop(), 0)
    return T.exit_code()


if __name__ == "__main__":
    sys.exit(main())
