#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""iotflash fault benchmark: how noisy a line each family survives.

Per family, the real CLI reads a realistic 2 MiB image (the generated
BK7231N stand-in) from iotflash-sim --no-timing under
--faults drop=P,flip=P (both directions), for rising P, and writes 1 MiB
under the same faults, comparing the model's flash.  Prints the highest
rate survived and the wall time at each rate against a clean line.  A
script, not a test: the figures depend on the machine and are read by
people (the fault matrix, tests/e2e/fault-matrix.sh, holds the asserted
rows).  A rate is given up after --limit seconds per operation.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

RATES = ["2e-5", "5e-5", "1e-4", "2e-4", "5e-4", "1e-3"]
# family: (model, loader generator arguments or None)
FAMILIES = [
    ("bk72xx", "bk7231n", None),
    ("bl60x", "bl602", ["gen-bl60x-loader.py", "bl602"]),
    ("ln882h", "ln882h", ["gen-ln882h-loader.py", "gui", "ln882h"]),
    ("rtl87xx", "rtl8710b", None),
    ("w80x", "w800", ["gen-w80x-stub.py"]),
    ("eswin", "ecr6600", ["gen-eswin-loader.py", "ecr6600"]),
]
MIB = 1 << 20


class Bench:
    def __init__(self, build, src, limit):
        self.cli = os.path.join(build, "cli", "iotflash")
        self.sim = os.path.join(build, "sim", "iotflash-sim")
        plugdirs = sorted(root for root, _, files in os.walk(os.path.join(build, "plugins"))
                          if root.endswith("/.libs") and any(f.endswith(".so") for f in files))
        self.env = dict(os.environ, IOTFLASH_PLUGIN_PATH=":".join(plugdirs),
                        IOTFLASH_CHIPDB_PATH=os.path.join(src, "chipdb"))
        self.src, self.limit = src, limit
        self.tmp = tempfile.mkdtemp(prefix="iotflash-bench-faults.")
        os.chmod(self.tmp, 0o700)
        images = os.path.join(self.tmp, "images")
        subprocess.run([sys.executable, os.path.join(src, "tests", "fixtures", "mkimage.py"), "--only", "bk7231n",
                        images], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(images, "bk7231n.bin"), "rb") as f:
            self.image = f.read()[:2 * MIB]

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def loader(self, model, gen):
        if not gen:
            return []
        path = os.path.join(self.tmp, model + "-loader.bin")
        script = os.path.join(self.src, "tests", "e2e", gen[0])
        subprocess.run([sys.executable, script] + gen[1:] + [path], check=True, stdout=subprocess.DEVNULL)
        return ["--loader", path]

    def cli_run(self, args):
        t0 = time.monotonic()
        try:
            p = subprocess.run([self.cli] + args, env=self.env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=self.limit)
            ok, err = p.returncode == 0, p.stderr.decode(errors="replace").strip().splitlines()
        except subprocess.TimeoutExpired:
            ok, err = False, ["over the time limit"]
        return ok, time.monotonic() - t0, (err[-1] if err else "")

    def case(self, model, extra, rate):
        """(read ok, read s, write ok, write s, why) at drop=flip=rate ('' = clean)."""
        d = tempfile.mkdtemp(dir=self.tmp)
        flash, tty, out = os.path.join(d, "flash.bin"), os.path.join(d, "tty"), os.path.join(d, "read.bin")
        with open(flash, "wb") as f:
            f.write(self.image)
        cmd = [self.sim, "--model", model, "--flash", flash, "--link", tty, "--no-timing", "--seed", "7"]
        if rate:
            cmd += ["--faults", "drop=%s,flip=%s" % (rate, rate)]
        sim = subprocess.Popen(cmd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            if not sim.stdout.readline().startswith(b"ready"):
                return False, 0, False, 0, "simulator did not start"
            base = ["-p", tty, "-c", model] + extra
            rok, rs, why = self.cli_run(base + ["read-flash", "0", "0x200000", out])
            if rok:
                with open(out, "rb") as f:
                    rok = f.read() == self.image
                why = why if rok else "read differs"
            app = os.urandom(MIB)
            with open(os.path.join(d, "app"), "wb") as f:
                f.write(app)
            wok, ws, wwhy = self.cli_run(base + ["--no-backup", "write-flash", "0x80000", os.path.join(d, "app")])
        finally:
            sim.terminate()
            sim.wait()
        if wok:
            with open(flash, "rb") as f:
                got = f.read()
            want = self.image[:0x80000] + app + self.image[0x80000 + MIB:]
            wok = got[:len(want)] == want
            wwhy = wwhy if wok else "flash differs"
        shutil.rmtree(d, ignore_errors=True)
        return rok, rs, wok, ws, why if not rok else wwhy


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--limit", type=float, default=240.0, help="seconds per operation before a rate is given up")
    ap.add_argument("--families", default=",".join(f[0] for f in FAMILIES))
    ap.add_argument("--rates", default=",".join(RATES))
    a = ap.parse_args()
    b = Bench(a.build, a.src, a.limit)
    want, rates = a.families.split(","), a.rates.split(",")
    print("%-8s %-9s %-8s %-14s %-14s %s" % ("family", "model", "rate", "read 2 MiB", "write 1 MiB", "note"))
    summary = []
    try:
        for fam, model, gen in FAMILIES:
            if fam not in want:
                continue
            extra = b.loader(model, gen)
            best = None
            clean = None
            for rate in [""] + rates:
                rok, rs, wok, ws, why = b.case(model, extra, rate)
                if not rate:
                    clean = (rs, ws)
                print("%-8s %-9s %-8s %-14s %-14s %s" % (
                    fam, model, rate or "clean", ("%.1f s" % rs) + ("" if rok else " FAIL"),
                    ("%.1f s" % ws) + ("" if wok else " FAIL"), "" if rok and wok else why[:70]), flush=True)
                if rate and rok and wok:
                    best = (rate, rs, ws)
                if rate and not (rok and wok):
                    break  # higher rates are worse
            if best and clean:
                summary.append("%-8s survives drop=flip=%s: read %.1fx, write %.1fx the clean line's time" % (
                    fam, best[0], best[1] / max(clean[0], 0.01), best[2] / max(clean[1], 0.01)))
            else:
                summary.append("%-8s survives none of the rates tried" % fam)
    finally:
        b.close()
    print()
    print("\n".join(summary))


if __name__ == "__main__":
    main()
