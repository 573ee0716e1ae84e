#!/usr/bin/env python3
"""iotflash benchmark: the real CLI against iotflash-sim with timing on.

Prints one row per case: chip, operation, payload bytes, baud, the floor
(payload wire time at 10 bits per byte plus the chip-side time the operation
cannot avoid), the measured wall time, the ratio measured/floor, host CPU
seconds and peak RSS of the iotflash process.  A script, not a test: the
figures depend on the machine and are read by people.

Chip-side rates are the device model's documented parameters (see
plugins/<family>/model.c and docs/): for bk72xx a CRC pass runs at
400 kB/s, a 64 KiB erase takes 400 ms, a 256-byte page program 1 ms.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

MIB = 1024 * 1024
BK = dict(crc_rate=400e3, erase64k=0.400, page=0.001)  # the bk72xx model's rates


def wire(nbytes, baud):
    return nbytes * 10.0 / baud


class Bench:
    def __init__(self, build, src, dumps):
        self.cli = os.path.join(build, "cli", "iotflash")
        self.sim = os.path.join(build, "sim", "iotflash-sim")
        plugdirs = []
        for root, dirs, files in os.walk(os.path.join(build, "plugins")):
            if root.endswith("/.libs") and any(f.endswith(".so") for f in files):
                plugdirs.append(root)
        self.env = dict(os.environ, IOTFLASH_PLUGIN_PATH=":".join(sorted(plugdirs)),
                        IOTFLASH_CHIPDB_PATH=os.environ.get("BENCH_CHIPDB", os.path.join(src, "chipdb")))
        self.dumps = dumps
        self.tmp = tempfile.mkdtemp(prefix="iotflash-bench.")
        os.chmod(self.tmp, 0o700)
        self.simproc = None
        self.rows = []

    def close(self):
        self.stop_sim()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_sim(self, model, flash_src):
        self.stop_sim()
        flash = os.path.join(self.tmp, "flash.bin")
        if flash_src:
            shutil.copyfile(flash_src, flash)
        elif os.path.exists(flash):
            os.unlink(flash)
        self.link = os.path.join(self.tmp, "tty")
        self.simproc = subprocess.Popen([self.sim, "--model", model, "--flash", flash, "--link", self.link],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env, text=True)
        line = self.simproc.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError("simulator did not start")
        return flash

    def stop_sim(self):
        if self.simproc:
            self.simproc.terminate()
            self.simproc.wait()
            self.simproc = None

    def run(self, chip, baud, *args):
        """Run the CLI once; return (wall seconds, cpu seconds, peak RSS KiB)."""
        cmd = [self.cli, "-p", self.link, "-c", chip, "-b", str(baud)] + list(args)
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env, cwd=self.tmp)
        out, err = p.communicate()
        wall = time.monotonic() - t0
        ru = os.wait4(p.pid, 0)[2] if p.returncode is None else None
        if p.returncode != 0:
            raise RuntimeError("%s failed: %s" % (" ".join(cmd), err.decode(errors="replace").strip()))
        return wall, out.decode()

    def measure(self, chip, baud, *args):
        """Like run() but with the child's own rusage (wait4 on that pid)."""
        cmd = [self.cli, "-p", self.link, "-c", chip, "-b", str(baud)] + list(args)
        t0 = time.monotonic()
        pid = os.posix_spawn(cmd[0], cmd, self.env,
                             file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.path.join(self.tmp, "out.txt"),
                                            os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
                                           (os.POSIX_SPAWN_OPEN, 2, os.path.join(self.tmp, "err.txt"),
                                            os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)])
        _, status, ru = os.wait4(pid, 0)
        wall = time.monotonic() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("%s failed: %s" % (" ".join(cmd), open(os.path.join(self.tmp, "err.txt")).read().strip()))
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss

    def row(self, chip, op, nbytes, baud, floor, wall, cpu, rss, note=""):
        self.rows.append((chip, op, nbytes, baud, floor, wall, cpu, rss, note))
        print("%-8s %-28s %8d %8d %8.2f %8.2f %6.2f %6.2f %7.1f  %s" %
              (chip, op, nbytes, baud, floor, wall, wall / floor if floor else 0, cpu, rss / 1024.0, note))
        sys.stdout.flush()


def blank_fraction(path, start=0, size=None):
    data = open(path, "rb").read()
    data = data[start:start + size] if size else data[start:]
    sectors = [data[i:i + 4096] for i in range(0, len(data), 4096)]
    return sum(1 for s in sectors if s == b"\xff" * len(s)) / len(sectors)


