#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Raw-protocol test of the LN882H device model's ROM (plugins/ln882h/model.c):
the RAM-code upload as the public tools do it, with the command line ended
by CR LF (what they all send) and by a lone CR.  With wire timing the
short replies must arrive in one piece, as the ROM sends them.  The LF of CR LF must never
reach the YMODEM receiver as data or draw a NAK (docs/protocols/ln882h.md
§1.3, §2.1): the device only ever answers with `C` until block 0."""
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawsim import Results, Sim, crc16_xmodem  # noqa: E402

SOH, STX, EOT, ACK, NAK, C = 0x01, 0x02, 0x04, 0x06, 0x15, 0x43
STAMP = b"Mar 14 2021/00:23:32\r\n"
T = Results()


def block(marker, seq, data):
    return bytes([marker, seq, 0xFF - seq]) + data + crc16_xmodem(data).to_bytes(2, "big")


def wait_c(sim, what, timeout=5.0):
    """Bytes up to and including the first `C`; nothing else may come first."""
    got = sim.read_until(b"C", timeout)
    T.eq(f"{what}: the device's first byte is `C` (no NAK, no stray reply)", got[:1], b"C")
    return got


def ymodem_send(sim, name, image, what, whole):
    wait_c(sim, what)
    sim.drain(0.05)  # further `C`s of the pacing
    head = name.encode() + b"\0" + str(len(image)).encode() + b"\0"
    sim.send(block(SOH, 0, head.ljust(128, b"\0")))
    # With wire timing a reply split into two writes shows up as two reads.
    got = sim.read_once(3) if whole else sim.read(2, 3)
    T.eq(f"{what}: block 0 answered ACK C{' in one piece' if whole else ''}", got, bytes([ACK, C]))
    seq, ok = 1, True
    for off in range(0, len(image), 1024):
        sim.send(block(STX, seq & 0xFF, image[off:off + 1024].ljust(1024, b"\x1a")))
        got = sim.read(1, 3)
        if got != bytes([ACK]):
            ok = T.check(f"{what}: data block {seq} ACKed", False, f"got {got!r}")
            break
        seq += 1
    if ok:
        T.check(f"{what}: all {seq - 1} data blocks ACKed", True)
    sim.send(bytes([EOT]))
    T.eq(f"{what}: first EOT answered NAK", sim.read(1, 3), bytes([NAK]))
    sim.send(bytes([EOT]))
    T.eq(f"{what}: second EOT answered ACK C", sim.read(2, 3), bytes([ACK, C]))
    sim.send(block(SOH, 0, bytes(128)))
    T.eq(f"{what}: end-of-session block ACKed", sim.read(1, 3), bytes([ACK]))


def ram_code_up(sim, what):
    """The official RAM code echoes and answers `version` with RAMCODE."""
    for _ in range(20):
        sim.send(b"version\r\n")
        got = sim.drain(0.2)
        if got:
            return T.eq(f"{what}: RAM code answers version", got, b"version\r\nRAMCODE\r\n")
        time.sleep(0.05)
    return T.check(f"{what}: RAM code answers version", False, "silence")


def upload(sim, image, eol, what, whole):
    sim.send(b"version" + eol)
    got = sim.read_once(2) if whole else sim.read(len(STAMP), 2)
    T.eq(f"{what}: ROM version{' in one piece' if whole else ''}", got, STAMP)
    sim.send(b"download [rambin] [0x20000000] [%d]" % len(image) + eol)
    ymodem_send(sim, "ramcode.bin", image, what, whole)
    ram_code_up(sim, what)


def main():
    top = os.environ.get("top_srcdir", ".")
    with tempfile.TemporaryDirectory(prefix="ln882h-model.") as tmp:
        ram = os.path.join(tmp, "ramcode.bin")
        subprocess.run([sys.executable, os.path.join(top, "tests/e2e/gen-ln882h-loader.py"),
                        "official", "ln882h", ram], check=True)
        with open(ram, "rb") as f:
            image = f.read()
        for timing in (False, True):
            sim = Sim(tmp, f"ln882h-{int(timing)}", "ln882h", b"\xff" * 0x200000, timing=timing)
            try:
                tag = "timed" if timing else "untimed"
                upload(sim, image, b"\r\n", f"{tag} CR LF", timing)
                # The RAM code's `upgrade\r\n`: its LF must not draw a NAK either.
                sim.send(b"startaddr 0x7000\r\n")
                T.eq(f"{tag}: startaddr", sim.read_until(b"pppp\r\n", 3), b"startaddr 0x7000\r\npppp\r\n")
                sim.send(b"upgrade\r\n")
                T.eq(f"{tag}: upgrade CR LF: echo, then `C` first", sim.read_until(b"C", 3), b"upgradeC")
                sim.send(bytes([0x18, 0x18]))  # CAN CAN: the receiver leaves silently
                sim.drain(0.3)
                ram_code_up(sim, f"{tag} after a cancelled upgrade")
                sim.send(b"reboot\r\n")
                T.eq(f"{tag}: reboot status", sim.read_until(b"pppp\r\n", 3), b"reboot\r\npppp\r\n")
                upload(sim, image, b"\r", f"{tag} CR", timing)
            finally:
                T.eq("iotflash-sim exits cleanly", sim.stop(), 0)
    return T.exit_code()


if __name__ == "__main__":
    sys.exit(main())
