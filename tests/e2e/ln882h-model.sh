#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The LN882H ROM model against a raw client: RAM-code upload after CR LF and after CR.
cd "${top_srcdir:?top_srcdir is not set}" || exit 1
exec python3 tests/e2e/ln882h-model.py