def bk72xx_cases(b, quick):
    cases = [("bk7231n", "bk7231n-lspa9-clone.bin"), ("bk7231n", "bk72xx-plug-mirabella-genio.bin"),
             ("bk7231t", "bk72xx-bulb-feit-br30.bin")]
    maxbaud = 921600
    out = os.path.join(b.tmp, "read.bin")
    for chip, dump in cases:
        src = os.path.join(b.dumps, dump)
        size = os.path.getsize(src)
        floor_noskip = wire(size, maxbaud) + size / BK["crc_rate"]
        b.start_sim(chip, src)
        wall, cpu, rss = b.measure(chip, maxbaud, "--no-skip", "read-flash", "0", "all", out)
        assert open(out, "rb").read() == open(src, "rb").read(), "read differs"
        b.row(chip, "read all, no skip", size, maxbaud, floor_noskip, wall, cpu, rss, dump)
        wall, cpu, rss = b.measure(chip, maxbaud, "read-flash", "0", "all", out)
        assert open(out, "rb").read() == open(src, "rb").read(), "read differs"
        b.row(chip, "read all, skip blank", size, maxbaud, floor_noskip, wall, cpu, rss,
              "%s, %.0f%% blank; ratio vs the no-skip floor" % (dump, 100 * blank_fraction(src)))
        if quick:
            continue
        part = 256 * 1024
        floor = wire(part, 115200) + part / BK["crc_rate"]
        wall, cpu, rss = b.measure(chip, 115200, "--no-skip", "read-flash", "0", str(part), out)
        b.row(chip, "read 256K, no skip", part, 115200, floor, wall, cpu, rss, dump)
        wall, cpu, rss = b.measure(chip, 115200, "read-flash", "0", str(part), out)
        b.row(chip, "read 256K, skip blank", part, 115200, floor, wall, cpu, rss,
              "%.0f%% blank" % (100 * blank_fraction(src, 0, part)))
        b.stop_sim()

    # Writes: a 1 MiB application image at 0x11000.
    rnd = random.Random(1)
    app = os.path.join(b.tmp, "app.bin")
    old = os.path.join(b.tmp, "old.bin")
    n = MIB
    with open(app, "wb") as f:
        f.write(rnd.randbytes(n))
    with open(old, "wb") as f:
        f.write(rnd.randbytes(n))
    for chip, dump in cases[:1] + cases[2:]:
        src = os.path.join(b.dumps, dump)
        floor_write = wire(n, maxbaud) + (n // 65536) * BK["erase64k"] + (n // 256) * BK["page"] + n / BK["crc_rate"]
        b.start_sim(chip, src)
        b.measure(chip, maxbaud, "--no-backup", "erase-region", "0x11000", str(n))
        wall_erased, cpu, rss = b.measure(chip, maxbaud, "--no-backup", "write-flash", "0x11000", app)
        b.row(chip, "write 1M onto erased", n, maxbaud, floor_write, wall_erased, cpu, rss)
        b.measure(chip, maxbaud, "--no-backup", "write-flash", "0x11000", old)
        wall, cpu, rss = b.measure(chip, maxbaud, "--no-backup", "write-flash", "0x11000", app)
        b.row(chip, "write 1M onto older image", n, maxbaud, floor_write, wall, cpu, rss)
        wall, cpu, rss = b.measure(chip, maxbaud, "--no-backup", "write-flash", "0x11000", app)
        b.row(chip, "rewrite same 1M image", n, maxbaud, n / BK["crc_rate"], wall, cpu, rss,
              "%.1f%% of the write onto erased flash" % (100 * wall / wall_erased))
        wall, cpu, rss = b.measure(chip, maxbaud, "write-flash", "0x11000", old)
        b.row(chip, "write 1M + backup", n, maxbaud, floor_write + wire(n, maxbaud), wall, cpu, rss,
              "floor includes reading the backup")
        wall, cpu, rss = b.measure(chip, maxbaud, "verify-flash", "0x11000", old)
        b.row(chip, "verify 1M", n, maxbaud, n / BK["crc_rate"], wall, cpu, rss)
        b.stop_sim()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--build", default=os.path.join(here, ".."), help="build directory (has cli/ and sim/)")
    ap.add_argument("--src", default=os.path.join(here, ".."), help="source directory (has chipdb/)")
    ap.add_argument("--dumps", default=os.path.join(here, "..", "..", "shared", "dumps"))
    ap.add_argument("--quick", action="store_true", help="full reads only")
    a = ap.parse_args()
    os.umask(0o077)  # dumps hold Wi-Fi credentials
    b = Bench(os.path.abspath(a.build), os.path.abspath(a.src), os.path.abspath(a.dumps))
    print("%-8s %-28s %8s %8s %8s %8s %6s %6s %7s  %s" %
          ("chip", "operation", "bytes", "baud", "floor s", "wall s", "ratio", "cpu s", "RSS MiB", "note"))
    try:
        bk72xx_cases(b, a.quick)
    finally:
        b.close()


if __name__ == "__main__":
    main()
