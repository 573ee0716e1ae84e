#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The BK72xx device model against a raw-protocol client (byte-exact replies).
cd "${top_srcdir:?top_srcdir is not set}" || exit 1
exec python3 tests/e2e/bk72xx-model.py
