#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Write a stand-in for a community Realtek stub (never committed).

The rtl87xx device model runs RAM code only when it knows it: the real
Z2_XModem_Stub.bin / Z2_XModem_Stub_z.bin (AmebaZ2, loaded with `fwdram`) by
their SHA-256, RTL8710B_Stub.bin (AmebaZ, uploaded to 0x10002000), or a
stand-in of the same size that starts with the marker below.  The rest is
filler: the model never executes it.

usage: gen-rtl87xx-stub.py {z2|z2z|rtl8710b} OUT
"""
import sys

KINDS = {"z2": (620, b"iotflash:z2xm\0"), "z2z": (9500, b"iotflash:z2xmz\0"),
         "rtl8710b": (18094, b"iotflash:rtl8710b-stub\0")}


def main(argv):
    if len(argv) != 3 or argv[1] not in KINDS:
        sys.stderr.write(__doc__)
        return 2
    size, marker = KINDS[argv[1]]
    body = bytes((i * 13 + 5) & 0xFF for i in range(size - len(marker)))
    with open(argv[2], "wb") as f:
        f.write(marker + body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
