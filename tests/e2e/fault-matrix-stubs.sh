#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
# The fault matrix's rows for the families that load a RAM stub or loader
# (XRadio, GD32VW553, RDA5981, ESWIN): a test of its own, so that `make -j`
# runs it beside fault-matrix.sh.  IOTFLASH_STUB_MATRIX_CHIPS picks chips.
export IOTFLASH_MATRIX_CHIPS=${IOTFLASH_STUB_MATRIX_CHIPS-xr809 gd32vw553 rda5981 ecr6600 tr6260}
export IOTFLASH_A5_MATRIX_CHIPS= IOTFLASH_OPL_MATRIX_CHIPS= IOTFLASH_NOISY_ROWS=
exec bash "$(dirname "$0")/fault-matrix.sh"
