#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The W800 ROM model against a raw client doing a W80x tool's info queries.
cd "${top_srcdir:?top_srcdir is not set}" || exit 1
exec python3 tests/e2e/w80x-model.py
