#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""The simulator's resets, seen by a raw client that knows nothing of
iotflash: it opens the port, sets 115200 8N1 raw and sends only the Beken
link check (docs/protocols/bk72xx.md §1.3), every 5 ms, as bk7231tools does.

For each chip given (a bk72xx chip with a device model):
  - no reset: once the download window after power-on has closed (the chip
    runs its application), link checks get no reply;
  - SIGUSR1 (the reset button), sent while the client spams: the reply
    `04 0E 05 01 E0 FC 01 00` comes, and nothing but it (and the chip's
    power-on banner, if it has one) comes first;
  - --reset-on-open: each open restarts the chip.  An open whose client
    stays silent lets the window close again; the next open must then be
    answered, which only a reset can do.  Three open/close cycles.

Usage: sim-reset.py WORKDIR CHIP...  (IOTFLASH_SIM names the simulator)."""
import os
import select
import signal
import subprocess
import sys
import termios
import time

LINK_CHECK = bytes.fromhex("01e0fc0100")
REPLY = bytes.fromhex("040e0501e0fc0100")
WINDOW_CLOSED_S = 0.8   # the models' download window is 200 ms (chipdb model_window_ms)
SPAM_PERIOD_S = 0.005
REPLY_WAIT_S = 10.0
SILENT_SPAM_S = 1.0     # how long the negative check spams

failures = 0


def report(ok, what):
    global failures
    print(("ok - " if ok else "FAIL - ") + what, flush=True)
    if not ok:
        failures += 1


def open_port(path):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    t = termios.tcgetattr(fd)
    t[0] = 0                                   # iflag: raw
    t[1] = 0                                   # oflag
    t[2] = termios.CS8 | termios.CREAD | termios.CLOCAL
    t[3] = 0                                   # lflag
    t[4] = t[5] = termios.B115200
    t[6][termios.VMIN] = 0
    t[6][termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, t)
    return fd


def read_some(fd, timeout):
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return b""
    try:
        return os.read(fd, 4096)
    except BlockingIOError:
        return b""


def spam(fd, seconds, on_start=None):
    """Send link checks every 5 ms for up to `seconds`; returns
    (received bytes, whether the reply came).  on_start runs after the
    first link check has gone out."""
    got = b""
    end = time.monotonic() + seconds
    first = True
    while time.monotonic() < end:
        os.write(fd, LINK_CHECK)
        if first and on_start:
            on_start()
        first = False
        step_end = time.monotonic() + SPAM_PERIOD_S
        while time.monotonic() < step_end:
            got += read_some(fd, max(0.0, step_end - time.monotonic()))
        if REPLY in got:
            return got, True
    return got, False


def only_banner_before_reply(got, banner):
    """What came before the first reply is exactly the power-on banner line
    (or nothing, for a chip without a banner)."""
    before = got[:got.index(REPLY)]
    return before == (banner + b"\r\n" if banner else b"")


class Sim:
    def __init__(self, chip, flash, link, *extra):
        self.link = link
        self.proc = subprocess.Popen([os.environ["IOTFLASH_SIM"], "--model", chip, "--flash", flash,
                                      "--link", link, *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        if line != "ready %s\n" % link:
            raise SystemExit("simulator did not start: %r %s" % (line, self.proc.stderr.read().decode()))
        self.started = time.monotonic()

    def wait_window_closed(self):
        left = self.started + WINDOW_CLOSED_S - time.monotonic()
        if left > 0:
            time.sleep(left)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=10)
        report(rc == 0, "simulator exits 0 on SIGTERM (got %d)" % rc)


def banner_of(chip):
    """The model's power-on banner (chipdb model_banner), or b""."""
    db = os.path.join(os.environ["top_srcdir"], "chipdb", "bk72xx.yaml")
    current = None
    for line in open(db, encoding="utf-8"):
        s = line.strip()
        if s.startswith("- name:"):
            current = s.split(":", 1)[1].strip()
        elif s.startswith("model_banner:") and current == chip:
            return s.split(":", 1)[1].split("#")[0].strip().strip("'\"").encode()
    return b""


def make_flash(path):
    """2 MiB, erased but for a stand-in bootloader sector: a LEGACY chip
    (BK7231T/U, BK7252) without one stays silent."""
    with open(path, "wb") as f:
        f.write(bytes((i * 7 + 3) & 0xFF for i in range(4096)))
        f.write(b"\xff" * (0x200000 - 4096))


def test_chip(work, chip):
    flash = os.path.join(work, chip + ".bin")
    link = os.path.join(work, chip + ".tty")
    make_flash(flash)
    banner = banner_of(chip)

    # Without a reset, then the reset button.
    sim = Sim(chip, flash, link)
    try:
        sim.wait_window_closed()
        fd = open_port(link)
        got, replied = spam(fd, SILENT_SPAM_S)
        report(not replied and REPLY not in got,
               "%s: after the download window closed, link checks get no reply" % chip)
        got, replied = spam(fd, REPLY_WAIT_S, lambda: os.kill(sim.proc.pid, signal.SIGUSR1))
        report(replied, "%s: after SIGUSR1 a link check gets the reply %s" % (chip, REPLY.hex(" ")))
        if replied:
            report(only_banner_before_reply(got, banner),
                   "%s: nothing but the banner before the reply (got %s)" % (chip, got[:64].hex(" ")))
        os.close(fd)
    finally:
        sim.stop()

    # DTR/RTS wired to reset: every open restarts the chip.
    sim = Sim(chip, flash, link, "--reset-on-open")
    try:
        for cycle in range(1, 4):
            fd = open_port(link)          # a reset; this client stays silent ...
            time.sleep(WINDOW_CLOSED_S)   # ... so the window closes again
            os.close(fd)
            fd = open_port(link)          # only a reset brings the window back
            got, replied = spam(fd, REPLY_WAIT_S)
            report(replied and only_banner_before_reply(got, banner),
                   "%s --reset-on-open, cycle %d: the open restarts the chip, reply %s"
                   % (chip, cycle, got[:64].hex(" ")))
            os.close(fd)
    finally:
        sim.stop()


def main():
    if len(sys.argv) < 3:
        raise SystemExit("usage: sim-reset.py WORKDIR CHIP...")
    for chip in sys.argv[2:]:
        test_chip(sys.argv[1], chip)
    print("sim-reset: %d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
