#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The BL602 ROM model against a raw client: replies arrive in one piece.
cd "${top_srcdir:?top_srcdir is not set}" || exit 1
exec python3 tests/e2e/bl60x-model.py
