#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""A serial port with nothing sane behind it, for the bad-input tests.

hardening-fakeport.py LINK silence|garbage [SECONDS]
LINK becomes a symlink to a pty slave; prints "ready LINK" when it is.
silence: everything sent is swallowed and nothing ever comes back.
garbage: everything sent is swallowed and random bytes stream back.
"""
import os
import pty
import random
import select
import signal
import sys
import time
import tty


def main():
    link, mode = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 300
    master, slave = pty.openpty()
    tty.setraw(slave)
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.ttyname(slave), link)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    os.set_blocking(master, False)
    rng = random.Random(1)
    print("ready", link, flush=True)
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            readable, _, _ = select.select([master], [], [], 0.005)
            if readable:
                try:
                    os.read(master, 4096)
                except OSError:
                    pass
            if mode == "garbage":
                try:
                    os.write(master, bytes(rng.getrandbits(8) for _ in range(32)))
                except OSError:
                    pass  # nobody reads: the pty buffer is full
    finally:
        os.unlink(link)


if __name__ == "__main__":
    main()
