#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Raw-protocol test of the XRadio models (plugins/xradio/model.c) with a
client written from docs/protocols/xradio.md alone: the frame and its
little-endian checksum (§2.2), replies (§3), auto-baud (§4), the command
quirks (§5) and the XR809 stub's (§6, §5.7).  Each check is something a
real ROM or stub does that a lenient model would get wrong."""
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
HERE = os.path.dirname(os.path.abspath(__file__))


def sum16(b):
    s = sum(b[i] | b[i + 1] << 8 for i in range(0, len(b) - 1, 2))
    return (s + (b[-1] if len(b) % 2 else 0)) & 0xFFFF


def request(op, fields=(), raw=b"", b5=0, flags=4, cs_delta=0):
    """fields: (value, size) integers, big-endian on the wire, little-endian in the sum."""
    be = b"".join(v.to_bytes(n, "big") for v, n in fields)
    le = b"".join(v.to_bytes(n, "little") for v, n in fields)
    n = 1 + len(be) + len(raw)
    p = b"BROM" + bytes([flags, b5]) + b"\0\0" + n.to_bytes(4, "little") + bytes([op]) + le + raw
    cs = (~sum16(p) + cs_delta) & 0xFFFF
    return b"BROM" + bytes([flags, b5]) + cs.to_bytes(2, "big") + n.to_bytes(4, "big") + bytes([op]) + be + raw


def reply(sim, timeout=2.0):
    """(header bytes, payload) or (b'', b'') on silence."""
    h = sim.read(12, timeout)
    if len(h) < 12:
        return h, b""
    n = 1 if h[4] & 1 else int.from_bytes(h[8:12], "big")
    return h, sim.read(n, timeout)


def ack_hdr(version, b5=0, err=False, n=0):
    return b"BROM" + bytes([3 if err else 2, (b5 & 0xF0) | version, 0, 0]) + n.to_bytes(4, "big")


def sync(sim):
    sim.send(b"\x55")
    return sim.read(2, 0.5)


def rom_checks(tmp):
    sim = Sim(tmp, "xr809", "xr809", bytes(range(256)) * 1024 * 8)  # 2 MiB
    try:
        time.sleep(0.2)  # the chip comes out of reset
        T.eq("auto-baud: the first 0x55 after reset gets no answer (§4)", sync(sim), b"")
        T.eq("the second 0x55 gets OK", sync(sim), b"OK")
        sim.send(b"noise B" + b"XYZ")  # a B not followed by ROM is dropped (§2.3)
        T.eq("noise and a stray B between frames are ignored", sync(sim), b"OK")
        sim.send(request(0x18, b5=0x30))
        h, p = reply(sim)
        T.eq("0x18 reply: ACK, byte 5 = request's high nibble | version 1, no checksum (§3)", h,
             ack_hdr(1, 0x30, n=4))
        T.eq("0x18 payload: mfr, type, capacity, 0 (§5.1)", p, bytes([0x85, 0x40, 0x15, 0]))
        sim.send(request(0x18, cs_delta=1))
        T.eq("a wrong request checksum is error 3", b"".join(reply(sim)), ack_hdr(1, err=True, n=1) + b"\x03")
        sim.send(request(0x18, flags=0, cs_delta=1))
        T.eq("... checked only when CHECK is set", reply(sim)[0], ack_hdr(1, n=4))
        sim.send(b"BROM\x04\x00\x00\x00\x00\x00\x40\x01")
        T.eq("length above 0x4000 is error 5 and its payload is not read", b"".join(reply(sim)),
             ack_hdr(1, err=True, n=1) + b"\x05")
        T.eq("... the chip is back between frames", sync(sim), b"OK")
        sim.send(request(0x1A, [(0, 4), (1, 4)]))
        T.eq("the XR809 v1 ROM refuses 0x1A (model_rom_flash: false)", b"".join(reply(sim)),
             ack_hdr(1, err=True, n=1) + b"\x01")
        sim.send(request(0x17))
        T.eq("0x17 on ROM v1: error 1", b"".join(reply(sim)), ack_hdr(1, err=True, n=1) + b"\x01")
        sim.send(request(0x10, [(0x03000000 | 12345, 4)]))
        T.eq("0x10 with a rate not in the list: error 4 (§5.3)", b"".join(reply(sim)),
             ack_hdr(1, err=True, n=1) + b"\x04")
        T.eq("... and the rate is kept", sync(sim), b"OK")
        # A frame has no timeout: half now, the rest later, still one request.
        f = request(0x18)
        sim.send(f[:7])
        time.sleep(0.4)
        sim.send(f[7:])
        T.eq("a frame sent in two parts 0.4 s apart is one request (§2.3)", reply(sim)[0], ack_hdr(1, n=4))
        # A short frame swallows what follows, even 0x55.
        sim.send(request(0x18)[:-1])
        sim.send(b"\x55")
        T.eq("a frame one byte short takes the next 0x55 as payload (§2.3): the frame fails its checksum",
             b"".join(reply(sim)), ack_hdr(1, err=True, n=1) + b"\x03")
        # The stub: a damaged upload is refused, the stand-in starts.
        stub = open(os.path.join(tmp, "stub.bin"), "rb").read()
        dcs = ~sum16(stub) & 0xFFFF
        sim.send(request(0x09, [(0x10000, 4), (len(stub), 4), (dcs ^ 1, 2)]))
        T.eq("0x09: ack before the data (§5.8)", reply(sim)[0], ack_hdr(1))
        sim.send(stub)
        T.eq("0x09 with a wrong data checksum: error 3", b"".join(reply(sim)), ack_hdr(1, err=True, n=1) + b"\x03")
        sim.send(request(0x09, [(0x10000, 4), (len(stub), 4), (dcs, 2)]))
        reply(sim)
        sim.send(stub)
        T.eq("0x09 of the stub: second ack once copied", reply(sim)[0], ack_hdr(1))
        sim.send(request(0x08, [(0x10000, 4), (8, 4)]))
        T.eq("0x08 reads the RAM back (its vector table)", reply(sim)[1], stub[:8])
        sim.send(request(0x13, [(0x10101, 4)]))
        T.eq("0x13 0x10101: ack", reply(sim)[0], ack_hdr(1))
        T.eq("the stub's first 0x55 only sets its rate", sync(sim), b"")
        T.eq("... the next gets OK", sync(sim), b"OK")
        return sim
    except BaseException:
        sim.stop()
        raise


def stub_checks(sim):
    sim.send(request(0x17))
    T.eq("stub: 0x17 is error 1 (§6)", b"".join(reply(sim)), ack_hdr(1, err=True, n=1) + b"\x01")
    sim.send(request(0x15))
    h, p = reply(sim)
    T.eq("stub: 0x15 lists its rates, 6 x u32 LE (§5.3)", p,
         struct.pack("<6I", 9600, 115200, 921600, 1000000, 1500000, 3000000))
    sim.send(request(0x1C))
    T.eq("stub: 0x1C gets no reply at all (§5.9)", sim.read(12, 0.3), b"")
    T.eq("... and the stub still syncs", sync(sim), b"OK")
    # Erase: the 4 KiB unit containing the address; programming ANDs.
    sim.send(request(0x19, [(1, 1), (0x1234, 4)]))
    T.eq("0x19 mode 1 at 0x1234: ack", reply(sim)[0], ack_hdr(1))
    fl = sim.flash_bytes()
    T.check("... erased 0x1000..0x1FFF, not beyond", fl[0x1000:0x2000] == b"\xff" * 4096 and fl[0xFFE] == 0xFE
            and fl[0x2000] == 0x00, f"{fl[0xFFE:0x1002].hex()} {fl[0x2000]:02x}")
    sim.send(request(0x19, [(4, 1), (0, 4)]))
    T.eq("0x19 mode 4: error 4", b"".join(reply(sim)), ack_hdr(1, err=True, n=1) + b"\x04")
    data = bytes([0xF0]) * 512
    sim.send(request(0x1B, [(8, 4), (1, 4), (~sum16(data) & 0xFFFF, 2)]))
    T.eq("0x1B: ack before the data (§5.7)", reply(sim)[0], ack_hdr(1))
    sim.send(data)
    T.eq("0x1B: ack once programmed", reply(sim)[0], ack_hdr(1))
    data = bytes([0x0F]) * 512
    sim.send(request(0x1B, [(8, 4), (1, 4), (~sum16(data) & 0xFFFF, 2)]))
    reply(sim)
    sim.send(data)
    reply(sim)
    T.eq("programming only clears bits: 0xF0 then 0x0F reads 0x00", sim.flash_bytes()[0x1000:0x1200], b"\0" * 512)
    # The stub quirk: the data checksum is checked only if bit 2 of data[4] is set.
    quiet = bytes([0x11, 0x22, 0x33, 0x44, 0x00]) + b"\x55" * 507   # data[4] bit 2 clear
    loud = bytes([0x11, 0x22, 0x33, 0x44, 0x04]) + b"\x55" * 507    # set
    sim.send(request(0x19, [(1, 1), (0x3000, 4)]))
    reply(sim)
    sim.send(request(0x1B, [(0x18, 4), (1, 4), (0x1234, 2)]))
    reply(sim)
    sim.send(quiet)
    T.eq("stub: a wrong dcs passes when data[4] bit 2 is clear (§5.7 quirk)", reply(sim)[0], ack_hdr(1))
    T.eq("... and the data were programmed", sim.flash_bytes()[0x3000:0x3200], quiet)
    sim.send(request(0x1B, [(0x19, 4), (1, 4), (0x1234, 2)]))
    reply(sim)
    sim.send(loud)
    T.eq("stub: a wrong dcs is error 3 when data[4] bit 2 is set", b"".join(reply(sim)),
         ack_hdr(1, err=True, n=1) + b"\x03")
    sim.send(request(0x1A, [(0x18, 4), (1, 4)]))
    T.eq("0x1A reads the sector back", reply(sim)[1], quiet)
    # 0x14: replies checksummed from its own ack on.
    sim.send(request(0x14, [(1, 1)]))
    h, _ = reply(sim)
    T.check("0x14 mode 1: the ack itself carries CHECK and a valid checksum",
            h[4] == 0x06 and sum16(b"BROM" + h[4:6] + h[7:8] + h[6:7] + h[8:12][::-1]) == 0xFFFF, h.hex(" "))
    sim.send(request(0x18))
    h, p = reply(sim)
    P = b"BROM" + h[4:6] + h[7:8] + h[6:7] + h[8:12][::-1] + p
    T.check("... a data reply sums to 0xFFFF over its little-endian image", h[4] == 0x06 and sum16(P) == 0xFFFF)
    sim.send(request(0x14, [(0, 1)]))
    T.eq("0x14 mode 0: plain replies again", reply(sim)[0], ack_hdr(1))


def firmware_checks(tmp):
    db = os.path.join(tmp, "fwdb")
    os.makedirs(db, exist_ok=True)
    src = open(os.path.join(os.environ["IOTFLASH_CHIPDB_PATH"], "xradio.yaml")).read()
    open(os.path.join(db, "xradio.yaml"), "w").write(src.replace("    model_boot: download\n",
                                                                  "    model_boot: firmware\n"))
    old = os.environ["IOTFLASH_CHIPDB_PATH"]
    os.environ["IOTFLASH_CHIPDB_PATH"] = db
    try:
        sim = Sim(tmp, "fw", "xr806")
    finally:
        os.environ["IOTFLASH_CHIPDB_PATH"] = old
    try:
        time.sleep(0.2)
        sync(sim)
        T.eq("firmware: 0x55 gets nothing while the firmware runs", sync(sim), b"")
        sim.send(b"\nupgrade\r")  # LF first: the 0x55s are a line of junk for the console
        T.eq("firmware: `upgrade` + CR is answered <ACK> 200 OK (§1.2)", sim.read(13, 1.0), b"<ACK> 200 OK\n")
        sync(sim)
        T.eq("... and the chip is in download mode", sync(sim), b"OK")
        sim.send(request(0x17))
        T.eq("XR806 ROM: 0x17 answers one byte, version 4", reply(sim), (ack_hdr(4, n=1), b"\x06"))
        sim.send(request(0x12))
        T.eq("0x12: ack, then a reboot", reply(sim)[0], ack_hdr(4))
        time.sleep(0.2)
        sync(sim)
        T.eq("... without straps the firmware runs again (§9 item 9)", sync(sim), b"")
    finally:
        sim.stop()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(HERE, "gen-xradio-stub.py"), os.path.join(tmp, "stub.bin")],
                       check=True)
        sim = rom_checks(tmp)
        try:
            stub_checks(sim)
        finally:
            sim.stop()
        firmware_checks(tmp)
    return T.exit_code()


if __name__ == "__main__":
    sys.exit(main())
