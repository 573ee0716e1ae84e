#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Raw-protocol test of the BK72xx device model (plugins/bk72xx/model.c).

Starts iotflash-sim with the bk7231n (FULL) and bk7231t (LEGACY) models on
copies of the real dumps, talks the Beken UART protocol byte by byte over the
pty and checks every reply against docs/specs (bk72xx-uart.md §3, §4, §9).
Environment (set by tests/Makefile.inc): IOTFLASH_SIM, IOTFLASH_DUMPS, and the
plugin/chipdb paths the simulator itself reads."""
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
import tty
import zlib

LINK_CHECK = bytes.fromhex("01E0FC0100")
LINK_REPLY = bytes.fromhex("040E0501E0FC0100")
SECTOR = 4096
PATTERN = bytes(range(256)) * 16          # spec §4 worked example
N_EFUSE_KEY = "510fb093a3cbeadc5993a17ec7adeb03"  # BK7231N (Tuya), spec §6.1

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def check_eq(name, got, want):
    if isinstance(got, bytes):
        check(name, got == want, f"\n  got  {got[:48].hex(' ')}\n  want {want[:48].hex(' ')}")
    else:
        check(name, got == want, f"got {got!r} want {want!r}")


def chip_crc(data):
    return zlib.crc32(data) ^ 0xFFFFFFFF


def short(cmd, payload=b""):
    return bytes([0x01, 0xE0, 0xFC, 1 + len(payload), cmd]) + payload


def long_(op, payload=b""):
    return bytes([0x01, 0xE0, 0xFC, 0xFF, 0xF4]) + struct.pack("<H", 1 + len(payload)) + bytes([op]) + payload


def short_reply(cmd, payload=b""):
    return bytes([0x04, 0x0E, 4 + len(payload), 0x01, 0xE0, 0xFC, cmd]) + payload


def long_reply(op, status, payload=b""):
    return bytes([0x04, 0x0E, 0xFF, 0x01, 0xE0, 0xFC, 0xF4]) + struct.pack("<H", 2 + len(payload)) \
        + bytes([op, status]) + payload


def crc_cmd(start, end):
    return short(0x10, struct.pack("<II", start, end))


def crc_reply(value):
    return short_reply(0x10, struct.pack("<I", value))


BAUDS = {115200: termios.B115200, 921600: termios.B921600}


class Sim:
    """One iotflash-sim process and the client end of its pty."""

    def __init__(self, tmp, name, model, dump):
        self.flash = os.path.join(tmp, f"{name}.bin")
        self.link = os.path.join(tmp, f"{name}.tty")
        if dump:
            shutil.copyfile(dump, self.flash)
            os.chmod(self.flash, 0o600)
        self.log = open(os.path.join(tmp, f"{name}.log"), "wb")
        cmd = [os.environ["IOTFLASH_SIM"], "--model", model, "--flash", self.flash, "--link", self.link]
        if not os.environ.get("BK72XX_MODEL_TIMING"):  # set it to run with wire and chip timing
            cmd.append("--no-timing")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log)
        self.fd = -1
        try:
            line = self._ready_line()
            if not line.startswith(b"ready "):
                raise RuntimeError(f"iotflash-sim did not print 'ready PATH': {line!r}")
            self.fd = os.open(self.link, os.O_RDWR | os.O_NOCTTY)
            tty.setraw(self.fd)
            self.set_baud(115200)
        except BaseException:
            self.stop()
            raise

    def _ready_line(self):
        out = b""
        deadline = time.monotonic() + 10
        while not out.endswith(b"\n") and time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if r:
                b = os.read(self.proc.stdout.fileno(), 1)
                if not b:
                    break
                out += b
        return out

    def set_baud(self, baud):
        attrs = termios.tcgetattr(self.fd)
        attrs[4] = attrs[5] = BAUDS[baud]
        termios.tcsetattr(self.fd, termios.TCSADRAIN, attrs)

    def send(self, data):
        os.write(self.fd, data)

    def read(self, n, timeout=2.0):
        """Up to n bytes, waiting at most timeout seconds for them."""
        out = b""
        deadline = time.monotonic() + timeout
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                out += os.read(self.fd, n - len(out))
        return out

    def drain(self, quiet=0.1):
        """Everything that arrives until the line is quiet."""
        out = b""
        while True:
            r, _, _ = select.select([self.fd], [], [], quiet)
            if not r:
                return out
            out += os.read(self.fd, 4096)

    def xfer(self, data, n, timeout=5.0):
        self.send(data)
        return self.read(n, timeout)

    def link_up(self, timeout=5.0):
        """The tools' way in: `reboot` for a running app, then link checks."""
        self.send(b"reboot\n")
        got = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got += self.xfer(LINK_CHECK, 8, 0.02)
            if LINK_REPLY in got:
                self.drain()
                return True
        return False

    def stop(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        self.proc.terminate()
        try:
            rc = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        return rc

    def flash_bytes(self):
        with open(self.flash, "rb") as f:
            return f.read()


def read4k(sim, addr):
    return sim.xfer(long_(0x09, struct.pack("<I", addr)), 4111)


def read4k_reply(addr, data):
    return long_reply(0x09, 0, struct.pack("<I", addr) + data)


def erase(sim, sz, addr):
    return sim.xfer(long_(0x0F, bytes([sz]) + struct.pack("<I", addr)), 16)


def erase_reply(sz, addr, status=0):
    return long_reply(0x0F, status, bytes([sz]) + struct.pack("<I", addr))


def write4k(sim, addr, data):
    return sim.xfer(long_(0x07, struct.pack("<I", addr) + data), 15)


def write4k_reply(addr, status=0):
    return long_reply(0x07, status, struct.pack("<I", addr))


def crc(sim, start, end):
    return sim.xfer(crc_cmd(start, end), 11, 10.0)  # 2 MiB takes 5.2 s at 400 kB/s when timed


def common_link_tests(sim, tag):
    check(f"{tag}: link check after `reboot`", sim.link_up())
    check_eq(f"{tag}: queued link checks all answered", sim.xfer(LINK_CHECK * 3, 24), LINK_REPLY * 3)
    sim.send(b"\x00\x00\x01\x01\xE0\xFC\x01\x00")  # padding and a broken header first
    check_eq(f"{tag}: hunting skips junk without re-examining", sim.read(8, 0.3), b"")
    sim.send(bytes.fromhex("01E0FC00") + bytes.fromhex("01E0FCFF00") + LINK_CHECK)
    check_eq(f"{tag}: LEN 0 and FF-without-F4 ignored", sim.read(16, 0.5), LINK_REPLY)
    check_eq(f"{tag}: reboot with other byte echoes",
             sim.xfer(short(0x0E, b"\x00"), 8), short_reply(0x0E, b"\x00"))


def full_crc_tests(sim, dump):
    check_eq("full: CRC 0..0x100 inclusive (fingerprint)", crc(sim, 0, 0x100), crc_reply(0x1EBE6E45))
    check_eq("full: CRC sector 0x11000..0x11FFF", crc(sim, 0x11000, 0x11FFF), crc_reply(0x72FD1392))
    check_eq("full: CRC whole 2 MiB", crc(sim, 0, 0x1FFFFF), crc_reply(0xB31A03C3))
    check_eq("full: CRC 257 bytes at 0x11000", crc(sim, 0x11000, 0x11100),
             crc_reply(chip_crc(dump[0x11000:0x11101])))
    check_eq("full: CRC through the mirror, length from raw addresses",
             crc(sim, 0x3FF000, 0x3FFFFF), crc_reply(chip_crc(dump[0x1FF000:0x200000])))


def full_identity_tests(sim):
    check_eq("full: ReadReg 0x800000 = chip id", sim.xfer(short(0x03, struct.pack("<I", 0x800000)), 15),
             short_reply(0x03, bytes.fromhex("000080001C230700")))
    check_eq("full: ReadReg of another register = 0", sim.xfer(short(0x03, struct.pack("<I", 0x800010)), 15),
             short_reply(0x03, bytes.fromhex("1000800000000000")))
    mid = sim.xfer(long_(0x0E, bytes.fromhex("9F000000")), 15)
    check_eq("full: MID reply header, LEN 6", mid[:11], long_reply(0x0E, 0, bytes(4))[:11])
    check_eq("full: MID capacity byte = 2 MiB", mid[14:15], b"\x15")
    key = b""
    for i in range(16):
        ctrl = struct.pack("<I", (i << 8) | 1)
        echo = sim.xfer(short(0x01, struct.pack("<I", 0x800074) + ctrl) + b"\x00\x00\x00", 15)
        if echo != short_reply(0x01, struct.pack("<I", 0x800074) + ctrl):
            break
        ctl = sim.xfer(short(0x03, struct.pack("<I", 0x800074)), 15)
        optr = sim.xfer(short(0x03, struct.pack("<I", 0x800078)), 15)
        if len(ctl) != 15 or ctl[11] & 1 or len(optr) != 15 or not optr[12] & 1:
            break
        key += optr[11:12]
    words = struct.unpack("<4I", key) if len(key) == 16 else ()
    check_eq("full: eFuse key through ctrl/optr registers", "".join(f"{w:08x}" for w in words), N_EFUSE_KEY)


def full_unknown_tests(sim):
    check_eq("full: unknown short 0x11 -> status 7", sim.xfer(short(0x11), 8), short_reply(0x11, b"\x07"))
    check_eq("full: unknown long op -> status 7", sim.xfer(long_(0x42, b"\x00"), 11), long_reply(0x42, 7))
    sim.send(long_(0x0F, bytes([0x52]) + struct.pack("<I", 0x20000)))
    check_eq("full: erase with unknown size code: no reply", sim.read(16, 0.3), b"")
    sim.send(bytes.fromhex("01E0FCFFF4050009000010"))  # read 4K cut after 3 address bytes
    check_eq("full: truncated long frame -> status 5 after idle", sim.read(11, 1.0), long_reply(0x09, 5))
    check_eq("full: link check after resync", sim.xfer(LINK_CHECK, 8), LINK_REPLY)


def sr_read(sim, opcode):
    r = sim.xfer(long_(0x0C, bytes([opcode])), 13)
    return r[12] if len(r) == 13 and r[:12] == long_reply(0x0C, 0, bytes([opcode, 0]))[:12] else None


def sr_write(sim, sr1, sr2):
    payload = bytes([0x01, sr1, sr2])
    return sim.xfer(long_(0x0D, payload), 14) == long_reply(0x0D, 0, payload)


def full_flash_tests(sim, dump):
    a = 0x11000
    check_eq("full: read 4K equals the dump", read4k(sim, a), read4k_reply(a, dump[a:a + SECTOR]))
    check_eq("full: read 4K through the mirror echoes the wire address",
             read4k(sim, a + 0x200000), read4k_reply(a + 0x200000, dump[a:a + SECTOR]))
    check("full: SR write 0x001C (protect) echoed", sr_write(sim, 0x1C, 0x00))
    check_eq("full: SR1 reads back 0x1C", sr_read(sim, 0x05), 0x1C)
    check_eq("full: erase while protected answers OK", erase(sim, 0x20, a), erase_reply(0x20, a))
    check_eq("full: protected sector unchanged", crc(sim, a, a + 0xFFF), crc_reply(0x72FD1392))
    check("full: SR write 0x0000 (unprotect) echoed", sr_write(sim, 0x00, 0x00))
    check_eq("full: SR2 reads back 0", sr_read(sim, 0x35), 0)
    check_eq("full: erase 4K (0x20)", erase(sim, 0x20, a), erase_reply(0x20, a))
    check_eq("full: erased sector CRC", crc(sim, a, a + 0xFFF), crc_reply(0x0EAB98F5))
    check_eq("full: erase 4K (long 0x0B)", sim.xfer(long_(0x0B, struct.pack("<I", a + SECTOR)), 15),
             long_reply(0x0B, 0, struct.pack("<I", a + SECTOR)))
    check_eq("full: write 4K", write4k(sim, a, PATTERN), write4k_reply(a))
    check_eq("full: written sector CRC", crc(sim, a, a + 0xFFF), crc_reply(0x5D6EDF7D))
    check_eq("full: CRC end 0x12000 is 4097 bytes", crc(sim, a, a + 0x1000), crc_reply(0x03EB8CD3))
    data = b"\xF0" * 16
    check_eq("full: FlashWrite 16 bytes", sim.xfer(long_(0x06, struct.pack("<I", a) + data), 16),
             long_reply(0x06, 0, struct.pack("<I", a) + b"\x10"))
    want = bytes(x & 0xF0 for x in PATTERN[:16]) + PATTERN[16:]
    check_eq("full: programming ANDs into flash", read4k(sim, a), read4k_reply(a, want))
    check_eq("full: 64K erase (0xD8) of 0x20000", erase(sim, 0xD8, 0x20000), erase_reply(0xD8, 0x20000))
    check_eq("full: erased block CRC", crc(sim, 0x20000, 0x2FFFF), crc_reply(0x215481B1))
    return want


def full_baud_tests(sim):
    req = short(0x0F, bytes.fromhex("00100E0014"))  # 921600, DD 20 ms
    sim.send(req)
    got = sim.read(12, 0.5)
    check("full: baud reply not readable at the old rate", short_reply(0x0F, req[5:]) not in got)
    sim.set_baud(921600)
    sim.drain()
    check_eq("full: link check at 921600", sim.xfer(LINK_CHECK, 8), LINK_REPLY)
    sim.set_baud(115200)
    sim.send(LINK_CHECK)
    check("full: link check at 115200 gets no valid reply", LINK_REPLY not in sim.read(8, 0.3))
    sim.set_baud(921600)
    sim.drain()
    check_eq("full: still at 921600", sim.xfer(LINK_CHECK * 2, 16), LINK_REPLY * 2)
    sim.send(req)
    check_eq("full: baud reply waits DD = 20 ms", sim.read(12, 0.015), b"")
    check_eq("full: baud reply at the new rate", sim.read(12, 1.0), short_reply(0x0F, req[5:]))
    sim.send(short(0x0E, b"\xA5"))
    check_eq("full: reboot A5 sends nothing", sim.read(8, 0.1), b"")
    sim.set_baud(115200)
    time.sleep(0.4)  # window passes: the "application" runs
    sim.send(LINK_CHECK * 4)
    check("full: application ignores link checks", LINK_REPLY not in sim.drain(0.3))
    check("full: after reboot back at 115200 (reboot line + link)", sim.link_up())


def test_full(tmp, dumps):
    path = os.path.join(dumps, "bk7231n-lspa9-clone.bin")
    dump = open(path, "rb").read()
    sim = Sim(tmp, "full", "bk7231n", path)
    try:
        common_link_tests(sim, "full")
        full_crc_tests(sim, dump)
        full_identity_tests(sim)
        full_unknown_tests(sim)
        sector = full_flash_tests(sim, dump)
        full_baud_tests(sim)
    finally:
        rc = sim.stop()
    check_eq("full: simulator exits 0 on SIGTERM", rc, 0)
    flash = sim.flash_bytes()
    check_eq("full: flash file holds the written sector", flash[0x11000:0x12000], sector)
    want = dump[:0x11000] + sector + b"\xFF" * SECTOR + dump[0x13000:0x20000] + b"\xFF" * 0x10000 + dump[0x30000:]
    check("full: rest of the flash file unchanged", flash == want)


def legacy_read_tests(sim, dump):
    check_eq("legacy: CRC 0..0x100 is 256 bytes (fingerprint)", crc(sim, 0, 0x100), crc_reply(0x45AB3E47))
    check_eq("legacy: CRC sector end 0x11FFF", crc(sim, 0x11000, 0x11FFF), crc_reply(0xEAF35DE3))
    check_eq("legacy: CRC sector end 0x12000 (whole pages)", crc(sim, 0x11000, 0x12000), crc_reply(0xEAF35DE3))
    check_eq("legacy: CRC whole 2 MiB, end 0x200000", crc(sim, 0, 0x200000), crc_reply(0x016CB9A4))
    check_eq("legacy: CRC last sector via mirror end 0x400000", crc(sim, 0x3FF000, 0x400000),
             crc_reply(chip_crc(dump[0x1FF000:])))
    check_eq("legacy: read 4K at 0 refused (status 6)", sim.xfer(long_(0x09, bytes(4)), 16),
             long_reply(0x09, 6, bytes(5)))
    check_eq("legacy: read 0 through the mirror", read4k(sim, 0x200000), read4k_reply(0x200000, dump[:SECTOR]))
    check_eq("legacy: read 0x11000 directly", read4k(sim, 0x11000), read4k_reply(0x11000, dump[0x11000:0x12000]))


def legacy_silence_tests(sim, dump):
    sim.send(short(0x03, struct.pack("<I", 0x800000)))
    check_eq("legacy: ReadReg gets no reply", sim.read(15, 0.3), b"")
    sim.send(long_(0x42, b"\x00") + long_(0x0E, bytes.fromhex("9F000000")))
    check_eq("legacy: unknown long ops get no reply", sim.read(15, 0.3), b"")
    ver = sim.xfer(short(0x11), 64, 0.3)
    check("legacy: 0x11 answers an ASCII boot version",
          ver[:2] == b"\x04\x0E" and ver[3:7] == bytes.fromhex("01E0FC11") and len(ver) == 3 + ver[2]
          and ver[7:].isascii() and len(ver) > 7, ver.hex(" "))
    sim.send(bytes.fromhex("01E0FCFFF40500090000") + LINK_CHECK)  # read 4K cut short
    want = read4k_reply(0xE0010000, dump[0x10000:0x11000])
    check_eq("legacy: truncated frame swallows the next bytes as payload", sim.read(len(want), 2.0), want)
    check_eq("legacy: nothing else answered", sim.read(8, 0.2), b"")


def legacy_write_tests(sim):
    a = 0x11000
    check_eq("legacy: erase below the limit refused", erase(sim, 0x20, 0x1000), erase_reply(0x20, 0x1000, 6))
    w = write4k(sim, 0, PATTERN)
    check("legacy: write 4K below the limit refused (status 6)",
          len(w) == 15 and w[:11] == write4k_reply(0, 6)[:11] and w[13:] == b"\x00\x00", w.hex(" "))
    crc(sim, 0, 0xFF)  # locks
    check_eq("legacy: erase after a CRC answers OK", erase(sim, 0x20, a), erase_reply(0x20, a))
    check_eq("legacy: ...but erases nothing", crc(sim, a, a + 0xFFF), crc_reply(0xEAF35DE3))
    check_eq("legacy: link check re-arms", sim.xfer(LINK_CHECK, 8), LINK_REPLY)
    check_eq("legacy: erase after the link check", erase(sim, 0x20, a), erase_reply(0x20, a))
    check_eq("legacy: write 4K", write4k(sim, a, PATTERN), write4k_reply(a))
    check_eq("legacy: erase+write sector CRC", crc(sim, a, a + 0xFFF), crc_reply(0x5D6EDF7D))
    check_eq("legacy: write 4K of zeros after the CRC answers OK", write4k(sim, a, bytes(SECTOR)), write4k_reply(a))
    check_eq("legacy: ...but programs nothing", crc(sim, a, a + 0xFFF), crc_reply(0x5D6EDF7D))
    sim.xfer(LINK_CHECK, 8)
    check_eq("legacy: unknown size code answers OK", erase(sim, 0x52, a), erase_reply(0x52, a))
    check_eq("legacy: ...and erases nothing", crc(sim, a, a + 0xFFF), crc_reply(0x5D6EDF7D))


def legacy_baud_tests(sim):
    req = short(0x0F, bytes.fromhex("00100E0014"))  # 921600, DD 20: (20+1)*2 ms
    sim.send(req)
    time.sleep(0.01)  # as hosts do: let the request leave at the old rate first
    sim.set_baud(921600)
    check_eq("legacy: baud reply waits (DD+1)*2 = 42 ms", sim.read(12, 0.02), b"")
    check_eq("legacy: baud reply at the new rate", sim.read(12, 1.0), short_reply(0x0F, req[5:]))
    check_eq("legacy: link check at 921600", sim.xfer(LINK_CHECK, 8), LINK_REPLY)
    sim.send(short(0x0E, b"\xA5"))
    time.sleep(0.05)
    sim.set_baud(115200)
    check("legacy: after reboot A5 back at 115200", sim.link_up())


def test_legacy(tmp, dumps):
    path = os.path.join(dumps, "bk72xx-bulb-feit-br30.bin")
    dump = open(path, "rb").read()
    sim = Sim(tmp, "legacy", "bk7231t", path)
    try:
        common_link_tests(sim, "legacy")
        legacy_read_tests(sim, dump)
        legacy_silence_tests(sim, dump)
        legacy_write_tests(sim)
        legacy_baud_tests(sim)
    finally:
        rc = sim.stop()
    check_eq("legacy: simulator exits 0 on SIGTERM", rc, 0)
    flash = sim.flash_bytes()
    check("legacy: flash file = dump with the new sector",
          flash == dump[:0x11000] + PATTERN + dump[0x12000:])


def test_bricked(tmp):
    sim = Sim(tmp, "blank", "bk7231t", None)  # created blank: no bootloader
    try:
        check("bricked legacy: no answer to reboot + link checks", not sim.link_up(1.0))
    finally:
        rc = sim.stop()
    check_eq("bricked legacy: simulator exits 0", rc, 0)


def main():
    top = os.environ.get("top_srcdir", os.getcwd())
    dumps = os.environ.get("IOTFLASH_DUMPS", os.path.join(top, "..", "shared", "dumps"))
    if "IOTFLASH_SIM" not in os.environ:
        print("IOTFLASH_SIM is not set (run through `make check`)")
        return 2
    tmp = tempfile.mkdtemp(prefix="bk72xx-model-")
    try:
        for test in (lambda: test_full(tmp, dumps), lambda: test_legacy(tmp, dumps), lambda: test_bricked(tmp)):
            try:
                test()
            except (OSError, RuntimeError) as e:
                check("test run", False, str(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
