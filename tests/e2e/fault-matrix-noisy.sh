#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# A noisy line, both directions (issue 16): a 2 MiB read and a 1 MiB write
# under drop+flip at 1e-4 and 2e-4.  Rows cost minutes each, so the default
# holds the families that survive quickly; IOTFLASH_NOISY_ROWS="ln882h:1e-4
# bl602:5e-5 ..." picks others (`make bench-faults` prints what each family
# survives; docs/architecture.md, "A noisy line").
export IOTFLASH_NOISY_ROWS=${IOTFLASH_NOISY_ROWS-bk7231n:1e-4 bk7231n:2e-4}
export IOTFLASH_MATRIX_CHIPS= IOTFLASH_A5_MATRIX_CHIPS= IOTFLASH_OPL_MATRIX_CHIPS=
exec bash "$(dirname "$0")/fault-matrix.sh"
