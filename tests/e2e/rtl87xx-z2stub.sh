#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The AmebaZ2 model's fwdram and the Z2 XMODEM read stub against a raw client.
cd "${top_srcdir:?top_srcdir is not set}" || exit 1
exec python3 tests/e2e/rtl87xx-z2stub.py
