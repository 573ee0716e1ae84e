#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Drive the ECR6600 model's ROM and A5 stub byte by byte over its pty, for
what the iotflash driver does not use: the quirks of docs/protocols/eswin.md
§2.2-§2.6 (stale DATA_LEN in error replies, stale SYN sum, the erase
alignment rule) and the compressed transfers 0x96/0x97 with the 0x97
remainder rule.  Prints one line per check and 'N passed, N failed'.
usage: eswin-stub-model.py TTY STUB FLASHFILE"""
import hashlib
import os
import sys
import termios
import time
import zlib

tty, stub_path, flash_path = sys.argv[1:4]
fd = os.open(tty, os.O_RDWR | os.O_NOCTTY)
a = termios.tcgetattr(fd)
a[0] = a[1] = a[3] = 0
a[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
a[4] = a[5] = termios.B115200
termios.tcsetattr(fd, termios.TCSANOW, a)
passed = failed = 0


def check(name, cond):
    global passed, failed
    print(("ok - " if cond else "FAIL - ") + name)
    passed, failed = passed + bool(cond), failed + (not cond)


def rd(n, timeout=3.0):
    out, end = b"", time.time() + timeout
    while len(out) < n and time.time() < end:
        import select
        if select.select([fd], [], [], max(0, end - time.time()))[0]:
            out += os.read(fd, n - len(out))
    return out


def frame(t, data=b""):
    f = bytes([0xA5, t, len(data) & 0xFF, len(data) >> 8]) + data
    return f + bytes([sum(f) & 0xFF])


def le(*v):
    return b"".join(x.to_bytes(4, "little") for x in v)


def crc16(d):
    c = 0
    for b in d:
        c ^= b << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021 if c & 0x8000 else c << 1) & 0xFFFF
    return c


def xm_send(data, bs=1024):
    assert rd(1, 3) == b"C"
    for i in range(0, len(data), bs):
        blk = data[i:i + bs].ljust(bs, b"\xff")
        n = (i // bs + 1) & 0xFF
        os.write(fd, bytes([2 if bs == 1024 else 1, n, 255 - n]) + blk + crc16(blk).to_bytes(2, "big"))
        if rd(1) != b"\x06":
            return False
    os.write(fd, b"\x04")
    return rd(1) == b"\x06"


def xm_recv():
    os.write(fd, b"C")
    out = b""
    while True:
        h = rd(1)
        if h == b"\x04":
            os.write(fd, b"\x06")
            return out
        if h != b"\x02":
            return None
        blk = rd(1028)
        if crc16(blk[2:1026]) != int.from_bytes(blk[1026:], "big"):
            return None
        out += blk[2:1026]
        os.write(fd, b"\x06")


stub = open(stub_path, "rb").read()
for _ in range(50):
    os.write(fd, b"cnys")
    if rd(1, 0.1) == b"\x01":
        break
time.sleep(0.05)
termios.tcflush(fd, termios.TCIFLUSH)
os.write(fd, le(1, 0x10000, len(stub)))
check("ROM answers the load header 00", rd(1) == b"\x00")
os.write(fd, stub)
time.sleep(0.3)
os.write(fd, frame(0x90))
check("flash id reply 5A 90 04 00 C8 40 15 00 00 0B", rd(10) == bytes.fromhex("5a900400c8401500000b"))
os.write(fd, frame(0x93))
check("unknown TYPE after 0x90: error reply keeps DATA_LEN 4", rd(6)[:5] == bytes.fromhex("5aff040003"))
os.write(fd, frame(0x04, le(0x100000, 0x1000)))
r = rd(6)
check("erase ACK 5A 04 00 00 00 5E", r == bytes.fromhex("5a040000005e"))
os.write(fd, frame(0x00, b"cnys"))
check("SYN reply repeats the last sum (5E), not its own", rd(6) == bytes.fromhex("5a000000005e"))
os.write(fd, frame(0xA0))
check("TYPE > 9F rejected before DATA", rd(6)[:2] == b"\x5a\xff")

# 0x04 at an unaligned address: success, nothing erased.
os.write(fd, frame(0x04, le(0x100800, 0x1000)))
check("unaligned erase answers success", rd(6) == bytes.fromhex("5a040000005e"))

# 0x97: compressed write of 8 KiB, then SHA-256 through 0x09.
img = bytes((i * 7 + i // 1000) & 0xFF for i in range(8192))
os.write(fd, frame(0x97, le(0x10000, len(img))))
check("0x97 ACK", rd(6)[:2] == b"\x5a\x97")
comp = zlib.compressobj(9, zlib.DEFLATED, -15)
z = comp.compress(img) + comp.flush()
check("0x97 transfer acknowledged", xm_send(z))
os.write(fd, frame(0x09, le(0x10000, len(img))))
r = rd(38)
check("0x09 digest equals the image's SHA-256", r[4:36] == hashlib.sha256(img).digest())

# 0x96: compressed read at level 2 inflates to the flash.
os.write(fd, frame(0x96, le(0x10000, len(img)) + b"\x02"))
check("0x96 ACK", rd(6)[:2] == b"\x5a\x96")
got = xm_recv()
check("0x96 stream inflates to the flash", got is not None and zlib.decompressobj(-15).decompress(got) == img)

# The remainder rule: 6 bytes leave 2 unwritten, prepended to the next 0x97.
for addr, data in ((0x20000, b"ABCDEF"), (0x21000, b"GHIJKLMN")):
    os.write(fd, frame(0x97, le(addr, len(data))))
    rd(6)
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    xm_send(comp.compress(data) + comp.flush())
os.write(fd, frame(0x06))
rd(6)
time.sleep(0.2)
flash = open(flash_path, "rb").read()
check("0x97 of 6 bytes programs 4", flash[0x20000:0x20008] == b"ABCD\xff\xff\xff\xff")
check("the next 0x97 starts with the 2 left over", flash[0x21000:0x2100c] == b"EFGHIJKL\xff\xff\xff\xff")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
