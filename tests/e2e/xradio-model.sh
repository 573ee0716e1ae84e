#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The XRadio ROM, stub and firmware models against a raw client written from
# the protocol document alone.
cd "${top_srcdir:?top_srcdir is not set}" || exit 1
exec python3 tests/e2e/xradio-model.py
