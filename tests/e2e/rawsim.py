# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Shared helpers of the raw-protocol model tests: one iotflash-sim process
and the client end of its pty, plus pass/fail bookkeeping.  Python 3 stdlib
only.  Environment (set by tests/Makefile.inc): IOTFLASH_SIM and the
plugin/chipdb paths the simulator reads."""
import os
import select
import subprocess
import termios
import time
import tty

BAUDS = {115200: termios.B115200, 230400: termios.B230400, 460800: termios.B460800, 1500000: termios.B1500000,
         921600: termios.B921600, 2000000: termios.B2000000}


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name} {detail}")
        return ok

    def eq(self, name, got, want):
        if isinstance(got, (bytes, bytearray)):
            return self.check(name, got == want, f"\n  got  {bytes(got[:64]).hex(' ')}\n  want {bytes(want[:64]).hex(' ')}")
        return self.check(name, got == want, f"got {got!r} want {want!r}")

    def exit_code(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed or not self.passed else 0


class Sim:
    """One iotflash-sim process serving `model` on the flash file `flash`."""

    def __init__(self, tmp, name, model, flash_data=None, timing=False, extra=()):
        self.flash = os.path.join(tmp, f"{name}.bin")
        self.link = os.path.join(tmp, f"{name}.tty")
        if flash_data is not None:
            with open(self.flash, "wb") as f:
                f.write(flash_data)
        self.log = open(os.path.join(tmp, f"{name}.log"), "wb")
        cmd = [os.environ["IOTFLASH_SIM"], "--model", model, "--flash", self.flash, "--link", self.link]
        if not timing:
            cmd.append("--no-timing")
        cmd += list(extra)
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

    def read_once(self, timeout):
        """What one read() returns after the first byte arrives (at most
        timeout seconds): a reply split into writes shows up short."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        return os.read(self.fd, 65536) if r else b""

    def read_until(self, want, timeout=2.0):
        out = b""
        deadline = time.monotonic() + timeout
        while want not in out:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                out += os.read(self.fd, 4096)
        return out

    def drain(self, quiet=0.1):
        """Everything that arrives until the line is quiet."""
        out = b""
        while True:
            r, _, _ = select.select([self.fd], [], [], quiet)
            if not r:
                return out
            out += os.read(self.fd, 4096)

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


def crc16_xmodem(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc
