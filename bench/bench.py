#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
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
import json
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
        shim = os.path.join(build, "plugins", "spi-ch341", "shim", ".libs", "libusb-shim.so")
        self.env = dict(os.environ, IOTFLASH_PLUGIN_PATH=":".join(sorted(plugdirs)), IOTFLASH_USB_SHIM=shim,
                        IOTFLASH_CHIPDB_PATH=os.environ.get("BENCH_CHIPDB", os.path.join(src, "chipdb")))
        self.tmp = tempfile.mkdtemp(prefix="iotflash-bench.")
        os.chmod(self.tmp, 0o700)
        if dumps:
            self.dumps, self.facts = dumps, os.path.join(src, "tests", "fixtures", "dumps")
        else:  # realistic images, generated: the bench needs nothing from outside the tree
            self.dumps = self.facts = os.path.join(self.tmp, "images")
            subprocess.run([sys.executable, os.path.join(src, "tests", "fixtures", "mkimage.py"), self.dumps],
                           check=True)
        self.simproc = None
        self.rows = []
        self.extra = []  # options every CLI run gets (e.g. --loader)
        self.src = src

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

    def measure(self, chip, baud, *args):
        """Run the CLI once; (wall s, CPU s, peak RSS KiB) from wait4 on its own pid.
        baud None: the chip database's rate for the operation (self.last_baud
        has the rate the --json result names)."""
        cmd = [self.cli, "-p", self.link, "-c", chip] + (["-b", str(baud)] if baud else []) + self.extra + list(args)
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
        self.last_baud = baud
        try:
            self.last_baud = json.load(open(os.path.join(self.tmp, "out.txt"))).get("baud", baud)
        except ValueError:
            pass
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss

    def row(self, chip, op, nbytes, baud, floor, wall, cpu, rss, note=""):
        self.rows.append((chip, op, nbytes, baud, floor, wall, cpu, rss, note))
        print("%-15s %-28s %8d %8d %8.2f %8.2f %6.2f %6.2f %7.1f  %s" %
              (chip, op, nbytes, baud, floor, wall, wall / floor if floor else 0, cpu, rss / 1024.0, note))
        sys.stdout.flush()


def blank_fraction(path, start=0, size=None):
    data = open(path, "rb").read()
    data = data[start:start + size] if size else data[start:]
    sectors = [data[i:i + 4096] for i in range(0, len(data), 4096)]
    return sum(1 for s in sectors if s == b"\xff" * len(s)) / len(sectors)


def image_file(b, role):
    """The file playing ROLE (tests/fixtures/mkimage.py roles) in b.dumps."""
    with open(os.path.join(b.facts, role + ".facts")) as f:
        return next(line.split(" ", 1)[1].strip() for line in f if line.startswith("file "))


def bk72xx_cases(b, quick):
    cases = [("bk7231n", image_file(b, "bk7231n")), ("bk7231n", image_file(b, "bk7231n-b")),
             ("bk7231t", image_file(b, "bk7231t"))]
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


def test_image(size, blank_share, seed):
    """A flash image for the other families: random code and data, with
    blank_share of its 4 KiB sectors erased, in runs."""
    rnd = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        run = rnd.randint(1, 24) * 4096
        out += (b"\xff" * run) if rnd.random() < blank_share else rnd.randbytes(run)
    return bytes(out[:size])


# Other UART families: row label, model, loader generator arguments,
# application offset, how a verified read is floored, chip database edits.
#   "checked": floor = wire time alone (read replies that carry their own
#   check need no checksum pass; ECR6600 is held to it too);
#   "sum": a device checksum proves the read: floor = wire + verify-flash;
#   "hex": LN882H's official RAM code reads hex text (3 characters a byte).
#   "twice": no device checksum: a verified read costs two passes.
# A "compressed" family gets a second set of rows with compression off
# (chipdb param compress: false); both are floored by the uncompressed wire.
FAMILIES = [
    ("bl602", "bl602", ["gen-bl60x-loader.py", "bl602"], 0x10000, "sum", False),
    ("ln882h", "ln882h", ["gen-ln882h-loader.py", "gui", "ln882h"], 0x7000, "checked", False),
    ("ln882h/official", "ln882h", ["gen-ln882h-loader.py", "official", "ln882h"], 0x7000, "hex", False),
    ("rtl8720c", "rtl8720c", None, 0x10000, "sum", False),
    ("w800", "w800", ["gen-w80x-stub.py"], 0x10000, "checked", False),
    ("ecr6600", "ecr6600", ["gen-eswin-loader.py", "ecr6600"], 0x7000, "checked", True),
    # The A5 stub's flash size comes from its capacity table: 4 MiB parts.
    ("rtl8721da", "rtl8721da", ["gen-a5-standin.py", "rtl8721da"], 0x14000, "sum", False, 4 * MIB),
    ("rtl8720e", "rtl8720e", ["gen-a5-standin.py", "rtl8720e"], 0x14000, "sum", False, 4 * MIB),
    # XRadio: no device checksum (reads proved by a second pass); the 1 MiB
    # write goes above the protected sysinfo sector (0xFF000).
    ("xr809", "xr809", ["gen-xradio-stub.py"], 0x100000, "twice", False),  # BROM v1 + RAM stub
    ("xr806", "xr806", None, 0x100000, "twice", False),                    # straight from ROM
    # GD32VW553 and RDA5981: their ROM stage, then the common A5 stub.
    ("gd32vw553", "gd32vw553", ["gen-a5-family-stub.py", "gd32vw553"], 0xA000, "sum", False, 4 * MIB),
    ("rda5981", "rda5981", ["gen-a5-family-stub.py", "rda5981"], 0x10000, "sum", False),
]


def session_baud(b, chip):
    p = subprocess.run([b.cli, "-p", b.link, "-c", chip, "--json"] + b.extra + ["chip-id"],
                       capture_output=True, env=b.env, cwd=b.tmp, text=True)
    return json.loads(p.stdout)["baud"]


def chipdb_without_compression(b):
    """A copy of the chip database with every `compress: true` param off."""
    d = os.path.join(b.tmp, "chipdb-nocompress")
    if not os.path.isdir(d):
        shutil.copytree(b.env["IOTFLASH_CHIPDB_PATH"].split(":")[0], d)
        for name in os.listdir(d):
            path = os.path.join(d, name)
            text = open(path).read()
            open(path, "w").write(text.replace("compress: true", "compress: false"))
    return d


def family_rows(b, label, chip, kind, flash_src, app, off, size, n, note=""):
    """Read (no skip, skip blank), write and rewrite rows of one family."""
    out = os.path.join(b.tmp, "read.bin")
    b.start_sim(chip, flash_src)
    t_sum = 0.0
    if kind == "sum":
        t_sum, _, _ = b.measure(chip, None, "verify-flash", "0", flash_src)
    wall, cpu, rss = b.measure(chip, None, "--json", "--no-skip", "read-flash", "0", "all", out)
    baud = b.last_baud
    floor_read = wire(size * {"hex": 3, "twice": 2}.get(kind, 1), baud) + t_sum
    assert open(out, "rb").read() == open(flash_src, "rb").read(), "read differs"
    how = {"sum": "chip-side: verify-flash %.1f s" % t_sum, "checked": "floor = wire time",
           "hex": "hex text: floor = 3 x wire", "twice": "no chip checksum: floor = 2 x wire"}[kind]
    b.row(label, "read %dM, no skip" % (size // MIB), size, baud, floor_read, wall, cpu, rss, note + how)
    wall, cpu, rss = b.measure(chip, None, "--json", "read-flash", "0", "all", out)
    assert open(out, "rb").read() == open(flash_src, "rb").read(), "read differs"
    b.row(label, "read %dM, skip blank" % (size // MIB), size, b.last_baud, floor_read, wall, cpu, rss,
          note + "40% blank; ratio vs the no-skip floor")
    wall_w, cpu, rss = b.measure(chip, None, "--json", "--no-backup", "write-flash", hex(off), app)
    baud_w = b.last_baud
    b.row(label, "write 1M onto an image", n, baud_w, wire(n, baud_w), wall_w, cpu, rss, note + "floor: wire time only")
    wall, cpu, rss = b.measure(chip, None, "--json", "--no-backup", "write-flash", hex(off), app)
    b.row(label, "rewrite same 1M image", n, baud_w, wire(n, baud_w), wall, cpu, rss,
          note + "%.1f%% of the write" % (100 * wall / wall_w))
    b.stop_sim()


def family_cases(b):
    """Every other family's rows, at the rates the chip database gives each
    operation (no -b).  Reads: floor = wire time, plus what verify-flash of
    the same range costs where a device checksum proves the read.  Writes:
    floor = wire time of the image (the model's erase/program time is not
    included)."""
    n = MIB
    app = os.path.join(b.tmp, "app.bin")
    with open(app, "wb") as f:
        f.write(random.Random(9).randbytes(n))
    chipdb = b.env["IOTFLASH_CHIPDB_PATH"]
    for label, chip, gen, off, kind, compressed, *rest in FAMILIES:
        size = rest[0] if rest else 2 * MIB
        flash_src = os.path.join(b.tmp, "image-%d.bin" % size)
        if not os.path.exists(flash_src):
            with open(flash_src, "wb") as f:
                f.write(test_image(size, 0.4, 3))
        b.extra = []
        if gen:
            loader = os.path.join(b.tmp, label.replace("/", "-") + "-loader.bin")
            subprocess.run([sys.executable, os.path.join(b.src, "tests", "e2e", gen[0])] + gen[1:] + [loader], check=True)
            b.extra = ["--loader", loader]
        family_rows(b, label, chip, kind, flash_src, app, off, size, n, "compressed; " if compressed else "")
        if compressed:
            b.env["IOTFLASH_CHIPDB_PATH"] = chipdb_without_compression(b)
            try:
                family_rows(b, label, chip, kind, flash_src, app, off, size, n, "uncompressed; ")
            finally:
                b.env["IOTFLASH_CHIPDB_PATH"] = chipdb
    b.extra = []


def amebaz2_cases(b):
    """rtl8720c: 1 MiB of a 30%-blank image at 1 500 000, through the ROM's
    text dumps and through the Z2 read stubs.  Floor: the binary wire time
    of the 1 MiB plus what verify-flash of it costs (connect + hashq)."""
    size, baud = MIB, 1500000
    flash_src = os.path.join(b.tmp, "z2-image.bin")
    with open(flash_src, "wb") as f:
        f.write(test_image(2 * MIB, 0.3, 3))
    want = open(flash_src, "rb").read()[:size]
    out = os.path.join(b.tmp, "z2-read.bin")
    gen = os.path.join(b.src, "tests", "e2e", "gen-rtl87xx-stub.py")
    b.extra = []
    b.start_sim("rtl8720c", flash_src)
    first = os.path.join(b.tmp, "z2-first.bin")
    with open(first, "wb") as f:
        f.write(want)
    t_sum, _, _ = b.measure("rtl8720c", baud, "verify-flash", "0", first)
    floor = wire(size, baud) + t_sum
    blank = 100 * blank_fraction(flash_src, 0, size)
    for kind, label in ((None, "ROM text dumps"), ("z2", "Z2 read stub"), ("z2z", "compressed Z2 stub")):
        b.extra = []
        if kind:
            stub = os.path.join(b.tmp, kind + ".bin")
            subprocess.run([sys.executable, gen, kind, stub], check=True)
            b.extra = ["--loader", stub]
        for opts, what in (([], "skip blank"), (["--no-skip"], "no skip")):
            wall, cpu, rss = b.measure("rtl8720c", baud, *opts, "read-flash", "0", "1M", out)
            assert open(out, "rb").read() == want, "read differs"
            b.row("rtl8720c", "read 1M, %s" % what, size, baud, floor, wall, cpu, rss,
                  "%s, %.0f%% blank" % (label, blank))
    b.stop_sim()
    b.extra = []


def eswin_cases(b):
    """ECR6600 reads and writes through the A5 stub, compressed (raw DEFLATE,
    the default) and not (chip database param compress: false), and the
    TR6260 read.  Ratios are to the uncompressed wire floor: the bytes at
    2 Mbaud with nothing skipped, so compression shows as a ratio below 1."""
    baud, size, n = 2000000, 2 * MIB, MIB
    img = os.path.join(b.tmp, "eswin-image.bin")
    with open(img, "wb") as f:
        f.write(test_image(size, 0.4, 5))
    app = os.path.join(b.tmp, "eswin-app.bin")
    with open(app, "wb") as f:  # firmware-like: code runs between erased runs
        f.write(test_image(n, 0.4, 11))
    plain_db = os.path.join(b.tmp, "chipdb-plain")
    shutil.copytree(os.environ.get("BENCH_CHIPDB", os.path.join(b.src, "chipdb")), plain_db)
    yml = os.path.join(plain_db, "eswin.yaml")
    with open(yml) as f:
        text = f.read()
    with open(yml, "w") as f:
        f.write(text.replace("compress: true", "compress: false"))
    out = os.path.join(b.tmp, "read.bin")
    env = b.env
    for chip, gen in (("ecr6600", "ecr6600"), ("tr6260", "tr6260")):
        loader = os.path.join(b.tmp, chip + "-loader.bin")
        subprocess.run([sys.executable, os.path.join(b.src, "tests", "e2e", "gen-eswin-loader.py"), gen, loader],
                       check=True)
        b.extra = ["--loader", loader]
        chip_size = size if chip == "ecr6600" else n
        chip_img = os.path.join(b.tmp, chip + "-image.bin")
        with open(img, "rb") as src, open(chip_img, "wb") as dst:
            dst.write(src.read(chip_size))
        b.start_sim(chip, chip_img)
        modes = (True, False) if chip == "ecr6600" else (True,)
        for zipped in modes:  # reads first: the writes change the flash
            b.env = env if zipped else dict(env, IOTFLASH_CHIPDB_PATH=plain_db)
            how = "compressed" if chip == "ecr6600" and zipped else "uncompressed"
            wall, cpu, rss = b.measure(chip, baud, "--no-skip", "read-flash", "0", "all", out)
            assert open(out, "rb").read() == open(chip_img, "rb").read(), "read differs"
            b.row(chip, "read all, %s" % how, chip_size, baud, wire(chip_size, baud), wall, cpu, rss,
                  "40% blank; floor: uncompressed wire" + ("" if chip == "ecr6600" else "; no checksum: read twice"))
        for zipped in modes if chip == "ecr6600" else ():
            b.env = env if zipped else dict(env, IOTFLASH_CHIPDB_PATH=plain_db)
            how = "compressed" if zipped else "uncompressed"
            wall, cpu, rss = b.measure(chip, baud, "--no-backup", "--no-skip", "write-flash", "0x7000", app)
            b.row(chip, "write 1M, %s" % how, n, baud, wire(n, baud), wall, cpu, rss,
                  "40% blank; floor: uncompressed wire")
        b.env = env
        b.stop_sim()
    b.extra = []


def ch341_run(b, flash, cmd):
    """One command against a fresh CH341A + W25Q32 model over flash; (ok, wall s, stderr tail)."""
    t0 = time.monotonic()
    p = subprocess.run([b.sim, "--model", "ch341a+w25q32", "--flash", flash, "--"] + cmd,
                       capture_output=True, env=b.env, cwd=b.tmp)
    return p.returncode == 0, time.monotonic() - t0, p.stderr.decode(errors="replace").strip()[-80:]


def ch341_cases(b):
    """iotflash and flashrom on the same USB-level CH341A + W25Q32 model.

    SPI NOR has no device checksum, so iotflash proves every block of a read
    by reading it twice; flashrom reads once, and its users prove a backup
    with a second pass (-v).  Writes: flashrom -w reads the chip, erases and
    writes the blocks that differ and reads it all back; iotflash compares
    by reading, writes what differs and reads back what it wrote."""
    if not shutil.which("flashrom"):
        print("ch341a: flashrom not installed; skipped")
        return
    flash = os.path.join(b.tmp, "spi.bin")
    out = os.path.join(b.tmp, "spi-read.bin")
    image = os.path.join(b.tmp, "spi-image.bin")
    size = 4 * MIB
    content = test_image(size, 0.4, 5)
    with open(image, "wb") as f:
        f.write(test_image(size, 0.2, 6))
    iot = [b.cli, "-p", "ch341a", "-c", "spi-nor"]
    fr = ["flashrom", "-p", "ch341a_spi"]

    def fresh():
        with open(flash, "wb") as f:
            f.write(content)
        if os.path.exists(out):
            os.unlink(out)

    reads = (("iotflash", "read 4M, verified", [iot + ["read-flash", "0", "all", out]],
              "every block read twice and compared"),
             ("flashrom", "read 4M", [fr + ["-r", out]], "one pass, unverified"),
             ("flashrom", "read 4M, then -v", [fr + ["-r", out], fr + ["-v", out]],
              "the second pass its users run to prove a backup"))
    for tool, op, cmds, note in reads:
        fresh()
        wall, ok, err = 0.0, True, ""
        for cmd in cmds:
            ok, t, err = ch341_run(b, flash, cmd)
            wall += t
            if not ok:
                break
        ok = ok and open(out, "rb").read() == content
        b.row("w25q32", "%s %s" % (tool, op), size, 0, 0, wall, 0, 0,
              ("identical, " + note) if ok else "FAILED: " + err)

    writes = (("iotflash", iot + ["--no-backup", "write-flash", "0", image]),
              ("flashrom", fr + ["-w", image]))
    for tool, cmd in writes:
        fresh()
        ok, wall, err = ch341_run(b, flash, cmd)
        ok = ok and open(flash, "rb").read() == open(image, "rb").read()
        b.row("w25q32", "%s write 4M onto another" % tool, size, 0, 0, wall, 0, 0,
              "flash equals the image" if ok else "FAILED: " + err)
        ok, wall, err = ch341_run(b, flash, cmd)
        ok = ok and open(flash, "rb").read() == open(image, "rb").read()
        b.row("w25q32", "%s rewrite same 4M" % tool, size, 0, 0, wall, 0, 0,
              "flash equals the image" if ok else "FAILED: " + err)


def machine():
    """CPU model, cores and load: the figures depend on them."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = "%.2f %.2f %.2f" % os.getloadavg()
    return "%s, %d cores, load average %s" % (cpu, os.cpu_count() or 0, load)


def markdown(b, started):
    """Every row as one Markdown table (README's performance section)."""
    print()
    print("Machine: %s at the start; %s at the end." % (started, machine().split("load average ")[1]))
    print()
    print("| chip | operation | baud | floor s | wall s | ratio | note |")
    print("|---|---|---|---|---|---|---|")
    for chip, op, nbytes, baud, floor, wall, cpu, rss, note in b.rows:
        print("| %s | %s | %s | %s | %.1f | %s | %s |" % (
            chip, op, baud or "USB", "%.1f" % floor if floor else "", wall,
            "%.2f" % (wall / floor) if floor else "", note))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--build", default=os.path.join(here, ".."), help="build directory (has cli/ and sim/)")
    ap.add_argument("--src", default=os.path.join(here, ".."), help="source directory (has chipdb/)")
    ap.add_argument("--dumps", help="real flash dumps to use (default: images generated by "
                    "tests/fixtures/mkimage.py; file names: tests/fixtures/dumps/*.facts)")
    ap.add_argument("--quick", action="store_true", help="bk72xx full reads and writes only")
    ap.add_argument("--only", choices=["bk72xx", "families", "ch341", "amebaz2", "eswin"], help="one group of cases")
    ap.add_argument("--markdown", action="store_true", help="also print every row as one Markdown table at the end")
    a = ap.parse_args()
    os.umask(0o077)  # dumps hold Wi-Fi credentials
    b = Bench(os.path.abspath(a.build), os.path.abspath(a.src), a.dumps and os.path.abspath(a.dumps))
    started = machine()
    print("# machine: " + started)
    print("%-15s %-28s %8s %8s %8s %8s %6s %6s %7s  %s" %
          ("chip", "operation", "bytes", "baud", "floor s", "wall s", "ratio", "cpu s", "RSS MiB", "note"))
    try:
        if a.only in (None, "bk72xx"):
            bk72xx_cases(b, a.quick)
        if a.only == "families" or (a.only is None and not a.quick):
            family_cases(b)
        if a.only == "ch341" or (a.only is None and not a.quick):
            ch341_cases(b)
        if a.only == "eswin" or (a.only is None and not a.quick):
            eswin_cases(b)
        if a.only == "amebaz2" or (a.only is None and not a.quick):
            amebaz2_cases(b)
        if a.markdown:
            markdown(b, started)
    finally:
        b.close()


if __name__ == "__main__":
    main()
