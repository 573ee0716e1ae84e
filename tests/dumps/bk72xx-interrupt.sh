#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# tests/e2e/bk72xx-interrupt.sh over the real dumps (configure --with-dumps).
exec bash "$(dirname "$0")/with-dumps.sh" tests/e2e/bk72xx-interrupt.sh
