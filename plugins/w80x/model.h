/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* Device model of the WinnerMicro W600/W800 ROM download mode (and the
 * W800 read stub), hosted by iotflash-sim.  See model.c for the chip
 * database params it reads. */
#ifndef IOTFLASH_W80X_MODEL_H
#define IOTFLASH_W80X_MODEL_H

#include <iotflash/model.h>

extern const struct iotflash_model_ops w80x_model;

#endif
