#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Raw-protocol test of the AmebaZ2 shell model's `fwdram` and the community
Z2 XMODEM read stub (plugins/rtl87xx/model-ramcode.c), as the GUI flasher
drives them (docs/protocols/rtl87xx.md §7.4-7.6): stub parameters with EW,
`fwdram 10035000` + plain XMODEM upload, `ping`, an unused command-table
entry pointed at 0x10035001 and run, then the stub's XMODEM send of the
flash, which must equal the flash file byte for byte.  The stand-in stubs
come from tests/e2e/gen-rtl87xx-stub.py."""
import os
import random
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawsim import Results, Sim, crc16_xmodem  # noqa: E402

SOH, STX, EOT, ACK, NAK, CAN = 0x01, 0x02, 0x04, 0x06, 0x15, 0x18
STUB_ADDR = 0x10035000
PARAMS = 0x10038000
USED = {"ping", "disc", "ucfg", "DW", "DB", "EW", "EB", "WDTRST", "hashq", "fwd", "fwdram"}
FLASH_SIZE = 0x200000
T = Results()


def command(sim, line, eol=b"\n"):
    sim.drain(0.02)
    sim.send(line.encode() + eol)


def ew(sim, addr, value):
    command(sim, f"EW {addr:X} {value:X}")
    return sim.read_until(b"\r\n", 2)


def dw(sim, addr):
    command(sim, f"DW {addr:X} 4")
    text = sim.read_until(b"\r\n", 2)
    text += sim.read_until(b"\r\n", 2) if text.count(b"\r\n") < 2 else b""
    m = re.search(rb"%08X:\s+([0-9a-fA-F]{8})" % addr, text)
    return int(m.group(1), 16) if m else None


def db16(sim, addr):
    command(sim, f"DB {addr:X} 16")
    text = sim.drain(0.2)
    m = re.search(rb"%08X: ((?:[0-9a-f]{2} ){16})" % addr, text)
    return bytes.fromhex(m.group(1).decode()) if m else None


def ping(sim):
    command(sim, "ping")
    return sim.read(4, 2) == b"ping"


def fwdram(sim, data, eol=b"\n"):
    """Plain XMODEM-1K with an 8-bit sum and 0xFF padding, as the GUI sends it."""
    command(sim, f"fwdram {STUB_ADDR:x}", eol)
    if sim.read(1, 3) != bytes([NAK]):
        return b"no NAK"
    for seq, off in enumerate(range(0, len(data), 1024), 1):
        chunk = data[off:off + 1024].ljust(1024, b"\xff")
        sim.send(bytes([STX, seq & 0xFF, 0xFF - (seq & 0xFF)]) + chunk + bytes([sum(chunk) & 0xFF]))
        got = sim.read(1, 3)
        if got != bytes([ACK]):
            return b"frame %d: %r" % (seq, got)
    sim.send(bytes([EOT]))
    return sim.read(3, 3)


def hijack_entry(sim):
    """The GUI's way to run code: the first table entry with an unused name."""
    table = dw(sim, 0x1002F054)
    if table is None:
        return None, None
    for entry in range(table, table + 8 * 12, 12):
        ptr = dw(sim, entry)
        if not ptr:
            return None, None
        name = (db16(sim, ptr) or b"").split(b"\0")[0].decode(errors="replace")
        if name and name not in USED:
            return entry, name
    return None, None


def receive(sim, start):
    """XMODEM receiver: 'C' = CRC-16 frames, NAK = 8-bit sum frames."""
    sim.send(bytes([start]))
    out, expect = b"", 1
    while True:
        head = sim.read(1, 3)
        if head == bytes([EOT]):
            sim.send(bytes([ACK]))
            return out
        if head not in (bytes([STX]), bytes([SOH])):
            return None
        size = 1024 if head[0] == STX else 128
        rest = sim.read(2 + size + (2 if start == ord("C") else 1), 3)
        if len(rest) != 2 + size + (2 if start == ord("C") else 1) or rest[0] != expect or rest[1] != 0xFF - expect:
            return None
        data = rest[2:2 + size]
        check = rest[2 + size:]
        ok = check == crc16_xmodem(data).to_bytes(2, "big") if start == ord("C") else check[0] == sum(data) & 0xFF
        if not ok:
            return None
        out += data
        expect = (expect + 1) & 0xFF
        sim.send(bytes([ACK]))


def stub_read(sim, flash, what, offset, length, start, eol=b"\n"):
    stub = STUBS["z2"]
    for i, v in enumerate((offset, length, 0)):
        ew(sim, PARAMS + 4 * i, v)
    T.eq(f"{what}: fwdram upload answered ACK, then OK", fwdram(sim, stub, eol), bytes([ACK]) + b"OK")
    T.check(f"{what}: ping after the upload", ping(sim))
    entry, name = hijack_entry(sim)
    T.check(f"{what}: an unused command-table entry", entry is not None, f"{entry} {name}")
    if entry is None:
        return
    ew(sim, entry + 4, STUB_ADDR | 1)
    command(sim, name)
    got = receive(sim, start)
    T.check(f"{what}: the stub sends {length} bytes of flash at 0x{offset:X} exactly",
            got is not None and got[:length] == flash[offset:offset + length] and set(got[length:]) <= {0xFF},
            f"got {None if got is None else len(got)} bytes")
    T.check(f"{what}: back in the shell (ping)", ping(sim))


STUBS = {}


def main():
    top = os.environ.get("top_srcdir", ".")
    with tempfile.TemporaryDirectory(prefix="rtl87xx-z2stub.") as tmp:
        for kind in ("z2", "z2z"):
            path = os.path.join(tmp, f"{kind}.bin")
            subprocess.run([sys.executable, os.path.join(top, "tests/e2e/gen-rtl87xx-stub.py"), kind, path],
                           check=True)
            with open(path, "rb") as f:
                STUBS[kind] = f.read()
        flash = random.Random(8720).randbytes(FLASH_SIZE)
        sim = Sim(tmp, "rtl8720c", "rtl8720c", flash)
        try:
            sim.read_until(b"baud=115200\r\n", 3)
            T.check("link: ping", ping(sim))
            stub_read(sim, flash, "CRC, 1 KiB frames", 0x10000, 10000, ord("C"))
            stub_read(sim, flash, "sum, 128-byte frames, CR LF lines", 0x1FF000, 0x1000 - 5, NAK, b"\r\n")
            # Code the model does not know is not run: the chip hangs, as on a bad jump.
            T.eq("fwdram of unknown code: OK", fwdram(sim, bytes(620)), bytes([ACK]) + b"OK")
            entry, name = hijack_entry(sim)
            ew(sim, entry + 4, STUB_ADDR | 1)
            command(sim, name)
            sim.send(b"C")
            T.eq("a jump into unknown code: silence", sim.drain(0.5), b"")
            T.check("... and no more ping", not ping(sim))
        finally:
            T.eq("iotflash-sim exits cleanly", sim.stop(), 0)
    return T.exit_code()


if __name__ == "__main__":
    sys.exit(main())
