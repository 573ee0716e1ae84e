/* SPDX-License-Identifier: LGPL-2.1-or-later
 * SPDX-FileCopyrightText: 2026 The iotflash developers */
/* The w80x plugin: the WinnerMicro W600/W800 driver and its ROM model.
 * Built in tree and, unchanged, out of tree against the installed headers
 * (plugins/w80x/Makefile.standalone). */
#include <iotflash/plugin.h>
#include <iotflash/model.h>

#include "model.h"

extern const struct iotflash_driver w80x_driver;

static const struct iotflash_driver *const drivers[] = { &w80x_driver, NULL };
static const struct iotflash_model_ops *const models[] = { &w80x_model, NULL };

IOTFLASH_PLUGIN_DEFINE("w80x", "WinnerMicro W600/W800 UART download", drivers, NULL, models);
